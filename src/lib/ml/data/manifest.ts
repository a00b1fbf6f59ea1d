// Dataset manifest parser (docs/ml.md section 2). The manifest's sha256 is the dataset's content
// hash (a task's trainData / evalData / final eval hash), and it names every shard by hash, so
// validating it strictly is what makes the whole dataset content-addressed.
import { sha256Hex } from '../hash.ts';
import { child, FieldReader, item, MAX_DIM, parseJsonBytes, readShape, type Fail } from '../fields.ts';
import { IntegrityError, isSha256Hex } from '../integrity.ts';
import { parseContentCid, type ContentCid } from '../../storage/cas/cid.ts';
import { DAG_PB_CODEC } from '../../storage/unixfs/ref.ts';
import { CHUNK_BYTES } from '../../storage/unixfs/settings.ts';
import {
  isTokenLayout,
  type DatasetLayout,
  type DatasetManifest,
  type FeatureDtype,
  type FeatureLayout,
  type ShardRef,
  type TokenLayout,
} from './types.ts';
import { ArenaError } from '../../errors.ts';

export class ManifestError extends ArenaError<'manifest'> {
  constructor(
    /** Path of the offending field, e.g. `shards[2].sha256`; '' for the document itself. */
    readonly field: string,
    readonly reason: string,
  ) {
    super('manifest', `${field === '' ? 'dataset manifest' : field}: ${reason}`);
    this.name = 'ManifestError';
  }
}

export const DATASET_FORMAT = 'aiarena-dataset';
export const DATASET_VERSION = 1;
export const MAX_SHARDS = 100_000;
export const MAX_SAMPLES = 2 ** 31 - 1;
/** A decoded shard is held whole in memory (two at a time), so its size is bounded. */
export const MAX_SHARD_DECODED_BYTES = 256 * 1024 * 1024;
export const SHARD_HEADER_BYTES = 20;

export const DTYPES: Record<FeatureDtype, { code: number; width: number }> = {
  uint8: { code: 1, width: 1 },
  float32: { code: 2, width: 4 },
  int32: { code: 3, width: 4 },
};

/** Bytes per label: one byte up to 256 classes, uint16 LE above. */
export function labelWidth(classes: number): 1 | 2 {
  return classes <= 256 ? 1 : 2;
}

/** Bytes per token in a token shard: one byte for a vocabulary of up to 256, uint16 LE above. */
export function tokenWidth(vocab: number): 1 | 2 {
  return vocab <= 256 ? 1 : 2;
}

/** Input values per sample: the product of the feature shape, or L for a token dataset. */
export function featureSize(layout: DatasetLayout): number {
  return isTokenLayout(layout) ? layout.tokens.sequenceLength : layout.features.shape.reduce((a, b) => a * b, 1);
}

/** Labels per sample: one class, or L next-token targets for a token dataset. */
export function labelsPerSample(layout: DatasetLayout): number {
  return isTokenLayout(layout) ? layout.tokens.sequenceLength : 1;
}

/** Whether decoded features are token ids (Int32Array) rather than values (Float32Array). */
export function intFeatures(layout: DatasetLayout): boolean {
  return isTokenLayout(layout) || layout.features.dtype === 'int32';
}

/** Exact length of a decompressed shard of `samples` samples. */
export function decodedShardBytes(layout: DatasetLayout, samples: number): number {
  if (isTokenLayout(layout)) {
    const { sequenceLength, vocab } = layout.tokens;
    return SHARD_HEADER_BYTES + samples * (sequenceLength + 1) * tokenWidth(vocab);
  }
  return (
    SHARD_HEADER_BYTES +
    samples * (featureSize(layout) * DTYPES[layout.features.dtype].width + labelWidth(layout.labels.classes))
  );
}

/**
 * What the shard-size limit is measured on: the decompressed layout, and for a token shard also
 * its decoded arrays (inputs and targets as int32, 8 bytes per position), which are what a
 * loader holds and are several times the stored bytes.
 */
function shardLimitBytes(layout: DatasetLayout, samples: number): number {
  const raw = decodedShardBytes(layout, samples);
  return isTokenLayout(layout) ? Math.max(raw, 8 * samples * layout.tokens.sequenceLength) : raw;
}

const NAME_PATTERN = /^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/;

const fail: Fail = (field, message) => {
  throw new ManifestError(field, message);
};
const r = new FieldReader(fail);

/** Validates a parsed JSON value as a dataset manifest; throws ManifestError naming the field. */
export function parseManifest(json: unknown): DatasetManifest {
  const o = r.object(json, '', [
    'format',
    'version',
    'name',
    'license',
    'features',
    'labels',
    'tokens',
    'samples',
    'shards',
  ]);
  const format = r.constant(o.format, 'format', DATASET_FORMAT);
  const version = r.constant(o.version, 'version', DATASET_VERSION);
  const name = r.string(o.name, 'name', {
    max: 64,
    pattern: NAME_PATTERN,
    patternText: 'a name matching [A-Za-z0-9][A-Za-z0-9._-]{0,63}',
  });
  const license = r.string(o.license, 'license', { min: 1, max: 256 });

  const layout = readLayout(o);
  const samples = r.integer(o.samples, 'samples', 1, MAX_SAMPLES);
  const seen = new Map<string, number>();
  const shards = r.array(o.shards, 'shards', 1, MAX_SHARDS).map((s, i): ShardRef => {
    const path = item('shards', i);
    const so = r.object(s, path, ['sha256', 'samples', 'bytes', 'cid']);
    if (!isSha256Hex(so.sha256))
      fail(child(path, 'sha256'), `must be 64 lowercase hex digits, got ${JSON.stringify(so.sha256) ?? 'nothing'}`);
    const first = seen.get(so.sha256);
    if (first !== undefined) fail(child(path, 'sha256'), `is the same shard as shards[${first}]`);
    seen.set(so.sha256, i);
    const n = r.integer(so.samples, child(path, 'samples'), 1, MAX_SAMPLES);
    const decoded = shardLimitBytes(layout, n);
    if (decoded > MAX_SHARD_DECODED_BYTES) {
      fail(
        child(path, 'samples'),
        `${n} samples decode to ${decoded} bytes, more than the ${MAX_SHARD_DECODED_BYTES}-byte shard limit`,
      );
    }
    // A gzip file has an 18-byte frame; no shard can be smaller.
    const bytes = r.integer(so.bytes, child(path, 'bytes'), 18, MAX_SHARD_DECODED_BYTES);
    const cid = shardCid(so.cid, so.sha256, bytes, child(path, 'cid'));
    return { sha256: so.sha256, samples: n, bytes, ...(cid ? { cid } : {}) };
  });
  const total = shards.reduce((a, s) => a + s.samples, 0);
  if (total !== samples) fail('samples', `is ${samples} but the shards hold ${total}`);

  return { format, version, name, license, ...layout, samples, shards };
}

/** Exactly one of `features` + `labels` (classification) or `tokens` (next-token sequences). */
function readLayout(o: Record<string, unknown>): DatasetLayout {
  if (o.tokens !== undefined) {
    for (const key of ['features', 'labels'] as const) {
      if (o[key] !== undefined) fail(key, 'must be left out of a token dataset (it has a tokens section)');
    }
    return readTokens(o.tokens);
  }
  if (o.features === undefined && o.labels === undefined)
    fail('features', 'missing, must be an object (or give a tokens section instead of features and labels)');
  return readFeatures(o.features, o.labels);
}

function readTokens(value: unknown): TokenLayout {
  const to = r.object(value, 'tokens', ['vocab', 'sequenceLength', 'separator']);
  const vocab = r.integer(to.vocab, 'tokens.vocab', 2, 65536);
  const sequenceLength = r.integer(to.sequenceLength, 'tokens.sequenceLength', 1, MAX_DIM);
  const separator = r.integer(to.separator, 'tokens.separator', 0, vocab - 1);
  return { tokens: { vocab, sequenceLength, separator } };
}

function readFeatures(features: unknown, labelsValue: unknown): FeatureLayout {
  const fo = r.object(features, 'features', ['shape', 'dtype', 'scale']);
  const shape = readShape(r, fail, fo.shape, 'features.shape', 3);
  const dtype = r.oneOf(fo.dtype, 'features.dtype', ['uint8', 'float32', 'int32'] as const);
  let scale: number;
  if (dtype === 'uint8') {
    scale = r.number(fo.scale, 'features.scale', 0, Number.MAX_VALUE, { min: true });
  } else {
    // Float and token features are stored as they are used; a scale would only be a second
    // way to write the same dataset under another hash.
    if (fo.scale !== 1)
      fail('features.scale', `must be 1 for ${dtype} features, got ${JSON.stringify(fo.scale) ?? 'nothing'}`);
    scale = 1;
  }

  const lo = r.object(labelsValue, 'labels', ['classes', 'names']);
  const classes = r.integer(lo.classes, 'labels.classes', 2, 65536);
  const labels: FeatureLayout['labels'] = { classes };
  if (lo.names !== undefined) {
    const names = r
      .array(lo.names, 'labels.names', classes, classes)
      .map((n, i) => r.string(n, item('labels.names', i), { min: 1, max: 64 }));
    labels.names = names;
  }
  return { features: { shape, dtype, scale }, labels };
}

/** A shard's root CID: required above one chunk, a dag-pb CIDv1 (sha2-256) there, absent below. */
function shardCid(value: unknown, sha256: string, bytes: number, path: string): string | undefined {
  if (value === undefined) {
    if (bytes > CHUNK_BYTES)
      fail(path, `is required for a shard of more than ${CHUNK_BYTES} bytes (its UnixFS root CID)`);
    return undefined;
  }
  if (typeof value !== 'string') return fail(path, 'must be a CID string');
  if (bytes <= CHUNK_BYTES)
    fail(path, `must be left out for a shard of one chunk (its CID is the raw CID of sha256 ${sha256})`);
  let parsed: ContentCid;
  try {
    parsed = parseContentCid(value);
  } catch (e) {
    return fail(path, e instanceof Error ? e.message : String(e));
  }
  if (parsed.parsed.code !== DAG_PB_CODEC || parsed.inline) fail(path, `must be a dag-pb root CID, got ${value}`);
  return parsed.cid;
}

/**
 * Parses manifest file bytes; `hash` (sha256 hex of the bytes) is the dataset's content hash.
 * With `expectedHash`, bytes that hash otherwise throw IntegrityError before any parsing.
 */
export async function parseManifestBytes(
  bytes: Uint8Array,
  expectedHash?: string,
): Promise<{ manifest: DatasetManifest; hash: string }> {
  const hash = await sha256Hex(bytes);
  if (expectedHash !== undefined && hash !== expectedHash.toLowerCase()) {
    throw new IntegrityError(expectedHash, hash, 'dataset manifest');
  }
  return { manifest: parseManifest(parseJsonBytes(bytes, fail)), hash };
}
