// Takes the caller's own stake back once the task has ended (at once if it was rejected) and
// no challenge against it is open.
import type { TransactionReceipt } from 'viem';
import { stakeManagerAbi } from '../abi.generated.ts';
import { receiptEvent } from '../receipt-events.ts';
import { send, writeCall, type ActionContext } from './context.ts';

export async function withdrawStake(
  ctx: ActionContext,
  p: { taskId: bigint },
): Promise<{ amount: bigint; receipt: TransactionReceipt }> {
  const receipt = await send(ctx, {
    kind: 'withdrawStake',
    label: `Withdraw your stake from task ${p.taskId}`,
    summary: { task: String(p.taskId) },
    call: writeCall(ctx.deployment.contracts.stakeManager, stakeManagerAbi, 'withdrawStake', [p.taskId]),
  });
  const ev = receiptEvent(receipt, stakeManagerAbi, 'StakeWithdrawn');
  return { amount: ev.args.amount, receipt };
}
