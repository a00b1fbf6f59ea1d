// The TaskParams struct `createTask` takes, and what it costs the creator.
import type { Hex } from 'viem';

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
  reward: { gamma: bigint; q: bigint; alphaT: bigint; alphaV: bigint; lambdaV: bigint };
  stakeRules: { minTrainerStake: bigint; minValidatorStake: bigint; maxTrainers: number; maxValidators: number; sigmaCooldown: number };
  challenge: { bond: bigint; responseTime: number; slashBps: number };
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
