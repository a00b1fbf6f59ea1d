// One scoring epoch's rewards, step by step as in docs/reward-math.md. Every floor and
// truncation sits exactly where the doc puts it: the Solidity RewardMath must book the same
// wei, and a differential test holds the two to it.

import { InputError } from './errors.ts';
import { powWad, expWad } from './exact.ts';
import { WAD, WAD2, absDiff, bitLength, mulDiv, sMulWad, sum } from './wad.ts';

export interface RewardParams {
  gamma: bigint;
  q: bigint;
  alphaT: bigint;
  alphaV: bigint;
  lambdaV: bigint;
}

export interface TrainerInput {
  own: bigint;
  delegated: bigint;
  /** Share of the pool the trainer keeps before the pro-rata split (WAD). */
  sigma: bigint;
  /** Seal-order key: smaller sealed earlier and wins ties. */
  seal: bigint;
  duplicate?: boolean;
}

export interface ValidatorInput {
  own: bigint;
  delegated: bigint;
  sigma: bigint;
}

export interface EpochInput {
  /** The epoch's reward in wei (rewardPerEpoch plus rollover). */
  R: bigint;
  params: RewardParams;
  trainers: TrainerInput[];
  validators: ValidatorInput[];
  /** scores[j][i]: validator j's score of column i, WAD in [0, 1e18]. */
  scores: bigint[][];
}

export interface TrainerResult {
  index: number;
  rank: number;
  aggregate: bigint;
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
  /** A_j = sum_i F_ji at scale 1e36. */
  weight: bigint;
}

export interface EpochResult {
  degenerate: boolean;
  R_T: bigint;
  R_V: bigint;
  booked: bigint;
  /** R - booked: rolls over when degenerate, else goes to the task's remainder. */
  dust: bigint;
  /** In input order; empty when degenerate. */
  trainers: TrainerResult[];
  /** In input order; empty when degenerate. */
  validators: ValidatorResult[];
}

export interface Range {
  min: bigint;
  max: bigint;
}

/** Allowed parameter ranges (WAD), as enforced at task creation. */
export const PARAM_RANGES: Readonly<Record<keyof RewardParams, Range>> = {
  gamma: { min: 0n, max: WAD },
  q: { min: 0n, max: WAD },
  alphaT: { min: 0n, max: WAD },
  alphaV: { min: 0n, max: WAD },
  lambdaV: { min: 0n, max: 50n * WAD },
};

/** The bounds under which the on-chain integers cannot overflow (docs/reward-math.md). */
export const LIMITS = {
  maxTrainers: 256,
  maxValidators: 512,
  /** Exclusive cap on own + delegated of one pool, in wei. */
  poolStakeCap: 2n ** 96n,
  /** Exclusive cap on R, in wei. */
  rewardCap: 2n ** 128n,
} as const;

/** Scores on chain are whole multiples of 1e-4 (basis points of a basis point: 0..10000). */
export const SCORE_UNIT = 10n ** 14n;

/** Step 5 shifts each column's validator weights down to a total of at most this many bits. */
const COLUMN_TOTAL_BITS = 128;

/** Step 1: R_T = floor(R (gamma + trunc((1 - 2 gamma) x))) with x = floor(WAD T / (T + S)). */
export function splitReward(
  R: bigint,
  T: bigint,
  S: bigint,
  gamma: bigint,
): { R_T: bigint; R_V: bigint } {
  const x = mulDiv(T, WAD, T + S);
  const factor = gamma + sMulWad(WAD - 2n * gamma, x);
  const R_T = mulDiv(R, factor, WAD);
  return { R_T, R_V: R - R_T };
}

/** Step 2 prelude: a duplicate column is scored zero by everyone. */
export function effectiveScores(scores: bigint[][], duplicate: readonly boolean[]): bigint[][] {
  return scores.map((row) => row.map((r, i) => (duplicate[i] ? 0n : r)));
}

/** Step 2: r_i = floor(sum_j s_j r_ji / S). */
export function aggregateScores(scores: bigint[][], validatorStakes: readonly bigint[]): bigint[] {
  const S = sum(validatorStakes);
  const n = scores[0]?.length ?? 0;
  return Array.from({ length: n }, (_, i) =>
    sum(scores.map((row, j) => at(validatorStakes, j) * at(row, i))) / S,
  );
}

/** Step 3: rank (1-based) of each column: aggregate descending, seal ascending, index ascending. */
export function rankColumns(aggregates: readonly bigint[], seals: readonly bigint[]): number[] {
  const order = aggregates.map((_, i) => i);
  order.sort((a, b) => {
    const ra = at(aggregates, a);
    const rb = at(aggregates, b);
    if (ra !== rb) return ra > rb ? -1 : 1;
    const sa = at(seals, a);
    const sb = at(seals, b);
    if (sa !== sb) return sa < sb ? -1 : 1;
    return a - b;
  });
  const ranks = new Array<number>(aggregates.length);
  order.forEach((column, position) => {
    ranks[column] = position + 1;
  });
  return ranks;
}

/** Step 3: w_1 = WAD, w_{k+1} = floor(w_k q / WAD); element k-1 is the weight of rank k. */
export function geometricWeights(n: number, q: bigint): bigint[] {
  const weights: bigint[] = [];
  for (let w = WAD; weights.length < n; w = mulDiv(w, q, WAD)) weights.push(w);
  return weights;
}

/** tau_i / sa_j: the stake itself when alpha = 1 (no rounding at all), else pow(stake, alpha). */
export function stakeWeight(stake: bigint, alpha: bigint): bigint {
  return alpha === WAD ? stake : powWad(stake, alpha);
}

/** Step 4: P_i = floor(R_T u_i / U), u_i = w_rank(i) * tau_i. */
export function trainerPools(
  R_T: bigint,
  ranks: readonly number[],
  stakes: readonly bigint[],
  q: bigint,
  alphaT: bigint,
): bigint[] {
  const weights = geometricWeights(ranks.length, q);
  const u = ranks.map((rank, i) => at(weights, rank - 1) * stakeWeight(at(stakes, i), alphaT));
  const U = sum(u);
  return u.map((ui) => mulDiv(R_T, ui, U));
}

/**
 * Step 5 (weights): A_j = sum_i F_ji with v_ji = exp(lambdaV (1 - D_ji)) sa_j, shifted right so
 * the column total has at most 128 bits (the chain then needs no 512-bit products), and
 * F_ji = floor(v'_ji 1e36 / Z'_i) with Z'_i = Z_i >> k_i. Also each validator's displayed
 * distance, sum_i floor(D_ji / 1e-4) 1e-4 / n as the chain computes it.
 * Needs n >= 1 and m >= 1.
 */
export function validatorWeights(
  aggregates: readonly bigint[],
  scores: bigint[][],
  validatorStakes: readonly bigint[],
  lambdaV: bigint,
  alphaV: bigint,
): { weights: bigint[]; distances: bigint[] } {
  const n = aggregates.length;
  const sa = validatorStakes.map((s) => stakeWeight(s, alphaV));
  const weights = scores.map(() => 0n);
  const distances = scores.map(() => 0n);
  for (let i = 0; i < n; i++) {
    const ri = at(aggregates, i);
    const v = scores.map((row, j) => {
      const d = absDiff(ri, at(row, i));
      // The chain accumulates distances in whole score units (1e-4) to fit its scratch slot.
      distances[j] = at(distances, j) + d / SCORE_UNIT;
      return expWad(mulDiv(lambdaV, WAD - d, WAD)) * at(sa, j);
    });
    const Z = sum(v);
    const shift = BigInt(Math.max(0, bitLength(Z) - COLUMN_TOTAL_BITS));
    const Zs = Z >> shift;
    v.forEach((vji, j) => {
      weights[j] = at(weights, j) + mulDiv(vji >> shift, WAD2, Zs);
    });
  }
  return { weights, distances: distances.map((d) => (d * SCORE_UNIT) / BigInt(n)) };
}

/** Step 5 (pools): Q_j = floor(R_V A_j / (n 1e36)); n >= 1. */
export function validatorPools(R_V: bigint, weights: readonly bigint[], n: number): bigint[] {
  return weights.map((A) => mulDiv(R_V, A, BigInt(n) * WAD2));
}

/** Steps 4 and 5: the owner keeps floor(pool (sigma t + (1 - sigma) own) / t), one floor. */
export function sigmaSplit(
  pool: bigint,
  sigma: bigint,
  ownStake: bigint,
  totalStake: bigint,
): { own: bigint; delegators: bigint } {
  const own = mulDiv(pool, sigma * totalStake + (WAD - sigma) * ownStake, WAD * totalStake);
  return { own, delegators: pool - own };
}

export function epochRewards(input: EpochInput): EpochResult {
  validateEpochInput(input);
  const { R, params, trainers, validators } = input;
  const n = trainers.length;
  const m = validators.length;
  if (n === 0 || m === 0) {
    return { degenerate: true, R_T: 0n, R_V: 0n, booked: 0n, dust: R, trainers: [], validators: [] };
  }

  const t = trainers.map((tr) => tr.own + tr.delegated);
  const s = validators.map((v) => v.own + v.delegated);
  const { R_T, R_V } = splitReward(R, sum(t), sum(s), params.gamma);

  const scores = effectiveScores(input.scores, trainers.map((tr) => tr.duplicate === true));
  const aggregates = aggregateScores(scores, s);
  const ranks = rankColumns(aggregates, trainers.map((tr) => tr.seal));
  const P = trainerPools(R_T, ranks, t, params.q, params.alphaT);
  const { weights, distances } = validatorWeights(aggregates, scores, s, params.lambdaV, params.alphaV);
  const Q = validatorPools(R_V, weights, n);

  const booked = sum(P) + sum(Q);
  return {
    degenerate: false,
    R_T,
    R_V,
    booked,
    dust: R - booked,
    trainers: trainers.map((tr, i) => ({
      index: i,
      rank: at(ranks, i),
      aggregate: at(aggregates, i),
      pool: at(P, i),
      ...sigmaSplit(at(P, i), tr.sigma, tr.own, at(t, i)),
    })),
    validators: validators.map((v, j) => ({
      index: j,
      pool: at(Q, j),
      ...sigmaSplit(at(Q, j), v.sigma, v.own, at(s, j)),
      distance: at(distances, j),
      weight: at(weights, j),
    })),
  };
}

/** Throws an InputError naming the first field outside the doc's domain. */
export function validateEpochInput(input: EpochInput): void {
  checkRange('R', input.R, 0n, LIMITS.rewardCap - 1n);
  for (const key of Object.keys(PARAM_RANGES) as (keyof RewardParams)[]) {
    const { min, max } = PARAM_RANGES[key];
    checkRange(`params.${key}`, input.params[key], min, max);
  }
  const n = input.trainers.length;
  const m = input.validators.length;
  if (n > LIMITS.maxTrainers) throw new InputError('trainers', `at most ${LIMITS.maxTrainers} columns`);
  if (m > LIMITS.maxValidators) {
    throw new InputError('validators', `at most ${LIMITS.maxValidators} validators`);
  }
  input.trainers.forEach((tr, i) => {
    checkPool(`trainers[${i}]`, tr);
    if (typeof tr.seal !== 'bigint') throw new InputError(`trainers[${i}].seal`, 'must be a bigint');
    if (tr.duplicate !== undefined && typeof tr.duplicate !== 'boolean') {
      throw new InputError(`trainers[${i}].duplicate`, 'must be a boolean');
    }
  });
  input.validators.forEach((v, j) => checkPool(`validators[${j}]`, v));
  if (input.scores.length !== m) {
    throw new InputError('scores', `must have one row per validator (${m}), got ${input.scores.length}`);
  }
  input.scores.forEach((row, j) => {
    if (row.length !== n) {
      throw new InputError(`scores[${j}]`, `must have one score per column (${n}), got ${row.length}`);
    }
    row.forEach((r, i) => checkRange(`scores[${j}][${i}]`, r, 0n, WAD));
  });
}

function checkPool(field: string, pool: { own: bigint; delegated: bigint; sigma: bigint }): void {
  checkRange(`${field}.own`, pool.own, 0n, LIMITS.poolStakeCap - 1n);
  checkRange(`${field}.delegated`, pool.delegated, 0n, LIMITS.poolStakeCap - 1n);
  checkRange(`${field}.sigma`, pool.sigma, 0n, WAD);
  const total = pool.own + pool.delegated;
  if (total === 0n) throw new InputError(field, 'own + delegated must be positive');
  if (total >= LIMITS.poolStakeCap) throw new InputError(field, 'own + delegated must be below 2^96 wei');
}

function checkRange(field: string, value: bigint, min: bigint, max: bigint): void {
  if (typeof value !== 'bigint') throw new InputError(field, 'must be a bigint');
  if (value < min || value > max) throw new InputError(field, `must be in [${min}, ${max}]`);
}

/** Index into an array whose length the caller has already established. */
function at<T>(values: readonly T[], index: number): T {
  const value = values[index];
  if (value === undefined) throw new Error(`internal: index ${index} out of range`);
  return value;
}
