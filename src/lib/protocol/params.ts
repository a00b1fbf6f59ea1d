// The nine reward parameters of a task (SPEC section 4, docs/reward-math.md "Inputs"): their
// type, the defaults a creator starts from and the ranges TaskRegistry enforces at creation.
// This is the only place they are written down in TypeScript: src/lib/chain/task-defaults.ts,
// the scenario parser and the reward math all read them from here.

import { InputError } from './errors.ts';
import { WAD } from './wad.ts';

/** Field order and widths as the Solidity struct RewardParams (uint16 fields decode to number). */
export interface RewardParams {
  /** WAD, [0, 1]: floor of each role's share of R. */
  gamma: bigint;
  /** WAD, [0, 1]: geometric decay of trainer shares by rank. */
  q: bigint;
  /** WAD, [0, 1]: trainer stake exponent. */
  alphaT: bigint;
  /** WAD, [0, 1]: validator stake exponent. */
  alphaV: bigint;
  /** WAD, [0, 50]: sharpness of the validator weight exp(-lambdaV D). */
  lambdaV: bigint;
  /** WAD, [0, 1): a submission qualifies only with an aggregate above it. */
  minScore: bigint;
  /** WAD, [0, 1]: a validator further than this from a column's aggregate earns nothing for it. */
  tolV: bigint;
  /** Basis points, [0, 10000]: a qualifying aggregate is at least this fraction of the best. */
  floorBps: number;
  /** [1, 512]: an epoch with fewer revealed validators is degenerate (rolls over). */
  minValidators: number;
}

/**
 * 0.0005 (5 score units): one sample's worth at the default subset of 2000, and the near-tie
 * bound for an arithmetic error of 1e-4 per logit. Measured (docs/bench/consensus.md): 32-bit
 * backends (cpu, wasm, webgl, webgpu) agree on every prediction, so honest validators commit the
 * same accuracy on one subset; the SPEC's 0.005 would let a validator reusing another subset's
 * score keep about a quarter of its reward.
 */
export const DEFAULT_TOL_V: bigint = (5n * WAD) / 10_000n;

export const DEFAULT_REWARD_PARAMS: Readonly<RewardParams> = Object.freeze({
  gamma: (7n * WAD) / 10n,
  q: (85n * WAD) / 100n,
  alphaT: WAD,
  alphaV: WAD,
  lambdaV: 20n * WAD,
  minScore: 0n,
  tolV: DEFAULT_TOL_V,
  floorBps: 5_000,
  minValidators: 3,
});

/** 'wad': 18-decimal fixed point; 'bps': basis points; 'count': a plain whole number. */
export type ParamUnit = 'wad' | 'bps' | 'count';

export interface ParamRange<V extends bigint | number> {
  min: V;
  /** Inclusive. */
  max: V;
  unit: ParamUnit;
}

export type ParamRanges = { readonly [K in keyof RewardParams]: ParamRange<RewardParams[K]> };

/** Inclusive ranges, exactly as TaskRegistry checks them (InvalidRewardParams). */
export const PARAM_RANGES: ParamRanges = Object.freeze({
  gamma: { min: 0n, max: WAD, unit: 'wad' },
  q: { min: 0n, max: WAD, unit: 'wad' },
  alphaT: { min: 0n, max: WAD, unit: 'wad' },
  alphaV: { min: 0n, max: WAD, unit: 'wad' },
  lambdaV: { min: 0n, max: 50n * WAD, unit: 'wad' },
  // [0, 1): with minScore = 1 no score in [0, 1] could ever qualify.
  minScore: { min: 0n, max: WAD - 1n, unit: 'wad' },
  tolV: { min: 0n, max: WAD, unit: 'wad' },
  floorBps: { min: 0, max: 10_000, unit: 'bps' },
  minValidators: { min: 1, max: 512, unit: 'count' },
});

/** The parameter names in struct order. */
export const REWARD_PARAM_KEYS = Object.freeze(Object.keys(PARAM_RANGES) as (keyof RewardParams)[]);

/** Throws an InputError naming `${field}.<key>` for the first parameter outside its range. */
export function validateRewardParams(params: RewardParams, field = 'params'): void {
  if (params === null || typeof params !== 'object') throw new InputError(field, 'must be an object');
  for (const key of REWARD_PARAM_KEYS) {
    const range = PARAM_RANGES[key];
    const value: unknown = params[key];
    const path = `${field}.${key}`;
    if (range.unit === 'wad') {
      if (typeof value !== 'bigint') throw new InputError(path, 'must be a bigint');
    } else if (typeof value !== 'number' || !Number.isSafeInteger(value)) {
      throw new InputError(path, 'must be a whole number');
    }
    if ((value as bigint | number) < range.min || (value as bigint | number) > range.max) {
      throw new InputError(path, `must be in [${range.min}, ${range.max}]`);
    }
  }
}
