// The CLI's scenario format: JSON with every number as a decimal string, checked strictly so a
// typo in a key or a value is reported with its path instead of silently changing the result.

import { formatWad, formatWadCompact, parseWad } from './decimal.ts';
import { InputError } from './errors.ts';
import {
  LIMITS,
  PARAM_RANGES,
  epochRewards,
  type EpochInput,
  type EpochResult,
  type RewardParams,
} from './rewards.ts';
import { WAD } from './wad.ts';

export interface ParsedScenario {
  input: EpochInput;
  trainerIds: string[];
  validatorIds: string[];
}

export interface ScenarioOutput {
  R_T: string;
  R_V: string;
  /** Only for a degenerate epoch: R0, which rolls over to the next scoring epoch. */
  rollover?: string;
  trainers: {
    id: string;
    rank: number;
    aggregate: string;
    pool: string;
    own: string;
    delegators: string;
  }[];
  validators: { id: string; pool: string; own: string; delegators: string; distance: string }[];
}

type Json = Record<string, unknown>;

const PARAM_KEYS = ['R0', ...(Object.keys(PARAM_RANGES) as (keyof RewardParams)[])];

/** Parse and validate scenario JSON (already JSON.parse'd) into an epoch input. */
export function parseScenario(raw: unknown): ParsedScenario {
  const top = readObject(raw, '', ['params', 'trainers', 'validators', 'scores']);
  const params = readObject(top.params, 'params', PARAM_KEYS);
  const R = parseWad(params.R0, 'params.R0');
  if (R >= LIMITS.rewardCap) throw new InputError('params.R0', 'must be below 2^128 wei');
  const rewardParams = {} as RewardParams;
  for (const key of Object.keys(PARAM_RANGES) as (keyof RewardParams)[]) {
    rewardParams[key] = readBounded(params[key], `params.${key}`, PARAM_RANGES[key].max);
  }

  const trainerIds = new Set<string>();
  const trainers = readArray(top.trainers, 'trainers', LIMITS.maxTrainers).map((entry, i) => {
    const field = `trainers[${i}]`;
    const t = readObject(entry, field, ['id', 'stake', 'delegated', 'sigma', 'sealTime'], ['duplicate']);
    readId(t.id, `${field}.id`, trainerIds);
    if (t.duplicate !== undefined && typeof t.duplicate !== 'boolean') {
      throw new InputError(`${field}.duplicate`, 'must be true or false');
    }
    return {
      ...readPool(t, field),
      seal: parseWad(t.sealTime, `${field}.sealTime`),
      duplicate: t.duplicate === true,
    };
  });

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
    input: { R, params: rewardParams, trainers, validators, scores },
    trainerIds: [...trainerIds],
    validatorIds: [...validatorIds],
  };
}

/** The CLI's output object for a computed epoch (amounts as 18-decimal token strings). */
export function formatScenarioResult(scenario: ParsedScenario, result: EpochResult): ScenarioOutput {
  const base = { R_T: formatWad(result.R_T), R_V: formatWad(result.R_V) };
  if (result.degenerate) {
    return { ...base, rollover: formatWad(result.dust), trainers: [], validators: [] };
  }
  return {
    ...base,
    trainers: result.trainers.map((t) => ({
      id: idAt(scenario.trainerIds, t.index),
      rank: t.rank,
      aggregate: formatWad(t.aggregate),
      pool: formatWad(t.pool),
      own: formatWad(t.own),
      delegators: formatWad(t.delegators),
    })),
    validators: result.validators.map((v) => ({
      id: idAt(scenario.validatorIds, v.index),
      pool: formatWad(v.pool),
      own: formatWad(v.own),
      delegators: formatWad(v.delegators),
      distance: formatWad(v.distance),
    })),
  };
}

export function runScenario(raw: unknown): ScenarioOutput {
  const scenario = parseScenario(raw);
  return formatScenarioResult(scenario, epochRewards(scenario.input));
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
