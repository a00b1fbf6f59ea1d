// The stake-weighted lower median of one column (docs/reward-math.md step 2). Plain integer
// comparisons and sums, so the TypeScript and Solidity twins agree bit for bit.

/**
 * min { r_j : 2 * sum_{k : r_k <= r_j} s_k >= S } with S = sum s_k: the smallest score at which
 * the stake scoring at or below it reaches half of all stake. A coalition with less than half of
 * the stake therefore cannot move it outside the range of the other scores; one with exactly
 * half can pull it down to its own score, never up.
 */
export function weightedMedian(scores: readonly bigint[], stakes: readonly bigint[]): bigint {
  if (scores.length === 0) throw new RangeError('weightedMedian: no scores');
  if (scores.length !== stakes.length) throw new RangeError('weightedMedian: one stake per score');
  let S = 0n;
  for (const s of stakes) {
    if (s < 0n) throw new RangeError('weightedMedian: stakes must be non-negative');
    S += s;
  }
  // Equal scores are equal values, so the order among ties cannot change the answer.
  const order = scores.map((_, j) => j).sort((a, b) => compare(scores[a]!, scores[b]!));
  let below = 0n;
  for (const j of order) {
    below += stakes[j]!;
    if (2n * below >= S) return scores[j]!;
  }
  throw new Error('internal: the running stake always reaches S');
}

function compare(a: bigint, b: bigint): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
