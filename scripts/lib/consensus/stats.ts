// The arithmetic of the consensus benchmark (docs/bench/consensus.md), kept pure so it can be
// tested: scores of evaluation subsets from per-sample results, as the chain sees them (whole
// units of 1e-4), and the distributions of score differences between honest validators on
// different backends and between a lazy validator's reused score and the honest one.
import { Rng, type SeedPart } from '../../../src/lib/ml/rng.ts';

/** On chain a score is an integer number of 1e-4 units (chain/commitments.ts scoreToUnits). */
export const UNITS = 10_000;

/** What one backend computed for the samples it evaluated. */
export interface SampleResults {
  /** Dataset indices evaluated, ascending; the arrays below are aligned to them. */
  indices: Uint32Array;
  /** 1 where the prediction is the label. */
  correct: Uint8Array;
  losses: Float32Array;
}

export type ScoreRule = { name: 'accuracy' } | { name: 'loss'; cap: number };

/** The score of (correct count, loss sum) over k samples in chain units, as the eval service computes it. */
export function scoreUnits(rule: ScoreRule, correct: number, lossSum: number, k: number): number {
  const score = rule.name === 'accuracy' ? correct / k : Math.min(1, Math.max(0, 1 - lossSum / k / rule.cap));
  return Math.round(score * UNITS);
}

/** Positions 0..m-1 of a k-subset: the partial Fisher-Yates of evalSubset, driven by a fast PRNG. */
export function drawPositions(rng: Rng, m: number, k: number, scratch: Uint32Array): Uint32Array {
  if (k > m) throw new RangeError(`cannot draw ${k} of ${m}`);
  for (let i = 0; i < m; i++) scratch[i] = i;
  for (let i = 0; i < k; i++) {
    const j = i + rng.nextInt(m - i);
    const t = scratch[i]!;
    scratch[i] = scratch[j]!;
    scratch[j] = t;
  }
  return scratch.subarray(0, k);
}

/** The units score of `r` on the samples at `positions` (indices into r's arrays). */
export function subsetUnits(rule: ScoreRule, r: SampleResults, positions: ArrayLike<number>): number {
  let correct = 0;
  let loss = 0;
  for (let i = 0; i < positions.length; i++) {
    const p = positions[i]!;
    correct += r.correct[p]!;
    loss += r.losses[p]!;
  }
  return scoreUnits(rule, correct, loss, positions.length);
}

/** `r` restricted to the dataset indices `keep` (a subset of r.indices, ascending). */
export function restrict(r: SampleResults, keep: Uint32Array): SampleResults {
  const at = new Map<number, number>();
  r.indices.forEach((s, p) => at.set(s, p));
  const correct = new Uint8Array(keep.length);
  const losses = new Float32Array(keep.length);
  keep.forEach((s, i) => {
    const p = at.get(s);
    if (p === undefined) throw new RangeError(`sample ${s} was not evaluated`);
    correct[i] = r.correct[p]!;
    losses[i] = r.losses[p]!;
  });
  return { indices: keep, correct, losses };
}

/** Dataset indices both evaluated, ascending. */
export function commonIndices(a: Uint32Array, b: Uint32Array): Uint32Array {
  const inB = new Set(b);
  return Uint32Array.from(a.filter((s) => inB.has(s)));
}

/**
 * The units score of each of `aligned` (results on the same samples, position for position) on
 * the same `draws` random k-subsets: out[r][d]. One draw, the whole set, when k covers it.
 */
export function subsetScores(
  rule: ScoreRule,
  aligned: readonly SampleResults[],
  k: number,
  draws: number,
  seed: SeedPart,
): Int32Array[] {
  const m = aligned[0]!.correct.length;
  if (aligned.some((r) => r.correct.length !== m)) throw new RangeError('subsetScores: results not aligned');
  if (k >= m) {
    const all = Uint32Array.from({ length: m }, (_, i) => i);
    return aligned.map((r) => Int32Array.of(subsetUnits(rule, r, all)));
  }
  const rng = Rng.seeded('bench-consensus/subsets', seed, k);
  const scratch = new Uint32Array(m);
  const out = aligned.map(() => new Int32Array(draws));
  for (let d = 0; d < draws; d++) {
    const pos = drawPositions(rng, m, k, scratch);
    aligned.forEach((r, i) => (out[i]![d] = subsetUnits(rule, r, pos)));
  }
  return out;
}

/** |a[d] - b[d]| for every draw. */
export const absDiff = (a: Int32Array, b: Int32Array): Int32Array => a.map((x, d) => Math.abs(x - b[d]!));

/** |score(a) - score(b)| in units on `draws` random k-subsets of the samples both evaluated. */
export function pairDiffs(
  rule: ScoreRule,
  a: SampleResults,
  b: SampleResults,
  k: number,
  draws: number,
  seed: SeedPart,
): Int32Array {
  const common = commonIndices(a.indices, b.indices);
  const [ua, ub] = subsetScores(rule, [restrict(a, common), restrict(b, common)], k, draws, seed);
  return absDiff(ua!, ub!);
}

/**
 * How a lazy validator came by the score it reuses (x = what it should have scored, y = the
 * source of the reused score, both aligned to positions 0..m-1 of their sets):
 * - 'other-subset': y on an independent k-subset (last epoch's score or aggregate, same set);
 * - 'whole-set': y on every sample (evaluated once, reused every epoch);
 * - 'same-positions': y on the same positions of another set (the public set's samples where
 *   the hidden set's were asked for).
 */
export type LazyKind = 'other-subset' | 'whole-set' | 'same-positions';

/** |score(x on a k-subset) - reused score| over `draws` random subsets, in units. */
export function lazyDiffs(
  rule: ScoreRule,
  x: SampleResults,
  y: SampleResults,
  kind: LazyKind,
  k: number,
  draws: number,
  seed: SeedPart,
): Int32Array {
  const m = Math.min(x.correct.length, y.correct.length);
  const kk = Math.min(k, m);
  const rng = Rng.seeded('bench-consensus/lazy', seed, k, kind);
  const s1 = new Uint32Array(m);
  const s2 = new Uint32Array(m);
  const all = Uint32Array.from({ length: m }, (_, i) => i);
  const reusedWhole = kind === 'whole-set' ? subsetUnits(rule, y, all) : 0;
  // A subset as large as the set is the set: one deterministic value.
  const n = kk === m ? 1 : draws;
  const out = new Int32Array(n);
  for (let d = 0; d < n; d++) {
    const p1 = drawPositions(rng, m, kk, s1);
    const reused =
      kind === 'whole-set'
        ? reusedWhole
        : subsetUnits(rule, y, kind === 'same-positions' ? p1 : drawPositions(rng, m, kk, s2));
    out[d] = Math.abs(subsetUnits(rule, x, p1) - reused);
  }
  return out;
}

/** The q-quantile (0..1) of the values, nearest-rank (q = 1: the maximum). */
export function quantile(values: ArrayLike<number>, q: number): number {
  if (values.length === 0) throw new RangeError('quantile of nothing');
  const sorted = Float64Array.from(values).sort();
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil(q * sorted.length) - 1))]!;
}

/** Share of the values at most `tol`. */
export function within(values: ArrayLike<number>, tol: number): number {
  let n = 0;
  for (let i = 0; i < values.length; i++) if (values[i]! <= tol) n++;
  return n / values.length;
}

/**
 * A validator's expected weight in a column (SPEC 4.5, revision 2): exp(-lambda D) when the
 * distance D to the consensus is within tolV, else 0; distances and tol in units.
 */
export function meanWeight(distances: ArrayLike<number>, tol: number, lambda: number): number {
  let s = 0;
  for (let i = 0; i < distances.length; i++) {
    const d = distances[i]!;
    if (d <= tol) s += Math.exp((-lambda * d) / UNITS);
  }
  return s / distances.length;
}

/**
 * The lazy validator's per-column reward over an honest one's, when both are a small part of the
 * validator stake (so neither moves the column's normalizer): the ratio of their mean weights.
 */
export function rewardRatio(lazy: ArrayLike<number>, honest: ArrayLike<number>, tol: number, lambda: number): number {
  const h = meanWeight(honest, tol, lambda);
  return h === 0 ? Infinity : meanWeight(lazy, tol, lambda) / h;
}
