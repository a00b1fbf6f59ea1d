// Creates a task and pays its deposit (reward per epoch times the scoring epochs) with a permit
// when the token supports it, else after an approval. Parameters outside the registry's ranges
// are refused before anything is signed (checkTaskParams).
import type { TransactionReceipt } from 'viem';
import { taskRegistryAbi } from '../abi.generated.ts';
import { receiptEvent } from '../receipt-events.ts';
import { percent, send, tokens, writeCall, type ActionContext } from './context.ts';
import { authorizeSpend, NO_PERMIT } from './permit.ts';
import { checkTaskParams, taskDeposit, type TaskParamsInput } from './task-params.ts';

export interface CreateTaskResult {
  taskId: bigint;
  deposit: bigint;
  receipt: TransactionReceipt;
}

export async function createTask(ctx: ActionContext, params: TaskParamsInput): Promise<CreateTaskResult> {
  checkTaskParams(params);
  const registry = ctx.deployment.contracts.taskRegistry;
  const deposit = taskDeposit(params);
  const auth = await authorizeSpend(ctx, {
    spender: registry,
    amount: deposit,
    precheck: writeCall(registry, taskRegistryAbi, 'createTaskWithPermit', [params, NO_PERMIT]),
  });
  const receipt = await send(ctx, {
    kind: 'createTask',
    label: `Create a task with a deposit of ${tokens(deposit)}`,
    summary: {
      deposit: tokens(deposit),
      rewardPerEpoch: tokens(params.rewardPerEpoch),
      epochs: `${params.submissionEpochs} submission + ${params.finalEpochs} final + ${params.challengeEpochs} challenge`,
      epochLength: `${params.epochLength} s`,
      evalSubset: `${params.evalSubsetSize} samples per epoch`,
      consensus: `median; qualifies above ${percent(params.reward.minScore)} and at ${params.reward.floorBps / 100}% of the best; validator tolerance ${percent(params.reward.tolV)}; at least ${params.reward.minValidators} validator${params.reward.minValidators === 1 ? '' : 's'}`,
    },
    call:
      auth.kind === 'permit'
        ? writeCall(registry, taskRegistryAbi, 'createTaskWithPermit', [params, auth.sig])
        : writeCall(registry, taskRegistryAbi, 'createTask', [params]),
  });
  const created = receiptEvent(receipt, taskRegistryAbi, 'TaskCreated');
  return { taskId: created.args.taskId, deposit, receipt };
}
