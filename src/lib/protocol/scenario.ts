// The CLI's scenario format: JSON with every number as a decimal string, checked strictly so a
// typo in a key or a value is reported with its path instead of silently changing the result.

import { formatWad, formatWadCompact, parseWad } from './decimal.ts';
import { InputError } from './errors.ts';
import { DEFAULT_REWARD_PARAMS, PARAM_RANGES, REWARD_PARAM_KEYS, type RewardParams } from './params.ts';
import { LIMITS, epochRewards, type EpochInput, type EpochResult } from './rewards.ts';
import { WAD } from './wad.ts';

export interface ParsedScenario {
  input: EpochInput;
  trainerIds: string[];
  validatorIds: string[];
}

export interface ScenarioOutput {
  /** No trainer, or fewer validators than minValidators: nothing booked, R0 rolls over. */
  degenerate: boolean;
  R_T: string;
  R_V: string;
  booked: string;
  /** Moves to the next scoring epoch: R_T when nothing qualified, plus zero columns' share. */
  rollover: string;
  /** Floor rounding; joins the task's remainder. */
  dust: string;
  /** How many submissions qualified for a rank and a reward. */
  qualified: number;
  zeroColumns: number;
  trainers: {
    id: string;
    /** 1 = best; null = no rank (did not qualify, or a canary). */
    rank: number | null;
    qualified: boolean;
    canary: boolean;
    aggregate: string;
    pool: string;
    own: string;
    delegators: string;
  }[];
  validators: {
    id: string;
    failedCanary: boolean;
    pool: string;
    own: string;
    delegators: string;
    distance: string;
  }[];
  canaries: { id: string; aggregate: string; agreeingStake: string; valid: boolean }[];
}

type Json = Record<string, unknown>;

const WHOLE_NUMBER = /^\d+$/;

/** Parse and validate scenario JSON (already JSON.parse'd) into an epoch input. */
export function parseScenario(raw: unknown): ParsedScenario {
  const top = readObject(raw, '', ['params', 'trainers', 'validators', 'scores']);
  const { R, params } = readParams(top.params);

  const trainerIds = new Set<string>();
  const trainers = readArray(top.trainers, 'trainers', LIMITS.maxTrainers).map((entry, i) => {
    const field = `trainers[${i}]`;
    const t = readObject(entry, field, ['id', 'stake', 'delegated', 'sigma', 'sealTime'], ['duplicate', 'canary']);
    readId(t.id, `${field}.id`, trainerIds);
    return {
      ...readPool(t, field),
      seal: parseWad(t.sealTime, `${field}.sealTime`),
      duplicate: readFlag(t.duplicate, `${field}.duplicate`),
      canary: readFlag(t.canary, `${field}.canary`),
    };
  });
  const canaries = trainers.filter((t) => t.canary).length;
  if (canaries > LIMITS.maxCanaries) {
    throw new InputError('trainers', `at most ${LIMITS.maxCanaries} canaries per epoch, got ${canaries}`);
  }

  const validatorIds = new Set<string>();
  const validators = readArray(top.validators, 'validators', LIMITS.maxValidators).map((entry, j) => {
    const field = `validators[${j}]`;
    const v = readObject(entry, field, ['id', 'stake', 'delegated', 'sigma']);
    readId(v.id, `${field}.id`, validatorIds);
    return readPool(v, field);
  });

  const rows = readArray(top.scores, 'scores');
  if (rows.length !== validators.length) {
    const expected = `one row per validator (${validators.length})`;
    throw new InputError('scores', `must have ${expected}, got ${rows.length}`);
  }
  const scores = rows.map((row, j) => {
    const cells = readArray(row, `scores[${j}]`);
    if (cells.length !== trainers.length) {
      const expected = `one score per trainer (${trainers.length})`;
      throw new InputError(`scores[${j}]`, `must have ${expected}, got ${cells.length}`);
    }
    return cells.map((cell, i) => readBounded(cell, `scores[${j}][${i}]`, WAD));
  });

  return {
    input: { R, params, trainers, validators, scores },
    trainerIds: [...trainerIds],
    validatorIds: [...validatorIds],
  };
}

/** The CLI's output object for a computed epoch (amounts as 18-decimal token strings). */
export function formatScenarioResult(scenario: ParsedScenario, result: EpochResult): ScenarioOutput {
  const trainerId = (index: number) => idAt(scenario.trainerIds, index);
  return {
    degenerate: result.degenerate,
    R_T: formatWad(result.R_T),
    R_V: formatWad(result.R_V),
    booked: formatWad(result.booked),
    rollover: formatWad(result.rollover),
    dust: formatWad(result.dust),
    qualified: result.qualified,
    zeroColumns: result.zeroColumns,
    trainers: result.trainers.map((t) => ({
      id: trainerId(t.index),
      rank: t.rank === 0 ? null : t.rank,
      qualified: t.qualified,
      canary: t.canary,
      aggregate: formatWad(t.aggregate),
      pool: formatWad(t.pool),
      own: formatWad(t.own),
      delegators: formatWad(t.delegators),
    })),
    validators: result.validators.map((v) => ({
      id: idAt(scenario.validatorIds, v.index),
      failedCanary: v.failedCanary,
      pool: formatWad(v.pool),
      own: formatWad(v.own),
      delegators: formatWad(v.delegators),
      distance: formatWad(v.distance),
    })),
    canaries: result.canaries.map((c) => ({
      id: trainerId(c.index),
      aggregate: formatWad(c.aggregate),
      agreeingStake: formatWad(c.agreeingStake),
      valid: c.valid,
    })),
  };
}

export function runScenario(raw: unknown): ScenarioOutput {
  const scenario = parseScenario(raw);
  return formatScenarioResult(scenario, epochRewards(scenario.input));
}

/**
 * Every parameter is required (a scenario from before revision 2 must not silently take
 * defaults it never chose); a missing one is reported together with its default.
 */
function readParams(value: unknown): { R: bigint; params: RewardParams } {
  const keys = ['R0', ...REWARD_PARAM_KEYS];
  const object = readObject(value, 'params', [], keys);
  const missing = keys.filter((key) => !Object.hasOwn(object, key));
  if (missing.length > 0) {
    const defaults = missing.flatMap((key) =>
      key === 'R0' ? [] : [`${key} "${formatParam(key as keyof RewardParams)}"`],
    );
    const hint = defaults.length > 0 ? ` (defaults: ${defaults.join(', ')})` : '';
    throw new InputError('params', `missing ${missing.join(', ')}; every parameter is required${hint}`);
  }
  const R = parseWad(object.R0, 'params.R0');
  if (R >= LIMITS.rewardCap) throw new InputError('params.R0', 'must be below 2^128 wei');
  const read = <K extends keyof RewardParams>(key: K): RewardParams[K] => {
    const { min, max, unit } = PARAM_RANGES[key];
    const field = `params.${key}`;
    if (unit === 'wad') return readWadParam(object[key], field, max as bigint) as RewardParams[K];
    return readWhole(object[key], field, min as number, max as number, formatParam(key)) as RewardParams[K];
  };
  return {
    R,
    params: {
      gamma: read('gamma'),
      q: read('q'),
      alphaT: read('alphaT'),
      alphaV: read('alphaV'),
      lambdaV: read('lambdaV'),
      minScore: read('minScore'),
      tolV: read('tolV'),
      floorBps: read('floorBps'),
      minValidators: read('minValidators'),
    },
  };
}

/** The default as a scenario writes it. */
function formatParam(key: keyof RewardParams): string {
  const value = DEFAULT_REWARD_PARAMS[key];
  return typeof value === 'bigint' ? formatWadCompact(value) : String(value);
}

/** A WAD parameter in [0, max]; max = 1 - 1e-18 reads as "below 1" (minScore). */
function readWadParam(value: unknown, field: string, max: bigint): bigint {
  if (max !== WAD - 1n) return readBounded(value, field, max);
  const parsed = parseWad(value, field);
  if (parsed > max) throw new InputError(field, 'must be below 1');
  return parsed;
}

/** Counts and basis points: digits only, as a string like every other number of the format. */
function readWhole(value: unknown, field: string, min: number, max: number, example: string): number {
  if (typeof value !== 'string' || !WHOLE_NUMBER.test(value)) {
    const got = typeof value === 'string' ? `"${value}"` : `${typeof value} ${String(value)}`;
    throw new InputError(field, `must be a whole number as a string, like "${example}", got ${got}`);
  }
  const parsed = Number(value);
  if (parsed < min || parsed > max) throw new InputError(field, `must be between ${min} and ${max}`);
  return parsed;
}

function readPool(entry: Json, field: string): { own: bigint; delegated: bigint; sigma: bigint } {
  const own = parseWad(entry.stake, `${field}.stake`);
  const delegated = parseWad(entry.delegated, `${field}.delegated`);
  const total = own + delegated;
  if (total === 0n) throw new InputError(field, 'stake + delegated must be positive');
  if (total >= LIMITS.poolStakeCap) {
    const cap = formatWadCompact(LIMITS.poolStakeCap);
    throw new InputError(field, `stake + delegated must be below ${cap} (2^96 wei)`);
  }
  return { own, delegated, sigma: readBounded(entry.sigma, `${field}.sigma`, WAD) };
}

/** A non-negative decimal no larger than max (all ranges here start at 0). */
function readBounded(value: unknown, field: string, max: bigint): bigint {
  const parsed = parseWad(value, field);
  if (parsed > max) throw new InputError(field, `must be between 0 and ${formatWadCompact(max)}`);
  return parsed;
}

function readFlag(value: unknown, field: string): boolean {
  if (value !== undefined && typeof value !== 'boolean') throw new InputError(field, 'must be true or false');
  return value === true;
}

/** Ids name the output rows, so they must be unique within their list. */
function readId(value: unknown, field: string, seen: Set<string>): void {
  if (typeof value !== 'string' || value === '') throw new InputError(field, 'must be a non-empty string');
  if (seen.has(value)) throw new InputError(field, `duplicate id ${JSON.stringify(value)}`);
  seen.add(value);
}

/** An object with exactly the given keys; field '' is the scenario itself. */
function readObject(
  value: unknown,
  field: string,
  required: readonly string[],
  optional: readonly string[] = [],
): Json {
  if (value === null || typeof value !== 'object' || Array.isArray(value)) {
    throw new InputError(field || 'scenario', 'must be an object');
  }
  const object = value as Json;
  for (const key of Object.keys(object)) {
    if (!required.includes(key) && !optional.includes(key)) {
      throw new InputError(field || 'scenario', `unknown key ${JSON.stringify(key)}`);
    }
  }
  for (const key of required) {
    if (!Object.hasOwn(object, key)) throw new InputError(field ? `${field}.${key}` : key, 'is missing');
  }
  return object;
}

function readArray(value: unknown, field: string, maxLength = Infinity): unknown[] {
  if (!Array.isArray(value)) throw new InputError(field, 'must be an array');
  if (value.length > maxLength) throw new InputError(field, `must have at most ${maxLength} entries`);
  return value;
}

function idAt(ids: readonly string[], index: number): string {
  const id = ids[index];
  if (id === undefined) throw new Error(`internal: no id for index ${index}`);
  return id;
}
