// Adds to the caller's own stake in a task (counts from the next epoch), with a permit when possible.
import type { TransactionReceipt } from 'viem';
import { stakeManagerAbi } from '../abi.generated.ts';
import { receiptEvent } from '../receipt-events.ts';
import { requirePositive, send, tokens, writeCall, type ActionContext } from './context.ts';
import { authorizeSpend, NO_PERMIT } from './permit.ts';

export async function addStake(
  ctx: ActionContext,
  p: { taskId: bigint; amount: bigint },
): Promise<{ effectiveEpoch: bigint; receipt: TransactionReceipt }> {
  requirePositive('amount', p.amount);
  const stakes = ctx.deployment.contracts.stakeManager;
  const auth = await authorizeSpend(ctx, {
    spender: stakes,
    amount: p.amount,
    precheck: writeCall(stakes, stakeManagerAbi, 'addStakeWithPermit', [p.taskId, p.amount, NO_PERMIT]),
  });
  const receipt = await send(ctx, {
    kind: 'addStake',
    label: `Add ${tokens(p.amount)} to your stake in task ${p.taskId}`,
    summary: { task: String(p.taskId), amount: tokens(p.amount) },
    call:
      auth.kind === 'permit'
        ? writeCall(stakes, stakeManagerAbi, 'addStakeWithPermit', [p.taskId, p.amount, auth.sig])
        : writeCall(stakes, stakeManagerAbi, 'addStake', [p.taskId, p.amount]),
  });
  const added = receiptEvent(receipt, stakeManagerAbi, 'StakeAdded');
  return { effectiveEpoch: added.args.effectiveEpoch, receipt };
}
