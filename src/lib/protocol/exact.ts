// Correctly floored exp, ln and pow on WAD fixed-point bigints.
//
// Internally a real v is carried as a bigint close to v * 2^p (binary fixed point at p bits).
// Each function computes an approximation with a proven error bound and returns the floor only
// when the whole error interval floors to the same integer; otherwise it retries with twice
// the precision (Ziv's strategy). exp and ln of a rational other than the trivial points are
// irrational, so the retry always ends; pow can hit an exact rational, which is detected up
// front. The answers are therefore exact floors, not just "accurate to 1e-30".

import { WAD, bitLength, floorDiv } from './wad.ts';

/** Below this e^(a/WAD) * WAD < 1 wei (the cut-off is at about -41.45e18). */
const EXP_MIN_INPUT = -42n * WAD;
/** Same upper limit as the on-chain expWad, whose result must fit in an int256. */
const EXP_MAX_INPUT = 135n * WAD;

/** The relative error of every approximation below is under 2^-(p - GUARD_BITS). */
const GUARD_BITS = 40;
/** Halvings of the reduced exp argument before the Taylor series (then squared back). */
const EXP_SQUARINGS = 8;
/** Working precisions are multiples of this, which bounds the ln 2 cache. */
const PRECISION_STEP = 64;
const MAX_REFINEMENTS = 6;

interface Scaled {
  /** Mantissa near 2^p (within a factor 1.5 either way). */
  m: bigint;
  /** Binary exponent: the value is m * 2^(k - p). */
  k: bigint;
}

/** floor(WAD * e^(a / WAD)); 0 when that is below 1 wei; throws above a = 135e18. */
export function expWad(a: bigint): bigint {
  if (a === 0n) return WAD;
  if (a < EXP_MIN_INPUT) return 0n;
  if (a > EXP_MAX_INPUT) throw new RangeError(`expWad: exponent ${a} above ${EXP_MAX_INPUT}`);
  const resultBits = Math.max(0, (Number(a) / 1e18) * Math.LOG2E) + 60;
  return refineFloor(precisionFor(resultBits), (p) => {
    const x = floorDiv(a << BigInt(p), WAD);
    return { value: expScaled(x, p), error: relativeError(p) };
  });
}

/** floor(WAD * ln(x / WAD)) for x > 0 (floor toward negative infinity). */
export function lnWad(x: bigint): bigint {
  if (x <= 0n) throw new RangeError('lnWad: argument must be positive');
  if (x === WAD) return 0n;
  for (let p = precisionFor(128), i = 0; i < MAX_REFINEMENTS; p *= 2, i++) {
    const l = lnScaled(x, p);
    // ln is near zero around x = WAD, so its error is bounded absolutely, not relatively.
    const err = 1n << BigInt(GUARD_BITS);
    const lo = floorDiv((l - err) * WAD, 1n << BigInt(p));
    const hi = floorDiv((l + err) * WAD, 1n << BigInt(p));
    if (lo === hi) return lo;
  }
  throw new Error(`lnWad: no convergence for ${x}`);
}

/**
 * floor(WAD * (x / WAD)^(a / WAD)) for x > 0 and a in [0, WAD].
 * pow(x, 0) = WAD and pow(x, WAD) = x exactly, as the reward math requires.
 */
export function powWad(x: bigint, a: bigint): bigint {
  if (x <= 0n) throw new RangeError('powWad: base must be positive');
  if (a < 0n || a > WAD) throw new RangeError('powWad: exponent must be in [0, 1e18]');
  if (a === 0n || x === WAD) return WAD;
  if (a === WAD) return x;
  const exact = rationalPow(x, a);
  if (exact !== undefined) return exact;
  return refineFloor(precisionFor(Math.max(bitLength(x), 60) + 8), (p) => {
    const y = floorDiv(a * lnScaled(x, p), WAD);
    return { value: expScaled(y, p), error: relativeError(p) };
  });
}

function precisionFor(resultBits: number): number {
  const bits = Math.ceil(resultBits) + 2 * GUARD_BITS;
  return Math.ceil(bits / PRECISION_STEP) * PRECISION_STEP;
}

function relativeError(p: number): (m: bigint) => bigint {
  return (m) => (m >> BigInt(p - GUARD_BITS)) + 1n;
}

/** Floor of WAD * value, retrying at higher precision until the error interval is decided. */
function refineFloor(p0: number, approximate: (p: number) => { value: Scaled; error: (m: bigint) => bigint }): bigint {
  for (let p = p0, i = 0; i < MAX_REFINEMENTS; p *= 2, i++) {
    const { value, error } = approximate(p);
    const err = error(value.m);
    const lo = wadFloor(value.m - err, value.k, p);
    const hi = wadFloor(value.m + err, value.k, p);
    if (lo === hi) return lo;
  }
  throw new Error('exact: no convergence (value too close to an integer)');
}

/** floor(WAD * m * 2^(k - p)) for m > 0. */
function wadFloor(m: bigint, k: bigint, p: number): bigint {
  const shift = k - BigInt(p);
  return shift >= 0n ? (m * WAD) << shift : (m * WAD) >> -shift;
}

/**
 * e^(x / 2^p) as m * 2^(k - p): x = k ln2 + r with |r| <= ln2 / 2, then e^r from the Taylor
 * series of r / 2^8, squared 8 times. Relative error stays below 2^-(p - 20) for |x| < 2^9.
 */
function expScaled(x: bigint, p: number): Scaled {
  const one = 1n << BigInt(p);
  const ln2 = lnTwo(p);
  const k = floorDiv(2n * x + ln2, 2n * ln2);
  const r = (x - k * ln2) / (1n << BigInt(EXP_SQUARINGS));
  let m = one;
  let term = one;
  for (let j = 1n; term !== 0n; j++) {
    term = (term * r) / (one * j);
    m += term;
  }
  for (let i = 0; i < EXP_SQUARINGS; i++) m = (m * m) >> BigInt(p);
  return { m, k };
}

/**
 * ln(x / WAD) * 2^p: x / WAD = M * 2^k with M in [2/3, 4/3], ln M = 2 atanh((M - 1)/(M + 1)).
 * Absolute error is a few hundred units of 2^-p.
 */
function lnScaled(x: bigint, p: number): bigint {
  const one = 1n << BigInt(p);
  let k = BigInt(bitLength(x) - bitLength(WAD));
  let mant = ratioShifted(x, WAD, BigInt(p) - k);
  while (3n * mant > 4n * one) mant = ratioShifted(x, WAD, BigInt(p) - ++k);
  while (3n * mant < 2n * one) mant = ratioShifted(x, WAD, BigInt(p) - --k);
  const num = mant - one;
  const z = ((num < 0n ? -num : num) << BigInt(p)) / (mant + one);
  const lnMant = 2n * atanhScaled(z, p);
  return k * lnTwo(p) + (num < 0n ? -lnMant : lnMant);
}

/** floor(num * 2^shift / den) for num, den > 0 and any sign of shift. */
function ratioShifted(num: bigint, den: bigint, shift: bigint): bigint {
  return shift >= 0n ? (num << shift) / den : num / (den << -shift);
}

/** atanh(z / 2^p) * 2^p for 0 <= z <= 2^p / 3: sum of z^(2j+1) / (2j+1). */
function atanhScaled(z: bigint, p: number): bigint {
  const z2 = (z * z) >> BigInt(p);
  let total = 0n;
  let power = z;
  for (let d = 1n; power !== 0n; d += 2n) {
    total += power / d;
    power = (power * z2) >> BigInt(p);
  }
  return total;
}

const lnTwoCache = new Map<number, bigint>();

/** ln 2 * 2^p to within one unit, as 2 atanh(1/3) with 16 extra bits. */
function lnTwo(p: number): bigint {
  let v = lnTwoCache.get(p);
  if (v === undefined) {
    const q = p + 16;
    v = (2n * atanhScaled((1n << BigInt(q)) / 3n, q)) >> 16n;
    lnTwoCache.set(p, v);
  }
  return v;
}

/**
 * (x/WAD)^(a/WAD) when it is rational, else undefined. With a/WAD = s/t in lowest terms and
 * x/WAD = u/v, the power is rational exactly when u and v are perfect t-th powers; then the
 * floor is plain integer arithmetic. Anything else is irrational, so refineFloor terminates.
 */
function rationalPow(x: bigint, a: bigint): bigint | undefined {
  const ga = gcd(a, WAD);
  const s = a / ga;
  const t = WAD / ga;
  const gx = gcd(x, WAD);
  const u = perfectRoot(x / gx, t);
  const v = perfectRoot(WAD / gx, t);
  if (u === undefined || v === undefined) return undefined;
  return (WAD * u ** s) / v ** s;
}

/** The integer t-th root of n if n is a perfect t-th power, else undefined. */
function perfectRoot(n: bigint, t: bigint): bigint | undefined {
  if (n === 1n) return 1n;
  // A root of 2 or more needs n >= 2^t: this also keeps t small below.
  if (t >= BigInt(bitLength(n))) return undefined;
  const root = integerRoot(n, t);
  return root ** t === n ? root : undefined;
}

/** floor(n^(1/t)) for n >= 1, t >= 1, by Newton's method from above. */
function integerRoot(n: bigint, t: bigint): bigint {
  let x = 1n << ((BigInt(bitLength(n)) + t - 1n) / t);
  for (;;) {
    const y = ((t - 1n) * x + n / x ** (t - 1n)) / t;
    if (y >= x) return x;
    x = y;
  }
}

function gcd(a: bigint, b: bigint): bigint {
  while (b !== 0n) [a, b] = [b, a % b];
  return a;
}
