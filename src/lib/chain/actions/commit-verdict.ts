// A validator commits its verdict on a disputed segment (SPEC 8.4): whether the segment replays,
// hidden as verdictCommitment(challengeId, segment, juror, replays, salt) until the reveal half of
// the vote. Its weight is its own stake counted in the current epoch. The caller keeps the salt
// (prepareVerdict's result): without it the verdict cannot be revealed and counts nothing.
import type { Hex, TransactionReceipt } from 'viem';
import { challengeModuleAbi } from '../abi.generated.ts';
import { receiptEvent } from '../receipt-events.ts';
import { prepareVerdict, type PreparedVerdict } from '../prepare.ts';
import { formatChainTime } from '../tx/sentences.ts';
import { shortHex } from '../../format.ts';
import { accountOf, ActionInputError, send, tokens, writeCall, type ActionContext } from './context.ts';
import { chainTime } from './chain-now.ts';
import { challengeModuleOf } from './read-challenges.ts';
import { readJurorWeight, readVote, requireChallenge } from './read-verdicts.ts';

export interface CommitVerdictResult {
  /** What was committed, with its salt: keep it for revealVerdict. */
  verdict: PreparedVerdict;
  weight: bigint;
  receipt: TransactionReceipt;
}

export async function commitVerdict(
  ctx: ActionContext,
  p: { challengeId: bigint; replays: boolean; salt: Hex },
): Promise<CommitVerdictResult> {
  const c = await requireChallenge(ctx, p.challengeId);
  if (c.status !== 'disputed' || c.dispute === null)
    throw new ActionInputError('challengeId', `Challenge ${p.challengeId} has no vote running (${c.status}).`);
  const me = accountOf(ctx);
  const [now, weight, vote] = await Promise.all([
    chainTime(ctx),
    readJurorWeight(ctx, c.taskId, me),
    readVote(ctx, p.challengeId, me),
  ]);
  if (now >= c.dispute.commitEnd)
    throw new ActionInputError(
      'challengeId',
      `Verdicts on this dispute could be committed until ${formatChainTime(c.dispute.commitEnd)}.`,
    );
  if (weight === 0n)
    throw new ActionInputError(
      'challengeId',
      'Only a validator of this task whose own stake counts in the current epoch can vote; stake added this epoch counts from the next.',
    );
  if (BigInt(vote.commitment) !== 0n)
    throw new ActionInputError('challengeId', `You already committed a verdict on challenge ${p.challengeId}.`);
  const verdict = prepareVerdict({
    challengeId: p.challengeId,
    segment: c.dispute.segment,
    juror: me,
    replays: p.replays,
    salt: p.salt,
  });
  const receipt = await send(ctx, {
    kind: 'commitVerdict',
    label: `Commit your verdict on segment ${c.dispute.segment} of challenge ${p.challengeId}`,
    summary: {
      challenge: String(p.challengeId),
      segment: String(c.dispute.segment),
      weight: tokens(weight),
      commitment: shortHex(verdict.commitment, 6),
    },
    call: writeCall(challengeModuleOf(ctx.deployment), challengeModuleAbi, 'commitVerdict', [
      p.challengeId,
      verdict.commitment,
    ]),
  });
  const ev = receiptEvent(receipt, challengeModuleAbi, 'VerdictCommitted');
  return { verdict, weight: ev.args.weight, receipt };
}
