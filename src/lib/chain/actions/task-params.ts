// The TaskParams struct `createTask` takes, what it costs the creator, and the ranges the
// registry checks at creation (checked here first, so a bad form field is named before any
// transaction: TaskRegistry._validate stays the authority).
import { formatUnits, type Hex } from 'viem';
import { PARAM_RANGES, REWARD_PARAM_KEYS } from '../../protocol/params.ts';
import { WAD } from '../../protocol/wad.ts';
import type { ChallengeParams, RewardParams, StakeRules } from '../reads/task-record.ts';
import { ActionInputError, tokens } from './context.ts';

export interface TaskParamsInput {
  modelSpec: Hex;
  trainData: Hex;
  evalData: Hex;
  /** keccak256(abi.encode(finalEvalHash, salt)); zero exactly when finalEpochs is 0. */
  finalEvalCommit: Hex;
  startTime: bigint;
  epochLength: number;
  reviewPeriod: number;
  submissionEpochs: number;
  finalEpochs: number;
  challengeEpochs: number;
  sealEnd: number;
  revealEnd: number;
  commitEnd: number;
  finalCommitEnd: number;
  rewardPerEpoch: bigint;
  reward: RewardParams;
  stakeRules: StakeRules;
  challenge: ChallengeParams;
  /** Samples of the eval set each scoring epoch is scored on (SPEC 2.2), at least 1; at least the set's size means all of it. */
  evalSubsetSize: number;
}

/** TaskRegistry.MIN_BOND: the smallest challenge bond a task may ask for (one token). */
export const MIN_CHALLENGE_BOND = WAD;
/** TaskRegistry.MIN_VOTE_TIME: the verdict vote's commit and reveal halves need a second each. */
export const MIN_VOTE_TIME = 2;
const MAX_UINT32 = 2 ** 32 - 1;
/** The most validators a task may have (TaskRegistry.MAX_VALIDATORS): minValidators cannot ask for more. */
export const MAX_VALIDATORS = 512;

const show = (unit: 'wad' | 'bps' | 'count', v: bigint | number) =>
  unit === 'wad' ? formatUnits(BigInt(v), 18) : unit === 'bps' ? `${Number(v) / 100}%` : String(v);

/**
 * The revision 2 checks of `TaskRegistry._validate` that a form can get wrong: the nine reward
 * parameters' ranges (InvalidRewardParams), evalSubsetSize >= 1 (InvalidSchedule), the challenge
 * parameters (InvalidChallengeParams: a bond of at least one token, a response time and a
 * dispute time of at least a second, a vote of at least MIN_VOTE_TIME, slash and jury shares of
 * at most 100%), and minValidators within the task's own
 * validator cap (the chain allows up to 512, but a task that can never seat that many validators
 * would roll every epoch over). Throws an ActionInputError naming the field; the other checks
 * (schedule, windows, stake rules) are left to the chain's sentences.
 */
export function checkTaskParams(p: TaskParamsInput): void {
  const r = p.reward as unknown as Record<string, unknown>;
  for (const key of REWARD_PARAM_KEYS) {
    const range = PARAM_RANGES[key];
    const v = r[key];
    const field = `reward.${key}`;
    const typed = range.unit === 'wad' ? typeof v === 'bigint' : typeof v === 'number' && Number.isSafeInteger(v);
    if (!typed)
      throw new ActionInputError(
        field,
        `${field} must be ${range.unit === 'wad' ? 'a WAD bigint' : 'a whole number'}.`,
      );
    if ((v as bigint | number) < range.min || (v as bigint | number) > range.max) {
      const open =
        key === 'minScore'
          ? `from ${show(range.unit, range.min)} up to, not including, 1`
          : `between ${show(range.unit, range.min)} and ${show(range.unit, range.max)}`;
      throw new ActionInputError(field, `${field} must be ${open}; it is ${show(range.unit, v as bigint | number)}.`);
    }
  }
  if (p.reward.minValidators > p.stakeRules.maxValidators) {
    throw new ActionInputError(
      'reward.minValidators',
      `reward.minValidators is ${p.reward.minValidators} but the task admits at most ${p.stakeRules.maxValidators} validators: every epoch would roll over.`,
    );
  }
  if (!Number.isSafeInteger(p.evalSubsetSize) || p.evalSubsetSize < 1 || p.evalSubsetSize > 2 ** 32 - 1) {
    throw new ActionInputError(
      'evalSubsetSize',
      `evalSubsetSize must be a whole number of samples from 1; it is ${String(p.evalSubsetSize)}.`,
    );
  }
  if (p.challenge.bond < MIN_CHALLENGE_BOND) {
    throw new ActionInputError(
      'challenge.bond',
      `The challenge bond must be at least 1 token (a free challenge costs nothing to open against every submission); it is ${tokens(p.challenge.bond)}.`,
    );
  }
  checkChallengeTimes(p.challenge);
}

function checkChallengeTimes(c: TaskParamsInput['challenge']): void {
  const seconds = (field: 'responseTime' | 'disputeTime' | 'voteTime', min: number, why: string) => {
    const v = c[field];
    if (!Number.isSafeInteger(v) || v < min || v > MAX_UINT32)
      throw new ActionInputError(`challenge.${field}`, `challenge.${field} must be ${why}; it is ${String(v)}.`);
  };
  seconds('responseTime', 1, 'at least 1 second (the accused must be able to answer)');
  seconds('disputeTime', 1, 'at least 1 second (a validator must be able to name a segment)');
  seconds(
    'voteTime',
    MIN_VOTE_TIME,
    `at least ${MIN_VOTE_TIME} seconds (verdicts are committed in its first half and revealed in its second)`,
  );
  const bps = (field: 'slashBps' | 'juryBps') => {
    const v = c[field];
    if (!Number.isSafeInteger(v) || v < 0 || v > 10_000)
      throw new ActionInputError(
        `challenge.${field}`,
        `challenge.${field} must be between 0% and 100%; it is ${String(v)} bps.`,
      );
  };
  bps('slashBps');
  bps('juryBps');
}

/** The creator's deposit: the reward of every scoring epoch. */
export const taskDeposit = (p: Pick<TaskParamsInput, 'rewardPerEpoch' | 'submissionEpochs' | 'finalEpochs'>): bigint =>
  p.rewardPerEpoch * BigInt(p.submissionEpochs + p.finalEpochs);

/** The contract's Role enum: one definition, src/lib/chain/roles.ts. */
export { Role, roleName, roleNumber, type RoleName } from '../roles.ts';
