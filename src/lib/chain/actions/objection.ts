// Review (SPEC 2.1): any holder may lock tokens against a task under review, and take them back
// once the review period is over, also when the task was rejected earlier (revision 2: a rejection
// must cost the objectors their capital for the whole review period, or a flash loan could reject
// any task for free). Objections are approved, not permitted: the registry has no objectWithPermit.
import type { Address, TransactionReceipt } from 'viem';
import { taskRegistryAbi } from '../abi.generated.ts';
import { formatChainTime } from '../tx/sentences.ts';
import {
  ActionInputError,
  requirePositive,
  send,
  tokens,
  writeCall,
  type ActionContext,
  type ReadContext,
} from './context.ts';
import { chainTime, readSchedule } from './chain-now.ts';
import { authorizeSpend } from './permit.ts';

export async function objectToTask(
  ctx: ActionContext,
  p: { taskId: bigint; amount: bigint },
): Promise<{ receipt: TransactionReceipt }> {
  requirePositive('amount', p.amount);
  const registry = ctx.deployment.contracts.taskRegistry;
  const call = writeCall(registry, taskRegistryAbi, 'object', [p.taskId, p.amount]);
  await authorizeSpend({ ...ctx, permit: 'never' }, { spender: registry, amount: p.amount, precheck: call });
  const receipt = await send(ctx, {
    kind: 'object',
    label: `Object to task ${p.taskId} with ${tokens(p.amount)}`,
    summary: {
      task: String(p.taskId),
      amount: tokens(p.amount),
      locked: 'until the review period ends, even if the task is rejected earlier',
    },
    call,
  });
  return { receipt };
}

export interface ObjectionView {
  /** The account's locked objection tokens. */
  amount: bigint;
  /** When they can be withdrawn: the end of the review period (also after a rejection). */
  unlocksAt: bigint;
  /** Withdrawable at the latest block's time. */
  withdrawable: boolean;
}

export async function readObjection(ctx: ReadContext, p: { taskId: bigint; account: Address }): Promise<ObjectionView> {
  const [amount, schedule, now] = await Promise.all([
    ctx.publicClient.readContract({
      address: ctx.deployment.contracts.taskRegistry,
      abi: taskRegistryAbi,
      functionName: 'objectionOf',
      args: [p.taskId, p.account],
    }),
    readSchedule(ctx, p.taskId),
    chainTime(ctx),
  ]);
  return { amount, unlocksAt: schedule.reviewEnd, withdrawable: amount > 0n && now >= schedule.reviewEnd };
}

export async function withdrawObjection(
  ctx: ActionContext,
  p: { taskId: bigint },
): Promise<{ amount: bigint; receipt: TransactionReceipt }> {
  const view = await readObjection(ctx, { taskId: p.taskId, account: ctx.wallet.account.address });
  if (view.amount === 0n)
    throw new ActionInputError('taskId', `This account has no objection to task ${p.taskId} to withdraw.`);
  if (!view.withdrawable) {
    throw new ActionInputError(
      'taskId',
      `Your objection of ${tokens(view.amount)} stays locked until the review ends at ${formatChainTime(view.unlocksAt)}, also when the task is already rejected: a rejection must cost the objectors their capital for the review period.`,
    );
  }
  const receipt = await send(ctx, {
    kind: 'withdrawObjection',
    label: `Withdraw your objection to task ${p.taskId}`,
    summary: { task: String(p.taskId), amount: tokens(view.amount) },
    call: writeCall(ctx.deployment.contracts.taskRegistry, taskRegistryAbi, 'withdrawObjection', [p.taskId]),
  });
  return { amount: view.amount, receipt };
}
