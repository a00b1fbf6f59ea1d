// Changes the caller's sigma (own share before delegators), effective next epoch, at most once
// per the task's sigma cooldown.
import { parseEventLogs, type TransactionReceipt } from 'viem';
import { stakeManagerAbi } from '../abi.generated.ts';
import { percent, requireFraction, send, writeCall, type ActionContext } from './context.ts';

export async function setSigma(
  ctx: ActionContext,
  p: { taskId: bigint; sigma: bigint },
): Promise<{ effectiveEpoch: bigint; receipt: TransactionReceipt }> {
  requireFraction('sigma', p.sigma);
  const receipt = await send(ctx, {
    kind: 'setSigma',
    label: `Set your sigma in task ${p.taskId} to ${percent(p.sigma)}`,
    summary: { task: String(p.taskId), sigma: percent(p.sigma) },
    call: writeCall(ctx.deployment.contracts.stakeManager, stakeManagerAbi, 'setSigma', [p.taskId, p.sigma]),
  });
  const [changed] = parseEventLogs({ abi: stakeManagerAbi, eventName: 'SigmaChanged', logs: receipt.logs });
  return { effectiveEpoch: changed!.args.effectiveEpoch, receipt };
}
