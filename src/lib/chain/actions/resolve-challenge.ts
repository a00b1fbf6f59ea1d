// Settles an unanswered challenge, by anyone: after its deadline the trainer forfeits its unvested
// rewards and the task's slash of its stake to the challenger (Upheld); once the trainer has
// already forfeited, or the submission is proven (a proven submission is never failed), the
// challenge is void and the bond returns (Voided). Either way the challenger gets its bond back.
import type { Address, TransactionReceipt } from 'viem';
import { challengeModuleAbi } from '../abi.generated.ts';
import { findReceiptEvent, receiptEvent } from '../receipt-events.ts';
import { send, writeCall, type ActionContext } from './context.ts';
import { challengeModuleOf } from './read-challenges.ts';

export type ResolveResult =
  | {
      outcome: 'upheld';
      trainer: Address;
      challenger: Address;
      /** Returned to the challenger. */
      bond: bigint;
      /** The trainer's booked rewards (own and its delegators') and slashed stake, paid to the challenger. */
      rewards: bigint;
      slashed: bigint;
      receipt: TransactionReceipt;
    }
  | { outcome: 'voided'; trainer: Address; challenger: Address; bond: bigint; receipt: TransactionReceipt };

export async function resolveChallenge(ctx: ActionContext, p: { challengeId: bigint }): Promise<ResolveResult> {
  const receipt = await send(ctx, {
    kind: 'resolveChallenge',
    label: `Resolve challenge ${p.challengeId}`,
    summary: { challenge: String(p.challengeId) },
    call: writeCall(challengeModuleOf(ctx.deployment), challengeModuleAbi, 'resolve', [p.challengeId]),
  });
  const upheld = findReceiptEvent(receipt, challengeModuleAbi, 'ChallengeUpheld');
  if (upheld) {
    const a = upheld.args;
    return {
      outcome: 'upheld',
      trainer: a.trainer,
      challenger: a.challenger,
      bond: a.bond,
      rewards: a.rewards,
      slashed: a.slashed,
      receipt,
    };
  }
  const voided = receiptEvent(receipt, challengeModuleAbi, 'ChallengeVoided');
  return {
    outcome: 'voided',
    trainer: voided.args.trainer,
    challenger: voided.args.challenger,
    bond: voided.args.bond,
    receipt,
  };
}
