// The datasets shipped in the repository (scripts/data/convert.ts): formats, hashes, counts and
// a few values known from the upstream files.
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { sha256Hex } from '../../../../src/lib/ml/hash.ts';
import { createLoader } from '../../../../src/lib/ml/data/loader.ts';
import { decodedShardBytes, parseManifestBytes } from '../../../../src/lib/ml/data/manifest.ts';
import { decodeShard, gunzip, gzip } from '../../../../src/lib/ml/data/shard.ts';
import { fsSource, shardFileName } from '../../../../src/lib/ml/data/sources.ts';
import type { FeatureDatasetManifest, Shard } from '../../../../src/lib/ml/data/types.ts';
import { featureManifest } from './fixtures.ts';

const ROOT = join(import.meta.dirname, '..', '..', '..', '..');

const DATASETS = {
  'fashion-mnist-train': { dir: 'public/datasets/fashion-mnist-train', samples: 60_000, shards: 6 },
  'fashion-mnist-eval': { dir: 'public/datasets/fashion-mnist-eval', samples: 5_000, shards: 1 },
  'fashion-mnist-final': { dir: 'datasets/hidden/fashion-mnist-final', samples: 5_000, shards: 1 },
  'digits-train': { dir: 'public/datasets/digits-train', samples: 1_297, shards: 1 },
  'digits-eval': { dir: 'public/datasets/digits-eval', samples: 250, shards: 1 },
  'digits-final': { dir: 'datasets/hidden/digits-final', samples: 250, shards: 1 },
} as const;
type Name = keyof typeof DATASETS;

async function open(
  name: Name,
): Promise<{ manifest: FeatureDatasetManifest; hash: string; shards: () => AsyncGenerator<Shard> }> {
  const dir = join(ROOT, DATASETS[name].dir);
  const source = fsSource(dir);
  const { manifest: parsed, hash } = await source.manifest();
  const manifest = featureManifest(parsed);
  return {
    manifest,
    hash,
    async *shards() {
      for (const ref of manifest.shards) yield decodeShard(await source.get(ref.sha256), manifest, ref);
    },
  };
}

function sum(values: ArrayLike<number>): number {
  let s = 0;
  for (let i = 0; i < values.length; i++) s += values[i]!;
  return s;
}

function counts(labels: Iterable<number>, classes = 10): number[] {
  const c = new Array<number>(classes).fill(0);
  for (const y of labels) c[y]!++;
  return c;
}

describe('shipped datasets', () => {
  it.each(Object.keys(DATASETS) as Name[])('%s: manifest, shard files and hashes agree', async (name) => {
    const want = DATASETS[name];
    const dir = join(ROOT, want.dir);
    const bytes = readFileSync(join(dir, 'manifest.json'));
    const parsed = await parseManifestBytes(bytes);
    const { hash } = parsed;
    const manifest = featureManifest(parsed.manifest);
    expect(hash).toBe(await sha256Hex(bytes));
    expect(manifest.name).toBe(name);
    expect(manifest.samples).toBe(want.samples);
    expect(manifest.shards.length).toBe(want.shards);
    expect(manifest.labels.classes).toBe(10);
    expect(manifest.features.dtype).toBe('uint8');
    // The folder holds exactly the manifest and its shards.
    expect(readdirSync(dir).sort()).toEqual(
      ['manifest.json', ...manifest.shards.map((s) => shardFileName(s.sha256))].sort(),
    );
    for (const ref of manifest.shards) {
      const file = readFileSync(join(dir, shardFileName(ref.sha256)));
      expect(await sha256Hex(file)).toBe(ref.sha256);
      expect(file.length).toBe(ref.bytes);
    }
  });

  it('re-encodes a decoded shard to the same bytes (the conversion is deterministic)', async () => {
    const { manifest } = await open('digits-train');
    const ref = manifest.shards[0]!;
    const file = readFileSync(join(ROOT, DATASETS['digits-train'].dir, shardFileName(ref.sha256)));
    const raw = await gunzip(file, decodedShardBytes(manifest, ref.samples));
    expect(await sha256Hex(await gzip(raw))).toBe(ref.sha256);
  });

  it('keeps the hidden sets out of public/', () => {
    expect(existsSync(join(ROOT, 'public/datasets/fashion-mnist-final'))).toBe(false);
    expect(existsSync(join(ROOT, 'public/datasets/digits-final'))).toBe(false);
  });

  it('fashion-mnist-train: upstream order, labels and pixels', async () => {
    const ds = await open('fashion-mnist-train');
    expect(ds.manifest.features).toEqual({ shape: [28, 28, 1], dtype: 'uint8', scale: 1 / 255 });
    expect(ds.manifest.labels.names).toEqual([
      'T-shirt/top',
      'Trouser',
      'Pullover',
      'Dress',
      'Coat',
      'Sandal',
      'Shirt',
      'Sneaker',
      'Bag',
      'Ankle boot',
    ]);
    const all: number[] = [];
    let first: Shard | undefined;
    for await (const shard of ds.shards()) {
      expect(shard.samples).toBe(10_000);
      first ??= shard;
      all.push(...shard.labels);
    }
    // The first training image is an ankle boot (label 9).
    expect(ds.manifest.labels.names?.[first!.labels[0]!]).toBe('Ankle boot');
    expect(Array.from(first!.labels.subarray(0, 10))).toEqual([9, 0, 0, 3, 0, 2, 7, 2, 5, 5]);
    expect(counts(all)).toEqual(new Array<number>(10).fill(6_000));
    // Pixels of image 0 (bytes from train-images-idx3-ubyte): sum 76247, byte 99 is 13, centre 217.
    const img = first!.features.subarray(0, 784);
    expect(img[99]).toBeCloseTo(13 / 255, 7);
    expect(img[14 * 28 + 14]).toBeCloseTo(217 / 255, 7);
    expect(sum(img) * 255).toBeCloseTo(76_247, 1);
  });

  it('fashion-mnist eval and final: the two halves of the test set', async () => {
    const evalSet = await open('fashion-mnist-eval');
    const final = await open('fashion-mnist-final');
    const e = (await evalSet.shards().next()).value as Shard | undefined;
    const f = (await final.shards().next()).value as Shard | undefined;
    expect(Array.from(e!.labels.subarray(0, 8))).toEqual([9, 2, 1, 1, 6, 1, 4, 6]);
    expect(Array.from(f!.labels.subarray(0, 5))).toEqual([2, 3, 6, 4, 6]);
    expect(counts(e!.labels)).toEqual([507, 481, 521, 500, 521, 485, 482, 500, 526, 477]);
    expect(counts([...e!.labels, ...f!.labels])).toEqual(new Array<number>(10).fill(1_000));
    expect(sum(e!.features.subarray(0, 784)) * 255).toBeCloseTo(33_456, 1);
    expect(sum(f!.features.subarray(0, 784)) * 255).toBeCloseTo(86_069, 1);
  });

  it('digits: the three splits partition the 1,797 scikit-learn digits', async () => {
    const labels: number[] = [];
    const rows = new Map<string, number>();
    for (const name of ['digits-train', 'digits-eval', 'digits-final'] as const) {
      const ds = await open(name);
      expect(ds.manifest.features).toEqual({ shape: [8, 8, 1], dtype: 'uint8', scale: 1 / 16 });
      for await (const shard of ds.shards()) {
        labels.push(...shard.labels);
        for (let i = 0; i < shard.samples; i++) {
          const key = `${Array.from(shard.features.subarray(i * 64, (i + 1) * 64), (v) => v * 16).join(',')},${shard.labels[i]}`;
          rows.set(key, (rows.get(key) ?? 0) + 1);
        }
      }
    }
    expect(labels.length).toBe(1_797);
    // load_digits' class sizes.
    expect(counts(labels)).toEqual([178, 182, 177, 183, 181, 182, 181, 179, 174, 180]);
    // The first two rows of digits.csv, features then label.
    expect(
      rows.get(
        '0,0,5,13,9,1,0,0,0,0,13,15,10,15,5,0,0,3,15,2,0,11,8,0,0,4,12,0,0,8,8,0,0,5,8,0,0,9,8,0,0,4,11,0,1,12,7,0,0,2,14,5,10,12,0,0,0,0,6,13,10,0,0,0,0',
      ),
    ).toBe(1);
    expect(
      rows.get(
        '0,0,0,12,13,5,0,0,0,0,0,11,16,9,0,0,0,0,3,15,16,6,0,0,0,7,15,16,16,2,0,0,0,0,1,16,16,3,0,0,0,0,1,16,16,6,0,0,0,0,1,16,16,6,0,0,0,0,0,11,16,10,0,0,1',
      ),
    ).toBe(1);
  });

  it('digits-train streams through the loader as a whole epoch', async () => {
    const dir = join(ROOT, DATASETS['digits-train'].dir);
    const source = fsSource(dir);
    const { manifest } = await source.manifest();
    const loader = createLoader(manifest, source, { batchSize: 32, seed: 'demo', epoch: 0 });
    let n = 0;
    let max = 0;
    for await (const b of loader) {
      n += b.size;
      for (const v of b.features) max = Math.max(max, v);
    }
    expect(n).toBe(1_297);
    expect(max).toBe(1);
  });
});
