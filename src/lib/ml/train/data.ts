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
}

/** In-memory samples, sample-major features (`featureSize` values each). */
export function memoryData(
  features: Float32Array | Int32Array,
  labels: Int32Array,
  featureSize: number,
  options: MemoryDataOptions = {},
): TrainingData {
  const samples = labels.length;
  if (features.length !== samples * featureSize) {
    throw new RangeError(`memoryData: ${features.length} feature values for ${samples} samples of ${featureSize}`);
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
          const l = new Int32Array(size);
          for (let i = 0; i < size; i++) {
            const s = order ? order[offset + i]! : offset + i;
            f.set(features.subarray(s * featureSize, (s + 1) * featureSize), i * featureSize);
            l[i] = labels[s]!;
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
