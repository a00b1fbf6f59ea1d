// Takes delegated principal back: what has unbonded after `undelegate`, or all of it once the
// task has ended or was rejected.
import type { Address, TransactionReceipt } from 'viem';
import { stakeManagerAbi } from '../abi.generated.ts';
import { receiptEvent } from '../receipt-events.ts';
import { shortHex } from '../../format.ts';
import { send, writeCall, type ActionContext } from './context.ts';

export async function withdrawDelegation(
  ctx: ActionContext,
  p: { taskId: bigint; delegatee: Address },
): Promise<{ amount: bigint; receipt: TransactionReceipt }> {
  const receipt = await send(ctx, {
    kind: 'withdrawDelegation',
    label: `Withdraw your delegation to ${shortHex(p.delegatee)} from task ${p.taskId}`,
    summary: { task: String(p.taskId), delegatee: p.delegatee },
    call: writeCall(ctx.deployment.contracts.stakeManager, stakeManagerAbi, 'withdrawDelegation', [
      p.taskId,
      p.delegatee,
    ]),
  });
  const ev = receiptEvent(receipt, stakeManagerAbi, 'PrincipalWithdrawn');
  return { amount: ev.args.amount, receipt };
}
