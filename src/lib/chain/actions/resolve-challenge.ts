// Settles a challenge, by anyone, once its current stage is over (SPEC 7, 8.4):
// - unanswered at the deadline (ownership proof or disclosure missing): upheld, the trainer
//   forfeits its unvested rewards and the task's slash of its stake to the challenger, whose bond
//   comes back;
// - answered and nobody disputed a segment in time: cleared, the bond goes to the trainer;
// - disputed, after the vote: upheld if the revealed stake saying "does not replay" is a strict
//   majority (the forfeit goes to the challenger less the jury's share), else cleared (the bond
//   goes to the trainer less the jury's share when a majority said "replays"; whole on a tie or
//   without votes);
// - the trainer already forfeited in another challenge: voided at any time, the bond comes back.
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
      /** The trainer's booked rewards (own and its delegators') and slashed stake it forfeited. */
      rewards: bigint;
      slashed: bigint;
      /** Of the forfeit, kept for the majority jurors (0 without a vote). */
      juryShare: bigint;
      /** What the challenger received: its bond, and the forfeit less the jury's share. */
      toChallenger: bigint;
      receipt: TransactionReceipt;
    }
  | {
      outcome: 'cleared';
      trainer: Address;
      challenger: Address;
      bond: bigint;
      /** Of the bond, paid to the trainer. */
      toTrainer: bigint;
      /** Of the bond, kept for the majority jurors (0 without a majority). */
      juryShare: bigint;
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
      juryShare: a.juryShare,
      toChallenger: a.bond + a.rewards + a.slashed - a.juryShare,
      receipt,
    };
  }
  const cleared = findReceiptEvent(receipt, challengeModuleAbi, 'ChallengeCleared');
  if (cleared) {
    const a = cleared.args;
    return {
      outcome: 'cleared',
      trainer: a.trainer,
      challenger: a.challenger,
      bond: a.bond,
      toTrainer: a.toTrainer,
      juryShare: a.juryShare,
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
