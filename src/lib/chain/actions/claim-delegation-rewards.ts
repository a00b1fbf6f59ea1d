// Pays out the caller's share of a delegatee's pool rewards: from a validator once booked, from a
// trainer once it has vested.
import type { Address, TransactionReceipt } from 'viem';
import { stakeManagerAbi } from '../abi.generated.ts';
import { receiptEvent } from '../receipt-events.ts';
import { shortHex } from '../../format.ts';
import { send, writeCall, type ActionContext } from './context.ts';

export async function claimDelegationRewards(
  ctx: ActionContext,
  p: { taskId: bigint; delegatee: Address },
): Promise<{ amount: bigint; receipt: TransactionReceipt }> {
  const receipt = await send(ctx, {
    kind: 'claimDelegationRewards',
    label: `Claim your delegation rewards from ${shortHex(p.delegatee)} in task ${p.taskId}`,
    summary: { task: String(p.taskId), delegatee: p.delegatee },
    call: writeCall(ctx.deployment.contracts.stakeManager, stakeManagerAbi, 'claimDelegationRewards', [
      p.taskId,
      p.delegatee,
    ]),
  });
  const ev = receiptEvent(receipt, stakeManagerAbi, 'RewardsClaimed');
  return { amount: ev.args.amount, receipt };
}
