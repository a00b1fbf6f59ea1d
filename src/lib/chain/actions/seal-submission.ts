// Seals a trained model in the current epoch's seal window (SPEC 2.2, 8.2): only the commitment
// keccak256(abi.encode(task, epoch, trainer, artifactHash, wmCommit, trajRoot, segments,
// startRoot, startLeaf, salt)) goes on chain.
import type { Hex, TransactionReceipt } from 'viem';
import { submissionBookAbi } from '../abi.generated.ts';
import { receiptEvent } from '../receipt-events.ts';
import { prepareSeal, type PreparedSeal } from '../prepare.ts';
import { windowAt } from '../schedule.ts';
import { ActionInputError, accountOf, send, writeCall, type ActionContext } from './context.ts';
import { chainTime, readSchedule } from './chain-now.ts';
import { shortHex } from '../../format.ts';
import type { TranscriptCommitment } from '../transcript-commit.ts';

export interface SealParams {
  taskId: bigint;
  artifactHash: Hex;
  wmCommit: Hex;
  /** The model's training transcript (SPEC 8.2); the reveal must carry the same. */
  transcript: TranscriptCommitment;
  salt: Hex;
  /** The epoch to seal in (default: the one the chain is in now). */
  epoch?: number;
}

export interface SealResult {
  epoch: number;
  commitment: Hex;
  /** The seal's place in line, for tie-breaks. */
  seq: bigint;
  receipt: TransactionReceipt;
}

/** Prepares the seal for the context's account (in the chain's current epoch unless given) and sends it. */
export async function sealSubmission(ctx: ActionContext, p: SealParams): Promise<SealResult> {
  const epoch = p.epoch ?? windowAt(await readSchedule(ctx, p.taskId), await chainTime(ctx)).epoch;
  return sendSeal(
    ctx,
    prepareSeal({
      taskId: p.taskId,
      epoch,
      trainer: accountOf(ctx),
      artifactHash: p.artifactHash,
      wmCommit: p.wmCommit,
      transcript: p.transcript,
      salt: p.salt,
    }),
  );
}

/**
 * Sends a prepared seal's commitment as it is (prepareSeal computed it; an agent stored it with
 * its salt). Refused when it was prepared for another account: it would never open for this one.
 */
export async function sendSeal(
  ctx: ActionContext,
  seal: Pick<PreparedSeal, 'taskId' | 'epoch' | 'trainer' | 'artifactHash' | 'commitment'>,
): Promise<SealResult> {
  if (seal.trainer.toLowerCase() !== accountOf(ctx).toLowerCase()) {
    throw new ActionInputError(
      'trainer',
      `This seal was prepared for ${seal.trainer}, not the connected account ${accountOf(ctx)}: its commitment would not open for this account.`,
    );
  }
  const { taskId, epoch, commitment } = seal;
  const receipt = await send(ctx, {
    kind: 'sealSubmission',
    label: `Seal a model in task ${taskId}, epoch ${epoch}`,
    summary: {
      task: String(taskId),
      epoch: String(epoch),
      artifact: shortHex(seal.artifactHash, 6),
      commitment: shortHex(commitment, 6),
    },
    call: writeCall(ctx.deployment.contracts.submissionBook, submissionBookAbi, 'sealSubmission', [taskId, commitment]),
  });
  const ev = receiptEvent(receipt, submissionBookAbi, 'SubmissionSealed');
  return { epoch: Number(ev.args.epoch), commitment, seq: ev.args.seq, receipt };
}
