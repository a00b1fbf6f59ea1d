// Shard files (docs/ml.md section 2): gzip of a 20-byte header, then either features
// sample-major and labels (classification) or token sequences (token datasets).
// Encoding and decoding are pure apart from (de)compression, which uses the platform's
// CompressionStream so browsers need no bundled zlib. Decoding trusts nothing: the gzip stream
// is cut off at the exact length the manifest implies (no decompression bombs), and the header,
// the length and every label or token are checked against the manifest before a Shard is returned.
import {
  isTokenLayout,
  type DatasetLayout,
  type FeatureDtype,
  type FeatureLayout,
  type Shard,
  type ShardRef,
  type TokenLayout,
} from './types.ts';
import { decodedShardBytes, DTYPES, featureSize, labelWidth, SHARD_HEADER_BYTES, tokenWidth } from './manifest.ts';
import { ArenaError } from '../../errors.ts';

export class ShardError extends ArenaError<'shard'> {
  constructor(
    /** sha256 of the shard, or '' when decoding bytes that have no manifest entry. */
    readonly shard: string,
    readonly reason: string,
  ) {
    super('shard', `shard ${shard === '' ? '(unnamed)' : shard}: ${reason}`);
    this.name = 'ShardError';
  }
}

export const SHARD_MAGIC = 'AIADS001';
export const TOKEN_SHARD_MAGIC = 'AIATK001';
const MAGIC_BYTES = new TextEncoder().encode(SHARD_MAGIC);
const TOKEN_MAGIC_BYTES = new TextEncoder().encode(TOKEN_SHARD_MAGIC);
const LITTLE_ENDIAN = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1;

/** The stored feature values of a shard: bytes for uint8, floats for float32, ids for int32. */
export type StoredFeatures = Uint8Array | Float32Array | Int32Array;

function bytesOf(stream: ReadableStream<Uint8Array>): Promise<Uint8Array> {
  return new Response(stream).arrayBuffer().then((b) => new Uint8Array(b));
}

function streamOf(bytes: Uint8Array): ReadableStream<BufferSource> {
  // Streams take ArrayBuffer-backed views only; copy in the rare SharedArrayBuffer case.
  const chunk = bytes.buffer instanceof ArrayBuffer ? (bytes as Uint8Array<ArrayBuffer>) : new Uint8Array(bytes);
  return new ReadableStream<BufferSource>({
    start(controller) {
      controller.enqueue(chunk);
      controller.close();
    },
  });
}

/**
 * gzip with the platform's CompressionStream. Node's is zlib at its default level with a zero
 * mtime, so the same input gives the same bytes on every run (the conversion script relies on
 * that); other platforms' zlib builds may compress differently, which is harmless because the
 * hash is taken of the stored file, never of a re-encoding.
 */
export function gzip(bytes: Uint8Array): Promise<Uint8Array> {
  return bytesOf(streamOf(bytes).pipeThrough(new CompressionStream('gzip')) as ReadableStream<Uint8Array>);
}

/** gunzip that refuses to produce more than `maxBytes` (the reader stops at that point). */
export async function gunzip(bytes: Uint8Array, maxBytes: number, shard = ''): Promise<Uint8Array> {
  const reader = (
    streamOf(bytes).pipeThrough(new DecompressionStream('gzip')) as ReadableStream<Uint8Array>
  ).getReader();
  const chunks: Uint8Array[] = [];
  let total = 0;
  try {
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      total += value.length;
      if (total > maxBytes) {
        await reader.cancel().catch(() => undefined);
        throw new ShardError(shard, `decompresses to more than the ${maxBytes} bytes the manifest implies`);
      }
      chunks.push(value);
    }
  } catch (e) {
    if (e instanceof ShardError) throw e;
    throw new ShardError(shard, `is not a valid gzip file (${e instanceof Error ? e.message : String(e)})`);
  }
  const out = new Uint8Array(total);
  let at = 0;
  for (const c of chunks) {
    out.set(c, at);
    at += c.length;
  }
  return out;
}

function checkStored(layout: FeatureLayout, features: StoredFeatures): void {
  const dtype: FeatureDtype = layout.features.dtype;
  const ok =
    (dtype === 'uint8' && features instanceof Uint8Array) ||
    (dtype === 'float32' && features instanceof Float32Array) ||
    (dtype === 'int32' && features instanceof Int32Array);
  if (!ok)
    throw new TypeError(
      `features: a ${dtype} dataset needs a ${dtype === 'uint8' ? 'Uint8Array' : dtype === 'float32' ? 'Float32Array' : 'Int32Array'}`,
    );
}

/** The decompressed shard layout of docs/ml.md for these samples (pure). */
export function encodeShardRaw(layout: FeatureLayout, features: StoredFeatures, labels: ArrayLike<number>): Uint8Array {
  checkStored(layout, features);
  const f = featureSize(layout);
  const s = labels.length;
  if (features.length !== s * f)
    throw new RangeError(`features: expected ${s} x ${f} = ${s * f} values, got ${features.length}`);
  const { code, width } = DTYPES[layout.features.dtype];
  const lw = labelWidth(layout.labels.classes);
  const out = new Uint8Array(decodedShardBytes(layout, s));
  const view = new DataView(out.buffer);
  out.set(MAGIC_BYTES, 0);
  view.setUint32(8, s, true);
  view.setUint32(12, f, true);
  out[16] = code;
  out[17] = lw;
  let at = SHARD_HEADER_BYTES;
  if (features instanceof Uint8Array) {
    out.set(features, at);
  } else if (features instanceof Float32Array) {
    for (let i = 0; i < features.length; i++) {
      const v = features[i]!;
      if (!Number.isFinite(v)) throw new RangeError(`features[${i}]: must be finite, got ${v}`);
      view.setFloat32(at + 4 * i, v, true);
    }
  } else {
    for (let i = 0; i < features.length; i++) {
      const v = features[i]!;
      if (v < 0) throw new RangeError(`features[${i}]: token ids must be non-negative, got ${v}`);
      view.setInt32(at + 4 * i, v, true);
    }
  }
  at += features.length * width;
  for (let i = 0; i < s; i++) {
    const y = labels[i]!;
    if (!Number.isInteger(y) || y < 0 || y >= layout.labels.classes) {
      throw new RangeError(`labels[${i}]: must be an integer in 0..${layout.labels.classes - 1}, got ${y}`);
    }
    if (lw === 1) out[at + i] = y;
    else view.setUint16(at + 2 * i, y, true);
  }
  return out;
}

/** A shard file: gzip of `encodeShardRaw`. */
export function encodeShard(
  layout: FeatureLayout,
  features: StoredFeatures,
  labels: ArrayLike<number>,
): Promise<Uint8Array> {
  return gzip(encodeShardRaw(layout, features, labels));
}

/** Checks a decompressed shard against the manifest and its entry, then decodes it (pure). */
export function decodeShardRaw(
  raw: Uint8Array,
  manifest: DatasetLayout,
  ref: Pick<ShardRef, 'samples'> & { sha256?: string },
): Shard {
  return isTokenLayout(manifest) ? decodeTokenShardRaw(raw, manifest, ref) : decodeFeatureShardRaw(raw, manifest, ref);
}

function decodeFeatureShardRaw(
  raw: Uint8Array,
  manifest: FeatureLayout,
  ref: Pick<ShardRef, 'samples'> & { sha256?: string },
): Shard {
  const name = ref.sha256 ?? '';
  const bad = (reason: string) => new ShardError(name, reason);
  if (raw.length < SHARD_HEADER_BYTES)
    throw bad(`is ${raw.length} bytes, shorter than the ${SHARD_HEADER_BYTES}-byte header`);
  for (let i = 0; i < MAGIC_BYTES.length; i++) {
    if (raw[i] !== MAGIC_BYTES[i]) throw bad(`does not start with ${SHARD_MAGIC}`);
  }
  const view = new DataView(raw.buffer, raw.byteOffset, raw.byteLength);
  const s = view.getUint32(8, true);
  const f = view.getUint32(12, true);
  const { code, width } = DTYPES[manifest.features.dtype];
  const lw = labelWidth(manifest.labels.classes);
  const expectF = featureSize(manifest);
  if (s !== ref.samples) throw bad(`holds ${s} samples, the manifest says ${ref.samples}`);
  if (f !== expectF) throw bad(`has ${f} feature values per sample, the manifest's shape needs ${expectF}`);
  if (raw[16] !== code)
    throw bad(`has feature dtype code ${raw[16]}, the manifest's ${manifest.features.dtype} is ${code}`);
  if (raw[17] !== lw) throw bad(`has ${raw[17]}-byte labels, ${manifest.labels.classes} classes need ${lw}`);
  if (raw[18] !== 0 || raw[19] !== 0) throw bad('has non-zero reserved header bytes');
  const expectLen = decodedShardBytes(manifest, s);
  if (raw.length !== expectLen)
    throw bad(`is ${raw.length} bytes decompressed, ${s} samples need exactly ${expectLen}`);

  const n = s * f;
  const at = SHARD_HEADER_BYTES;
  let features: Float32Array | Int32Array;
  if (manifest.features.dtype === 'uint8') {
    const scale = manifest.features.scale;
    features = new Float32Array(n);
    for (let i = 0; i < n; i++) features[i] = raw[at + i]! * scale;
  } else if (manifest.features.dtype === 'float32') {
    features = LITTLE_ENDIAN
      ? new Float32Array(raw.slice(at, at + 4 * n).buffer)
      : new Float32Array(n).map((_, i) => view.getFloat32(at + 4 * i, true));
    for (let i = 0; i < n; i++) {
      if (!Number.isFinite(features[i]!)) throw bad(`sample ${Math.floor(i / f)} has a non-finite feature value`);
    }
  } else {
    features = LITTLE_ENDIAN
      ? new Int32Array(raw.slice(at, at + 4 * n).buffer)
      : new Int32Array(n).map((_, i) => view.getInt32(at + 4 * i, true));
    for (let i = 0; i < n; i++) {
      if (features[i]! < 0) throw bad(`sample ${Math.floor(i / f)} has a negative token id ${features[i]}`);
    }
  }
  const lat = at + n * width;
  const labels = new Int32Array(s);
  const classes = manifest.labels.classes;
  for (let i = 0; i < s; i++) {
    const y = lw === 1 ? raw[lat + i]! : view.getUint16(lat + 2 * i, true);
    if (y >= classes) throw bad(`sample ${i} has label ${y}, not below classes (${classes})`);
    labels[i] = y;
  }
  return { samples: s, featureSize: f, features, labels };
}

/**
 * Decodes a shard file (gzip) for its manifest entry. The caller has checked the sha256 (every
 * BlobSource does); this checks the stored size, then everything inside.
 */
export async function decodeShard(file: Uint8Array, manifest: DatasetLayout, ref: ShardRef): Promise<Shard> {
  if (file.length !== ref.bytes)
    throw new ShardError(ref.sha256, `is ${file.length} bytes, the manifest says ${ref.bytes}`);
  const raw = await gunzip(file, decodedShardBytes(manifest, ref.samples), ref.sha256);
  return decodeShardRaw(raw, manifest, ref);
}

/**
 * The decompressed token shard layout of docs/ml.md (pure): `tokens` holds the samples' L + 1
 * tokens each, back to back (s * (L + 1) values, every one an integer below the vocabulary).
 */
export function encodeTokenShardRaw(layout: TokenLayout, tokens: ArrayLike<number>): Uint8Array {
  const { vocab, sequenceLength: L } = layout.tokens;
  const per = L + 1;
  if (tokens.length === 0 || tokens.length % per !== 0)
    throw new RangeError(`tokens: expected a positive multiple of L + 1 = ${per} values, got ${tokens.length}`);
  const s = tokens.length / per;
  const w = tokenWidth(vocab);
  const out = new Uint8Array(decodedShardBytes(layout, s));
  const view = new DataView(out.buffer);
  out.set(TOKEN_MAGIC_BYTES, 0);
  view.setUint32(8, s, true);
  view.setUint32(12, L, true);
  out[16] = w;
  for (let i = 0; i < tokens.length; i++) {
    const t = tokens[i]!;
    if (!Number.isInteger(t) || t < 0 || t >= vocab)
      throw new RangeError(`tokens[${i}]: must be an integer in 0..${vocab - 1}, got ${t}`);
    if (w === 1) out[SHARD_HEADER_BYTES + i] = t;
    else view.setUint16(SHARD_HEADER_BYTES + 2 * i, t, true);
  }
  return out;
}

/** A token shard file: gzip of `encodeTokenShardRaw`. */
export function encodeTokenShard(layout: TokenLayout, tokens: ArrayLike<number>): Promise<Uint8Array> {
  return gzip(encodeTokenShardRaw(layout, tokens));
}

/**
 * Checks a decompressed token shard (magic, counts, width, reserved bytes, exact length, every
 * token below the vocabulary) and splits each sample's L + 1 tokens into L inputs (tokens 0..L-1)
 * and L targets (tokens 1..L).
 */
function decodeTokenShardRaw(
  raw: Uint8Array,
  layout: TokenLayout,
  ref: Pick<ShardRef, 'samples'> & { sha256?: string },
): Shard {
  const bad = (reason: string) => new ShardError(ref.sha256 ?? '', reason);
  const { vocab, sequenceLength: L } = layout.tokens;
  if (raw.length < SHARD_HEADER_BYTES)
    throw bad(`is ${raw.length} bytes, shorter than the ${SHARD_HEADER_BYTES}-byte header`);
  for (let i = 0; i < TOKEN_MAGIC_BYTES.length; i++) {
    if (raw[i] !== TOKEN_MAGIC_BYTES[i]) throw bad(`does not start with ${TOKEN_SHARD_MAGIC}`);
  }
  const view = new DataView(raw.buffer, raw.byteOffset, raw.byteLength);
  const s = view.getUint32(8, true);
  const l = view.getUint32(12, true);
  const w = tokenWidth(vocab);
  if (s !== ref.samples) throw bad(`holds ${s} samples, the manifest says ${ref.samples}`);
  if (l !== L) throw bad(`has sequence length ${l}, the manifest says ${L}`);
  if (raw[16] !== w) throw bad(`has ${raw[16]}-byte tokens, a vocabulary of ${vocab} needs ${w}`);
  if (raw[17] !== 0 || raw[18] !== 0 || raw[19] !== 0) throw bad('has non-zero reserved header bytes');
  const expectLen = decodedShardBytes(layout, s);
  if (raw.length !== expectLen)
    throw bad(`is ${raw.length} bytes decompressed, ${s} sequences need exactly ${expectLen}`);

  const features = new Int32Array(s * L);
  const labels = new Int32Array(s * L);
  const per = L + 1;
  for (let i = 0; i < s; i++) {
    for (let j = 0; j < per; j++) {
      const k = i * per + j;
      const t = w === 1 ? raw[SHARD_HEADER_BYTES + k]! : view.getUint16(SHARD_HEADER_BYTES + 2 * k, true);
      if (t >= vocab) throw bad(`sample ${i} has token ${t} at position ${j}, not below vocab (${vocab})`);
      if (j < L) features[i * L + j] = t;
      if (j > 0) labels[i * L + j - 1] = t;
    }
  }
  return { samples: s, featureSize: L, features, labels };
}
