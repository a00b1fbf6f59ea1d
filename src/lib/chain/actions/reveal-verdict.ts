// Reveals a committed verdict in the second half of the vote (SPEC 8.4). Checked here against the
// commitment on chain first, so a wrong salt or verdict is named before any transaction. It counts
// with the smaller of the juror's stake at the commit and now.
import type { Hex, TransactionReceipt } from 'viem';
import { challengeModuleAbi } from '../abi.generated.ts';
import { verdictCommitment } from '../commitments.ts';
import { receiptEvent } from '../receipt-events.ts';
import { formatChainTime } from '../tx/sentences.ts';
import { accountOf, ActionInputError, send, tokens, writeCall, type ActionContext } from './context.ts';
import { chainTime } from './chain-now.ts';
import { challengeModuleOf } from './read-challenges.ts';
import { readVote, requireChallenge, type VerdictName } from './read-verdicts.ts';

export interface RevealVerdictResult {
  verdict: VerdictName;
  /** What the verdict weighs in the tally. */
  weight: bigint;
  receipt: TransactionReceipt;
}

export async function revealVerdict(
  ctx: ActionContext,
  p: { challengeId: bigint; replays: boolean; salt: Hex },
): Promise<RevealVerdictResult> {
  const c = await requireChallenge(ctx, p.challengeId);
  if (c.status !== 'disputed' || c.dispute === null)
    throw new ActionInputError('challengeId', `Challenge ${p.challengeId} has no vote running (${c.status}).`);
  const me = accountOf(ctx);
  const [now, vote] = await Promise.all([chainTime(ctx), readVote(ctx, p.challengeId, me)]);
  if (now < c.dispute.commitEnd)
    throw new ActionInputError(
      'challengeId',
      `Verdicts are revealed from ${formatChainTime(c.dispute.commitEnd)}, once the commit half of the vote is over.`,
    );
  if (now > c.dispute.voteEnd)
    throw new ActionInputError(
      'challengeId',
      `The vote on this dispute ended at ${formatChainTime(c.dispute.voteEnd)}.`,
    );
  if (BigInt(vote.commitment) === 0n)
    throw new ActionInputError('challengeId', `You did not commit a verdict on challenge ${p.challengeId}.`);
  if (vote.verdict !== null)
    throw new ActionInputError('challengeId', `You already revealed your verdict on challenge ${p.challengeId}.`);
  const mine = verdictCommitment(p.challengeId, c.dispute.segment, me, p.replays, p.salt);
  if (mine.toLowerCase() !== vote.commitment.toLowerCase())
    throw new ActionInputError(
      'salt',
      'This verdict and salt do not open your commitment: reveal the verdict you committed, with its salt.',
    );
  const receipt = await send(ctx, {
    kind: 'revealVerdict',
    label: `Reveal your verdict on challenge ${p.challengeId}`,
    summary: {
      challenge: String(p.challengeId),
      verdict: p.replays ? 'the segment replays' : 'the segment does not replay',
      weight: tokens(vote.weight),
    },
    call: writeCall(challengeModuleOf(ctx.deployment), challengeModuleAbi, 'revealVerdict', [
      p.challengeId,
      p.replays,
      p.salt,
    ]),
  });
  const ev = receiptEvent(receipt, challengeModuleAbi, 'VerdictRevealed');
  return { verdict: ev.args.replays ? 'replays' : 'does-not-replay', weight: ev.args.weight, receipt };
}
