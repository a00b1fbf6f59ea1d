// The task creator reveals the current epoch's canary key in its score-reveal window (every
// score is committed by then): the contract marks the columns whose seals open with the key's
// canary salt, and finalization checks validators against those columns' median
// (docs/reward-math.md step 3; docs/canaries.md). Refusals are checked before sending.
import type { Hex, TransactionReceipt } from 'viem';
import { submissionBookAbi } from '../abi.generated.ts';
import { receiptEvent } from '../receipt-events.ts';
import { canaryKeyHash, maskColumns } from '../canary.ts';
import { windowAt } from '../schedule.ts';
import { ActionInputError, send, writeCall, type ActionContext, type ReadContext } from './context.ts';
import { chainTime, readSchedule } from './chain-now.ts';
import { readCanaryCommit, requireCreator } from './commit-canaries.ts';

export interface CanaryRevealView {
  revealed: boolean;
  /** Bit i set iff column i of the epoch is a canary (0 until revealed). */
  mask: bigint;
  /** The canary columns, ascending. */
  columns: number[];
}

/** Whether `epoch`'s canaries were revealed, and which columns they are. */
export async function readCanaryReveal(
  ctx: ReadContext,
  p: { taskId: bigint; epoch: number },
): Promise<CanaryRevealView> {
  const { submissionBook } = ctx.deployment.contracts;
  const args = [p.taskId, BigInt(p.epoch)] as const;
  const [revealed, mask] = await Promise.all([
    ctx.publicClient.readContract({
      address: submissionBook,
      abi: submissionBookAbi,
      functionName: 'canariesRevealed',
      args,
    }),
    ctx.publicClient.readContract({
      address: submissionBook,
      abi: submissionBookAbi,
      functionName: 'canaryMask',
      args,
    }),
  ]);
  return { revealed, mask, columns: maskColumns(mask) };
}

export interface RevealCanariesResult {
  epoch: number;
  mask: bigint;
  /** The canary columns, ascending, and their submission ids. */
  columns: number[];
  submissionIds: bigint[];
  receipt: TransactionReceipt;
}

/** Reveals the current epoch's canary key. Refused before sending outside the rules of revealCanaries. */
export async function revealCanaries(
  ctx: ActionContext,
  p: { taskId: bigint; canaryKey: Hex },
): Promise<RevealCanariesResult> {
  if (!/^0x[0-9a-fA-F]{64}$/.test(p.canaryKey))
    throw new ActionInputError('canaryKey', 'The canary key is a 32-byte value (0x followed by 64 hex digits).');
  const [schedule, now] = await Promise.all([
    readSchedule(ctx, p.taskId),
    chainTime(ctx),
    requireCreator(ctx, p.taskId),
  ]);
  const { window, epoch } = windowAt(schedule, now);
  if (window !== 'ScoreReveal') {
    throw new ActionInputError(
      'taskId',
      `Task ${p.taskId} is ${window === 'None' ? 'in no scoring window' : `in the ${window} window of epoch ${epoch}`} now: canaries are revealed in an epoch's score reveal window, once every score is committed.`,
    );
  }
  const [committed, view] = await Promise.all([
    readCanaryCommit(ctx, { taskId: p.taskId, epoch }),
    readCanaryReveal(ctx, { taskId: p.taskId, epoch }),
  ]);
  if (committed === null)
    throw new ActionInputError(
      'canaryKey',
      `No canary key was committed for epoch ${epoch} of task ${p.taskId}, so there is nothing to reveal.`,
    );
  if (view.revealed)
    throw new ActionInputError(
      'canaryKey',
      `The canaries of epoch ${epoch} of task ${p.taskId} were already revealed.`,
    );
  if (canaryKeyHash(p.canaryKey).toLowerCase() !== committed.toLowerCase()) {
    throw new ActionInputError(
      'canaryKey',
      `This canary key does not match the commitment of epoch ${epoch} (${committed}); nothing was sent.`,
    );
  }
  const receipt = await send(ctx, {
    kind: 'revealCanaries',
    label: `Reveal the canaries of task ${p.taskId}, epoch ${epoch}`,
    summary: { task: String(p.taskId), epoch: String(epoch) },
    call: writeCall(ctx.deployment.contracts.submissionBook, submissionBookAbi, 'revealCanaries', [
      p.taskId,
      p.canaryKey,
    ]),
  });
  const ev = receiptEvent(receipt, submissionBookAbi, 'CanariesRevealed');
  const mask = ev.args.mask;
  const columns = maskColumns(mask);
  const all =
    columns.length === 0
      ? []
      : await ctx.publicClient.readContract({
          address: ctx.deployment.contracts.submissionBook,
          abi: submissionBookAbi,
          functionName: 'columns',
          args: [p.taskId, ev.args.epoch],
          blockNumber: receipt.blockNumber,
        });
  return {
    epoch: Number(ev.args.epoch),
    mask,
    columns,
    submissionIds: columns.map((i) => BigInt(all[i]!.submissionId)),
    receipt,
  };
}
