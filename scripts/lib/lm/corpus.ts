// A text corpus as token datasets (docs/ml.md section 2, "Token datasets"): the split by file and
// the build of one split's manifest and shards. Pure apart from hashing and gzip, which are
// deterministic (Node's zlib at its default level, zero mtime), so the same files always give
// the same bytes and the same dataset hashes.
import { Rng } from '../../../src/lib/ml/rng.ts';
import { sha256Hex } from '../../../src/lib/ml/hash.ts';
import { parseManifest } from '../../../src/lib/ml/data/manifest.ts';
import { encodeTokenShard } from '../../../src/lib/ml/data/shard.ts';
import { comparePaths, sequenceWindows, textStream, type TextFile } from '../../../src/lib/ml/data/text.ts';
import type { TokenDatasetManifest, TokenLayout } from '../../../src/lib/ml/data/types.ts';
import { fileCid } from '../../../src/lib/storage/unixfs/dag.ts';
import { CHUNK_BYTES } from '../../../src/lib/storage/unixfs/settings.ts';

export const SPLITS = ['train', 'eval', 'final'] as const;
export type SplitName = (typeof SPLITS)[number];

/**
 * Assigns whole files to train / eval / final: the files (sorted by path) are permuted with
 * `Rng.seeded(seed)`, and walked in that order, a file goes to train while the bytes before it
 * are under `train` of the total, then to eval while under `train + eval`, then to final. Each
 * split comes back sorted by path.
 */
export function splitFiles(
  files: readonly TextFile[],
  seed: string,
  fractions: { train: number; eval: number },
): Record<SplitName, TextFile[]> {
  const { train, eval: ev } = fractions;
  if (!(train > 0 && ev > 0 && train + ev < 1))
    throw new RangeError(`split fractions must be positive with train + eval < 1, got ${train} and ${ev}`);
  const sorted = [...files].sort((a, b) => comparePaths(a.path, b.path));
  const total = sorted.reduce((n, f) => n + f.bytes.length, 0);
  const out: Record<SplitName, TextFile[]> = { train: [], eval: [], final: [] };
  let before = 0;
  for (const i of Rng.seeded(seed).permutation(sorted.length)) {
    const f = sorted[i]!;
    const split: SplitName = before < train * total ? 'train' : before < (train + ev) * total ? 'eval' : 'final';
    out[split].push(f);
    before += f.bytes.length;
  }
  for (const s of SPLITS) out[s].sort((a, b) => comparePaths(a.path, b.path));
  return out;
}

export interface TokenDatasetOptions {
  name: string;
  license: string;
  /** L: inputs (and targets) per sequence. */
  sequenceLength: number;
  /** Sequences per shard (the last shard holds the rest). */
  shardSequences: number;
}

export interface BuiltDataset {
  manifest: TokenDatasetManifest;
  /** The manifest file (what the dataset hash is taken over). */
  manifestBytes: Uint8Array;
  /** sha256 of `manifestBytes`: the dataset hash. */
  hash: string;
  /** Shard files in manifest order. */
  shards: { sha256: string; bytes: Uint8Array }[];
  /** The split's stream (files and separators, before windowing). */
  stream: Uint8Array;
}

/** Byte text: vocabulary 256, each document ended (and the last window padded) with 0x00. */
export const BYTE_SEPARATOR = 0;

/** One split's files as a byte-level token dataset: manifest bytes and shard files. */
export async function buildTokenDataset(files: readonly TextFile[], o: TokenDatasetOptions): Promise<BuiltDataset> {
  if (!Number.isInteger(o.shardSequences) || o.shardSequences < 1)
    throw new RangeError(`shardSequences must be a positive integer, got ${o.shardSequences}`);
  const layout: TokenLayout = { tokens: { vocab: 256, sequenceLength: o.sequenceLength, separator: BYTE_SEPARATOR } };
  const stream = textStream(files, BYTE_SEPARATOR);
  const windows = sequenceWindows(stream, o.sequenceLength, BYTE_SEPARATOR);
  const per = o.sequenceLength + 1;
  const count = windows.length / per;
  const shards: BuiltDataset['shards'] = [];
  const refs: TokenDatasetManifest['shards'] = [];
  for (let first = 0; first < count; first += o.shardSequences) {
    const n = Math.min(o.shardSequences, count - first);
    const file = await encodeTokenShard(layout, windows.subarray(first * per, (first + n) * per));
    const sha256 = await sha256Hex(file);
    // Shards over one chunk are UnixFS DAGs whose root CID the manifest must name (SPEC 5).
    const cid = file.length > CHUNK_BYTES ? await fileCid(file) : undefined;
    shards.push({ sha256, bytes: file });
    refs.push({ sha256, samples: n, bytes: file.length, ...(cid ? { cid } : {}) });
  }
  const manifest: TokenDatasetManifest = {
    format: 'aiarena-dataset',
    version: 1,
    name: o.name,
    license: o.license,
    ...layout,
    samples: count,
    shards: refs,
  };
  parseManifest(manifest); // never write a manifest the loader would reject
  const manifestBytes = new TextEncoder().encode(`${JSON.stringify(manifest, null, 2)}\n`);
  return { manifest, manifestBytes, hash: await sha256Hex(manifestBytes), shards, stream };
}
