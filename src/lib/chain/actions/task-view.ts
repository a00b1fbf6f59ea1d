// Everything a task page shows at the top: parameters, phase and window by chain time, money
// (deposit, paid, carried, refundable), final eval state, finalization progress, participants.
import type { Address, Hex } from 'viem';
import { rewardEngineAbi, stakeManagerAbi, taskRegistryAbi } from '../abi.generated.ts';
import { nextEvent, type NextEvent } from '../countdown.ts';
import { finalizationState, type FinalizationState } from '../finalization.ts';
import { windowAt, type Phase, type Schedule, type Window } from '../schedule.ts';
import { phaseFromChain } from '../tasks.ts';
import type { ReadContext } from './context.ts';
import { taskDeposit } from './task-params.ts';

export const FINAL_EVAL_STATES = ['None', 'Pending', 'Revealed', 'Fallback'] as const;
export type FinalEvalState = (typeof FINAL_EVAL_STATES)[number];

export interface TaskView {
  id: bigint;
  creator: Address;
  phase: Phase;
  schedule: Schedule;
  reward: { gamma: bigint; q: bigint; alphaT: bigint; alphaV: bigint; lambdaV: bigint };
  stakeRules: { minTrainerStake: bigint; minValidatorStake: bigint; maxTrainers: number; maxValidators: number; sigmaCooldown: number };
  challenge: { bond: bigint; responseTime: number; slashBps: number };
  modelSpec: Hex;
  trainData: Hex;
  evalData: Hex;
  finalEvalCommit: Hex;
  finalEvalHash: Hex;
  finalEval: FinalEvalState;
  rewardPerEpoch: bigint;
  deposit: bigint;
  paid: bigint;
  carry: bigint;
  remainder: bigint;
  refunded: bigint;
  objections: bigint;
  closedEpochs: number;
  finalization: FinalizationState;
  trainers: Address[];
  validators: Address[];
  /** Chain time the view was read at, and where that falls. */
  chainTime: bigint;
  window: { window: Window; epoch: number };
  next: NextEvent | null;
}

export async function readTaskView(ctx: ReadContext, taskId: bigint): Promise<TaskView> {
  const { taskRegistry, stakeManager, rewardEngine } = ctx.deployment.contracts;
  const read = ctx.publicClient;
  const [task, phase, finalEval, progress, trainers, validators, block] = await Promise.all([
    read.readContract({ address: taskRegistry, abi: taskRegistryAbi, functionName: 'getTask', args: [taskId] }),
    read.readContract({ address: taskRegistry, abi: taskRegistryAbi, functionName: 'phase', args: [taskId] }),
    read.readContract({ address: taskRegistry, abi: taskRegistryAbi, functionName: 'finalEvalStatus', args: [taskId] }),
    read.readContract({ address: rewardEngine, abi: rewardEngineAbi, functionName: 'progressOf', args: [taskId] }),
    read.readContract({ address: stakeManager, abi: stakeManagerAbi, functionName: 'trainersOf', args: [taskId] }),
    read.readContract({ address: stakeManager, abi: stakeManagerAbi, functionName: 'validatorsOf', args: [taskId] }),
    read.getBlock({ blockTag: 'latest' }),
  ]);
  const schedule: Schedule = { ...task.schedule };
  const now = block.timestamp;
  return {
    id: taskId,
    creator: task.creator,
    phase: phaseFromChain(phase),
    schedule,
    reward: { ...task.reward },
    stakeRules: { ...task.stakeRules },
    challenge: { ...task.challenge },
    modelSpec: task.modelSpec,
    trainData: task.trainData,
    evalData: task.evalData,
    finalEvalCommit: task.finalEvalCommit,
    finalEvalHash: task.finalEvalHash,
    finalEval: FINAL_EVAL_STATES[finalEval] ?? 'None',
    rewardPerEpoch: task.rewardPerEpoch,
    deposit: taskDeposit({ rewardPerEpoch: task.rewardPerEpoch, ...schedule }),
    paid: task.paid,
    carry: task.carry,
    remainder: task.remainder,
    refunded: task.refunded,
    objections: task.objections,
    closedEpochs: task.closedEpochs,
    finalization: finalizationState(schedule, { epoch: progress.epoch, stage: progress.stage }, now),
    trainers: [...trainers],
    validators: [...validators],
    chainTime: now,
    window: windowAt(schedule, now),
    next: nextEvent(schedule, now),
  };
}
