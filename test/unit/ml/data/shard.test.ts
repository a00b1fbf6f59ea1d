import { describe, expect, it } from 'vitest';
import {
  decodeShard,
  decodeShardRaw,
  encodeShard,
  encodeShardRaw,
  encodeTokenShard,
  encodeTokenShardRaw,
  gunzip,
  gzip,
  ShardError,
} from '../../../../src/lib/ml/data/shard.ts';
import type { FeatureLayout, ShardRef, TokenLayout } from '../../../../src/lib/ml/data/types.ts';

type Layout = FeatureLayout;
const images: Layout = { features: { shape: [2, 2, 1], dtype: 'uint8', scale: 0.5 }, labels: { classes: 3 } };
const floats: Layout = { features: { shape: [3], dtype: 'float32', scale: 1 }, labels: { classes: 300 } };
const tokens: Layout = { features: { shape: [4], dtype: 'int32', scale: 1 }, labels: { classes: 5 } };
const ref = (file: Uint8Array, samples: number): ShardRef => ({ sha256: 'f'.repeat(64), samples, bytes: file.length });

async function shardError(p: Promise<unknown>): Promise<ShardError> {
  const e = await p.then(
    () => undefined,
    (err: unknown) => err,
  );
  expect(e).toBeInstanceOf(ShardError);
  return e as ShardError;
}

/** gzip of a hand-edited decompressed layout. */
async function tampered(
  layout: Layout,
  features: Uint8Array | Float32Array | Int32Array,
  labels: number[],
  edit: (raw: Uint8Array) => Uint8Array,
) {
  const file = await gzip(edit(encodeShardRaw(layout, features, labels)));
  return decodeShard(file, layout, ref(file, labels.length));
}

describe('shard encoding', () => {
  it('lays out header, features and labels as docs/ml.md says', () => {
    const raw = encodeShardRaw(images, Uint8Array.from([1, 2, 3, 4, 5, 6, 7, 8]), [2, 0]);
    expect(new TextDecoder().decode(raw.subarray(0, 8))).toBe('AIADS001');
    expect(Array.from(raw.subarray(8, 20))).toEqual([2, 0, 0, 0, 4, 0, 0, 0, 1, 1, 0, 0]);
    expect(Array.from(raw.subarray(20))).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 2, 0]);
    const f = encodeShardRaw(floats, Float32Array.from([1, -2, 0.5]), [258]);
    expect(Array.from(f.subarray(8, 20))).toEqual([1, 0, 0, 0, 3, 0, 0, 0, 2, 2, 0, 0]);
    expect(new Float32Array(f.slice(20, 32).buffer)).toEqual(Float32Array.from([1, -2, 0.5]));
    expect(Array.from(f.subarray(32))).toEqual([2, 1]); // 258 as uint16 LE
    const t = encodeShardRaw(tokens, Int32Array.from([7, 0, 65536, 3]), [4]);
    expect(t[16]).toBe(3);
    expect(t.length).toBe(20 + 16 + 1);
  });

  it('is deterministic and writes no timestamp', async () => {
    const features = Uint8Array.from({ length: 400 }, (_, i) => (i * 37) % 256);
    const labels = Array.from({ length: 100 }, (_, i) => i % 3);
    const a = await encodeShard(images, features, labels);
    const b = await encodeShard(images, features, labels);
    expect(a).toEqual(b);
    expect(Array.from(a.subarray(0, 3))).toEqual([0x1f, 0x8b, 8]);
    expect(Array.from(a.subarray(4, 8))).toEqual([0, 0, 0, 0]); // mtime
  });

  it('refuses inputs it cannot store', () => {
    expect(() => encodeShardRaw(images, Float32Array.from([1, 2, 3, 4]), [0])).toThrow(/needs a Uint8Array/);
    expect(() => encodeShardRaw(images, Uint8Array.from([1, 2, 3]), [0])).toThrow(/expected 1 x 4 = 4 values, got 3/);
    expect(() => encodeShardRaw(images, Uint8Array.from([1, 2, 3, 4]), [3])).toThrow(
      /labels\[0\]: must be an integer in 0\.\.2/,
    );
    expect(() => encodeShardRaw(images, Uint8Array.from([1, 2, 3, 4]), [0.5])).toThrow(/labels\[0\]/);
    expect(() => encodeShardRaw(floats, Float32Array.from([1, NaN, 3]), [0])).toThrow(/features\[1\]: must be finite/);
    expect(() => encodeShardRaw(tokens, Int32Array.from([1, -1, 3, 4]), [0])).toThrow(/non-negative/);
  });
});

describe('shard decoding', () => {
  it('round-trips uint8 (scaled), float32 and int32 shards', async () => {
    const u = await encodeShard(images, Uint8Array.from([0, 1, 2, 255, 4, 5, 6, 7]), [2, 1]);
    const su = await decodeShard(u, images, ref(u, 2));
    expect(su).toEqual({
      samples: 2,
      featureSize: 4,
      features: Float32Array.from([0, 0.5, 1, 127.5, 2, 2.5, 3, 3.5]),
      labels: Int32Array.from([2, 1]),
    });
    const f = await encodeShard(floats, Float32Array.from([0.1, -2, 3e9, 4, 5, 6]), [299, 0]);
    const sf = await decodeShard(f, floats, ref(f, 2));
    expect(sf.features).toEqual(Float32Array.from([0.1, -2, 3e9, 4, 5, 6]));
    expect(sf.labels).toEqual(Int32Array.from([299, 0]));
    const t = await encodeShard(tokens, Int32Array.from([1, 2, 3, 2 ** 31 - 1]), [4]);
    const st = await decodeShard(t, tokens, ref(t, 1));
    expect(st.features).toBeInstanceOf(Int32Array);
    expect(Array.from(st.features)).toEqual([1, 2, 3, 2 ** 31 - 1]);
  });

  const feats = Uint8Array.from([1, 2, 3, 4, 5, 6, 7, 8]);
  const labels = [1, 2];

  it('rejects a corrupt gzip stream', async () => {
    const file = await encodeShard(images, feats, labels);
    // A flipped bit in the CRC-32 trailer: the deflate data inflates, the checksum fails.
    const bad = file.slice();
    bad[bad.length - 8] = bad[bad.length - 8]! ^ 1;
    expect((await shardError(decodeShard(bad, images, ref(bad, 2)))).message).toMatch(
      /is not a valid gzip file \(incorrect data check\)/,
    );
    const header = file.slice();
    header[0] = 0;
    expect((await shardError(decodeShard(header, images, ref(header, 2)))).message).toMatch(/is not a valid gzip file/);
    expect(
      (
        await shardError(
          decodeShard(
            Uint8Array.from({ length: 40 }, () => 7),
            images,
            { sha256: 'f'.repeat(64), samples: 2, bytes: 40 },
          ),
        )
      ).message,
    ).toMatch(/not a valid gzip file/);
  });

  it('rejects a truncated file', async () => {
    const file = (await encodeShard(images, feats, labels)).slice(0, -6);
    expect((await shardError(decodeShard(file, images, ref(file, 2)))).message).toMatch(/not a valid gzip file/);
  });

  it('rejects a file whose size differs from the manifest', async () => {
    const file = await encodeShard(images, feats, labels);
    const e = await shardError(decodeShard(file, images, { ...ref(file, 2), bytes: file.length + 1 }));
    expect(e.message).toMatch(/is \d+ bytes, the manifest says \d+/);
    expect(e.shard).toBe('f'.repeat(64));
  });

  it('rejects a wrong sample count', async () => {
    const file = await encodeShard(images, feats, labels);
    expect((await shardError(decodeShard(file, images, ref(file, 3)))).message).toMatch(
      /holds 2 samples, the manifest says 3/,
    );
  });

  it('stops decompressing at the length the manifest implies', async () => {
    const file = await encodeShard(images, feats, labels);
    expect((await shardError(decodeShard(file, images, ref(file, 1)))).message).toMatch(
      /decompresses to more than the 25 bytes/,
    );
    await expect(gunzip(await gzip(new Uint8Array(1 << 20)), 1000)).rejects.toThrow(/more than the 1000 bytes/);
  });

  it('rejects a wrong feature count (another shape)', async () => {
    const file = await encodeShard(images, feats, labels);
    const other: Layout = { ...images, features: { ...images.features, shape: [4, 1, 1] } };
    expect((await decodeShard(file, other, ref(file, 2))).samples).toBe(2); // same size: fine
    const wider: Layout = { ...images, features: { ...images.features, shape: [2, 2, 2] } };
    expect((await shardError(decodeShard(file, wider, ref(file, 2)))).message).toMatch(
      /4 feature values per sample, the manifest's shape needs 8/,
    );
  });

  const edits: [string, (raw: Uint8Array) => Uint8Array, RegExp][] = [
    ['bad magic', (raw) => raw.map((b, i) => (i === 7 ? 0x32 : b)), /does not start with AIADS001/],
    ['dtype code', (raw) => raw.map((b, i) => (i === 16 ? 2 : b)), /dtype code 2, the manifest's uint8 is 1/],
    ['label width', (raw) => raw.map((b, i) => (i === 17 ? 2 : b)), /2-byte labels, 3 classes need 1/],
    ['reserved bytes', (raw) => raw.map((b, i) => (i === 19 ? 1 : b)), /non-zero reserved/],
    [
      'label out of range',
      (raw) => raw.map((b, i) => (i === raw.length - 1 ? 3 : b)),
      /sample 1 has label 3, not below classes \(3\)/,
    ],
    ['truncated layout', (raw) => raw.slice(0, -1), /is 29 bytes decompressed, 2 samples need exactly 30/],
    ['shorter than a header', (raw) => raw.slice(0, 12), /shorter than the 20-byte header/],
  ];
  it.each(edits)('rejects a decompressed layout with %s', async (_what, edit, message) => {
    expect((await shardError(tampered(images, feats, labels, edit))).message).toMatch(message);
  });

  it('rejects non-finite floats and negative token ids', async () => {
    const nan = await shardError(
      tampered(floats, Float32Array.from([1, 2, 3]), [0], (raw) => {
        new DataView(raw.buffer).setFloat32(24, NaN, true);
        return raw;
      }),
    );
    expect(nan.message).toMatch(/sample 0 has a non-finite feature value/);
    const neg = await shardError(
      tampered(tokens, Int32Array.from([1, 2, 3, 4]), [0], (raw) => {
        new DataView(raw.buffer).setInt32(28, -5, true);
        return raw;
      }),
    );
    expect(neg.message).toMatch(/negative token id -5/);
    expect(() => decodeShardRaw(new Uint8Array(3), images, { samples: 1 })).toThrow(/shard \(unnamed\)/);
  });
});

describe('token shards', () => {
  const L = 4;
  const bytes: TokenLayout = { tokens: { vocab: 256, sequenceLength: L, separator: 0 } };
  const wide: TokenLayout = { tokens: { vocab: 1000, sequenceLength: 3, separator: 999 } };
  // Two windows of "hello world" with stride L: inputs "hell", "o wo"; targets "ello", " wor".
  const text = Array.from(new TextEncoder().encode('hello wor'));
  const windows = [...text.slice(0, 5), ...text.slice(4, 9)];

  it('lays out header and tokens as docs/ml.md says', () => {
    const raw = encodeTokenShardRaw(bytes, windows);
    expect(new TextDecoder().decode(raw.subarray(0, 8))).toBe('AIATK001');
    expect(Array.from(raw.subarray(8, 20))).toEqual([2, 0, 0, 0, 4, 0, 0, 0, 1, 0, 0, 0]);
    expect(Array.from(raw.subarray(20))).toEqual(windows);
    const w = encodeTokenShardRaw(wide, [1, 300, 999, 0]);
    expect(w[16]).toBe(2);
    expect(Array.from(w.subarray(20))).toEqual([1, 0, 44, 1, 231, 3, 0, 0]); // uint16 LE
  });

  it('refuses tokens it cannot store', () => {
    expect(() => encodeTokenShardRaw(bytes, [1, 2, 3, 4])).toThrow(/positive multiple of L \+ 1 = 5 values, got 4/);
    expect(() => encodeTokenShardRaw(bytes, [])).toThrow(/positive multiple/);
    expect(() => encodeTokenShardRaw(bytes, [1, 2, 256, 4, 5])).toThrow(
      /tokens\[2\]: must be an integer in 0\.\.255, got 256/,
    );
    expect(() => encodeTokenShardRaw(bytes, [1, 2, 3, -1, 5])).toThrow(/tokens\[3\]/);
    expect(() => encodeTokenShardRaw(wide, [1, 2, 3, 1.5])).toThrow(/tokens\[3\]: must be an integer in 0\.\.999/);
  });

  it('round-trips: inputs are tokens 0..L-1, targets tokens 1..L of each sample', async () => {
    const file = await encodeTokenShard(bytes, windows);
    expect(await encodeTokenShard(bytes, windows)).toEqual(file);
    const shard = await decodeShard(file, bytes, ref(file, 2));
    const str = (a: ArrayLike<number>) => new TextDecoder().decode(Uint8Array.from(a));
    expect(shard.samples).toBe(2);
    expect(shard.featureSize).toBe(L);
    expect(shard.features).toBeInstanceOf(Int32Array);
    expect(shard.labels).toBeInstanceOf(Int32Array);
    expect([str(shard.features), str(shard.labels)]).toEqual(['hello wo', 'ello wor']);
    const wf = await encodeTokenShard(wide, [1, 300, 999, 0, 7, 8, 9, 10]);
    const ws = await decodeShard(wf, wide, ref(wf, 2));
    expect(Array.from(ws.features)).toEqual([1, 300, 999, 7, 8, 9]);
    expect(Array.from(ws.labels)).toEqual([300, 999, 0, 8, 9, 10]);
  });

  async function tamperedTokens(layout: TokenLayout, tokens: number[], edit: (raw: Uint8Array) => Uint8Array) {
    const file = await gzip(edit(encodeTokenShardRaw(layout, tokens)));
    return decodeShard(file, layout, ref(file, tokens.length / (layout.tokens.sequenceLength + 1)));
  }

  const edits: [string, TokenLayout, (raw: Uint8Array) => Uint8Array, RegExp][] = [
    ['bad magic', bytes, (raw) => raw.map((b, i) => (i === 5 ? 0x44 : b)), /does not start with AIATK001/],
    [
      'a feature shard magic',
      bytes,
      (raw) => raw.map((b, i) => (i < 8 ? 'AIADS001'.charCodeAt(i) : b)),
      /does not start with AIATK001/,
    ],
    [
      'more samples than the manifest',
      bytes,
      (raw) => raw.map((b, i) => (i === 8 ? 3 : b)),
      /holds 3 samples, the manifest says 2/,
    ],
    [
      'another sequence length',
      bytes,
      (raw) => raw.map((b, i) => (i === 12 ? 5 : b)),
      /sequence length 5, the manifest says 4/,
    ],
    [
      'wrong token width',
      bytes,
      (raw) => raw.map((b, i) => (i === 16 ? 2 : b)),
      /2-byte tokens, a vocabulary of 256 needs 1/,
    ],
    [
      'narrow tokens for a wide vocabulary',
      wide,
      (raw) => raw.map((b, i) => (i === 16 ? 1 : b)),
      /1-byte tokens, a vocabulary of 1000 needs 2/,
    ],
    ['reserved bytes', bytes, (raw) => raw.map((b, i) => (i === 18 ? 1 : b)), /non-zero reserved/],
    ['truncated', bytes, (raw) => raw.slice(0, -1), /is 29 bytes decompressed, 2 sequences need exactly 30/],
    ['trailing bytes', bytes, (raw) => Uint8Array.from([...raw, 0]), /decompresses to more than the 30 bytes/],
    ['shorter than a header', bytes, (raw) => raw.slice(0, 19), /shorter than the 20-byte header/],
  ];
  it.each(edits)('rejects a decompressed layout with %s', async (_what, layout, edit, message) => {
    const tokens = layout === bytes ? windows : [1, 300, 999, 0, 7, 8, 9, 10];
    expect((await shardError(tamperedTokens(layout, tokens, edit))).message).toMatch(message);
  });

  it('rejects a token at or above the vocabulary, wherever it is', async () => {
    // The last token of a sample is only a target, the first only an input: both are checked.
    const last = await shardError(
      tamperedTokens(wide, [1, 300, 999, 0, 7, 8, 9, 10], (raw) => {
        new DataView(raw.buffer).setUint16(20 + 2 * 7, 1000, true);
        return raw;
      }),
    );
    expect(last.message).toMatch(/sample 1 has token 1000 at position 3, not below vocab \(1000\)/);
    const first = await shardError(
      tamperedTokens(wide, [1, 300, 999, 0, 7, 8, 9, 10], (raw) => {
        new DataView(raw.buffer).setUint16(20, 65535, true);
        return raw;
      }),
    );
    expect(first.message).toMatch(/sample 0 has token 65535 at position 0/);
    const small: TokenLayout = { tokens: { vocab: 100, sequenceLength: L, separator: 0 } };
    const byte = await shardError(
      tamperedTokens(small, [1, 2, 3, 4, 5], (raw) => raw.map((b, i) => (i === 22 ? 100 : b))),
    );
    expect(byte.message).toMatch(/sample 0 has token 100 at position 2, not below vocab \(100\)/);
  });

  it('rejects a corrupt or cut gzip file and a size other than the manifest says', async () => {
    const file = await encodeTokenShard(bytes, windows);
    const cut = file.slice(0, -5);
    expect((await shardError(decodeShard(cut, bytes, ref(cut, 2)))).message).toMatch(/not a valid gzip file/);
    expect((await shardError(decodeShard(file, bytes, { ...ref(file, 2), bytes: file.length - 1 }))).message).toMatch(
      /the manifest says/,
    );
    // A feature layout cannot read a token shard: the magic differs.
    const asImages: Layout = { features: { shape: [4], dtype: 'uint8', scale: 1 }, labels: { classes: 2 } };
    const raw = encodeTokenShardRaw(bytes, windows);
    expect(() => decodeShardRaw(raw, asImages, { samples: 2 })).toThrow(/does not start with AIADS001/);
    // Trailing bytes that reach the raw decoder (gunzip already stops at the implied length).
    expect(() => decodeShardRaw(Uint8Array.from([...raw, 0]), bytes, { samples: 2 })).toThrow(
      /is 31 bytes decompressed, 2 sequences need exactly 30/,
    );
  });
});
