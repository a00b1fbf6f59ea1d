// Generator of test/vectors/watermark.json: inputs from a seeded stream (drbg.ts), every derived
// value computed by src/lib/ml/watermark. The circuit tests read the same file, so both sides
// must agree on every field. Regenerate with
//   UPDATE_WATERMARK_VECTORS=1 npx vitest run test/unit/ml/watermark/vectors.test.ts
import {
  FIELD_P,
  decode,
  fieldToBytes32,
  generateKey,
  keyCommit,
  keyGroupHashes,
  keyHash,
  keyLimbs,
  ownerBits,
  quantize,
  valuesPerLimb,
  wmCommit,
  wmLimbs,
} from '../../../../src/lib/ml/watermark/index.ts';
import { Drbg } from './drbg.ts';

export const VECTORS_PATH = new URL('../../../vectors/watermark.json', import.meta.url);

interface Recipe {
  name: string;
  description: string;
  seed: string;
  T: number;
  N: number;
  WB: number;
  scale: number;
  maxErr: number;
  /** 'trained': v pushed by a perceptron until every projection clears `margin` on the target side. */
  kind: 'trained' | 'random';
  /** Amplitude of the uniform starting noise of v (float units). */
  noise: number;
  margin: number;
  /** Target bits that are flipped (relative to the owner's) before training: they decode wrong. */
  flips: number[];
  /** Entries of v fixed before training (and not trained), to pin quantization edge cases. */
  fixed: [number, number][];
  /** Force s_0 = 0 after quantization, to pin "a zero projection decodes to 0". */
  zeroRow0: boolean;
}

const RECIPES: Recipe[] = [
  {
    name: 'small-16x32',
    description:
      'T=16, N=32 (circuit unit tests). Trained to decode all owner bits; v[0..6] pin quantization: ' +
      'clamping at both ends, ties rounding up (x.5 -> x+1, also for negatives), -0.',
    seed: 'aiarena watermark vector 1',
    T: 16,
    N: 32,
    WB: 16,
    scale: 65536,
    maxErr: 2,
    kind: 'trained',
    noise: 0.002,
    margin: 500,
    flips: [],
    fixed: [
      [0, 0.75], // 49152 -> clamped to 32767
      [1, -0.75], // -49152 -> clamped to -32768
      [2, 2 ** -17], // 0.5 -> 1
      [3, -(2 ** -17)], // -0.5 -> 0
      [4, -1.5 / 65536], // -1.5 -> -1
      [5, -0], // -> 0
      [6, 2.5 / 65536], // 2.5 -> 3
    ],
    zeroRow0: false,
  },
  {
    name: 'production-64x128-five-wrong',
    description:
      'T=64, N=128 (production sizes). Trained towards the owner bits with 5 of them flipped: ' +
      'wrong = 5 <= maxErr = 8 (carries the watermark) but > maxErr/2 (not enough to seal).',
    seed: 'aiarena watermark vector 2',
    T: 64,
    N: 128,
    WB: 16,
    scale: 65536,
    maxErr: 8,
    kind: 'trained',
    noise: 0.01,
    margin: 2000,
    flips: [3, 17, 30, 41, 63],
    fixed: [],
    zeroRow0: false,
  },
  {
    name: 'production-64x128-random',
    description:
      'T=64, N=128, v uniform in (-0.05, 0.05): an unrelated model, about half the bits wrong. ' +
      'Row 0 is adjusted so that s_0 = 0 exactly (decodes to 0).',
    seed: 'aiarena watermark vector 3',
    T: 64,
    N: 128,
    WB: 16,
    scale: 65536,
    maxErr: 8,
    kind: 'random',
    noise: 0.05,
    margin: 0,
    flips: [],
    fixed: [],
    zeroRow0: true,
  },
];

const bitString = (bits: Uint8Array): string => Array.from(bits, String).join('');
export const float32Hex = (x: number): string => {
  const b = new DataView(new ArrayBuffer(4));
  b.setFloat32(0, x);
  return b.getUint32(0).toString(16).padStart(8, '0');
};

function build(r: Recipe) {
  const rng = new Drbg(r.seed);
  // Draw order: key (bits, then salt), owner address, then v's noise in index order.
  const key = generateKey(r.T, r.N, rng.fill);
  const owner = `0x${Buffer.from(rng.fill(new Uint8Array(20))).toString('hex')}`;
  const b = ownerBits(owner, r.T);
  const v = Array.from({ length: r.N }, () => (2 * rng.uniform() - 1) * r.noise);
  const fixed = new Map(r.fixed);
  for (const [k, x] of fixed) v[k] = x;
  const x = (j: number, k: number) => 2 * key.bits[j * r.N + k]! - 1;
  if (r.kind === 'trained') {
    const y = Array.from(b, (bit, j) => (2 * bit - 1) * (r.flips.includes(j) ? -1 : 1));
    // Perceptron in float64 on the projections in quantization units (the regularizer's r_j),
    // with values clamped to the quantization range as they will be.
    const step = r.margin / (r.N * r.scale);
    const half = 2 ** (r.WB - 1);
    for (let epoch = 0; epoch < 1000; epoch++) {
      let updated = false;
      for (let j = 0; j < r.T; j++) {
        let proj = 0;
        for (let k = 0; k < r.N; k++) proj += x(j, k) * Math.max(-half, Math.min(half - 1, v[k]! * r.scale));
        if (y[j]! * proj < r.margin) {
          updated = true;
          for (let k = 0; k < r.N; k++) if (!fixed.has(k)) v[k]! += y[j]! * x(j, k) * step;
        }
      }
      if (!updated) break;
      if (epoch === 999) throw new Error(`${r.name}: training did not converge`);
    }
  }
  let vf = Float32Array.from(v);
  if (r.zeroRow0) {
    // Move q on the last entries (within range) until s_0 = 0, then set v = q / scale exactly.
    const q = quantize(vf, r.scale, r.WB);
    let s0 = 0;
    for (let k = 0; k < r.N; k++) s0 += x(0, k) * q[k]!;
    const half = 2 ** (r.WB - 1);
    for (let k = r.N - 1; k >= 0 && s0 !== 0; k--) {
      const want = q[k]! - x(0, k) * s0;
      const next = Math.max(-half, Math.min(half - 1, want));
      s0 += x(0, k) * (next - q[k]!);
      q[k] = next;
    }
    vf = Float32Array.from(q, (qk) => qk / r.scale);
  }

  const q = quantize(vf, r.scale, r.WB);
  const d = decode(key.bits, q, b);
  const kc = keyCommit(key);
  const wc = wmCommit(q, r.WB);
  return {
    name: r.name,
    description: r.description,
    seed: r.seed,
    params: {
      T: r.T,
      N: r.N,
      WB: r.WB,
      scale: r.scale,
      maxErr: r.maxErr,
      keyLimbCount: keyLimbs(key.bits).length,
      keyGroups: keyGroupHashes(key.bits).length,
      K: valuesPerLimb(r.WB),
      E: wmLimbs(q, r.WB).length,
    },
    owner,
    ownerBits: bitString(b),
    key: { bits: bitString(key.bits), salt: key.salt.toString() },
    // String(-0) is "0"; keep the sign so the decimal form is the same float32.
    v: Array.from(vf, (f) => (Object.is(f, -0) ? '-0' : String(f))),
    vHex: Array.from(vf, float32Hex),
    q: Array.from(q),
    keyLimbs: keyLimbs(key.bits).map(String),
    keyGroupHashes: keyGroupHashes(key.bits).map(String),
    keyHash: keyHash(key.bits).toString(),
    keyCommit: kc.toString(),
    keyCommitBytes32: fieldToBytes32(kc),
    wmLimbs: wmLimbs(q, r.WB).map(String),
    wmCommit: wc.toString(),
    wmCommitBytes32: fieldToBytes32(wc),
    projections: d.projections,
    margins: d.margins,
    decodedBits: bitString(d.bits),
    wrong: d.wrong,
    carries: d.wrong <= r.maxErr,
  };
}

export type WatermarkVector = ReturnType<typeof build>;

export function generateVectors() {
  return {
    format: 'aiarena-watermark-vectors',
    version: 1,
    about:
      'Watermark test vectors (docs/ml.md section 4), shared by the TypeScript tests and the challenge circuit. ' +
      'Inputs: key.bits (T*N chars, row-major X[j*N+k], 1 = +1), key.salt, owner, v (float32; vHex = IEEE bits), ' +
      'params. Everything else is derived and recomputed by test/unit/ml/watermark/vectors.test.ts. Field elements ' +
      'are decimal strings; bit strings list bit 0 first; projections s_j = sum_k (2X_jk-1) q_k; margins = (2b_j-1) s_j.',
    generator:
      'test/unit/ml/watermark/vectors.ts. Random stream: SHA-256 counter mode, block i = sha256(utf8(seed) || u32be(i)). ' +
      'Draw order per vector: ceil(T*N/8) key bytes (bit i = bit i%8 of byte i/8), then 32-byte salt candidates ' +
      '(big-endian, top 2 bits cleared, redrawn while >= p), then 20 owner address bytes, then one u32 per v entry ' +
      '(noise = (2u/2^32 - 1) * amplitude). Trained vectors then run a float64 perceptron (step margin/(N scale), ' +
      'projections of the clamped values) until every target projection clears the margin. Regenerate: UPDATE_WATERMARK_VECTORS=1 npx vitest run test/unit/ml/watermark/vectors.test.ts',
    field: FIELD_P.toString(),
    vectors: RECIPES.map(build),
  };
}

/** JSON with arrays of numbers or strings on one line, so the file stays readable. */
export function formatJson(value: unknown, indent = ''): string {
  if (Array.isArray(value)) {
    if (value.every((e) => typeof e !== 'object' || e === null))
      return `[${value.map((e) => JSON.stringify(e)).join(', ')}]`;
    const inner = indent + '  ';
    return `[\n${value.map((e) => inner + formatJson(e, inner)).join(',\n')}\n${indent}]`;
  }
  if (typeof value === 'object' && value !== null) {
    const inner = indent + '  ';
    const entries = Object.entries(value).map(([k, e]) => `${inner}${JSON.stringify(k)}: ${formatJson(e, inner)}`);
    return `{\n${entries.join(',\n')}\n${indent}}`;
  }
  return JSON.stringify(value);
}
