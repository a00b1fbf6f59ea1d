// The local stack's demo task: short epochs so a whole task lifecycle fits in a coffee break,
// with the SPEC's default windows and reward parameters (revision 2: median consensus, the
// qualifying floor, tolV), scored on a subset of the 250-sample digits eval set per epoch.
import { parseEther, type Hex } from 'viem';
import {
  DEFAULT_JURY_BPS,
  DEFAULT_REWARD_PARAMS,
  DEFAULT_WINDOWS,
  defaultChallengeTimes,
  maxUnfarmableBond,
} from '../../src/lib/chain/task-defaults.ts';
import type { DemoHashes } from './demo-content.ts';

export interface DemoTaskInput {
  /** Chain time the schedule is laid out from (latest block timestamp). */
  now: bigint;
  epochSeconds: number;
  reviewSeconds: number;
  hashes: DemoHashes;
  finalEvalCommit: Hex;
}

/** Slack between the end of review and epoch 0, so the creation transaction can land late. */
export const START_SLACK_SECONDS = 10n;

export const DEMO_EPOCHS = { submission: 3, final: 1, challenge: 1 } as const;
export const DEMO_REWARD_PER_EPOCH = parseEther('1000');
/**
 * Samples scored per epoch (SPEC 2.2): about half of the digits eval set's 250, so two epochs'
 * subsets differ in about half their samples (a reused score misses by their sampling noise)
 * while 128 samples still tell the demo's models apart.
 */
export const DEMO_EVAL_SUBSET_SIZE = 128;
/**
 * Validators that must reveal for an epoch to pay out (SPEC 4.6, default 3): the local stack's
 * dev accounts include exactly three validators (Validator A/B/C), so every one of them must
 * reveal; with fewer the epoch rolls over.
 */
export const DEMO_MIN_VALIDATORS = 3;

const DEMO_MIN_TRAINER_STAKE = parseEther('10');
const DEMO_SLASH_BPS = 2_000;

export function demoTaskParams(input: DemoTaskInput) {
  return {
    modelSpec: input.hashes.modelSpec,
    trainData: input.hashes.trainData,
    evalData: input.hashes.evalData,
    finalEvalCommit: input.finalEvalCommit,
    startTime: input.now + BigInt(input.reviewSeconds) + START_SLACK_SECONDS,
    epochLength: input.epochSeconds,
    reviewPeriod: input.reviewSeconds,
    submissionEpochs: DEMO_EPOCHS.submission,
    finalEpochs: DEMO_EPOCHS.final,
    challengeEpochs: DEMO_EPOCHS.challenge,
    ...DEFAULT_WINDOWS,
    rewardPerEpoch: DEMO_REWARD_PER_EPOCH,
    reward: { ...DEFAULT_REWARD_PARAMS, minValidators: DEMO_MIN_VALIDATORS },
    stakeRules: {
      minTrainerStake: DEMO_MIN_TRAINER_STAKE,
      minValidatorStake: parseEther('10'),
      maxTrainers: 256,
      maxValidators: 512,
      sigmaCooldown: 2,
    },
    challenge: {
      // The largest bond nobody can farm at this minimum stake and slash (docs/contracts.md).
      bond: maxUnfarmableBond(DEMO_MIN_TRAINER_STAKE, DEMO_SLASH_BPS),
      // A challenged trainer gets one epoch to answer (proof and transcript), validators one to
      // dispute a segment and one to vote on it.
      ...defaultChallengeTimes(input.epochSeconds),
      slashBps: DEMO_SLASH_BPS,
      juryBps: DEFAULT_JURY_BPS,
    },
    evalSubsetSize: DEMO_EVAL_SUBSET_SIZE,
  } as const;
}

/** What the creator deposits: the reward of every scoring epoch. */
export function demoDeposit(): bigint {
  return DEMO_REWARD_PER_EPOCH * BigInt(DEMO_EPOCHS.submission + DEMO_EPOCHS.final);
}
