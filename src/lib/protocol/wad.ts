// 18-decimal fixed-point helpers shared by the reward math. Every rounding here mirrors the
// on-chain primitive named in docs/reward-math.md, so the TypeScript and Solidity twins floor
// and truncate at exactly the same places.

export const WAD = 10n ** 18n;
/** Scale of the validator weights F_ji (docs/reward-math.md step 5). */
export const WAD2 = 10n ** 36n;

/** floor(a * b / c) for non-negative operands (solady fullMulDiv). Bigints never overflow. */
export function mulDiv(a: bigint, b: bigint, c: bigint): bigint {
  if (a < 0n || b < 0n || c <= 0n) {
    throw new RangeError(`mulDiv: operands must be non-negative and divisor positive`);
  }
  return (a * b) / c;
}

/** trunc(a * b / WAD) toward zero for signed operands (solady sMulWad); bigint `/` truncates. */
export function sMulWad(a: bigint, b: bigint): bigint {
  return (a * b) / WAD;
}

/** floor(a / b) toward negative infinity, for any sign of a and positive b. */
export function floorDiv(a: bigint, b: bigint): bigint {
  if (b <= 0n) throw new RangeError('floorDiv: divisor must be positive');
  const q = a / b;
  return q * b > a ? q - 1n : q;
}

export function absDiff(a: bigint, b: bigint): bigint {
  return a > b ? a - b : b - a;
}

export function sum(values: readonly bigint[]): bigint {
  let total = 0n;
  for (const v of values) total += v;
  return total;
}

/** Number of binary digits of a non-negative value; 0 for 0 (the doc's bitlen). */
export function bitLength(v: bigint): number {
  return v === 0n ? 0 : v.toString(2).length;
}
