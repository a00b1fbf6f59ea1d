// The TaskParams struct `createTask` takes, and what it costs the creator.
import type { Hex } from 'viem';
import type { ChallengeParams, RewardParams, StakeRules } from '../reads/task-record.ts';

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
}

/** The creator's deposit: the reward of every scoring epoch. */
export const taskDeposit = (p: Pick<TaskParamsInput, 'rewardPerEpoch' | 'submissionEpochs' | 'finalEpochs'>): bigint =>
  p.rewardPerEpoch * BigInt(p.submissionEpochs + p.finalEpochs);

/** The contract's Role enum. */
export const Role = { Trainer: 1, Validator: 2 } as const;
export type RoleName = 'trainer' | 'validator';
export const roleNumber = (role: RoleName): number => (role === 'trainer' ? Role.Trainer : Role.Validator);
export const roleName = (value: number): RoleName | undefined =>
  value === Role.Trainer ? 'trainer' : value === Role.Validator ? 'validator' : undefined;
