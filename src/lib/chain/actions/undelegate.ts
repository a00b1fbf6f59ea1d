// Stops part of a delegation from counting from the next epoch; the principal becomes
// withdrawable when the current epoch ends (at once, and paid back, before the task starts).
import type { Address, TransactionReceipt } from 'viem';
import { stakeManagerAbi } from '../abi.generated.ts';
import { receiptEvent, receiptEvents } from '../receipt-events.ts';
import { shortHex } from '../../format.ts';
import { requirePositive, send, tokens, writeCall, type ActionContext } from './context.ts';

export async function undelegate(
  ctx: ActionContext,
  p: { taskId: bigint; delegatee: Address; amount: bigint },
): Promise<{ withdrawableFromEpoch: bigint; paidBack: bigint; receipt: TransactionReceipt }> {
  requirePositive('amount', p.amount);
  const receipt = await send(ctx, {
    kind: 'undelegate',
    label: `Undelegate ${tokens(p.amount)} from ${shortHex(p.delegatee)} in task ${p.taskId}`,
    summary: { task: String(p.taskId), delegatee: p.delegatee, amount: tokens(p.amount) },
    call: writeCall(ctx.deployment.contracts.stakeManager, stakeManagerAbi, 'undelegate', [
      p.taskId,
      p.delegatee,
      p.amount,
    ]),
  });
  const ev = receiptEvent(receipt, stakeManagerAbi, 'Undelegated');
  const paid = receiptEvents(receipt, stakeManagerAbi, 'PrincipalWithdrawn');
  return {
    withdrawableFromEpoch: ev.args.withdrawableFromEpoch,
    paidBack: paid.reduce((s, e) => s + e.args.amount, 0n),
    receipt,
  };
}
