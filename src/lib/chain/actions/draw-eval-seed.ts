// The per-epoch evaluation seed (SPEC 2.2, revision 2): drawn by anyone in the epoch's score
// commit window (from prevrandao and the previous block's hash), once; every validator then scores
// the subset evalSubset(seed, datasetSize, evalSubsetSize) picks (src/lib/protocol/eval-subset.ts).
// commitScores is refused on chain until the seed is drawn.
import { zeroHash, type Hex, type TransactionReceipt } from 'viem';
import { submissionBookAbi } from '../abi.generated.ts';
import { findReceiptEvent } from '../receipt-events.ts';
import { windowAt } from '../schedule.ts';
import { ActionInputError, send, writeCall, type ActionContext, type ReadContext } from './context.ts';
import { chainTime, readSchedule } from './chain-now.ts';

/** The seed of `epoch`, or null while it is not drawn. */
export async function readEvalSeed(ctx: ReadContext, p: { taskId: bigint; epoch: number }): Promise<Hex | null> {
  const seed = await ctx.publicClient.readContract({
    address: ctx.deployment.contracts.submissionBook,
    abi: submissionBookAbi,
    functionName: 'evalSeedOf',
    args: [p.taskId, BigInt(p.epoch)],
  });
  return seed === zeroHash ? null : seed;
}

export interface DrawEvalSeedResult {
  epoch: number;
  seed: Hex;
  /**
   * True when this call's transaction drew it. False when it was drawn already (nothing was sent)
   * or when another account's draw landed first (the transaction then only read it).
   */
  drew: boolean;
  /** The transaction, when one was sent. */
  receipt: TransactionReceipt | null;
}

/**
 * Draws the current epoch's evaluation seed, or returns it if it is drawn already (no
 * transaction then). Refused before sending outside the score commit window. Safe to race:
 * the contract returns the stored seed to a later draw instead of reverting.
 */
export async function drawEvalSeed(ctx: ActionContext, p: { taskId: bigint }): Promise<DrawEvalSeedResult> {
  const [schedule, now] = await Promise.all([readSchedule(ctx, p.taskId), chainTime(ctx)]);
  const { window, epoch } = windowAt(schedule, now);
  if (window !== 'ScoreCommit') {
    throw new ActionInputError(
      'taskId',
      `Task ${p.taskId} is ${window === 'None' ? 'in no window' : `in the ${window} window of epoch ${epoch}`} now: the evaluation seed is drawn in an epoch's score commit window, once the submissions are fixed.`,
    );
  }
  const drawn = await readEvalSeed(ctx, { taskId: p.taskId, epoch });
  if (drawn !== null) return { epoch, seed: drawn, drew: false, receipt: null };
  const receipt = await send(ctx, {
    kind: 'drawEvalSeed',
    label: `Draw the evaluation seed of task ${p.taskId}, epoch ${epoch}`,
    summary: { task: String(p.taskId), epoch: String(epoch) },
    call: writeCall(ctx.deployment.contracts.submissionBook, submissionBookAbi, 'drawEvalSeed', [p.taskId]),
  });
  const ev = findReceiptEvent(receipt, submissionBookAbi, 'EvalSeedDrawn');
  if (ev) return { epoch: Number(ev.args.epoch), seed: ev.args.seed, drew: true, receipt };
  // Another draw landed first in the same or an earlier block: ours read the stored seed.
  const seed = await ctx.publicClient.readContract({
    address: ctx.deployment.contracts.submissionBook,
    abi: submissionBookAbi,
    functionName: 'evalSeedOf',
    args: [p.taskId, BigInt(epoch)],
    blockNumber: receipt.blockNumber,
  });
  if (seed === zeroHash)
    throw new Error(`drawEvalSeed: no seed for task ${p.taskId} epoch ${epoch} after ${receipt.transactionHash}`);
  return { epoch, seed, drew: false, receipt };
}
