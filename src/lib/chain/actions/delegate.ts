// Delegates tokens to a trainer or validator of a task (counts from the next epoch), with a
// permit when possible.
import type { Address, TransactionReceipt } from 'viem';
import { stakeManagerAbi } from '../abi.generated.ts';
import { receiptEvent } from '../receipt-events.ts';
import { shortHex } from '../../format.ts';
import { requirePositive, send, tokens, writeCall, type ActionContext } from './context.ts';
import { authorizeSpend, NO_PERMIT } from './permit.ts';

export async function delegate(
  ctx: ActionContext,
  p: { taskId: bigint; delegatee: Address; amount: bigint },
): Promise<{ effectiveEpoch: bigint; receipt: TransactionReceipt }> {
  requirePositive('amount', p.amount);
  const stakes = ctx.deployment.contracts.stakeManager;
  const auth = await authorizeSpend(ctx, {
    spender: stakes,
    amount: p.amount,
    precheck: writeCall(stakes, stakeManagerAbi, 'delegateWithPermit', [p.taskId, p.delegatee, p.amount, NO_PERMIT]),
  });
  const receipt = await send(ctx, {
    kind: 'delegate',
    label: `Delegate ${tokens(p.amount)} to ${shortHex(p.delegatee)} in task ${p.taskId}`,
    summary: { task: String(p.taskId), delegatee: p.delegatee, amount: tokens(p.amount) },
    call:
      auth.kind === 'permit'
        ? writeCall(stakes, stakeManagerAbi, 'delegateWithPermit', [p.taskId, p.delegatee, p.amount, auth.sig])
        : writeCall(stakes, stakeManagerAbi, 'delegate', [p.taskId, p.delegatee, p.amount]),
  });
  const ev = receiptEvent(receipt, stakeManagerAbi, 'Delegated');
  return { effectiveEpoch: ev.args.effectiveEpoch, receipt };
}
