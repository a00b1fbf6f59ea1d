// Names the one segment of a disclosed transcript that the caller claims does not replay (SPEC 7
// step 3, 8.4), which opens the validators' vote on it. By the challenger or any validator of the
// task whose own stake counts in the current epoch, once the response is complete and until the
// dispute deadline. The caller is expected to have replayed the whole transcript first.
import type { Address, TransactionReceipt } from 'viem';
import { challengeModuleAbi } from '../abi.generated.ts';
import { receiptEvent } from '../receipt-events.ts';
import { formatChainTime } from '../tx/sentences.ts';
import { accountOf, ActionInputError, send, writeCall, type ActionContext } from './context.ts';
import { chainTime } from './chain-now.ts';
import { challengeModuleOf, readSubmission } from './read-challenges.ts';
import { readJurorWeight, requireChallenge } from './read-verdicts.ts';

export interface DisputeResult {
  disputer: Address;
  segment: number;
  /** Verdicts are committed until then (exclusive), revealed from then until `voteEnd` (inclusive). */
  commitEnd: bigint;
  voteEnd: bigint;
  receipt: TransactionReceipt;
}

export async function disputeSegment(
  ctx: ActionContext,
  p: { challengeId: bigint; segment: number },
): Promise<DisputeResult> {
  const c = await requireChallenge(ctx, p.challengeId);
  if (c.status !== 'answered')
    throw new ActionInputError(
      'challengeId',
      c.status === 'open'
        ? `Challenge ${p.challengeId} is still waiting for the accused's ownership proof and disclosure.`
        : `Challenge ${p.challengeId} is past its dispute window (${c.status}).`,
    );
  const me = accountOf(ctx);
  const [now, submission, weight] = await Promise.all([
    chainTime(ctx),
    readSubmission(ctx, c.taskId, c.submissionId),
    readJurorWeight(ctx, c.taskId, me),
  ]);
  if (now > c.disputeDeadline!)
    throw new ActionInputError(
      'challengeId',
      `The time to name a segment of this transcript ended at ${formatChainTime(c.disputeDeadline)}.`,
    );
  const k = submission!.transcript.segments;
  if (!Number.isSafeInteger(p.segment) || p.segment < 0 || p.segment >= k)
    throw new ActionInputError(
      'segment',
      `The transcript has ${k} segment${k === 1 ? '' : 's'}: name one from 0 to ${k - 1}.`,
    );
  if (c.challenger.toLowerCase() !== me.toLowerCase() && weight === 0n)
    throw new ActionInputError(
      'challengeId',
      'Only the challenger or a validator of this task whose own stake counts in the current epoch can dispute a segment.',
    );
  const receipt = await send(ctx, {
    kind: 'disputeSegment',
    label: `Dispute segment ${p.segment} of the transcript of challenge ${p.challengeId}`,
    summary: { challenge: String(p.challengeId), task: String(c.taskId), segment: `${p.segment} of ${k}` },
    call: writeCall(challengeModuleOf(ctx.deployment), challengeModuleAbi, 'dispute', [
      p.challengeId,
      BigInt(p.segment),
    ]),
  });
  const ev = receiptEvent(receipt, challengeModuleAbi, 'SegmentDisputed');
  return {
    disputer: ev.args.disputer,
    segment: Number(ev.args.segment),
    commitEnd: ev.args.commitEnd,
    voteEnd: ev.args.voteEnd,
    receipt,
  };
}
