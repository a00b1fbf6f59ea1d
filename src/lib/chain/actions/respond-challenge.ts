// The accused posts the first half of its answer to a challenge (SPEC 7 step 1): a Groth16 proof
// that the challenged submission carries its address under the key it committed when joining. A
// proof is necessary, not sufficient (a key can be fitted to any public model): the accused must
// also disclose the submission's training transcript (disclose-transcript.ts) before the same
// deadline. With both in, in either order, the response is complete and the dispute window opens.
// `prepareResponse` says what to prove, and why it cannot be answered, before the seconds of
// proving are spent.
import type { Address, TransactionReceipt } from 'viem';
import { challengeModuleAbi } from '../abi.generated.ts';
import { findReceiptEvent, receiptEvent } from '../receipt-events.ts';
import { formatChainTime } from '../tx/sentences.ts';
import {
  accountOf,
  ActionInputError,
  send,
  tokens,
  writeCall,
  type ActionContext,
  type ReadContext,
} from './context.ts';
import { chainTime } from './chain-now.ts';
import { readPool } from './participants.ts';
import {
  challengeModuleOf,
  checkedProofWords,
  readChallenge,
  readResponseInputs,
  readSubmission,
  type ProofArgument,
  type ProofInputs,
  type StoredChallenge,
  type SubmissionView,
} from './read-challenges.ts';

export interface PreparedResponse {
  challenge: StoredChallenge;
  submission: SubmissionView;
  /** The claim the proof must carry: the submission's wmCommit, the accused's keyCommit and address, the module's maxErr. */
  inputs: ProofInputs;
}

/** Checks that `account` can answer `challengeId` now; ActionInputError with the reason otherwise. */
export async function prepareResponse(
  ctx: ReadContext,
  p: { challengeId: bigint; account: Address },
): Promise<PreparedResponse> {
  challengeModuleOf(ctx.deployment);
  const stored = await readChallenge(ctx, p.challengeId);
  if (!stored) throw new ActionInputError('challengeId', `Challenge ${p.challengeId} does not exist.`);
  if (stored.status !== 'open')
    throw new ActionInputError(
      'challengeId',
      `Challenge ${p.challengeId} is no longer waiting for an answer (${stored.status}).`,
    );
  if (stored.proven)
    throw new ActionInputError('challengeId', `The ownership proof of challenge ${p.challengeId} was already posted.`);
  if (stored.trainer.toLowerCase() !== p.account.toLowerCase()) {
    throw new ActionInputError(
      'challengeId',
      `Challenge ${p.challengeId} is against ${stored.trainer}, not this account: only the accused can answer it.`,
    );
  }
  const [now, pool, submission, inputs] = await Promise.all([
    chainTime(ctx),
    readPool(ctx, stored.taskId, stored.trainer),
    readSubmission(ctx, stored.taskId, stored.submissionId),
    readResponseInputs(ctx, p.challengeId),
  ]);
  if (now > stored.deadline)
    throw new ActionInputError(
      'challengeId',
      `The time to answer challenge ${p.challengeId} ended at ${formatChainTime(stored.deadline)}.`,
    );
  if (pool.forfeited)
    throw new ActionInputError(
      'challengeId',
      'This account already forfeited its rewards in the task; its challenges are void and cannot be answered.',
    );
  return { challenge: stored, submission: submission!, inputs };
}

export interface RespondResult {
  trainer: Address;
  /** The disclosure was already in: the response is complete, and a segment may be disputed until `disputeDeadline`. */
  answered: boolean;
  disputeDeadline: bigint | null;
  /** The outcome in words, for the UI. */
  outcome: string;
  receipt: TransactionReceipt;
}

/** What a posted ownership proof means (ChallengeModule.respond, SPEC 7 and 8.4). */
export const ANSWER_OUTCOME =
  'The ownership proof is recorded. It is necessary but not sufficient (a watermark key can be fitted to any public model): the challenge is answered once the training transcript is disclosed too, before the same deadline. Validators may then name a segment that does not replay and vote on it; if nobody does in time, the bond goes to you.';

export async function respondChallenge(
  ctx: ActionContext,
  p: { challengeId: bigint; proof: ProofArgument },
): Promise<RespondResult> {
  const { challenge, inputs } = await prepareResponse(ctx, { challengeId: p.challengeId, account: accountOf(ctx) });
  const words = checkedProofWords(p.proof, inputs);
  const receipt = await send(ctx, {
    kind: 'respondChallenge',
    label: `Answer challenge ${p.challengeId} with an ownership proof`,
    summary: {
      challenge: String(p.challengeId),
      task: String(challenge.taskId),
      submission: String(challenge.submissionId),
      bond: `${tokens(challenge.bond)} at stake: yours if the challenge is cleared`,
    },
    call: writeCall(challengeModuleOf(ctx.deployment), challengeModuleAbi, 'respond', [p.challengeId, words as never]),
  });
  const ev = receiptEvent(receipt, challengeModuleAbi, 'OwnershipProven');
  const answered = findReceiptEvent(receipt, challengeModuleAbi, 'ChallengeAnswered');
  return {
    trainer: ev.args.trainer,
    answered: answered !== undefined,
    disputeDeadline: answered?.args.disputeDeadline ?? null,
    outcome: ANSWER_OUTCOME,
    receipt,
  };
}
