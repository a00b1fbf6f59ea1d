import { describe, expect, it } from 'vitest';
import { createLoader, epochShardOrder } from '../../../../src/lib/ml/data/loader.ts';
import { memorySource } from '../../../../src/lib/ml/data/sources.ts';
import { IntegrityError } from '../../../../src/lib/ml/integrity.ts';
import type { Batch, LoaderPosition } from '../../../../src/lib/ml/data/types.ts';
import { fixtureToken, makeDataset, makeTokenDataset, recordingSource } from './fixtures.ts';

// Uneven shards so batches cross shard boundaries at different offsets.
const fx = await makeDataset([7, 10, 3, 12, 5, 9]);
const total = 46;
const f = 3;

/** The sample ids (first feature) of a batch. */
const ids = (b: Batch) => Array.from({ length: b.size }, (_, i) => b.features[i * f]!);

async function collect(loader: AsyncIterable<Batch>, take = Infinity): Promise<Batch[]> {
  const out: Batch[] = [];
  if (take <= 0) return out;
  for await (const b of loader) {
    out.push(b);
    if (out.length >= take) break;
  }
  return out;
}

const opts = { batchSize: 4, seed: 'run-1', epoch: 0 };

describe('createLoader', () => {
  it('hands out every sample exactly once, in full batches but the last', async () => {
    const batches = await collect(createLoader(fx.manifest, memorySource(fx.blobs), opts));
    expect(batches.map((b) => b.size)).toEqual([...new Array<number>(11).fill(4), 2]);
    const all = batches.flatMap(ids);
    expect([...all].sort((x, y) => x - y)).toEqual(Array.from({ length: total }, (_, i) => i));
    expect(all).not.toEqual(Array.from({ length: total }, (_, i) => i));
    for (const b of batches) {
      expect(b.features).toBeInstanceOf(Int32Array);
      expect(b.features.length).toBe(b.size * f);
      expect(b.labels.length).toBe(b.size);
      // Labels travel with their samples (fixture label = id mod 10) and so do all features.
      ids(b).forEach((id, i) => {
        expect(b.labels[i]).toBe(id % 10);
        expect(b.features[i * f + 1]).toBe((id * 7 + 1) % 200);
      });
    }
  });

  it('draws each batch from the current shard (and the next one only at a boundary)', async () => {
    const loader = createLoader(fx.manifest, memorySource(fx.blobs), { ...opts, batchSize: 1 });
    const shardOf = (id: number) => [7, 17, 20, 32, 37, 46].findIndex((end) => id < end);
    const seq = (await collect(loader)).flatMap(ids).map(shardOf);
    // Runs of one shard each, in the epoch's shard order.
    const runs = seq.filter((s, i) => i === 0 || s !== seq[i - 1]);
    expect(runs).toEqual(loader.order);
  });

  it('is reproducible for the same seed and epoch, and differs otherwise', async () => {
    const run = async (o: Partial<typeof opts> & { shuffle?: boolean }) =>
      (await collect(createLoader(fx.manifest, memorySource(fx.blobs), { ...opts, ...o }))).flatMap(ids);
    const a = await run({});
    expect(await run({})).toEqual(a);
    expect(await run({ epoch: 1 })).not.toEqual(a);
    expect(await run({ seed: 'run-2' })).not.toEqual(a);
    expect(await run({ shuffle: false })).toEqual(Array.from({ length: total }, (_, i) => i));
    // Same seed and epoch give the same sample order whatever the batch size.
    expect(await run({ batchSize: 5 })).toEqual(a);
    expect(epochShardOrder(6, 'run-1', 0, true)).toEqual(createLoader(fx.manifest, memorySource(fx.blobs), opts).order);
  });

  it('resumes mid-epoch from a saved position with the same sequence', async () => {
    const full = await collect(createLoader(fx.manifest, memorySource(fx.blobs), opts));
    for (let k = 0; k <= full.length; k++) {
      const first = createLoader(fx.manifest, memorySource(fx.blobs), opts);
      const head = await collect(first, k);
      const saved: LoaderPosition = JSON.parse(JSON.stringify(first.position()));
      expect(first.remaining()).toBe(total - head.reduce((n, b) => n + b.size, 0));
      const rest = await collect(createLoader(fx.manifest, memorySource(fx.blobs), { ...opts, start: saved }));
      expect([...head, ...rest].map(ids)).toEqual(full.map(ids));
    }
  });

  it('resumes from any sample position, including shard ends', async () => {
    const one = (await collect(createLoader(fx.manifest, memorySource(fx.blobs), { ...opts, batchSize: 1 }))).flatMap(
      ids,
    );
    const loader = createLoader(fx.manifest, memorySource(fx.blobs), opts);
    const sizes = loader.order.map((i) => fx.manifest.shards[i]!.samples);
    let before = 0;
    for (const [p, size] of sizes.entries()) {
      for (const offset of [0, 1, size - 1, size]) {
        const rest = (
          await collect(
            createLoader(fx.manifest, memorySource(fx.blobs), { ...opts, batchSize: 3, start: { shard: p, offset } }),
          )
        ).flatMap(ids);
        expect(rest).toEqual(one.slice(before + offset));
      }
      before += size;
    }
    expect(
      await collect(createLoader(fx.manifest, memorySource(fx.blobs), { ...opts, start: { shard: 6, offset: 0 } })),
    ).toEqual([]);
  });

  it('holds at most two decoded shards and prefetches only one ahead', async () => {
    const yielded = new Set<number>();
    const violations: string[] = [];
    const source = recordingSource(fx.blobs, (sha) => {
      const p = loader.order.findIndex((i) => fx.manifest.shards[i]!.sha256 === sha);
      const stats = loader.stats();
      if (stats.liveShards > 1)
        violations.push(`fetching position ${p} while holding ${stats.liveShards} decoded shards`);
      // Fetching position p means positions < p-1 are used up: handed out, or copied into the
      // batch being filled (fewer than batchSize samples).
      const done = loader.order.slice(0, Math.max(0, p - 1)).reduce((n, i) => n + fx.manifest.shards[i]!.samples, 0);
      if (yielded.size < done - 1)
        violations.push(`position ${p} fetched with ${yielded.size} of ${done} earlier samples used`);
    });
    const loader = createLoader(fx.manifest, source, { ...opts, batchSize: 2 });
    let maxLive = 0;
    for await (const b of loader) {
      ids(b).forEach((id) => yielded.add(id));
      maxLive = Math.max(maxLive, loader.stats().liveShards);
      // A consumer slower than decoding (like training): give the prefetch time to complete.
      for (let i = 0; i < 25 && loader.stats().liveShards < 2 && loader.stats().loads < 6; i++)
        await new Promise((r) => setTimeout(r, 2));
    }
    expect(violations).toEqual([]);
    expect(maxLive).toBeLessThanOrEqual(2);
    expect(loader.stats().maxLiveShards).toBe(2);
    expect(loader.stats().loads).toBe(6);
    expect(source.gets.length).toBe(6);
    expect(loader.stats().liveShards).toBe(0);
  });

  it('fetches each shard once and nothing before a resume point', async () => {
    const source = recordingSource(fx.blobs);
    const loader = createLoader(fx.manifest, source, { ...opts, start: { shard: 4, offset: 2 } });
    await collect(loader);
    expect(source.gets).toEqual(loader.order.slice(4).map((i) => fx.manifest.shards[i]!.sha256));
  });

  it('lets go of its shards when the consumer stops early', async () => {
    const loader = createLoader(fx.manifest, memorySource(fx.blobs), opts);
    await collect(loader, 1);
    expect(loader.stats().liveShards).toBe(0);
    expect(() => loader[Symbol.asyncIterator]()).toThrow(/iterated once/);
  });

  it('fails with the integrity error of a bad shard, without unhandled rejections from prefetch', async () => {
    const order = epochShardOrder(6, opts.seed, 0, true);
    const badSha = fx.manifest.shards[order[1]!]!.sha256;
    const blobs = new Map(fx.blobs);
    blobs.set(badSha, fx.blobs.get(fx.manifest.shards[order[0]!]!.sha256)!);
    // Stopping before the bad shard is needed: its prefetch fails silently.
    await collect(createLoader(fx.manifest, memorySource(blobs), { ...opts, batchSize: 1 }), 2);
    await new Promise((r) => setTimeout(r, 10));
    await expect(collect(createLoader(fx.manifest, memorySource(blobs), opts))).rejects.toBeInstanceOf(IntegrityError);
  });

  it('scales uint8 features into float batches', async () => {
    const img = await makeDataset([4, 4], { dtype: 'uint8', shape: [2, 2, 1], scale: 0.25 });
    const [b] = await collect(
      createLoader(img.manifest, memorySource(img.blobs), { batchSize: 8, seed: 1, shuffle: false }),
    );
    expect(b!.features).toBeInstanceOf(Float32Array);
    expect(Array.from(b!.features.subarray(0, 8))).toEqual([0, 0.25, 0.5, 0.75, 0.25, 2, 2.25, 2.5]);
  });

  it('rejects bad options', () => {
    const src = memorySource(fx.blobs);
    expect(() => createLoader(fx.manifest, src, { ...opts, batchSize: 0 })).toThrow(/batchSize/);
    expect(() => createLoader(fx.manifest, src, { ...opts, epoch: -1 })).toThrow(/epoch/);
    expect(() => createLoader(fx.manifest, src, { ...opts, start: { shard: 7, offset: 0 } })).toThrow(
      /start.shard: must be an integer in 0..6/,
    );
    expect(() => createLoader(fx.manifest, src, { ...opts, start: { shard: 6, offset: 1 } })).toThrow(/start.offset/);
    const size = fx.manifest.shards[epochShardOrder(6, opts.seed, 0, true)[0]!]!.samples;
    expect(() => createLoader(fx.manifest, src, { ...opts, start: { shard: 0, offset: size + 1 } })).toThrow(
      /start.offset/,
    );
    expect(() => createLoader(fx.manifest, src, { ...opts, start: { shard: 0, offset: -1 } })).toThrow(/start.offset/);
  });
});

// The same shard sizes as the feature fixture, so the sample order must be the same too.
const L = 5;
const tx = await makeTokenDataset([7, 10, 3, 12, 5, 9], L);

describe('createLoader on a token dataset', () => {
  const tid = (b: Batch) => Array.from({ length: b.size }, (_, i) => b.features[i * L]!);

  it('hands out L inputs and L targets per sequence, in the order of any dataset', async () => {
    const batches = await collect(createLoader(tx.manifest, memorySource(tx.blobs), opts));
    const reference = (await collect(createLoader(fx.manifest, memorySource(fx.blobs), opts))).flatMap(ids);
    expect(batches.flatMap(tid)).toEqual(reference);
    expect(batches.map((b) => b.size)).toEqual([...new Array<number>(11).fill(4), 2]);
    for (const b of batches) {
      expect(b.features).toBeInstanceOf(Int32Array);
      expect(b.features.length).toBe(b.size * L);
      expect(b.labels.length).toBe(b.size * L);
      tid(b).forEach((id, i) => {
        for (let j = 0; j < L; j++) {
          expect(b.features[i * L + j]).toBe(fixtureToken(id, j, 256));
          expect(b.labels[i * L + j]).toBe(fixtureToken(id, j + 1, 256));
        }
      });
    }
  });

  it('resumes mid-epoch with the same sequences and targets', async () => {
    const whole = await collect(createLoader(tx.manifest, memorySource(tx.blobs), { ...opts, batchSize: 3 }));
    const first = createLoader(tx.manifest, memorySource(tx.blobs), { ...opts, batchSize: 3 });
    await collect(first, 5);
    const rest = await collect(
      createLoader(tx.manifest, memorySource(tx.blobs), { ...opts, batchSize: 3, start: first.position() }),
    );
    expect(rest.map((b) => Array.from(b.labels))).toEqual(whole.slice(5).map((b) => Array.from(b.labels)));
  });
});
