// A juror on the majority side of a settled vote takes its share of the jury's pot (SPEC 8.4):
// juryBps of the losing side's stake, pro rata to the jurors' weights; the last claimant takes
// what rounding left.
import type { TransactionReceipt } from 'viem';
import { challengeModuleAbi } from '../abi.generated.ts';
import { receiptEvent } from '../receipt-events.ts';
import { accountOf, ActionInputError, send, tokens, writeCall, type ActionContext } from './context.ts';
import { challengeModuleOf } from './read-challenges.ts';
import { readJuryShare, readTally, readVote } from './read-verdicts.ts';

export async function claimJuryShare(
  ctx: ActionContext,
  p: { challengeId: bigint },
): Promise<{ amount: bigint; receipt: TransactionReceipt }> {
  const me = accountOf(ctx);
  const [tally, vote, share] = await Promise.all([
    readTally(ctx, p.challengeId),
    readVote(ctx, p.challengeId, me),
    readJuryShare(ctx, p.challengeId, me),
  ]);
  if (tally.majority === null)
    throw new ActionInputError(
      'challengeId',
      `Challenge ${p.challengeId} was not settled by a vote with a majority, so no jury is paid.`,
    );
  if (vote.verdict !== tally.majority)
    throw new ActionInputError(
      'challengeId',
      "Only validators who revealed the majority's verdict share the jury's pot.",
    );
  if (vote.claimed)
    throw new ActionInputError('challengeId', `You already took your share of challenge ${p.challengeId}'s jury pot.`);
  const receipt = await send(ctx, {
    kind: 'claimJuryShare',
    label: `Claim your jury share of challenge ${p.challengeId}`,
    summary: { challenge: String(p.challengeId), share: tokens(share) },
    call: writeCall(challengeModuleOf(ctx.deployment), challengeModuleAbi, 'claimJuryShare', [p.challengeId]),
  });
  const ev = receiptEvent(receipt, challengeModuleAbi, 'JuryPaid');
  return { amount: ev.args.amount, receipt };
}
