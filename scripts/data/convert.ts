// Converts the shipped datasets to the aiarena-dataset format (docs/ml.md section 2):
//
//   npx tsx scripts/data/convert.ts            write public/datasets/* and datasets/hidden/*
//   npx tsx scripts/data/convert.ts --check    rebuild in a temp folder, compare with the repo
//   npx tsx scripts/data/convert.ts --out DIR  write under DIR instead of the repository root
//
// Sources are Debian packages, fetched with `apt-get download` and unpacked with `dpkg-deb -x`
// into a temp folder (no root install), unless they are already installed:
//   dataset-fashion-mnist  /usr/share/datasets/fashion-mnist/*-ubyte.gz   (MIT, Zalando Research)
//   python3-sklearn        sklearn/datasets/data/digits.csv.gz           (BSD-3-Clause)
// The decompressed sources are checked against pinned sha256s, and the output is deterministic
// (fixed order, Node's zlib at its default level, zero gzip mtime, stable JSON), so every run
// writes the same bytes and so the same dataset hashes: `--check` proves it.
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { sha256Hex } from '../../src/lib/ml/hash.ts';
import { Rng } from '../../src/lib/ml/rng.ts';
import { parseManifest } from '../../src/lib/ml/data/manifest.ts';
import { encodeShard } from '../../src/lib/ml/data/shard.ts';
import { MANIFEST_FILE, shardFileName } from '../../src/lib/ml/data/sources.ts';
import type { FeatureDatasetManifest, FeatureLayout } from '../../src/lib/ml/data/types.ts';
import { REPO_ROOT } from '../lib/paths.ts';
import { fileCid } from '../../src/lib/storage/unixfs/dag.ts';
import { CHUNK_BYTES } from '../../src/lib/storage/unixfs/settings.ts';

/** sha256 of the decompressed source files: the conversion only runs on the data it was written for. */
const SOURCE_SHA256 = {
  'train-images-idx3-ubyte': 'c59f468a2f672dc815687fe0f83887768d799fd8a3f3276145d20f83aa44d888',
  'train-labels-idx1-ubyte': 'bad3541b69d912435c50bb6ba87bec294ff4f6a2e1246121d8633921760443d9',
  't10k-images-idx3-ubyte': '5b4141f0afbad91edebe8549f8fcffe087ea10ca49f1dbef5c9a5cd8815ce37b',
  't10k-labels-idx1-ubyte': '0402a96d92fd2663957122ceb108a494c5af83dab82d92729df917d7dec38c34',
  'digits.csv': '6ebb3d2fee246a4e99363262ddf8a00a3c41bee6014c373ed9d9216ba7f651b8',
} as const;

const FASHION_DIR = '/usr/share/datasets/fashion-mnist';
const DIGITS_CSV = '/usr/lib/python3/dist-packages/sklearn/datasets/data/digits.csv.gz';

const FASHION_LABELS = [
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
];
const FASHION_LICENSE = 'MIT (Zalando Research), via Debian dataset-fashion-mnist';
const DIGITS_LICENSE = 'BSD-3-Clause (scikit-learn digits, from the UCI optdigits data), via Debian python3-sklearn';
/** The digits split: a seeded permutation of the 1,797 rows, cut into 1,297 / 250 / 250. */
const DIGITS_SPLIT_SEED = 'aiarena/digits-split/v1';
const DIGITS_SPLIT = { train: 1297, eval: 250, final: 250 } as const;

interface Split {
  name: string;
  /** Folder relative to the output root. */
  dir: string;
  license: string;
  features: FeatureLayout['features'];
  labels: FeatureLayout['labels'];
  /** Stored features (uint8) and labels, one entry per shard. */
  shards: { features: Uint8Array; labels: Uint8Array }[];
}

function sha256Sync(bytes: Uint8Array): string {
  return createHash('sha256').update(bytes).digest('hex');
}

function checkSource(name: keyof typeof SOURCE_SHA256, bytes: Uint8Array): Uint8Array {
  const actual = sha256Sync(bytes);
  if (actual !== SOURCE_SHA256[name]) {
    throw new Error(
      `${name}: sha256 ${actual}, expected ${SOURCE_SHA256[name]}; the Debian package changed, review the conversion`,
    );
  }
  return bytes;
}

/** Paths of the installed sources, or of a temp extraction of the Debian packages. */
function locateSources(): { fashionDir: string; digitsCsv: string; cleanup: () => void } {
  const haveFashion = existsSync(join(FASHION_DIR, 'train-images-idx3-ubyte.gz'));
  const haveDigits = existsSync(DIGITS_CSV);
  const packages = [...(haveFashion ? [] : ['dataset-fashion-mnist']), ...(haveDigits ? [] : ['python3-sklearn'])];
  if (packages.length === 0) return { fashionDir: FASHION_DIR, digitsCsv: DIGITS_CSV, cleanup: () => undefined };
  const tmp = mkdtempSync(join(tmpdir(), 'aiarena-datasets-'));
  try {
    console.log(`apt-get download ${packages.join(' ')} (into ${tmp})`);
    execFileSync('apt-get', ['download', ...packages], { cwd: tmp, stdio: ['ignore', 'inherit', 'inherit'] });
  } catch (e) {
    rmSync(tmp, { recursive: true, force: true });
    throw new Error(
      `apt-get download failed (run "apt-get update" first?): ${e instanceof Error ? e.message : String(e)}`,
      { cause: e },
    );
  }
  const root = join(tmp, 'root');
  for (const deb of readdirSync(tmp).filter((f) => f.endsWith('.deb')))
    execFileSync('dpkg-deb', ['-x', join(tmp, deb), root]);
  return {
    fashionDir: haveFashion ? FASHION_DIR : join(root, FASHION_DIR),
    digitsCsv: haveDigits ? DIGITS_CSV : join(root, DIGITS_CSV),
    cleanup: () => rmSync(tmp, { recursive: true, force: true }),
  };
}

/** IDX (big-endian header): magic 0x0000080N with N dims, then N u32 dims, then u8 data. */
function readIdx(bytes: Uint8Array, dims: number): { shape: number[]; data: Uint8Array } {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const magic = view.getUint32(0, false);
  if (magic !== 0x0800 + dims)
    throw new Error(`IDX magic 0x${magic.toString(16)}, expected 0x${(0x800 + dims).toString(16)}`);
  const shape = Array.from({ length: dims }, (_, i) => view.getUint32(4 + 4 * i, false));
  const start = 4 + 4 * dims;
  const data = bytes.subarray(start);
  if (data.length !== shape.reduce((a, b) => a * b, 1))
    throw new Error(`IDX data is ${data.length} bytes, shape [${shape.join(', ')}]`);
  return { shape, data };
}

function fashionSplits(dir: string): Split[] {
  const load = (name: keyof typeof SOURCE_SHA256, dims: number) =>
    readIdx(checkSource(name, new Uint8Array(gunzipSync(readFileSync(join(dir, `${name}.gz`))))), dims);
  const trainX = load('train-images-idx3-ubyte', 3);
  const trainY = load('train-labels-idx1-ubyte', 1);
  const testX = load('t10k-images-idx3-ubyte', 3);
  const testY = load('t10k-labels-idx1-ubyte', 1);
  const px = 28 * 28;
  const base = {
    license: FASHION_LICENSE,
    features: { shape: [28, 28, 1], dtype: 'uint8' as const, scale: 1 / 255 },
    labels: { classes: 10, names: FASHION_LABELS },
  };
  const slice = (x: Uint8Array, y: Uint8Array, from: number, to: number) => ({
    features: x.subarray(from * px, to * px),
    labels: y.subarray(from, to),
  });
  return [
    {
      ...base,
      name: 'fashion-mnist-train',
      dir: 'public/datasets/fashion-mnist-train',
      shards: Array.from({ length: 6 }, (_, i) => slice(trainX.data, trainY.data, i * 10_000, (i + 1) * 10_000)),
    },
    {
      ...base,
      name: 'fashion-mnist-eval',
      dir: 'public/datasets/fashion-mnist-eval',
      shards: [slice(testX.data, testY.data, 0, 5_000)],
    },
    {
      ...base,
      name: 'fashion-mnist-final',
      dir: 'datasets/hidden/fashion-mnist-final',
      shards: [slice(testX.data, testY.data, 5_000, 10_000)],
    },
  ];
}

function digitsSplits(csvGz: string): Split[] {
  const text = new TextDecoder().decode(checkSource('digits.csv', new Uint8Array(gunzipSync(readFileSync(csvGz)))));
  const rows = text
    .trim()
    .split('\n')
    .map((line, r) => {
      const values = line.split(',').map(Number);
      if (values.length !== 65 || values.some((v) => !Number.isInteger(v) || v < 0 || v > 16))
        throw new Error(`digits.csv row ${r} is malformed`);
      return values;
    });
  const total = DIGITS_SPLIT.train + DIGITS_SPLIT.eval + DIGITS_SPLIT.final;
  if (rows.length !== total) throw new Error(`digits.csv has ${rows.length} rows, expected ${total}`);
  const perm = Array.from(Rng.seeded(DIGITS_SPLIT_SEED).permutation(rows.length));
  const part = (from: number, to: number) => {
    // Each split keeps the CSV's row order: the permutation only decides membership.
    const picked = perm.slice(from, to).sort((a, b) => a - b);
    const features = new Uint8Array(picked.length * 64);
    const labels = new Uint8Array(picked.length);
    picked.forEach((r, i) => {
      const row = rows[r]!;
      features.set(row.slice(0, 64), i * 64);
      labels[i] = row[64]!;
    });
    return [{ features, labels }];
  };
  const base = {
    license: DIGITS_LICENSE,
    features: { shape: [8, 8, 1], dtype: 'uint8' as const, scale: 1 / 16 },
    labels: { classes: 10, names: ['0', '1', '2', '3', '4', '5', '6', '7', '8', '9'] },
  };
  const a = DIGITS_SPLIT.train;
  const b = a + DIGITS_SPLIT.eval;
  return [
    { ...base, name: 'digits-train', dir: 'public/datasets/digits-train', shards: part(0, a) },
    { ...base, name: 'digits-eval', dir: 'public/datasets/digits-eval', shards: part(a, b) },
    { ...base, name: 'digits-final', dir: 'datasets/hidden/digits-final', shards: part(b, total) },
  ];
}

/** Writes one dataset folder; returns the manifest's sha256 (the dataset hash). */
async function writeDataset(root: string, split: Split): Promise<{ hash: string; bytes: number; samples: number }> {
  const dir = join(root, split.dir);
  mkdirSync(dir, { recursive: true });
  const layout = { features: split.features, labels: split.labels };
  const shards: FeatureDatasetManifest['shards'] = [];
  let bytes = 0;
  for (const s of split.shards) {
    const file = await encodeShard(layout, s.features, s.labels);
    const sha256 = await sha256Hex(file);
    writeFileSync(join(dir, shardFileName(sha256)), file);
    // Shards over one chunk are UnixFS DAGs whose root CID the manifest must name (SPEC 5).
    const cid = file.length > CHUNK_BYTES ? await fileCid(file) : undefined;
    shards.push({ sha256, samples: s.labels.length, bytes: file.length, ...(cid ? { cid } : {}) });
    bytes += file.length;
  }
  const keep = new Set([MANIFEST_FILE, ...shards.map((s) => shardFileName(s.sha256))]);
  for (const f of readdirSync(dir)) if (/\.bin(\.gz)?$/.test(f) && !keep.has(f)) rmSync(join(dir, f));
  const manifest: FeatureDatasetManifest = {
    format: 'aiarena-dataset',
    version: 1,
    name: split.name,
    license: split.license,
    features: split.features,
    labels: split.labels,
    samples: shards.reduce((n, s) => n + s.samples, 0),
    shards,
  };
  parseManifest(manifest); // never write a manifest the loader would reject
  const text = new TextEncoder().encode(`${JSON.stringify(manifest, null, 2)}\n`);
  writeFileSync(join(dir, MANIFEST_FILE), text);
  return { hash: await sha256Hex(text), bytes: bytes + text.length, samples: manifest.samples };
}

function sameTree(a: string, b: string, dirs: string[]): string[] {
  const diffs: string[] = [];
  for (const d of dirs) {
    const fa = existsSync(join(a, d)) ? readdirSync(join(a, d)).sort() : [];
    const fb = readdirSync(join(b, d)).sort();
    if (fa.join() !== fb.join()) diffs.push(`${d}: files differ`);
    for (const f of fb) {
      if (fa.includes(f) && !readFileSync(join(a, d, f)).equals(readFileSync(join(b, d, f))))
        diffs.push(`${d}/${f}: bytes differ`);
    }
  }
  return diffs;
}

async function main(): Promise<void> {
  const args = process.argv.slice(2);
  const check = args.includes('--check');
  const outAt = args.indexOf('--out');
  const outArg = outAt >= 0 ? args[outAt + 1] : undefined;
  if (outAt >= 0 && outArg === undefined) throw new Error('--out needs a folder');
  const root = check ? mkdtempSync(join(tmpdir(), 'aiarena-datasets-check-')) : (outArg ?? REPO_ROOT);

  const src = locateSources();
  try {
    const splits = [...fashionSplits(src.fashionDir), ...digitsSplits(src.digitsCsv)];
    for (const split of splits) {
      const r = await writeDataset(root, split);
      console.log(
        `${split.dir.padEnd(38)} ${String(r.samples).padStart(6)} samples ${String(r.bytes).padStart(9)} bytes  manifest sha256 ${r.hash}`,
      );
    }
    if (check) {
      const diffs = sameTree(
        REPO_ROOT,
        root,
        splits.map((s) => s.dir),
      );
      rmSync(root, { recursive: true, force: true });
      if (diffs.length > 0)
        throw new Error(`the committed datasets differ from a fresh conversion:\n  ${diffs.join('\n  ')}`);
      console.log('check: a fresh conversion matches the committed datasets byte for byte');
    } else if (root !== REPO_ROOT) {
      console.log(`written under ${relative(process.cwd(), root) || '.'}`);
    }
  } finally {
    src.cleanup();
  }
}

main().catch((e: unknown) => {
  console.error(e instanceof Error ? e.message : e);
  process.exit(1);
});
