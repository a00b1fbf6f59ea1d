// Streaming batch loader (docs/ml.md section 2). A browser tab cannot hold a large dataset
// decoded, so the loader keeps at most two decoded shards: the one batches are drawn from and
// the next one, fetched and decoded in the background while the current one is used.
//
// Order, for a given (seed, epoch): the shard order is a seeded shuffle, and within each shard
// the samples follow a seeded permutation drawn from a stream named by the shard's manifest
// index. The epoch is the concatenation of those permutations, cut into batches; a batch can
// span the boundary between two shards, and only the epoch's last batch is short. Because every
// shard's permutation has its own stream, a loader started at any position (shard, offset)
// reproduces the rest of the sequence without replaying what came before.
import { Rng, type SeedPart } from '../rng.ts';
import { decodeShard } from './shard.ts';
import { featureSize, intFeatures, labelsPerSample } from './manifest.ts';
import type { Batch, BlobSource, DatasetManifest, LoaderPosition, Shard } from './types.ts';

export interface LoaderOptions {
  batchSize: number;
  /** The run's seed. */
  seed: SeedPart;
  /** Shuffle shard order and samples within shards (default true); false keeps file order. */
  shuffle?: boolean;
  /** Epoch number (default 0): each epoch has its own order. */
  epoch?: number;
  /** Resume here instead of at the start of the epoch. */
  start?: LoaderPosition;
}

export interface LoaderStats {
  /** Decoded shards the loader holds right now. */
  liveShards: number;
  /** The most it ever held at once (the bound is 2). */
  maxLiveShards: number;
  /** Shards fetched and decoded so far. */
  loads: number;
}

export interface Loader extends AsyncIterable<Batch> {
  /** Manifest shard indices in this epoch's order. */
  readonly order: readonly number[];
  /** Samples left from the current position to the end of the epoch. */
  remaining(): number;
  /** The position of the next sample to be handed out: store it with a checkpoint. */
  position(): LoaderPosition;
  stats(): LoaderStats;
}

/** The shard order of an epoch: manifest indices. */
export function epochShardOrder(shards: number, seed: SeedPart, epoch: number, shuffle: boolean): number[] {
  const order = Array.from({ length: shards }, (_, i) => i);
  return shuffle ? Rng.seeded(seed, 'data/shard-order', epoch).shuffle(order) : order;
}

/** The order of samples within manifest shard `index` in an epoch. */
export function shardSampleOrder(
  samples: number,
  seed: SeedPart,
  epoch: number,
  index: number,
  shuffle: boolean,
): Uint32Array {
  if (!shuffle) return Uint32Array.from({ length: samples }, (_, i) => i);
  return Rng.seeded(seed, 'data/samples', epoch, index).permutation(samples);
}

interface Current {
  shard: Shard;
  perm: Uint32Array;
}

export function createLoader(manifest: DatasetManifest, source: BlobSource, options: LoaderOptions): Loader {
  const { batchSize, seed } = options;
  const shuffle = options.shuffle ?? true;
  const epoch = options.epoch ?? 0;
  if (!Number.isInteger(batchSize) || batchSize < 1)
    throw new RangeError(`batchSize: must be a positive integer, got ${batchSize}`);
  if (!Number.isSafeInteger(epoch) || epoch < 0)
    throw new RangeError(`epoch: must be a non-negative integer, got ${epoch}`);
  const order = epochShardOrder(manifest.shards.length, seed, epoch, shuffle);
  const sizes = order.map((i) => manifest.shards[i]!.samples);
  // after[p] = samples in order positions p.. (so remaining() is O(1)).
  const after = new Array<number>(sizes.length + 1).fill(0);
  for (let p = sizes.length - 1; p >= 0; p--) after[p] = after[p + 1]! + sizes[p]!;

  let pos = options.start?.shard ?? 0;
  let offset = options.start?.offset ?? 0;
  if (!Number.isInteger(pos) || pos < 0 || pos > order.length)
    throw new RangeError(`start.shard: must be an integer in 0..${order.length}, got ${pos}`);
  const maxOffset = sizes[pos] ?? 0;
  if (!Number.isInteger(offset) || offset < 0 || offset > maxOffset) {
    throw new RangeError(
      `start.offset: must be an integer in 0..${maxOffset} for shard position ${pos}, got ${offset}`,
    );
  }
  if (pos < order.length && offset === maxOffset) {
    // A position at the end of a shard is the start of the next one; never load a used-up shard.
    pos++;
    offset = 0;
  }

  const f = featureSize(manifest);
  // Labels per sample: one class, or L next-token targets for a token dataset.
  const g = labelsPerSample(manifest);
  const tokens = intFeatures(manifest);
  const held = new Set<Shard>();
  const stats: LoaderStats = { liveShards: 0, maxLiveShards: 0, loads: 0 };
  let closed = false;
  let started = false;

  function hold(shard: Shard): void {
    held.add(shard);
    stats.liveShards = held.size;
    stats.maxLiveShards = Math.max(stats.maxLiveShards, held.size);
  }
  function release(shard: Shard | undefined): void {
    if (shard !== undefined) held.delete(shard);
    stats.liveShards = held.size;
  }

  async function load(p: number): Promise<Current> {
    const index = order[p]!;
    const ref = manifest.shards[index]!;
    const bytes = await source.get(ref.sha256);
    const shard = await decodeShard(bytes, manifest, ref);
    stats.loads++;
    // A prefetch that completes after the consumer stopped is dropped, not counted as held.
    if (!closed) hold(shard);
    return { shard, perm: shardSampleOrder(shard.samples, seed, epoch, index, shuffle) };
  }

  function prefetch(p: number): Promise<Current> | undefined {
    if (p >= order.length) return undefined;
    const promise = load(p);
    // The error surfaces when the shard is needed; until then it must not count as unhandled.
    promise.catch(() => undefined);
    return promise;
  }

  async function* batches(): AsyncGenerator<Batch> {
    let current: Current | undefined;
    let next: Promise<Current> | undefined;
    try {
      while (after[pos]! - offset > 0) {
        const size = Math.min(batchSize, after[pos]! - offset);
        const features = tokens ? new Int32Array(size * f) : new Float32Array(size * f);
        const labels = new Int32Array(size * g);
        let filled = 0;
        while (filled < size) {
          if (current === undefined) {
            current = await (next ?? load(pos));
            next = prefetch(pos + 1);
          }
          const cur = current;
          if (offset === cur.shard.samples) {
            // Drop the finished shard before waiting for the next, so at most two are held.
            release(cur.shard);
            current = undefined;
            pos++;
            offset = 0;
            continue;
          }
          const k = Math.min(size - filled, cur.shard.samples - offset);
          const src = cur.shard.features;
          for (let j = 0; j < k; j++) {
            const s = cur.perm[offset + j]!;
            features.set(src.subarray(s * f, (s + 1) * f), (filled + j) * f);
            if (g === 1) labels[filled + j] = cur.shard.labels[s]!;
            else labels.set(cur.shard.labels.subarray(s * g, (s + 1) * g), (filled + j) * g);
          }
          offset += k;
          filled += k;
        }
        if (current !== undefined && offset === current.shard.samples) {
          // Finished shard: release it now rather than on the next pull, and report the
          // position as the start of the next shard.
          release(current.shard);
          current = undefined;
          pos++;
          offset = 0;
        }
        yield { features, labels, size };
      }
    } finally {
      closed = true;
      held.clear();
      stats.liveShards = 0;
      // Drops the shard references even while the caller still holds the finished generator.
      /* eslint-disable no-useless-assignment -- see the line above */
      current = undefined;
      next = undefined;
      /* eslint-enable no-useless-assignment */
    }
  }

  return {
    order,
    remaining: () => after[pos]! - offset,
    position: () => ({ shard: pos, offset }),
    stats: () => ({ ...stats }),
    [Symbol.asyncIterator]() {
      if (started) throw new Error('a loader is iterated once; create a new one (with start) to go again');
      started = true;
      return batches();
    },
  };
}
