import { describe, expect, it } from 'vitest';
import {
  ArtifactError,
  MAX_ARTIFACT_BYTES,
  artifactByteLength,
  artifactHash,
  deserializeArtifact,
  serializeArtifact,
} from '../../../../src/lib/ml/artifact/index.ts';
import type { ParamShape } from '../../../../src/lib/ml/spec/types.ts';
import { specShapes } from '../../../../src/lib/ml/spec/shapes.ts';
import { createHash } from 'node:crypto';

const specHash = new Uint8Array(32).map((_, i) => i + 1);
const otherSpec = new Uint8Array(32).fill(7);

// A small conv net: kernels of rank 4 and 2, biases of rank 1.
const params: ParamShape[] = [
  { layer: 0, name: 'kernel', shape: [3, 3, 1, 4] },
  { layer: 0, name: 'bias', shape: [4] },
  { layer: 2, name: 'kernel', shape: [16, 10] },
  { layer: 2, name: 'bias', shape: [10] },
];

function tensorsFor(ps: readonly ParamShape[], seed = 1): Float32Array[] {
  let x = seed;
  return ps.map((p) => {
    const n = p.shape.reduce((a, b) => a * b, 1);
    return Float32Array.from({ length: n }, () => {
      x = (x * 1103515245 + 12345) % 2 ** 31;
      return x / 2 ** 31 - 0.5;
    });
  });
}

function codeOf(f: () => unknown): string {
  try {
    f();
  } catch (e) {
    if (e instanceof ArtifactError) return e.code;
    throw e;
  }
  throw new Error('did not throw');
}

function errorOf(f: () => unknown): ArtifactError {
  try {
    f();
  } catch (e) {
    if (e instanceof ArtifactError) return e;
    throw e;
  }
  throw new Error('did not throw');
}

const u32 = (b: Uint8Array, off: number, v: number) => new DataView(b.buffer, b.byteOffset).setUint32(off, v, true);

describe('serializeArtifact / deserializeArtifact', () => {
  const tensors = tensorsFor(params);
  const bytes = serializeArtifact(specHash, params, tensors);

  it('writes the documented layout', () => {
    expect(bytes.length).toBe(artifactByteLength(params));
    expect(new TextDecoder().decode(bytes.subarray(0, 8))).toBe('AIAWTS01');
    expect([...bytes.subarray(8, 40)]).toEqual([...specHash]);
    const v = new DataView(bytes.buffer);
    expect(v.getUint32(40, true)).toBe(4);
    expect(v.getUint32(44, true)).toBe(4); // rank of the conv kernel
    expect([48, 52, 56, 60].map((o) => v.getUint32(o, true))).toEqual([3, 3, 1, 4]);
    expect(v.getFloat32(64, true)).toBe(tensors[0]![0]);
    // header 44 + (4 + 16 + 144) + (4 + 4 + 16) + (4 + 8 + 640) + (4 + 4 + 40)
    expect(bytes.length).toBe(44 + 164 + 24 + 652 + 48);
  });

  it('round-trips byte for byte and value for value', () => {
    const back = deserializeArtifact(bytes, { specHash, params });
    back.forEach((t, i) => expect([...t]).toEqual([...tensors[i]!]));
    expect(serializeArtifact(specHash, params, back)).toEqual(bytes);
  });

  it('keeps float32 values exactly: -0, denormals, extremes', () => {
    const special = [
      -0,
      0,
      1,
      -1,
      1.401298464324817e-45 /* smallest denormal */,
      -1.401298464324817e-45,
      1.1754942106924411e-38 /* largest denormal */,
      1.1754943508222875e-38 /* smallest normal */,
      3.4028234663852886e38 /* max float */,
      -3.4028234663852886e38,
      Math.fround(0.1),
      Math.fround(-1 / 3),
      5.877471754111438e-39,
      2 ** -126,
      2 ** 127,
      Math.fround(Math.PI),
    ];
    const ps: ParamShape[] = [{ layer: 0, name: 'gamma', shape: [special.length] }];
    const t = Float32Array.from(special);
    const b = serializeArtifact(specHash, ps, [t]);
    const [back] = deserializeArtifact(b, { specHash, params: ps });
    expect(Object.is(back![0], -0)).toBe(true);
    expect(Object.is(back![1], 0)).toBe(true);
    expect(new Uint32Array(back!.buffer)).toEqual(new Uint32Array(t.buffer));
    expect(serializeArtifact(specHash, ps, [back!])).toEqual(b);
    // The bit patterns are little-endian on the wire: -0 is 00 00 00 80.
    expect([...b.subarray(52, 56)]).toEqual([0, 0, 0, 0x80]);
  });

  it('returns copies, never views into the input', () => {
    const input = bytes.slice();
    const back = deserializeArtifact(input, { specHash, params });
    for (const t of back) expect(t.buffer).not.toBe(input.buffer);
    const before = back[0]![0];
    input.fill(0);
    expect(back[0]![0]).toBe(before);
  });

  it('reads from a view at an odd offset of a larger buffer', () => {
    const big = new Uint8Array(bytes.length + 3);
    big.set(bytes, 1);
    const back = deserializeArtifact(big.subarray(1, 1 + bytes.length), { specHash, params });
    expect([...back[2]!]).toEqual([...tensors[2]!]);
  });

  it('serializes views of larger buffers (subarray tensors)', () => {
    const host = new Float32Array(100).map((_, i) => i);
    const ps: ParamShape[] = [{ layer: 0, name: 'bias', shape: [5] }];
    const b = serializeArtifact(specHash, ps, [host.subarray(10, 15)]);
    expect([...deserializeArtifact(b, { specHash, params: ps })[0]!]).toEqual([10, 11, 12, 13, 14]);
  });

  it('works with the shapes of a real spec (specShapes)', () => {
    const { params: ps } = specShapes({
      input: { shape: [8, 8, 1] },
      output: { classes: 10 },
      layers: [
        { type: 'conv2d', filters: 4, kernelSize: 3, strides: 1, padding: 'same', activation: 'relu' },
        { type: 'flatten' },
        { type: 'dense', id: 'logits', units: 10, activation: 'linear' },
      ],
    });
    const ts = tensorsFor(ps, 9);
    const b = serializeArtifact(specHash, ps, ts);
    expect(serializeArtifact(specHash, ps, deserializeArtifact(b, { specHash, params: ps }))).toEqual(b);
  });

  it('hashes as 0x sha256', async () => {
    const h = await artifactHash(bytes);
    expect(h).toBe(`0x${createHash('sha256').update(bytes).digest('hex')}`);
    expect(await artifactHash(new Uint8Array())).toBe(
      '0xe3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855',
    );
  });

  describe('serializer refuses what the reader would refuse', () => {
    it('NaN and Infinity', () => {
      for (const bad of [NaN, Infinity, -Infinity]) {
        const ts = tensorsFor(params);
        ts[2]![17] = bad;
        const e = errorOf(() => serializeArtifact(specHash, params, ts));
        expect(e.code).toBe('nonfinite');
        expect(e.tensor).toBe(2);
        expect(e.message).toContain('tensor 2 (layers[2].kernel)');
        expect(e.message).toContain('value 17');
      }
    });
    it('wrong value count, wrong tensor count, bad spec hash', () => {
      const ts = tensorsFor(params);
      ts[1] = new Float32Array(5);
      const e = errorOf(() => serializeArtifact(specHash, params, ts));
      expect(e.code).toBe('shape');
      expect(e.message).toMatch(/tensor 1 \(layers\[0\]\.bias\): shape \[4\] needs 4 float32 values, got 5 values/);
      expect(codeOf(() => serializeArtifact(specHash, params, tensorsFor(params).slice(1)))).toBe('count');
      expect(codeOf(() => serializeArtifact(specHash.subarray(1), params, tensorsFor(params)))).toBe('spec');
    });
  });

  describe('deserializer errors', () => {
    const read = (
      b: Uint8Array,
      extra: Partial<{ params: ParamShape[]; maxBytes: number; specHash: Uint8Array }> = {},
    ) => deserializeArtifact(b, { specHash, params, ...extra });

    it('format: another file type, named in the message', () => {
      const b = bytes.slice();
      b.set(new TextEncoder().encode('AIADS001'), 0);
      const e = errorOf(() => read(b));
      expect(e.code).toBe('format');
      expect(e.message).toContain('"AIADS001"');
      expect(codeOf(() => read(new Uint8Array([0x1f, 0x8b, 8, 0])))).toBe('format');
      expect(errorOf(() => read(new Uint8Array([0x1f, 0x8b, 8, 0]))).message).toContain('0x1f8b0800');
      // An empty file is a (very) truncated artifact.
      expect(codeOf(() => read(new Uint8Array()))).toBe('truncated');
    });

    it('spec: another spec hash, both hashes in the message', () => {
      const e = errorOf(() => read(bytes, { specHash: otherSpec }));
      expect(e.code).toBe('spec');
      expect(e.message).toContain('0x0102030405');
      expect(e.message).toContain('0x0707070707');
    });

    it('count: tensor count differs', () => {
      const b = bytes.slice();
      u32(b, 40, 5);
      const e = errorOf(() => read(b));
      expect(e.code).toBe('count');
      expect(e.message).toBe('the artifact has 5 tensors, the model spec has 4');
      expect(codeOf(() => read(bytes, { params: params.slice(0, 3) }))).toBe('count');
    });

    it('shape: rank differs', () => {
      const b = bytes.slice();
      u32(b, 44, 3);
      const e = errorOf(() => read(b));
      expect(e.code).toBe('shape');
      expect(e.tensor).toBe(0);
      expect(e.message).toBe('tensor 0 (layers[0].kernel): rank 3, the model spec expects rank 4 [3, 3, 1, 4]');
    });

    it('shape: a dim differs (later tensor)', () => {
      const b = bytes.slice();
      const kernel2 = 44 + 164 + 24; // rank of tensor 2
      u32(b, kernel2 + 8, 11);
      const e = errorOf(() => read(b));
      expect(e.code).toBe('shape');
      expect(e.tensor).toBe(2);
      expect(e.message).toBe('tensor 2 (layers[2].kernel): shape [16, 11], the model spec expects [16, 10]');
    });

    it('shape: huge claimed dims are refused without allocating', () => {
      const b = bytes.slice();
      u32(b, 48, 0xffff_ffff);
      u32(b, 52, 0xffff_ffff);
      expect(codeOf(() => read(b))).toBe('shape');
      const big: ParamShape[] = [{ layer: 0, name: 'embeddings', shape: [65536, 65536] }];
      // A spec this large is refused by size before anything is read.
      expect(codeOf(() => read(bytes, { params: big }))).toBe('size');
    });

    it('truncated: at every cut point', () => {
      for (let cut = 1; cut < bytes.length; cut++) {
        const e = errorOf(() => read(bytes.subarray(0, cut)));
        expect(e.code, `cut at ${cut}`).toBe('truncated');
      }
      expect(errorOf(() => read(bytes.subarray(0, bytes.length - 1))).message).toContain(
        'the values of tensor 3 (layers[2].bias)',
      );
    });

    it('trailing: extra bytes after the last tensor', () => {
      const b = new Uint8Array(bytes.length + 3);
      b.set(bytes);
      const e = errorOf(() => read(b));
      expect(e.code).toBe('trailing');
      expect(e.message).toContain('3 bytes after its last tensor');
    });

    it('nonfinite: NaN and infinities in the values', () => {
      const firstValue = 44 + 4 + 16;
      for (const bits of [0x7fc00000, 0x7f800000, 0xff800000, 0x7f800001, 0xffffffff]) {
        const b = bytes.slice();
        u32(b, firstValue + 4 * 5, bits);
        const e = errorOf(() => read(b));
        expect(e.code).toBe('nonfinite');
        expect(e.message).toContain('tensor 0 (layers[0].kernel): value 5 is');
      }
    });

    it('size: buffers over the limit are refused before reading', () => {
      expect(codeOf(() => read(bytes, { maxBytes: bytes.length - 1 }))).toBe('size');
      expect(read(bytes, { maxBytes: bytes.length })).toHaveLength(4);
      // A buffer past the budget is refused even when it is garbage.
      const huge = new Uint8Array(MAX_ARTIFACT_BYTES + 1);
      expect(codeOf(() => read(huge))).toBe('size');
    });

    it('the limit is the largest artifact any spec within budget can have', () => {
      expect(MAX_ARTIFACT_BYTES).toBe(44 + 256 * 20 + 80_000_000);
    });
  });
});
