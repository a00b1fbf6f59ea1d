// A validator challenges a revealed submission (SPEC 2.4, 7), posting the task's bond: with an
// EIP-2612 permit when the token supports it (one signature and one transaction), else approve.
// A submission has at most one unsettled challenge: a second one is refused here before any
// signature (the module refuses it too).
import type { Address, TransactionReceipt } from 'viem';
import { challengeModuleAbi, taskRegistryAbi } from '../abi.generated.ts';
import { receiptEvent } from '../receipt-events.ts';
import { ActionInputError, send, tokens, writeCall, type ActionContext } from './context.ts';
import { authorizeSpend, NO_PERMIT, type PermitSig } from './permit.ts';
import { challengeModuleOf, readSubmission } from './read-challenges.ts';

export interface ChallengeResult {
  challengeId: bigint;
  trainer: Address;
  bond: bigint;
  /** The accused may answer until then (inclusive); after it anyone may resolve. */
  deadline: bigint;
  receipt: TransactionReceipt;
}

/**
 * What a challenger can expect, in words (SPEC 7 and 8.4): the trainer must post an ownership proof
 * and disclose its training transcript in time; then a segment may be disputed and voted on.
 */
export const CHALLENGE_OUTCOMES =
  "The trainer must post both an ownership proof and its training transcript before the deadline; if either is missing, anyone can resolve the challenge: the trainer forfeits its unvested rewards and part of its stake to you, and your bond comes back. If it answers, you (or any validator) may name one segment of the transcript that does not replay within the dispute time, and the task's validators vote on it: a majority for 'does not replay' fails the trainer as above (less the jury's share); otherwise, or if nobody names a segment in time, your bond goes to the trainer (less the jury's share when a majority voted).";

export async function challenge(
  ctx: ActionContext,
  p: { taskId: bigint; submissionId: bigint },
): Promise<ChallengeResult> {
  if (p.submissionId < 0n) throw new ActionInputError('submissionId', 'A submission id is a whole number from 0.');
  const module = challengeModuleOf(ctx.deployment);
  const [submission, { bond }] = await Promise.all([
    readSubmission(ctx, p.taskId, p.submissionId),
    ctx.publicClient.readContract({
      address: ctx.deployment.contracts.taskRegistry,
      abi: taskRegistryAbi,
      functionName: 'challengeParams',
      args: [p.taskId],
    }),
  ]);
  if (submission === null) {
    throw new ActionInputError(
      'submissionId',
      `Task ${p.taskId} has no submission ${p.submissionId}: only revealed submissions can be challenged.`,
    );
  }
  if (submission.openChallengeId !== null) {
    throw new ActionInputError(
      'submissionId',
      `Challenge ${submission.openChallengeId} of submission ${p.submissionId} is still open; a submission has at most one open challenge at a time. Wait for its outcome.`,
    );
  }
  const call = (sig: PermitSig | null) =>
    sig === null
      ? writeCall(module, challengeModuleAbi, 'challenge', [p.taskId, p.submissionId])
      : writeCall(module, challengeModuleAbi, 'challengeWithPermit', [p.taskId, p.submissionId, sig]);
  const auth = await authorizeSpend(ctx, { spender: module, amount: bond, precheck: call(NO_PERMIT) });
  const receipt = await send(ctx, {
    kind: 'challenge',
    label: `Challenge submission ${p.submissionId} of task ${p.taskId} with a bond of ${tokens(bond)}`,
    summary: {
      task: String(p.taskId),
      submission: String(p.submissionId),
      bond: tokens(bond),
      outcome: 'bond back if the trainer fails; to the trainer if it passes',
    },
    call: call(auth.kind === 'permit' ? auth.sig : null),
  });
  const ev = receiptEvent(receipt, challengeModuleAbi, 'ChallengeOpened');
  return {
    challengeId: ev.args.challengeId,
    trainer: ev.args.trainer,
    bond: ev.args.bond,
    deadline: ev.args.deadline,
    receipt,
  };
}
