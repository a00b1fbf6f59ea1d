// Randomness for the incentive simulator. Two kinds, both pure functions of integer keys:
// - hashed draws (hashUniform, hashNormal): the value for (keys...) is the same wherever and
//   whenever it is asked for, so a model's prediction on sample s is one fixed fact across
//   epochs, subsets and validators without storing anything;
// - a seeded stream (Rng) for sampling populations, in a fixed call order.
// Neither is cryptographic; the simulator only needs reproducible, well-mixed numbers.
import { fmix32 } from '../../../src/lib/ml/rng.ts';

/** A 32-bit hash of up to four integer keys (each taken modulo 2^32). */
export function hash4(a: number, b: number, c: number, d: number): number {
  let h = fmix32((a ^ 0x9e3779b9) >>> 0);
  h = fmix32((h ^ Math.imul(b | 0, 0x27d4eb2f)) >>> 0);
  h = fmix32((h + Math.imul(c | 0, 0x165667b1)) >>> 0);
  h = fmix32((h ^ Math.imul(d | 0, 0x61c88647) ^ 0x5bd1e995) >>> 0);
  return h;
}

const TWO_32 = 4294967296;

/** Uniform in [0, 1) from the keys (53 bits from two hashes). */
export function hashUniform(a: number, b: number, c: number, d: number): number {
  const hi = hash4(a, b, c, d) >>> 11; // 21 bits
  const lo = hash4(d, c ^ 0x5f356495, b, a ^ 0x2545f491); // 32 bits
  return (hi * TWO_32 + lo) / 2 ** 53;
}

/** Standard normal from the keys (Box-Muller on two hashed uniforms). */
export function hashNormal(a: number, b: number, c: number, d: number): number {
  const u1 = hashUniform(a, b, c, d);
  const u2 = hashUniform(a ^ 0x68e31da4, b, c, d ^ 0x1b56c4e9);
  return Math.sqrt(-2 * Math.log(1 - u1)) * Math.cos(2 * Math.PI * u2);
}

/** Seeded stream (sfc32), seeded through the hash so nearby seeds give unrelated streams. */
export class Rng {
  private a: number;
  private b: number;
  private c: number;
  private d: number;

  constructor(...keys: number[]) {
    const [k0 = 0, k1 = 0, k2 = 0, k3 = 0] = keys;
    this.a = hash4(k0, k1, k2, k3);
    this.b = hash4(k1, k0, k3, k2 ^ 0x3c6ef372);
    this.c = hash4(k2, k3, k0 ^ 0xa54ff53a, k1);
    this.d = 1;
    for (let i = 0; i < 12; i++) this.next();
  }

  /** Uniform in [0, 1), 32 bits. */
  next(): number {
    const t = (((this.a + this.b) | 0) + this.d) | 0;
    this.d = (this.d + 1) | 0;
    this.a = this.b ^ (this.b >>> 9);
    this.b = (this.c + (this.c << 3)) | 0;
    this.c = (this.c << 21) | (this.c >>> 11);
    this.c = (this.c + t) | 0;
    return (t >>> 0) / TWO_32;
  }

  uniform(lo: number, hi: number): number {
    return lo + (hi - lo) * this.next();
  }

  /** Integer in [lo, hi], both inclusive. */
  int(lo: number, hi: number): number {
    return lo + Math.floor(this.next() * (hi - lo + 1));
  }

  normal(): number {
    const u1 = this.next();
    const u2 = this.next();
    return Math.sqrt(-2 * Math.log(1 - u1)) * Math.cos(2 * Math.PI * u2);
  }

  /** exp(N(ln median, sigma^2)): median `median`, log-standard deviation `sigma`. */
  logNormal(median: number, sigma: number): number {
    return median * Math.exp(sigma * this.normal());
  }

  /** Index drawn with probability proportional to weights[i]. */
  pick(weights: readonly number[]): number {
    const total = weights.reduce((s, w) => s + w, 0);
    let u = this.next() * total;
    for (let i = 0; i < weights.length; i++) {
      u -= weights[i]!;
      if (u < 0) return i;
    }
    return weights.length - 1;
  }

  shuffle<T>(items: T[]): T[] {
    for (let i = items.length - 1; i > 0; i--) {
      const j = Math.floor(this.next() * (i + 1));
      [items[i], items[j]] = [items[j]!, items[i]!];
    }
    return items;
  }

  /**
   * k distinct indices of [0, n), ascending: a partial Fisher-Yates as SPEC 2.2's evalSubset
   * (same distribution: every k-subset equally likely), from this stream instead of keccak.
   */
  subset(n: number, k: number): number[] {
    if (k >= n) return Array.from({ length: n }, (_, i) => i);
    const a = Array.from({ length: n }, (_, i) => i);
    for (let i = 0; i < k; i++) {
      const j = i + Math.floor(this.next() * (n - i));
      [a[i], a[j]] = [a[j]!, a[i]!];
    }
    return a.slice(0, k).sort((x, y) => x - y);
  }
}

/**
 * Inverse of the standard normal CDF (Acklam's rational approximation, relative error below
 * 1.2e-9 on (0, 1)): a model of accuracy a is correct where its latent lies below probit(a).
 */
export function probit(p: number): number {
  if (!(p > 0 && p < 1)) throw new RangeError(`probit: p must be in (0, 1), got ${p}`);
  const a = [
    -39.69683028665376, 220.9460984245205, -275.9285104469687, 138.357751867269, -30.66479806614716, 2.506628277459239,
  ];
  const b = [-54.47609879822406, 161.5858368580409, -155.6989798598866, 66.80131188771972, -13.28068155288572];
  const c = [
    -0.007784894002430293, -0.3223964580411365, -2.400758277161838, -2.549732539343734, 4.374664141464968,
    2.938163982698783,
  ];
  const d = [0.007784695709041462, 0.3224671290700398, 2.445134137142996, 3.754408661907416];
  const lowTail = 0.02425;
  if (p < lowTail) {
    const q = Math.sqrt(-2 * Math.log(p));
    return (
      (((((c[0]! * q + c[1]!) * q + c[2]!) * q + c[3]!) * q + c[4]!) * q + c[5]!) /
      ((((d[0]! * q + d[1]!) * q + d[2]!) * q + d[3]!) * q + 1)
    );
  }
  if (p > 1 - lowTail) return -probit(1 - p);
  const q = p - 0.5;
  const r = q * q;
  return (
    ((((((a[0]! * r + a[1]!) * r + a[2]!) * r + a[3]!) * r + a[4]!) * r + a[5]!) * q) /
    (((((b[0]! * r + b[1]!) * r + b[2]!) * r + b[3]!) * r + b[4]!) * r + 1)
  );
}
