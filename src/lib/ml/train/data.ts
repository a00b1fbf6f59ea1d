// What the trainer needs from a dataset: epochs of batches, restartable at a saved position. The
// streaming shard loader (ml/data) provides it for real datasets; memoryData does for arrays
// (synthetic data, tests, calibration).
import type { Batch, LoaderPosition } from '../data/types.ts';
import { Rng, type SeedPart } from '../rng.ts';

export type { Batch, LoaderPosition };

export interface EpochReader {
  /** The next batch of the epoch, or null when the epoch is over. */
  next(): Promise<Batch | null>;
  /** Where the epoch stands after the batches handed out so far. */
  position(): LoaderPosition;
  close(): void;
}

export interface TrainingData {
  /** Samples per epoch. */
  readonly samples: number;
  /** Epoch `epoch` in its seeded order, from `from` (its start when absent). */
  openEpoch(epoch: number, batchSize: number, from?: LoaderPosition): Promise<EpochReader>;
  /**
   * Where epoch `epoch` stands after its first `samples` samples, without reading them: lets a
   * transcript segment start at any step (the data position is a function of the step).
   */
  positionAt?(epoch: number, samples: number): LoaderPosition;
}

export const START: LoaderPosition = { shard: 0, offset: 0 };

export interface MemoryDataOptions {
  /** Shuffle every epoch with Rng.seeded(seed, 'shuffle', epoch); in order when absent. */
  seed?: SeedPart;
  /** Labels per sample, sample-major: 1 (a class, the default), or L targets of a token sequence. */
  labelSize?: number;
}

/** In-memory samples, sample-major features (`featureSize` values each) and labels (`labelSize` each). */
export function memoryData(
  features: Float32Array | Int32Array,
  labels: Int32Array,
  featureSize: number,
  options: MemoryDataOptions = {},
): TrainingData {
  const labelSize = options.labelSize ?? 1;
  if (!Number.isInteger(labelSize) || labelSize < 1)
    throw new RangeError(`memoryData: labelSize must be a positive integer, got ${labelSize}`);
  const samples = labels.length / labelSize;
  if (!Number.isInteger(samples) || features.length !== samples * featureSize) {
    throw new RangeError(
      `memoryData: ${features.length} feature values and ${labels.length} labels are not samples of ${featureSize} values and ${labelSize} labels`,
    );
  }
  return {
    samples,
    async openEpoch(epoch, batchSize, from = START) {
      if (from.shard !== 0 || from.offset < 0 || from.offset > samples)
        throw new RangeError(`memoryData: bad position ${JSON.stringify(from)}`);
      const order = options.seed === undefined ? null : Rng.seeded(options.seed, 'shuffle', epoch).permutation(samples);
      let offset = from.offset;
      return {
        async next() {
          if (offset >= samples) return null;
          const size = Math.min(batchSize, samples - offset);
          const f =
            features instanceof Float32Array
              ? new Float32Array(size * featureSize)
              : new Int32Array(size * featureSize);
          const l = new Int32Array(size * labelSize);
          for (let i = 0; i < size; i++) {
            const s = order ? order[offset + i]! : offset + i;
            f.set(features.subarray(s * featureSize, (s + 1) * featureSize), i * featureSize);
            l.set(labels.subarray(s * labelSize, (s + 1) * labelSize), i * labelSize);
          }
          offset += size;
          return { features: f, labels: l, size };
        },
        position: () => ({ shard: 0, offset }),
        close() {},
      };
    },
    positionAt(_epoch, offset) {
      if (!Number.isInteger(offset) || offset < 0 || offset > samples)
        throw new RangeError(`memoryData: sample offset must be in 0..${samples}, got ${offset}`);
      return { shard: 0, offset };
    },
  };
}
