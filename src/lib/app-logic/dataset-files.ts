// A dataset picked as files (its manifest.json and the shard files it names): every file hashed,
// the manifest parsed strictly (field-path errors), every shard present, of the right size and
// decodable, nothing extra used. What comes out is exactly the set of blobs to upload, and the
// manifest's sha256 is the dataset hash a task names. Pure apart from hashing and gunzip.
import type { Hex } from 'viem';
import { ManifestError, parseManifestBytes } from '../ml/data/manifest.ts';
import { decodeShard, ShardError } from '../ml/data/shard.ts';
import { isTokenLayout, type DatasetLayout, type DatasetManifest } from '../ml/data/types.ts';
import { sha256Hex } from '../ml/hash.ts';
import { fileCid } from '../storage/unixfs/dag.ts';
import { IPFS_ADD_COMMAND } from '../storage/unixfs/settings.ts';
import type { ModelSpec } from '../ml/spec/types.ts';
import { ArenaError } from '../errors.ts';

export interface PickedFile {
  name: string;
  bytes: Uint8Array;
}

export interface CheckedDataset {
  /** sha256 of the manifest file: the dataset hash on chain. */
  hash: Hex;
  manifest: DatasetManifest;
  manifestBytes: Uint8Array;
  /** In manifest order. */
  shards: { sha256: string; bytes: Uint8Array }[];
  /** Files that were picked but are not part of the dataset (ignored). */
  ignored: string[];
  totalBytes: number;
}

export class DatasetFilesError extends ArenaError<'dataset-files'> {
  constructor(message: string, options?: { cause?: unknown }) {
    super('dataset-files', message, options);
    this.name = 'DatasetFilesError';
  }
}

/** Checks a picked set of files; throws DatasetFilesError with a sentence naming what is wrong. */
export async function checkDatasetFiles(files: readonly PickedFile[]): Promise<CheckedDataset> {
  if (files.length === 0)
    throw new DatasetFilesError('No files were chosen: pick the dataset’s manifest.json and its shard files.');
  const manifests = files.filter((f) => f.name.toLowerCase().endsWith('.json'));
  if (manifests.length === 0)
    throw new DatasetFilesError(
      'No manifest among the files: pick the dataset’s manifest.json together with its shards.',
    );
  if (manifests.length > 1) {
    throw new DatasetFilesError(
      `More than one JSON file was picked (${manifests.map((m) => m.name).join(', ')}): pick one dataset’s manifest.json and its shards.`,
    );
  }
  const manifestFile = manifests[0]!;
  let parsed: { manifest: DatasetManifest; hash: string };
  try {
    parsed = await parseManifestBytes(manifestFile.bytes);
  } catch (e) {
    if (e instanceof ManifestError)
      throw new DatasetFilesError(`${manifestFile.name} is not a valid dataset manifest: ${e.message}.`, { cause: e });
    throw e;
  }
  const byHash = new Map<string, PickedFile>();
  for (const f of files) {
    if (f === manifestFile) continue;
    byHash.set(await sha256Hex(f.bytes), f);
  }
  const { manifest } = parsed;
  const missing = manifest.shards.filter((s) => !byHash.has(s.sha256));
  if (missing.length > 0) {
    const names = missing
      .slice(0, 3)
      .map((s) => `${s.sha256.slice(0, 12)}…`)
      .join(', ');
    throw new DatasetFilesError(
      `${missing.length} of the ${manifest.shards.length} shards named by the manifest ${missing.length === 1 ? 'is' : 'are'} missing among the files (${names}${missing.length > 3 ? ', …' : ''}). A file whose contents changed counts as missing: shards are named by their sha256.`,
    );
  }
  const shards: CheckedDataset['shards'] = [];
  for (const ref of manifest.shards) {
    const file = byHash.get(ref.sha256)!;
    try {
      await decodeShard(file.bytes, manifest, ref);
    } catch (e) {
      if (e instanceof ShardError)
        throw new DatasetFilesError(`${file.name} does not decode as the manifest describes it: ${e.reason}.`, {
          cause: e,
        });
      throw e;
    }
    // A wrong root would upload fine and then send every IPFS client to other content.
    if (ref.cid !== undefined && (await fileCid(file.bytes)) !== ref.cid) {
      throw new DatasetFilesError(
        `${file.name} is not the file the manifest's cid ${ref.cid} names: its UnixFS root CID is ${await fileCid(file.bytes)} (${IPFS_ADD_COMMAND}).`,
      );
    }
    shards.push({ sha256: ref.sha256, bytes: file.bytes });
  }
  const used = new Set(manifest.shards.map((s) => s.sha256));
  const ignored = [...byHash.entries()].filter(([h]) => !used.has(h)).map(([, f]) => f.name);
  const totalBytes = manifestFile.bytes.length + shards.reduce((n, s) => n + s.bytes.length, 0);
  return { hash: `0x${parsed.hash}`, manifest, manifestBytes: manifestFile.bytes, shards, ignored, totalBytes };
}

/** Why a dataset cannot feed a model spec (input shape, classes or vocabulary), or null when it fits. */
export function datasetMismatch(manifest: DatasetLayout, spec: Pick<ModelSpec, 'input' | 'output'>): string | null {
  const tokens = spec.output.tokens;
  if (isTokenLayout(manifest)) {
    const { sequenceLength, vocab } = manifest.tokens;
    // A classifier's spec cannot take next-token targets (L per sample, not one class).
    if (tokens === undefined)
      return `It holds sequences of ${sequenceLength} tokens (vocabulary ${vocab}) with next-token targets, but the model predicts one of ${spec.output.classes} classes per sample.`;
    const length = spec.input.shape[0]!;
    if (sequenceLength !== length)
      return `Its sequences are ${sequenceLength} tokens long but the model reads ${length}.`;
    // Token ids at or above the model's vocabulary would index past its embedding.
    if (vocab !== tokens) return `Its vocabulary has ${vocab} tokens but the model predicts ${tokens}.`;
    return null;
  }
  if (tokens !== undefined)
    return `It holds samples of ${manifest.features.shape.join('×')} with one of ${manifest.labels.classes} classes each, but the model predicts the next of ${tokens} tokens at every position of a sequence.`;
  const a = manifest.features.shape.join('×');
  const b = spec.input.shape.join('×');
  if (a !== b) return `Its samples are ${a} but the model takes ${b}.`;
  if (manifest.labels.classes !== spec.output.classes)
    return `It has ${manifest.labels.classes} classes but the model predicts ${spec.output.classes}.`;
  return null;
}
