// Opens the caller's seal in the reveal window: the artifact becomes scoreable (and fetchable),
// and the chain records the training transcript the seal committed to (SPEC 8.2).
import type { Hex, TransactionReceipt } from 'viem';
import { submissionBookAbi } from '../abi.generated.ts';
import { receiptEvent } from '../receipt-events.ts';
import { shortHex } from '../../format.ts';
import { send, writeCall, type ActionContext } from './context.ts';
import type { TranscriptCommitment } from '../transcript-commit.ts';

export interface RevealSubmissionResult {
  epoch: number;
  submissionId: bigint;
  /** A byte-identical copy of another trainer's earlier-sealed artifact: scored 0. */
  duplicate: boolean;
  receipt: TransactionReceipt;
}

export async function revealSubmission(
  ctx: ActionContext,
  p: { taskId: bigint; artifactHash: Hex; wmCommit: Hex; transcript: TranscriptCommitment; salt: Hex },
): Promise<RevealSubmissionResult> {
  const receipt = await send(ctx, {
    kind: 'revealSubmission',
    label: `Reveal your model in task ${p.taskId}`,
    summary: { task: String(p.taskId), artifact: shortHex(p.artifactHash, 6) },
    call: writeCall(ctx.deployment.contracts.submissionBook, submissionBookAbi, 'revealSubmission', [
      p.taskId,
      p.artifactHash,
      p.wmCommit,
      p.transcript,
      p.salt,
    ]),
  });
  const ev = receiptEvent(receipt, submissionBookAbi, 'SubmissionRevealed');
  return { epoch: Number(ev.args.epoch), submissionId: ev.args.submissionId, duplicate: ev.args.duplicate, receipt };
}
