// The keeper's call: advances the finalization of the task's next ended scoring epoch by one
// work budget. Anyone may call it; small tasks finish an epoch in one call.
import type { TransactionReceipt } from 'viem';
import { rewardEngineAbi } from '../abi.generated.ts';
import { findReceiptEvent } from '../receipt-events.ts';
import { send, writeCall, type ActionContext } from './context.ts';

export interface FinalizeStepResult {
  epoch: bigint;
  /** The epoch is now finalized (EpochFinalized was emitted). */
  finished: boolean;
  booked?: bigint;
  /** What nobody earned, carried to the next scoring epoch (the whole budget when degenerate). */
  rollover?: bigint;
  degenerate?: boolean;
  receipt: TransactionReceipt;
}

export async function finalizeStep(ctx: ActionContext, p: { taskId: bigint }): Promise<FinalizeStepResult> {
  const receipt = await send(ctx, {
    kind: 'finalize',
    label: `Finalize the next epoch of task ${p.taskId}`,
    summary: { task: String(p.taskId) },
    call: writeCall(ctx.deployment.contracts.rewardEngine, rewardEngineAbi, 'finalize', [p.taskId]),
  });
  const done = findReceiptEvent(receipt, rewardEngineAbi, 'EpochFinalized');
  if (done)
    return {
      epoch: done.args.epoch,
      finished: true,
      booked: done.args.booked,
      rollover: done.args.rollover,
      degenerate: done.args.degenerate,
      receipt,
    };
  const progress = findReceiptEvent(receipt, rewardEngineAbi, 'FinalizationProgress');
  return { epoch: progress?.args.epoch ?? 0n, finished: false, receipt };
}

/** Calls finalizeStep until the epoch under way is finalized. */
export async function finalizeEpoch(
  ctx: ActionContext,
  p: { taskId: bigint; maxCalls?: number },
): Promise<FinalizeStepResult[]> {
  const steps: FinalizeStepResult[] = [];
  const max = p.maxCalls ?? 200;
  for (let i = 0; i < max; i++) {
    const step = await finalizeStep(ctx, p);
    steps.push(step);
    if (step.finished) return steps;
  }
  throw new Error(`task ${p.taskId}: the epoch was not finalized in ${max} calls`);
}
