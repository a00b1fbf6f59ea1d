import { describe, expect, it } from 'vitest';
import {
  FIELD_P,
  MIN_ITERATIONS,
  WatermarkError,
  bytes32ToField,
  checkWatermark,
  decode,
  exportKeyEncrypted,
  extractV,
  fieldToBytes32,
  generateKey,
  importKeyEncrypted,
  keyCommit,
  keyFromJson,
  keyLimbs,
  keyToJson,
  ownerBits,
  projections,
  quantize,
  randomFieldElement,
  watermarkKernelIndex,
  wmCommit,
  wmLimbs,
  type WatermarkKey,
} from '../../../../src/lib/ml/watermark/index.ts';
import { specShapes } from '../../../../src/lib/ml/spec/shapes.ts';
import type { LayerSpec, WatermarkSpec } from '../../../../src/lib/ml/spec/types.ts';
import { Drbg } from './drbg.ts';

describe('field', () => {
  it('bytes32 round trip and range', () => {
    for (const x of [0n, 1n, FIELD_P - 1n, 2n ** 200n + 12345n]) expect(bytes32ToField(fieldToBytes32(x))).toBe(x);
    expect(fieldToBytes32(1n)).toBe(`0x${'0'.repeat(63)}1`);
    expect(() => fieldToBytes32(FIELD_P)).toThrow(RangeError);
    expect(() => fieldToBytes32(-1n)).toThrow(RangeError);
    expect(() => bytes32ToField(`0x${FIELD_P.toString(16).padStart(64, '0')}`)).toThrow(/not a field element/);
    expect(() => bytes32ToField('0x12')).toThrow(/64 hex/);
  });
});

describe('ownerBits', () => {
  it('bit 0 is the most significant bit of the address', () => {
    const a = '0x8000000000000000000000000000000000000001';
    const bits = ownerBits(a, 160);
    expect(bits[0]).toBe(1);
    expect(bits.slice(1, 159).every((b) => b === 0)).toBe(true);
    expect(bits[159]).toBe(1);
    expect(Array.from(ownerBits('0xA5ffffffffffffffffffffffffffffffffffffff', 8)).join('')).toBe('10100101');
    // Checksum case does not matter.
    expect(ownerBits('0xa5FFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFF', 8)).toEqual(
      ownerBits('0xA5ffffffffffffffffffffffffffffffffffffff', 8),
    );
    expect(() => ownerBits('0x1234', 8)).toThrow(WatermarkError);
    expect(() => ownerBits(a, 161)).toThrow(/1\.\.160/);
  });
});

describe('quantize', () => {
  it('rounds half up in float64 and clamps', () => {
    const s = 65536;
    const v = Float32Array.from([
      0.5 / s,
      -0.5 / s,
      1.5 / s,
      -1.5 / s,
      2.5 / s,
      0.49999997 / s,
      1,
      -1,
      -0,
      3.4e38,
      -3.4e38,
      1e-45,
    ]);
    expect(Array.from(quantize(v, s, 16))).toEqual([1, 0, 2, -1, 3, 0, 32767, -32768, 0, 32767, -32768, 0]);
    expect(Array.from(quantize(Float32Array.from([0.3, -0.3]), 8, 4))).toEqual([2, -2]);
    expect(Array.from(quantize(Float32Array.from([100, -100]), 8, 4))).toEqual([7, -8]);
  });

  it('is exact: agrees with rational arithmetic on float32 inputs', () => {
    // floor(v * 2^16 + 1/2) computed with BigInt on the exact binary value of each float32.
    const rng = new Drbg('quantize exact');
    const exact = (x: number): bigint => {
      const dv = new DataView(new ArrayBuffer(4));
      dv.setFloat32(0, x);
      const u = dv.getUint32(0);
      const sign = u >>> 31 ? -1n : 1n;
      const e = (u >>> 23) & 0xff;
      const m = BigInt(e === 0 ? (u & 0x7fffff) << 1 : (u & 0x7fffff) | 0x800000);
      // x = sign * m * 2^(e - 150); x * 2^16 + 1/2 = (sign*m*2^(e-134) * 2 + 1) / 2
      const shift = e - 150 + 16 + 1; // numerator over 2
      const num = sign * (shift >= 0 ? m << BigInt(shift) : m) + (shift >= 0 ? 1n : 1n << BigInt(-shift));
      const den = shift >= 0 ? 2n : 2n << BigInt(-shift);
      const q = num >= 0n ? num / den : -((-num + den - 1n) / den);
      return q;
    };
    expect([0.5, -0.5, -1.5, 2.5, 1e-9, 40000].map((x) => exact(Math.fround(x / 65536)))).toEqual([
      1n,
      0n,
      -1n,
      3n,
      0n,
      40000n,
    ]);
    for (let i = 0; i < 20000; i++) {
      const b = rng.u32();
      const dv = new DataView(new ArrayBuffer(4));
      // Exponents around the rounding boundary: |v * 2^16| in about [2^-30, 2^20].
      dv.setUint32(0, (b & 0x807fffff) | ((((b >>> 23) % 50) + 127 - 16 - 30) << 23));
      const x = dv.getFloat32(0);
      const want = exact(x);
      const clamped = want > 32767n ? 32767 : want < -32768n ? -32768 : Number(want);
      expect(quantize(Float32Array.of(x), 65536, 16)[0], `v = ${x}`).toBe(clamped);
    }
  });

  it('refuses NaN, Infinity and bad parameters', () => {
    expect(() => quantize(Float32Array.of(0, NaN), 65536, 16)).toThrow(/v\[1\] is NaN/);
    expect(() => quantize(Float32Array.of(Infinity), 65536, 16)).toThrow(/v\[0\] is Infinity/);
    expect(() => quantize(Float32Array.of(0), 0, 16)).toThrow(/scale/);
    expect(() => quantize(Float32Array.of(0), 65536, 33)).toThrow(/2\.\.32/);
  });
});

describe('extractV', () => {
  it('dense-column-mean: means of the first N columns of [in, units]', () => {
    // [3, 4] row-major
    const w = Float32Array.from([1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12]);
    expect(Array.from(extractV('dense-column-mean', w, [3, 4], 3))).toEqual([5, 6, 7]);
    expect(() => extractV('dense-column-mean', w, [3, 4], 5)).toThrow(/units >= N = 5/);
    expect(() => extractV('dense-column-mean', w, [2, 2, 3], 2)).toThrow(/dense kernel/);
    expect(() => extractV('dense-column-mean', w, [4, 4], 2)).toThrow(/needs 16/);
  });

  it('conv-filter-mean: means over filters, rows flattened over kh, kw, cin', () => {
    // [kh=2, kw=1, cin=2, filters=3]: rows (0,0,0), (0,0,1), (1,0,0), (1,0,1)
    const w = Float32Array.from([0, 1, 2, 10, 11, 12, 20, 21, 22, 30, 31, 35]);
    expect(Array.from(extractV('conv-filter-mean', w, [2, 1, 2, 3], 4))).toEqual([1, 11, 21, 32]);
    expect(() => extractV('conv-filter-mean', w, [2, 1, 2, 3], 5)).toThrow(/kh\*kw\*cin >= N = 5/);
  });

  it('accumulates in float64 and rounds to float32 once', () => {
    // In float32 arithmetic 1 + 2^-24 + 2^-24 stays 1 (each addition rounds back); in float64
    // the mean is (1 + 2^-23) / 3, rounded once.
    const w = Float32Array.from([1, 2 ** -24, 2 ** -24]);
    const v = extractV('dense-column-mean', w, [3, 1], 1);
    expect(v[0]).toBe(Math.fround((1 + 2 ** -23) / 3));
    let f32 = Math.fround(0);
    for (const x of w) f32 = Math.fround(f32 + x);
    expect(Math.fround(f32 / 3)).not.toBe(v[0]);
  });

  it('finds the kernel the spec names', () => {
    const layers: LayerSpec[] = [
      { type: 'flatten' },
      { type: 'dense', id: 'hidden1', units: 16, activation: 'relu' },
      { type: 'dense', id: 'logits', units: 10, activation: 'linear' },
    ];
    const { params } = specShapes({ input: { shape: [4, 4, 1] }, output: { classes: 10 }, layers });
    const watermark = { layer: 'hidden1', rule: 'dense-column-mean' } as WatermarkSpec;
    expect(watermarkKernelIndex({ layers, watermark }, params)).toBe(0);
    expect(watermarkKernelIndex({ layers, watermark: { ...watermark, layer: 'logits' } }, params)).toBe(2);
    expect(() => watermarkKernelIndex({ layers, watermark: { ...watermark, layer: 'nope' } }, params)).toThrow(
      /no layer has id "nope"/,
    );
    expect(() =>
      watermarkKernelIndex({ layers, watermark: { ...watermark, rule: 'conv-filter-mean' } }, params),
    ).toThrow(/needs a conv2d layer/);
  });
});

describe('decode', () => {
  it('projects with +-1 rows; zero decodes to 0', () => {
    // T = 2, N = 3: rows (+1, -1, +1) and (-1, -1, -1)
    const key = Uint8Array.from([1, 0, 1, 0, 0, 0]);
    const q = Int32Array.from([5, 2, -3]);
    expect(projections(key, q)).toEqual([0, -0 + -5 - 2 + 3]);
    const d = decode(key, q, Uint8Array.from([1, 0]));
    expect(Array.from(d.bits)).toEqual([0, 0]);
    expect(d.wrong).toBe(1);
    expect(d.margins).toEqual([0, 4]);
    expect(() => decode(key, q, Uint8Array.from([1]))).toThrow(/owner bits/);
    expect(() => projections(Uint8Array.from([1, 0]), q)).toThrow(/rows of N = 3/);
  });

  it('is exact at the extremes (no float rounding)', () => {
    const N = 32768;
    const q = new Int32Array(N).fill(-(2 ** 31));
    q[0] = 1;
    const key = new Uint8Array(N).fill(0);
    // s = -sum(q) = 2^31 * (N - 1) - 1, an odd number above 2^46 that float32 could not hold.
    expect(projections(key, q)).toEqual([2 ** 31 * (N - 1) - 1]);
  });
});

describe('commitments', () => {
  it('packs key bits little-endian into 128-bit limbs', () => {
    const bits = new Uint8Array(256);
    bits[0] = 1;
    bits[127] = 1;
    bits[130] = 1;
    expect(keyLimbs(bits)).toEqual([1n + (1n << 127n), 4n]);
    expect(keyLimbs(new Uint8Array(130).fill(1))).toEqual([(1n << 128n) - 1n, 3n]);
  });

  it('packs q with offset 2^(WB-1), K = floor(253/WB) per limb, zero past the end', () => {
    const q = Int32Array.from({ length: 16 }, (_, k) => k - 8);
    const f = wmLimbs(q, 16);
    expect(f).toHaveLength(2);
    let want0 = 0n;
    for (let k = 0; k < 15; k++) want0 += BigInt(k - 8 + 32768) << BigInt(16 * k);
    expect(f[0]).toBe(want0);
    expect(f[1]).toBe(BigInt(7 + 32768));
    expect(wmLimbs(Int32Array.of(-32768, 32767), 16)).toEqual([0n + (65535n << 16n)]);
    expect(() => wmLimbs(Int32Array.of(32768), 16)).toThrow(/q\[0\] = 32768 is outside/);
    expect(() => wmLimbs(new Int32Array(241), 16)).toThrow(/1\.\.240/);
    // WB = 32: K = 7, the largest limb stays below p.
    expect(wmLimbs(new Int32Array(7).fill(2 ** 31 - 1), 32)[0]! < FIELD_P).toBe(true);
  });

  it('commitments change with every input', () => {
    const rng = new Drbg('commit sensitivity');
    const key = generateKey(64, 128, rng.fill);
    const base = keyCommit(key);
    const flipped = { ...key, bits: key.bits.slice() };
    flipped.bits[8191] = flipped.bits[8191]! ^ 1;
    expect(keyCommit(flipped)).not.toBe(base);
    expect(keyCommit({ ...key, salt: key.salt ^ 1n })).not.toBe(base);
    const q = new Int32Array(128);
    const w = wmCommit(q, 16);
    q[127] = 1;
    expect(wmCommit(q, 16)).not.toBe(w);
    expect(() => keyCommit({ ...key, salt: FIELD_P })).toThrow(/salt/);
  });
});

describe('keys', () => {
  it('generateKey: sizes, bits, salt below p, reproducible from a seeded rng', () => {
    const k = generateKey(64, 128);
    expect(k.bits).toHaveLength(8192);
    expect(k.bits.every((b) => b <= 1)).toBe(true);
    const ones = k.bits.reduce((a, b) => a + b, 0);
    expect(Math.abs(ones - 4096)).toBeLessThan(400);
    expect(k.salt < FIELD_P && k.salt >= 0n).toBe(true);
    const a = generateKey(16, 32, new Drbg('seed').fill);
    const b = generateKey(16, 32, new Drbg('seed').fill);
    expect(a).toEqual(b);
    expect(() => generateKey(0, 128)).toThrow(WatermarkError);
    expect(() => generateKey(161, 1)).toThrow(/1\.\.160/);
    expect(() => generateKey(64, 513)).toThrow(/32768/);
  });

  it('randomFieldElement rejects candidates >= p instead of reducing them', () => {
    // First candidate: all ones (top bits cleared -> 2^254 - 1 >= p), second: 5.
    const draws = [new Uint8Array(32).fill(0xff), Uint8Array.from({ length: 32 }, (_, i) => (i === 31 ? 5 : 0))];
    let calls = 0;
    expect(randomFieldElement((b) => b.set(draws[calls++]!))).toBe(5n);
    expect(calls).toBe(2);
  });

  const key: WatermarkKey = generateKey(16, 24, new Drbg('json').fill);

  it('JSON round trip, validated', () => {
    const json = keyToJson(key);
    expect(keyFromJson(json)).toEqual(key);
    expect(keyFromJson(JSON.parse(json))).toEqual(key);
    const o = JSON.parse(json) as Record<string, unknown>;
    expect(o.keyCommit).toBe(fieldToBytes32(keyCommit(key)));
    const bad = (patch: Record<string, unknown>) => () => keyFromJson({ ...o, ...patch });
    expect(bad({ version: 2 })).toThrow(/version 2 is not supported/);
    expect(bad({ format: 'x' })).toThrow(/not a watermark key file/);
    expect(bad({ extra: 1 })).toThrow(/unknown fields: extra/);
    expect(bad({ x: (o.x as string).slice(2) })).toThrow(/^x: expected 96 lowercase hex/);
    expect(bad({ salt: fieldToBytes32(key.salt ^ 1n) })).toThrow(/does not match its keyCommit/);
    expect(bad({ salt: `0x${'f'.repeat(64)}` })).toThrow(/salt: .*not a field element/);
    expect(bad({ T: 0 })).toThrow(/T \(watermark bits\)/);
    expect(() => keyFromJson('{')).toThrow(/not valid JSON/);
  });

  it('JSON refuses nonzero padding bits', () => {
    const k = generateKey(3, 3, new Drbg('pad').fill); // 9 bits: 7 padding bits in byte 1
    const o = JSON.parse(keyToJson(k)) as { x: string };
    const x = o.x.slice(0, 2) + ((parseInt(o.x.slice(2), 16) | 0x80) >>> 0).toString(16).padStart(2, '0');
    expect(() => keyFromJson({ ...o, x })).toThrow(/padding bits/);
  });

  it('encrypted export round-trips; a wrong passphrase says so', async () => {
    const blob = await exportKeyEncrypted(key, 'correct horse battery staple');
    const env = JSON.parse(blob) as {
      kdf: { iterations: number; salt: string };
      cipher: { iv: string };
      keyCommit: string;
      ciphertext: string;
    };
    expect(env.kdf.iterations).toBeGreaterThanOrEqual(310_000);
    expect(env.keyCommit).toBe(fieldToBytes32(keyCommit(key)));
    expect(blob).not.toContain((JSON.parse(keyToJson(key)) as { x: string }).x);
    expect(await importKeyEncrypted(blob, 'correct horse battery staple')).toEqual(key);
    await expect(importKeyEncrypted(blob, 'correct horse battery stapler')).rejects.toThrow(/wrong passphrase/);
    // Fresh salt and iv every time.
    const again = JSON.parse(
      await exportKeyEncrypted(key, 'correct horse battery staple', { iterations: MIN_ITERATIONS }),
    ) as typeof env;
    expect(again.kdf.salt).not.toBe(env.kdf.salt);
    expect(again.cipher.iv).not.toBe(env.cipher.iv);
  });

  it('passphrases are NFC-normalized; envelopes are validated', async () => {
    const blob = await exportKeyEncrypted(key, 'caf\u00e9', { iterations: MIN_ITERATIONS });
    expect(await importKeyEncrypted(blob, 'cafe\u0301')).toEqual(key);
    const env = JSON.parse(blob) as Record<string, unknown>;
    const tampered = (patch: Record<string, unknown>) =>
      importKeyEncrypted(JSON.stringify({ ...env, ...patch }), 'café');
    await expect(tampered({ kdf: { ...(env.kdf as object), iterations: 1000 } })).rejects.toThrow(/iterations/);
    await expect(tampered({ version: 2 })).rejects.toThrow(/version 2/);
    await expect(tampered({ format: 'aiarena-watermark-key' })).rejects.toThrow(/unencrypted key file/);
    const ct = env.ciphertext as string;
    await expect(tampered({ ciphertext: (ct[0] === 'A' ? 'B' : 'A') + ct.slice(1) })).rejects.toThrow(
      /wrong passphrase \(or the file was altered\)/,
    );
    await expect(tampered({ keyCommit: fieldToBytes32(1n) })).rejects.toThrow(/inconsistent/);
    await expect(exportKeyEncrypted(key, '')).rejects.toThrow(/passphrase is required/);
    await expect(exportKeyEncrypted(key, 'x', { iterations: 1000 })).rejects.toThrow(/iterations/);
  });
});

describe('false matches', () => {
  it('random keys against a fixed q: wrong bits ~ Binomial(64, 1/2), never <= 8 in 2,000 keys', () => {
    const rng = new Drbg('false match');
    const q = Int32Array.from({ length: 128 }, () => Math.floor(rng.uniform() * 65536) - 32768);
    const owner = ownerBits('0x1b574310550018599ac85b772dfbae859ea9eb6c', 64);
    const counts: number[] = [];
    for (let i = 0; i < 2000; i++) counts.push(decode(generateKey(64, 128, rng.fill).bits, q, owner).wrong);
    const mean = counts.reduce((a, b) => a + b, 0) / counts.length;
    const variance = counts.reduce((a, c) => a + (c - mean) ** 2, 0) / (counts.length - 1);
    expect(Math.abs(mean - 32)).toBeLessThan(1);
    expect(Math.abs(variance - 16)).toBeLessThan(3); // Binomial(64, 1/2) has variance 16
    expect(Math.min(...counts)).toBeGreaterThan(8);
  });

  it('the documented false-match probability: sum_{i<=8} C(64, i) / 2^64 ~ 3e-10', () => {
    let c = 1n;
    let sum = 1n;
    for (let i = 1n; i <= 8n; i++) {
      c = (c * (65n - i)) / i;
      sum += c;
    }
    const p = Number(sum) / 2 ** 64;
    expect(p).toBeGreaterThan(2.5e-10);
    expect(p).toBeLessThan(3.5e-10);
  });
});

describe('checkWatermark', () => {
  it('extracts, quantizes, commits and decodes in one call', () => {
    const wm: WatermarkSpec = {
      layer: 'hidden1',
      rule: 'dense-column-mean',
      bits: 16,
      length: 32,
      quantization: { bits: 16, scale: 65536 },
      maxErr: 4,
      strength: 0.05,
      margin: 2000,
    };
    const rng = new Drbg('check');
    const key = generateKey(16, 32, rng.fill);
    const owner = '0x00000000000000000000000000000000000000ff';
    const b = ownerBits(owner, 16); // all zero: every projection should be negative
    // A [2, 40] kernel whose column means are v_k = -0.01 * sum_j x_jk / 16 (pushes s_j < 0).
    const kernel = new Float32Array(80);
    for (let k = 0; k < 40; k++) {
      let s = 0;
      for (let j = 0; j < 16 && k < 32; j++) s += 2 * key.bits[j * 32 + k]! - 1;
      kernel[k] = kernel[40 + k] = -0.01 * s;
    }
    const r = checkWatermark(wm, kernel, [2, 40], key, owner);
    expect(r.q).toEqual(quantize(r.v, 65536, 16));
    expect(r.wmCommit).toBe(wmCommit(r.q, 16));
    expect(r).toMatchObject({ wrong: decode(key.bits, r.q, b).wrong });
    expect(r.carries).toBe(r.wrong <= 4);
    expect(r.sealable).toBe(r.wrong <= 2);
    expect(() => checkWatermark({ ...wm, bits: 8 }, kernel, [2, 40], key, owner)).toThrow(/16x32/);
  });
});
