// The samples of an evaluation subset (SPEC 2.2, revision 2), read from a dataset in file order.
// The dataset is still streamed shard by shard: only the chosen samples are copied out, and
// reading stops at the last chosen index.
import type { Batch, EpochReader, TrainingData } from '../train/data.ts';

/** Sample indices as evaluated: ascending, unique, integers in [0, samples). Throws RangeError naming the first bad entry. */
export function sortedIndices(indices: ArrayLike<number>, samples: number): Uint32Array {
  if (indices.length === 0) throw new RangeError('indices: empty, an evaluation needs at least one sample');
  const out = new Uint32Array(indices.length);
  for (let i = 0; i < indices.length; i++) {
    const v = indices[i]!;
    if (!Number.isInteger(v) || v < 0 || v >= samples)
      throw new RangeError(`indices[${i}] = ${v}: not a sample index of a dataset of ${samples} samples`);
    out[i] = v;
  }
  out.sort();
  for (let i = 1; i < out.length; i++)
    if (out[i] === out[i - 1]) throw new RangeError(`indices: sample ${out[i]} is listed twice`);
  return out;
}

// Underlying reads are this many samples at a time, whatever the evaluation batch size.
const READ_CHUNK = 1024;

/**
 * The samples of `data` at `indices` (any order; evaluated ascending), batched by the caller's
 * batch size exactly as if they were a dataset of their own. `data` must read in file order
 * (unshuffled), as evaluation data does.
 */
export function selectSamples(data: TrainingData, indices: ArrayLike<number>): TrainingData {
  const chosen = sortedIndices(indices, data.samples);
  return {
    samples: chosen.length,
    async openEpoch(epoch, batchSize, from) {
      if (!Number.isInteger(batchSize) || batchSize < 1)
        throw new RangeError(`batchSize: must be a positive integer, got ${batchSize}`);
      const start = from?.offset ?? 0;
      if ((from !== undefined && from.shard !== 0) || !Number.isInteger(start) || start < 0 || start > chosen.length) {
        throw new RangeError(`selectSamples: bad position ${JSON.stringify(from)}`);
      }
      const source = await data.openEpoch(epoch, READ_CHUNK);
      let emitted = start; // position in `chosen` of the next sample to hand out
      let chunk: Batch | null = null;
      let chunkBase = 0; // dataset index of chunk's first sample
      let read = 0; // dataset samples read so far
      const reader: EpochReader = {
        async next() {
          if (emitted >= chosen.length) return null;
          const size = Math.min(batchSize, chosen.length - emitted);
          let features: Float32Array | Int32Array | null = null;
          let labels: Int32Array | null = null;
          let f = 0;
          let l = 0;
          for (let b = 0; b < size; b++) {
            const want = chosen[emitted + b]!;
            while (chunk === null || want >= chunkBase + chunk.size) {
              chunk = await source.next();
              if (chunk === null)
                throw new RangeError(`the evaluation data ended after ${read} samples, before sample ${want}`);
              chunkBase = read;
              read += chunk.size;
            }
            if (features === null || labels === null) {
              f = chunk.features.length / chunk.size;
              // One label per sample, or one target per position of a token sequence.
              l = chunk.labels.length / chunk.size;
              features = chunk.features instanceof Int32Array ? new Int32Array(size * f) : new Float32Array(size * f);
              labels = new Int32Array(size * l);
            }
            const s = want - chunkBase;
            features.set(chunk.features.subarray(s * f, (s + 1) * f), b * f);
            labels.set(chunk.labels.subarray(s * l, (s + 1) * l), b * l);
          }
          emitted += size;
          return { features: features!, labels: labels!, size };
        },
        position: () => ({ shard: 0, offset: emitted }),
        close: () => source.close(),
      };
      return reader;
    },
  };
}
