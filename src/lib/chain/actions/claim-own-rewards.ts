// Pays out the caller's own booked rewards: a validator's once booked, a trainer's once vested
// (task ended, no open challenge).
import type { TransactionReceipt } from 'viem';
import { stakeManagerAbi } from '../abi.generated.ts';
import { receiptEvent } from '../receipt-events.ts';
import { send, writeCall, type ActionContext } from './context.ts';

export async function claimOwnRewards(
  ctx: ActionContext,
  p: { taskId: bigint },
): Promise<{ amount: bigint; receipt: TransactionReceipt }> {
  const receipt = await send(ctx, {
    kind: 'claimOwnRewards',
    label: `Claim your rewards from task ${p.taskId}`,
    summary: { task: String(p.taskId) },
    call: writeCall(ctx.deployment.contracts.stakeManager, stakeManagerAbi, 'claimOwnRewards', [p.taskId]),
  });
  const ev = receiptEvent(receipt, stakeManagerAbi, 'OwnRewardsClaimed');
  return { amount: ev.args.amount, receipt };
}
