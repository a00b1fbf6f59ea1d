// Opens the caller's seal in the reveal window: the artifact becomes scoreable (and fetchable, by
// the root published next to its hash), and the chain records the training transcript the seal
// committed to (SPEC 8.2).
import type { Hex, TransactionReceipt } from 'viem';
import { submissionBookAbi } from '../abi.generated.ts';
import { receiptEvent } from '../receipt-events.ts';
import { shortHex } from '../../format.ts';
import { ActionInputError, send, writeCall, type ActionContext } from './context.ts';
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
  p: {
    taskId: bigint;
    artifactHash: Hex;
    /**
     * Where the artifact is: the sha2-256 digest of its UnixFS root CID (storage/unixfs/ref.ts
     * `rootOfCid`); `artifactHash` for a file of one chunk. Not sealed: a locator.
     */
    artifactRoot: Hex;
    wmCommit: Hex;
    transcript: TranscriptCommitment;
    salt: Hex;
  },
): Promise<RevealSubmissionResult> {
  // The contract refuses it too (EmptyArtifactRoot); said here before a wallet is asked to sign.
  if (/^0x0{64}$/.test(p.artifactRoot))
    throw new ActionInputError(
      'artifactRoot',
      'The artifact root is empty: reveal with the root CID of your uploaded artifact (the store answers it), so validators can fetch it.',
    );
  const receipt = await send(ctx, {
    kind: 'revealSubmission',
    label: `Reveal your model in task ${p.taskId}`,
    summary: { task: String(p.taskId), artifact: shortHex(p.artifactHash, 6) },
    call: writeCall(ctx.deployment.contracts.submissionBook, submissionBookAbi, 'revealSubmission', [
      p.taskId,
      p.artifactHash,
      p.artifactRoot,
      p.wmCommit,
      p.transcript,
      p.salt,
    ]),
  });
  const ev = receiptEvent(receipt, submissionBookAbi, 'SubmissionRevealed');
  return { epoch: Number(ev.args.epoch), submissionId: ev.args.submissionId, duplicate: ev.args.duplicate, receipt };
}
