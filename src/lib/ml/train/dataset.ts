// TrainingData over a content-addressed dataset: the streaming shard loader of ml/data, one
// loader per epoch (a loader is iterated once), started at the checkpoint's position on resume.
import { createLoader, epochShardOrder } from '../data/loader.ts';
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
    positionAt(epoch, samples) {
      if (!Number.isInteger(samples) || samples < 0 || samples > manifest.samples)
        throw new RangeError(`sample offset must be in 0..${manifest.samples}, got ${samples}`);
      const order = epochShardOrder(manifest.shards.length, options.seed, epoch, options.shuffle ?? true);
      let left = samples;
      for (let p = 0; p < order.length; p++) {
        const size = manifest.shards[order[p]!]!.samples;
        if (left < size) return { shard: p, offset: left };
        left -= size;
      }
      return { shard: order.length, offset: 0 };
    },
  };
}
