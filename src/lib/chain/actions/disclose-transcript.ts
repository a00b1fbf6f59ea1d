// The accused discloses the challenged submission's training transcript (SPEC 7 step 2, 8.4): the
// content address (sha256) of the manifest that lists every state of the transcript and the
// watermark key and salt, uploaded to the artifact store first. Together with the ownership proof
// (respond-challenge.ts), in either order and both before the deadline, it completes the
// response; the dispute window opens then. Once posted it cannot be replaced.
import { zeroHash, type Hex, type TransactionReceipt } from 'viem';
import { challengeModuleAbi } from '../abi.generated.ts';
import { findReceiptEvent, receiptEvent } from '../receipt-events.ts';
import { formatChainTime } from '../tx/sentences.ts';
import { shortHex } from '../../format.ts';
import { accountOf, ActionInputError, send, writeCall, type ActionContext } from './context.ts';
import { chainTime } from './chain-now.ts';
import { readPool } from './participants.ts';
import { challengeModuleOf } from './read-challenges.ts';
import { requireChallenge } from './read-verdicts.ts';

export interface DiscloseResult {
  manifest: Hex;
  /** The ownership proof was already in: the response is complete and a segment may be disputed until `disputeDeadline`. */
  answered: boolean;
  disputeDeadline: bigint | null;
  receipt: TransactionReceipt;
}

const BYTES32 = /^0x[0-9a-fA-F]{64}$/;

export async function discloseTranscript(
  ctx: ActionContext,
  p: { challengeId: bigint; manifest: Hex },
): Promise<DiscloseResult> {
  if (!BYTES32.test(p.manifest) || p.manifest === zeroHash)
    throw new ActionInputError(
      'manifest',
      "The disclosure is the transcript manifest's content address: a non-zero 32-byte sha256.",
    );
  const c = await requireChallenge(ctx, p.challengeId);
  const me = accountOf(ctx);
  if (c.trainer.toLowerCase() !== me.toLowerCase())
    throw new ActionInputError(
      'challengeId',
      `Challenge ${p.challengeId} is against ${c.trainer}, not this account: only the accused discloses.`,
    );
  if (c.status !== 'open')
    throw new ActionInputError(
      'challengeId',
      `Challenge ${p.challengeId} is no longer waiting for an answer (${c.status}).`,
    );
  if (c.disclosure !== null)
    throw new ActionInputError(
      'challengeId',
      `The transcript of challenge ${p.challengeId} was already disclosed (${shortHex(c.disclosure)}); it cannot be replaced.`,
    );
  const [now, pool] = await Promise.all([chainTime(ctx), readPool(ctx, c.taskId, c.trainer)]);
  if (now > c.deadline)
    throw new ActionInputError(
      'challengeId',
      `The time to answer challenge ${p.challengeId} ended at ${formatChainTime(c.deadline)}.`,
    );
  if (pool.forfeited)
    throw new ActionInputError(
      'challengeId',
      'This account already forfeited its rewards in the task; its challenges are void and cannot be answered.',
    );
  const receipt = await send(ctx, {
    kind: 'discloseTranscript',
    label: `Disclose the training transcript for challenge ${p.challengeId}`,
    summary: { challenge: String(p.challengeId), task: String(c.taskId), manifest: shortHex(p.manifest, 6) },
    call: writeCall(challengeModuleOf(ctx.deployment), challengeModuleAbi, 'disclose', [p.challengeId, p.manifest]),
  });
  receiptEvent(receipt, challengeModuleAbi, 'TranscriptDisclosed');
  const answered = findReceiptEvent(receipt, challengeModuleAbi, 'ChallengeAnswered');
  return {
    manifest: p.manifest,
    answered: answered !== undefined,
    disputeDeadline: answered?.args.disputeDeadline ?? null,
    receipt,
  };
}
