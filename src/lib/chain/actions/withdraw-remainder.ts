// The creator takes back what a task did not pay out: rolled-over budgets after the last scoring
// epoch, rounding dust, or the whole deposit of a rejected task.
import type { TransactionReceipt } from 'viem';
import { taskRegistryAbi } from '../abi.generated.ts';
import { receiptEvent } from '../receipt-events.ts';
import { send, writeCall, type ActionContext } from './context.ts';

export async function withdrawRemainder(
  ctx: ActionContext,
  p: { taskId: bigint },
): Promise<{ amount: bigint; receipt: TransactionReceipt }> {
  const receipt = await send(ctx, {
    kind: 'withdrawRemainder',
    label: `Withdraw the unpaid remainder of task ${p.taskId}`,
    summary: { task: String(p.taskId) },
    call: writeCall(ctx.deployment.contracts.taskRegistry, taskRegistryAbi, 'withdrawRemainder', [p.taskId]),
  });
  const ev = receiptEvent(receipt, taskRegistryAbi, 'RemainderWithdrawn');
  return { amount: ev.args.amount, receipt };
}
