// One scoring epoch's rewards, step by step as in docs/reward-math.md (revision 2). Every floor
// and truncation sits exactly where the doc puts it: the Solidity RewardMath must book the same
// wei, and a differential test holds the two to it.

import { validateEpochInput } from './epoch-input.ts';
import { powWad, expWad } from './exact.ts';
import { weightedMedian } from './median.ts';
import type { RewardParams } from './params.ts';
import { WAD, WAD2, absDiff, bitLength, mulDiv, sMulWad, sum } from './wad.ts';

export { weightedMedian } from './median.ts';
export { LIMITS, validateEpochInput } from './epoch-input.ts';
export {
  DEFAULT_REWARD_PARAMS,
  DEFAULT_TOL_V,
  PARAM_RANGES,
  REWARD_PARAM_KEYS,
  validateRewardParams,
  type ParamRange,
  type ParamRanges,
  type ParamUnit,
  type RewardParams,
} from './params.ts';

export interface TrainerInput {
  own: bigint;
  delegated: bigint;
  /** Share of the pool the trainer keeps before the pro-rata split (WAD). */
  sigma: bigint;
  /** Seal-order key: smaller sealed earlier and wins ties. */
  seal: bigint;
  /** Same artifact as an earlier submission: every score of the column counts as 0. */
  duplicate?: boolean;
  /** A probe model of the task creator (revealed canary mask): checks validators, never paid. */
  canary?: boolean;
}

/** A validator that revealed its scores this epoch. */
export interface ValidatorInput {
  own: bigint;
  delegated: bigint;
  sigma: bigint;
}

export interface EpochInput {
  /** The epoch's reward in wei (rewardPerEpoch plus rollover). */
  R: bigint;
  params: RewardParams;
  /** Columns in the contract's list order, excluded trainers already dropped. */
  trainers: TrainerInput[];
  /** The validators that revealed, in reveal order. */
  validators: ValidatorInput[];
  /** scores[j][i]: validator j's score of column i, WAD in [0, 1e18]. */
  scores: bigint[][];
}

export interface TrainerResult {
  /** Column index (input order). */
  index: number;
  /** 1..qualified among qualifying columns; 0 = did not qualify, or a canary. */
  rank: number;
  /** Stake-weighted lower median of the column (0 for a duplicate). */
  aggregate: bigint;
  qualified: boolean;
  canary: boolean;
  pool: bigint;
  own: bigint;
  delegators: bigint;
}

export interface ValidatorResult {
  index: number;
  pool: bigint;
  own: bigint;
  delegators: bigint;
  /** Displayed distance to consensus, sum_i D_ji / n (WAD, floor); not booked. */
  distance: bigint;
  /** A_j = sum_i F_ji at scale 1e36 (0 when failedCanary). */
  weight: bigint;
  /** Off by more than tolV on a valid canary: no weight in any column of the epoch. */
  failedCanary: boolean;
}

export interface CanaryResult {
  /** Column index (input order). */
  index: number;
  aggregate: bigint;
  /** Stake of the validators within tolV of the canary's aggregate. */
  agreeingStake: bigint;
  /** At least half of the stake agrees; a void canary fails nobody. */
  valid: boolean;
}

export interface EpochResult {
  /** No column, or fewer revealed validators than minValidators: all of R rolls over. */
  degenerate: boolean;
  R_T: bigint;
  R_V: bigint;
  /** Sum of every trainer and validator pool. */
  booked: bigint;
  /** rollT + rollV: goes to the next scoring epoch's budget (after the last, the remainder). */
  rollover: bigint;
  /** R - booked - rollover (floor rounding, >= 0): joins the task's remainder at once. */
  dust: bigint;
  /** n': the number of qualifying columns. */
  qualified: number;
  /** Columns in which no validator earned weight; their share of R_V rolls over. */
  zeroColumns: number;
  /** In input order; empty when degenerate. */
  trainers: TrainerResult[];
  /** In input order; empty when degenerate. */
  validators: ValidatorResult[];
  /** The canary columns in input order; empty when degenerate. */
  canaries: CanaryResult[];
}

/** Scores on chain are whole multiples of 1e-4 (basis points of a basis point: 0..10000). */
export const SCORE_UNIT = 10n ** 14n;

/** Step 4 shifts each column's validator weights down to a total of at most this many bits. */
const COLUMN_TOTAL_BITS = 128;

const BPS = 10_000n;

/** Step 6: R_T = floor(R (gamma + trunc((1 - 2 gamma) x))) with x = floor(WAD T / (T + S)). */
export function splitReward(R: bigint, T: bigint, S: bigint, gamma: bigint): { R_T: bigint; R_V: bigint } {
  const x = mulDiv(T, WAD, T + S);
  const factor = gamma + sMulWad(WAD - 2n * gamma, x);
  const R_T = mulDiv(R, factor, WAD);
  return { R_T, R_V: R - R_T };
}

/** Step 2 prelude: a duplicate column is scored zero by everyone. */
export function effectiveScores(scores: bigint[][], duplicate: readonly boolean[]): bigint[][] {
  return scores.map((row) => row.map((r, i) => (duplicate[i] ? 0n : r)));
}

/** Step 2: r_i = the stake-weighted lower median of column i. Needs m >= 1. */
export function aggregateScores(scores: bigint[][], validatorStakes: readonly bigint[]): bigint[] {
  const n = scores[0]?.length ?? 0;
  return Array.from({ length: n }, (_, i) =>
    weightedMedian(
      scores.map((row) => at(row, i)),
      validatorStakes,
    ),
  );
}

/**
 * Step 3: each canary column's agreeing stake (validators within tolV of its aggregate) and
 * whether it is valid (2 * agreeing >= S).
 */
export function checkCanaries(
  aggregates: readonly bigint[],
  scores: bigint[][],
  validatorStakes: readonly bigint[],
  canary: readonly boolean[],
  tolV: bigint,
): CanaryResult[] {
  const S = sum(validatorStakes);
  const results: CanaryResult[] = [];
  aggregates.forEach((aggregate, c) => {
    if (!canary[c]) return;
    let agreeingStake = 0n;
    scores.forEach((row, j) => {
      if (absDiff(aggregate, at(row, c)) <= tolV) agreeingStake += at(validatorStakes, j);
    });
    results.push({ index: c, aggregate, agreeingStake, valid: 2n * agreeingStake >= S });
  });
  return results;
}

/** Step 3: validator j fails iff it is further than tolV from some valid canary's aggregate. */
export function failedValidators(canaries: readonly CanaryResult[], scores: bigint[][], tolV: bigint): boolean[] {
  const valid = canaries.filter((c) => c.valid);
  return scores.map((row) => valid.some((c) => absDiff(c.aggregate, at(row, c.index)) > tolV));
}

/**
 * Step 5: column i qualifies iff it is no canary, r_i > minScore and
 * r_i * 10000 >= floorBps * best, where best is the largest aggregate of a non-canary column.
 */
export function qualifyingColumns(
  aggregates: readonly bigint[],
  canary: readonly boolean[],
  minScore: bigint,
  floorBps: number,
): boolean[] {
  let best = 0n;
  aggregates.forEach((r, i) => {
    if (!canary[i] && r > best) best = r;
  });
  const floor = BigInt(floorBps) * best;
  return aggregates.map((r, i) => !canary[i] && r > minScore && r * BPS >= floor);
}

/**
 * Step 7: rank (1-based) of each qualifying column: aggregate descending, seal ascending, index
 * ascending; 0 for a column that does not qualify (all qualify when `qualifies` is omitted).
 */
export function rankColumns(
  aggregates: readonly bigint[],
  seals: readonly bigint[],
  qualifies?: readonly boolean[],
): number[] {
  const order = aggregates.map((_, i) => i).filter((i) => qualifies === undefined || qualifies[i]);
  order.sort((a, b) => {
    const ra = at(aggregates, a);
    const rb = at(aggregates, b);
    if (ra !== rb) return ra > rb ? -1 : 1;
    const sa = at(seals, a);
    const sb = at(seals, b);
    if (sa !== sb) return sa < sb ? -1 : 1;
    return a - b;
  });
  const ranks = aggregates.map(() => 0);
  order.forEach((column, position) => {
    ranks[column] = position + 1;
  });
  return ranks;
}

/** Step 7: w_1 = WAD, w_{k+1} = floor(w_k q / WAD); element k-1 is the weight of rank k. */
export function geometricWeights(n: number, q: bigint): bigint[] {
  const weights: bigint[] = [];
  for (let w = WAD; weights.length < n; w = mulDiv(w, q, WAD)) weights.push(w);
  return weights;
}

/** tau_i / sa_j: the stake itself when alpha = 1 (no rounding at all), else pow(stake, alpha). */
export function stakeWeight(stake: bigint, alpha: bigint): bigint {
  return alpha === WAD ? stake : powWad(stake, alpha);
}

/** Step 7: P_i = floor(R_T u_i / U), u_i = w_rank(i) * tau_i; 0 for rank 0 (not qualified). */
export function trainerPools(
  R_T: bigint,
  ranks: readonly number[],
  stakes: readonly bigint[],
  q: bigint,
  alphaT: bigint,
): bigint[] {
  const weights = geometricWeights(ranks.filter((rank) => rank > 0).length, q);
  const u = ranks.map((rank, i) => (rank > 0 ? at(weights, rank - 1) * stakeWeight(at(stakes, i), alphaT) : 0n));
  const U = sum(u);
  return u.map((ui) => (ui === 0n ? 0n : mulDiv(R_T, ui, U)));
}

export interface WeightParams {
  lambdaV: bigint;
  alphaV: bigint;
  tolV: bigint;
}

/**
 * Step 4: A_j = sum_i F_ji. v_ji = exp(lambdaV (1 - D_ji)) sa_j when j did not fail and
 * D_ji <= tolV, else 0; a column whose v all vanish is a zero column (F = 0 for everyone).
 * Otherwise the column is shifted right so its total has at most 128 bits (the chain then needs
 * no 512-bit products) and F_ji = floor(v'_ji 1e36 / Z'_i). Also each validator's displayed
 * distance, sum_i floor(D_ji / 1e-4) 1e-4 / n as the chain computes it. Needs n >= 1 and m >= 1.
 */
export function validatorWeights(
  aggregates: readonly bigint[],
  scores: bigint[][],
  validatorStakes: readonly bigint[],
  params: WeightParams,
  failed: readonly boolean[] = [],
): { weights: bigint[]; distances: bigint[]; zeroColumns: number } {
  const n = aggregates.length;
  const sa = validatorStakes.map((s) => stakeWeight(s, params.alphaV));
  const weights = scores.map(() => 0n);
  const distances = scores.map(() => 0n);
  // Scores on the chain's 1e-4 grid give at most tolV / 1e-4 + 1 distinct exponents per epoch.
  const exp = memoize(expWad);
  let zeroColumns = 0;
  for (let i = 0; i < n; i++) {
    const ri = at(aggregates, i);
    const v = scores.map((row, j) => {
      const d = absDiff(ri, at(row, i));
      // The chain accumulates distances in whole score units (1e-4) to fit its scratch slot.
      distances[j] = at(distances, j) + d / SCORE_UNIT;
      if (failed[j] || d > params.tolV) return 0n;
      return exp(mulDiv(params.lambdaV, WAD - d, WAD)) * at(sa, j);
    });
    const Z = sum(v);
    if (Z === 0n) {
      zeroColumns++;
      continue;
    }
    const shift = BigInt(Math.max(0, bitLength(Z) - COLUMN_TOTAL_BITS));
    const Zs = Z >> shift;
    v.forEach((vji, j) => {
      weights[j] = at(weights, j) + mulDiv(vji >> shift, WAD2, Zs);
    });
  }
  return { weights, distances: distances.map((d) => (d * SCORE_UNIT) / BigInt(n)), zeroColumns };
}

/** Step 8: Q_j = floor(R_V A_j / (n 1e36)); n >= 1 counts every column, canaries included. */
export function validatorPools(R_V: bigint, weights: readonly bigint[], n: number): bigint[] {
  return weights.map((A) => mulDiv(R_V, A, BigInt(n) * WAD2));
}

/** Step 8: what the zero columns would have paid, rollV = floor(R_V zeroColumns / n). */
export function zeroColumnRollover(R_V: bigint, zeroColumns: number, n: number): bigint {
  return mulDiv(R_V, BigInt(zeroColumns), BigInt(n));
}

/** Steps 7 and 8: the owner keeps floor(pool (sigma t + (1 - sigma) own) / t), one floor. */
export function sigmaSplit(
  pool: bigint,
  sigma: bigint,
  ownStake: bigint,
  totalStake: bigint,
): { own: bigint; delegators: bigint } {
  const own = mulDiv(pool, sigma * totalStake + (WAD - sigma) * ownStake, WAD * totalStake);
  return { own, delegators: pool - own };
}

/** Nothing booked, all of R rolls over. */
export function degenerateResult(R: bigint): EpochResult {
  return {
    degenerate: true,
    R_T: 0n,
    R_V: 0n,
    booked: 0n,
    rollover: R,
    dust: 0n,
    qualified: 0,
    zeroColumns: 0,
    trainers: [],
    validators: [],
    canaries: [],
  };
}

/**
 * The booking step of an epoch once its aggregates and validator weights are known: qualifying
 * columns, the split, ranks, pools, and what is booked and rolled over. `unranked` columns (canaries,
 * and in the committee variant columns nobody scored) never qualify.
 */
export function bookEpoch(
  input: Pick<EpochInput, 'R' | 'params' | 'trainers'>,
  t: readonly bigint[],
  s: readonly bigint[],
  aggregates: readonly bigint[],
  unranked: readonly boolean[],
  weights: readonly bigint[],
  zeroColumns: number,
) {
  const { R, params, trainers } = input;
  const n = trainers.length;
  const qualifies = qualifyingColumns(aggregates, unranked, params.minScore, params.floorBps);
  const qualified = qualifies.filter(Boolean).length;
  const { R_T, R_V } = splitReward(R, sum(t.filter((_, i) => qualifies[i])), sum(s), params.gamma);
  const ranks = rankColumns(
    aggregates,
    trainers.map((tr) => tr.seal),
    qualifies,
  );
  const P = trainerPools(R_T, ranks, t, params.q, params.alphaT);
  const Q = validatorPools(R_V, weights, n);
  const booked = sum(P) + sum(Q);
  const rollover = (qualified === 0 ? R_T : 0n) + zeroColumnRollover(R_V, zeroColumns, n);
  return {
    degenerate: false as const,
    R_T,
    R_V,
    booked,
    rollover,
    dust: R - booked - rollover,
    qualified,
    qualifies,
    ranks,
    P,
    Q,
  };
}

export function epochRewards(input: EpochInput): EpochResult {
  validateEpochInput(input);
  const { R, params, trainers, validators } = input;
  const n = trainers.length;
  const m = validators.length;
  if (n === 0 || m === 0 || m < params.minValidators) return degenerateResult(R);

  const t = trainers.map((tr) => tr.own + tr.delegated);
  const s = validators.map((v) => v.own + v.delegated);
  const canary = trainers.map((tr) => tr.canary === true);

  const scores = effectiveScores(
    input.scores,
    trainers.map((tr) => tr.duplicate === true),
  );
  const aggregates = aggregateScores(scores, s);
  const canaries = checkCanaries(aggregates, scores, s, canary, params.tolV);
  const failed = failedValidators(canaries, scores, params.tolV);
  const { weights, distances, zeroColumns } = validatorWeights(aggregates, scores, s, params, failed);

  const { qualifies, ranks, P, Q, ...booking } = bookEpoch(input, t, s, aggregates, canary, weights, zeroColumns);
  return {
    ...booking,
    zeroColumns,
    trainers: trainers.map((tr, i) => ({
      index: i,
      rank: at(ranks, i),
      aggregate: at(aggregates, i),
      qualified: at(qualifies, i),
      canary: at(canary, i),
      pool: at(P, i),
      ...sigmaSplit(at(P, i), tr.sigma, tr.own, at(t, i)),
    })),
    validators: validators.map((v, j) => ({
      index: j,
      pool: at(Q, j),
      ...sigmaSplit(at(Q, j), v.sigma, v.own, at(s, j)),
      distance: at(distances, j),
      weight: at(weights, j),
      failedCanary: at(failed, j),
    })),
    canaries,
  };
}

function memoize(f: (x: bigint) => bigint): (x: bigint) => bigint {
  const cache = new Map<bigint, bigint>();
  return (x) => {
    let y = cache.get(x);
    if (y === undefined) {
      y = f(x);
      cache.set(x, y);
    }
    return y;
  };
}

/** Index into an array whose length the caller has already established. */
function at<T>(values: readonly T[], index: number): T {
  const value = values[index];
  if (value === undefined) throw new Error(`internal: index ${index} out of range`);
  return value;
}
