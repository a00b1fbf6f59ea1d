// Review (SPEC 2.1): any holder may lock tokens against a task under review, and take them back
// once the review is over (or the task rejected). Objections are approved, not permitted: the
// registry has no objectWithPermit.
import type { TransactionReceipt } from 'viem';
import { taskRegistryAbi } from '../abi.generated.ts';
import { requirePositive, send, tokens, writeCall, type ActionContext } from './context.ts';
import { authorizeSpend } from './permit.ts';

export async function objectToTask(ctx: ActionContext, p: { taskId: bigint; amount: bigint }): Promise<{ receipt: TransactionReceipt }> {
  requirePositive('amount', p.amount);
  const registry = ctx.deployment.contracts.taskRegistry;
  const call = writeCall(registry, taskRegistryAbi, 'object', [p.taskId, p.amount]);
  await authorizeSpend({ ...ctx, permit: 'never' }, { spender: registry, amount: p.amount, precheck: call });
  const receipt = await send(ctx, {
    kind: 'object',
    label: `Object to task ${p.taskId} with ${tokens(p.amount)}`,
    summary: { task: String(p.taskId), amount: tokens(p.amount) },
    call,
  });
  return { receipt };
}

export async function withdrawObjection(ctx: ActionContext, p: { taskId: bigint }): Promise<{ receipt: TransactionReceipt }> {
  const receipt = await send(ctx, {
    kind: 'withdrawObjection',
    label: `Withdraw your objection to task ${p.taskId}`,
    summary: { task: String(p.taskId) },
    call: writeCall(ctx.deployment.contracts.taskRegistry, taskRegistryAbi, 'withdrawObjection', [p.taskId]),
  });
  return { receipt };
}
