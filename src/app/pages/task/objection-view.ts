// The review's objections in words (SPEC 2.1, revision 2): objection tokens stay locked until the
// review period ends, also when the task is rejected earlier, so a rejection costs the objectors
// their capital for the whole review (a flash loan cannot reject a task for free). Pure.
import { formatTokens } from '../../../lib/format.ts';
import { formatChainTime } from '../../../lib/chain/tx/sentences.ts';

export interface ObjectionRead {
  amount: bigint;
  unlocksAt: bigint;
}

/** The account's objection and when it can be withdrawn, or null when it has none. */
export function objectionText(
  o: ObjectionRead,
  now: bigint,
  rejected: boolean,
): { text: string; withdrawable: boolean } | null {
  if (o.amount === 0n) return null;
  const amount = `${formatTokens(o.amount)} ARENA`;
  if (now >= o.unlocksAt)
    return {
      text: `Your objection of ${amount} can be withdrawn: the review ended at ${formatChainTime(o.unlocksAt)}.`,
      withdrawable: true,
    };
  return {
    text: `Your objection of ${amount} is locked until the review ends at ${formatChainTime(o.unlocksAt)}${rejected ? ', even though the task is already rejected' : ''}: a rejection must cost the objectors their capital for the whole review period.`,
    withdrawable: false,
  };
}

/** What objecting means, before anyone locks tokens. */
export function objectionRules(p: { reviewEnd: bigint; rejectQuorum: bigint; objections: bigint }): string {
  return `Any token holder may lock tokens against this task while it is under review. If the objections reach ${formatTokens(p.rejectQuorum)} ARENA (${formatTokens(p.objections)} so far), the task is rejected and its deposit goes back to its creator. Objection tokens stay locked until the review ends at ${formatChainTime(p.reviewEnd)}, also if the task is rejected earlier.`;
}
