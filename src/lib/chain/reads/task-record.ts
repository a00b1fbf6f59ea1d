// Everything the chain's views say about one task: parameters, money, phase and who takes part.
// One batched RPC round per task; `taskRecord` (pure) shapes the raw answers.
import type { Address, Hex, PublicClient } from 'viem';
import { stakeManagerAbi, submissionBookAbi, taskRegistryAbi } from '../abi.generated.ts';
import type { Deployment } from '../deployments.ts';
import { PHASES, scoringEpochs, type Phase, type Schedule } from '../schedule.ts';
import type { RewardParams } from '../../protocol/rewards.ts';
import { ArenaError } from '../../errors.ts';

export const FINAL_EVAL_STATES = ['None', 'Pending', 'Revealed', 'Fallback'] as const;
export type FinalEvalState = (typeof FINAL_EVAL_STATES)[number];

/** SPEC section 4 parameters (revision 2), WAD (1e18 = 1) except floorBps and minValidators. */
export type { RewardParams };

export interface StakeRules {
  minTrainerStake: bigint;
  minValidatorStake: bigint;
  maxTrainers: number;
  maxValidators: number;
  sigmaCooldown: number;
}

/** TaskTypes.ChallengeParams (SPEC 7, 8.4; docs/contracts.md, "Challenges"). */
export interface ChallengeParams {
  bond: bigint;
  /** Seconds the accused has to post both the ownership proof and the disclosure. */
  responseTime: number;
  slashBps: number;
  /** Seconds after a complete response in which a segment can be disputed. */
  disputeTime: number;
  /** Seconds of the verdict vote: commits in the first half, reveals in the second. */
  voteTime: number;
  /** Share of the losing side's stake paid to the majority jurors, basis points. */
  juryBps: number;
}

/** The task struct as the app keeps it: the reveal flags folded into finalEvalHash and finalEval. */
export interface TaskRecord extends Omit<ChainTask, 'finalEvalHash' | 'finalEvalRevealed' | 'fallbackRecorded'> {
  id: bigint;
  /** As the contract reports it at the block read. */
  phase: Phase;
  /** Null until the creator reveals it. */
  finalEvalHash: Hex | null;
  finalEval: FinalEvalState;
  /** What the creator deposited: rewardPerEpoch for every scoring epoch. */
  deposit: bigint;
  trainers: Address[];
  validators: Address[];
  /** Revealed submissions (training submissions) so far. */
  submissions: number;
}

/** The TaskRegistry.Task struct as viem decodes it. */
export interface ChainTask {
  creator: Address;
  schedule: Schedule;
  reward: RewardParams;
  stakeRules: StakeRules;
  challenge: ChallengeParams;
  modelSpec: Hex;
  trainData: Hex;
  evalData: Hex;
  finalEvalCommit: Hex;
  finalEvalHash: Hex;
  rewardPerEpoch: bigint;
  carry: bigint;
  remainder: bigint;
  refunded: bigint;
  paid: bigint;
  objections: bigint;
  closedEpochs: number;
  finalEvalRevealed: boolean;
  fallbackRecorded: boolean;
  /** Samples of the eval set each scoring epoch is scored on (SPEC 2.2). */
  evalSubsetSize: number;
}

export interface TaskViews {
  task: ChainTask;
  phase: number;
  finalEvalStatus: number;
  trainers: readonly Address[];
  validators: readonly Address[];
  submissionCount: bigint;
}

export class UnexpectedChainValue extends ArenaError<'UNEXPECTED_CHAIN_VALUE'> {
  constructor(message: string) {
    super('UNEXPECTED_CHAIN_VALUE', message);
    this.name = 'UnexpectedChainValue';
  }
}

function fromEnum<T extends string>(values: readonly T[], value: number, what: string): T {
  const v = values[value];
  if (v === undefined)
    throw new UnexpectedChainValue(`unknown ${what} ${value} from the chain: the app's ABI and the contract disagree`);
  return v;
}

/** Shapes the views of task `id` into a TaskRecord. Pure. */
export function taskRecord(id: bigint, v: TaskViews): TaskRecord {
  const t = v.task;
  const schedule: Schedule = { ...t.schedule };
  return {
    id,
    creator: t.creator,
    phase: fromEnum(PHASES, v.phase, 'task phase'),
    schedule,
    reward: {
      gamma: t.reward.gamma,
      q: t.reward.q,
      alphaT: t.reward.alphaT,
      alphaV: t.reward.alphaV,
      lambdaV: t.reward.lambdaV,
      minScore: t.reward.minScore,
      tolV: t.reward.tolV,
      floorBps: Number(t.reward.floorBps),
      minValidators: Number(t.reward.minValidators),
    },
    stakeRules: { ...t.stakeRules },
    challenge: { ...t.challenge },
    modelSpec: t.modelSpec,
    trainData: t.trainData,
    evalData: t.evalData,
    finalEvalCommit: t.finalEvalCommit,
    finalEvalHash: t.finalEvalRevealed ? t.finalEvalHash : null,
    finalEval: fromEnum(FINAL_EVAL_STATES, v.finalEvalStatus, 'final-eval state'),
    rewardPerEpoch: t.rewardPerEpoch,
    deposit: t.rewardPerEpoch * BigInt(scoringEpochs(schedule)),
    paid: t.paid,
    carry: t.carry,
    remainder: t.remainder,
    refunded: t.refunded,
    objections: t.objections,
    closedEpochs: Number(t.closedEpochs),
    evalSubsetSize: Number(t.evalSubsetSize),
    trainers: [...v.trainers],
    validators: [...v.validators],
    submissions: Number(v.submissionCount),
  };
}

export type TaskReadClient = Pick<PublicClient, 'readContract'>;

export async function readTaskRecord(client: TaskReadClient, deployment: Deployment, id: bigint): Promise<TaskRecord> {
  const { taskRegistry, stakeManager, submissionBook } = deployment.contracts;
  const args = [id] as const;
  const [task, phase, finalEvalStatus, trainers, validators, submissionCount] = await Promise.all([
    client.readContract({ address: taskRegistry, abi: taskRegistryAbi, functionName: 'getTask', args }),
    client.readContract({ address: taskRegistry, abi: taskRegistryAbi, functionName: 'phase', args }),
    client.readContract({ address: taskRegistry, abi: taskRegistryAbi, functionName: 'finalEvalStatus', args }),
    client.readContract({ address: stakeManager, abi: stakeManagerAbi, functionName: 'trainersOf', args }),
    client.readContract({ address: stakeManager, abi: stakeManagerAbi, functionName: 'validatorsOf', args }),
    client.readContract({ address: submissionBook, abi: submissionBookAbi, functionName: 'submissionCount', args }),
  ]);
  return taskRecord(id, { task: task as ChainTask, phase, finalEvalStatus, trainers, validators, submissionCount });
}

export function readTaskCount(client: TaskReadClient, deployment: Deployment): Promise<bigint> {
  return client.readContract({
    address: deployment.contracts.taskRegistry,
    abi: taskRegistryAbi,
    functionName: 'taskCount',
  });
}

/** The newest `limit` task ids, newest first, then any of `also` that exist and are older. Pure. */
export function taskIdsToRead(count: bigint, limit: number, also: Iterable<bigint> = []): bigint[] {
  const ids: bigint[] = [];
  for (let id = count; id >= 1n && ids.length < limit; id--) ids.push(id);
  const oldest = ids.at(-1) ?? count + 1n;
  const older = [...new Set(also)].filter((id) => id >= 1n && id < oldest).sort((a, b) => (a > b ? -1 : 1));
  return [...ids, ...older];
}

/** Task ids newest first, at most `limit`. */
export async function readTaskIds(client: TaskReadClient, deployment: Deployment, limit = 50): Promise<bigint[]> {
  return taskIdsToRead(await readTaskCount(client, deployment), limit);
}
