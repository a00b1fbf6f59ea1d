// TrainingData over a content-addressed dataset: the streaming shard loader of ml/data, one
// loader per epoch (a loader is iterated once), started at the checkpoint's position on resume.
import { createLoader } from '../data/loader.ts';
import type { BlobSource, DatasetManifest } from '../data/types.ts';
import type { SeedPart } from '../rng.ts';
import type { EpochReader, TrainingData } from './data.ts';

export interface DatasetDataOptions {
  seed: SeedPart;
  /** Default true (training); evaluation reads in file order. */
  shuffle?: boolean;
}

export function datasetData(manifest: DatasetManifest, source: BlobSource, options: DatasetDataOptions): TrainingData {
  return {
    samples: manifest.samples,
    async openEpoch(epoch, batchSize, from) {
      const loader = createLoader(manifest, source, {
        batchSize,
        seed: options.seed,
        epoch,
        shuffle: options.shuffle ?? true,
        ...(from ? { start: from } : {}),
      });
      const it = loader[Symbol.asyncIterator]();
      const reader: EpochReader = {
        async next() {
          const r = await it.next();
          return r.done ? null : r.value;
        },
        position: () => loader.position(),
        close() {
          // Ends the generator so the loader drops its shards.
          void it.return?.(undefined);
        },
      };
      return reader;
    },
  };
}
