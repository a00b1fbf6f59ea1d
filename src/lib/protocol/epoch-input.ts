// The domain of one epoch's input (docs/reward-math.md "Inputs" and "Bounds"): what the chain can
// produce and what keeps the integers of the reward math safe. Bad input is reported with the
// path of the first offending field.

import { InputError } from './errors.ts';
import { validateRewardParams } from './params.ts';
import type { EpochInput } from './rewards.ts';
import { WAD } from './wad.ts';

/** The bounds under which the on-chain integers cannot overflow (docs/reward-math.md). */
export const LIMITS = {
  maxTrainers: 256,
  maxValidators: 512,
  /** SubmissionBook.MAX_CANARIES: revealCanaries reverts TooManyCanaries above it. */
  maxCanaries: 16,
  /** Exclusive cap on own + delegated of one pool, in wei. */
  poolStakeCap: 2n ** 96n,
  /** Exclusive cap on R, in wei. */
  rewardCap: 2n ** 128n,
} as const;

/** Throws an InputError naming the first field outside the doc's domain. */
export function validateEpochInput(input: EpochInput): void {
  checkRange('R', input.R, 0n, LIMITS.rewardCap - 1n);
  validateRewardParams(input.params, 'params');
  const n = input.trainers.length;
  const m = input.validators.length;
  if (n > LIMITS.maxTrainers) throw new InputError('trainers', `at most ${LIMITS.maxTrainers} columns`);
  if (m > LIMITS.maxValidators) {
    throw new InputError('validators', `at most ${LIMITS.maxValidators} validators`);
  }
  input.trainers.forEach((tr, i) => {
    checkPool(`trainers[${i}]`, tr);
    if (typeof tr.seal !== 'bigint') throw new InputError(`trainers[${i}].seal`, 'must be a bigint');
    checkFlag(`trainers[${i}].duplicate`, tr.duplicate);
    checkFlag(`trainers[${i}].canary`, tr.canary);
  });
  const canaries = input.trainers.filter((tr) => tr.canary === true).length;
  if (canaries > LIMITS.maxCanaries) {
    throw new InputError('trainers', `at most ${LIMITS.maxCanaries} canaries, got ${canaries}`);
  }
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

function checkFlag(field: string, value: unknown): void {
  if (value !== undefined && typeof value !== 'boolean') throw new InputError(field, 'must be a boolean');
}

function checkRange(field: string, value: bigint, min: bigint, max: bigint): void {
  if (typeof value !== 'bigint') throw new InputError(field, 'must be a bigint');
  if (value < min || value > max) throw new InputError(field, `must be in [${min}, ${max}]`);
}
