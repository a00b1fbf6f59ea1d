// The accused answers a challenge with a Groth16 proof that the challenged submission carries its
// address under the key it committed when joining (SPEC 7). The submission becomes proven (no
// challenge can fail it any more) and the bond goes BACK TO THE CHALLENGER: a key can be fitted to
// any public model, so a proof is necessary, not sufficient, and until the learning stage of SPEC
// section 8 exists nobody wins the bond. `prepareResponse` says what to prove, and why it cannot
// be answered, before the seconds of proving are spent.
import type { Address, TransactionReceipt } from 'viem';
import { challengeModuleAbi } from '../abi.generated.ts';
import { receiptEvent } from '../receipt-events.ts';
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
  type SubmissionView,
} from './read-challenges.ts';

export interface PreparedResponse {
  challenge: NonNullable<Awaited<ReturnType<typeof readChallenge>>>;
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
    throw new ActionInputError('challengeId', `Challenge ${p.challengeId} is already settled (${stored.status}).`);
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
  /** Who opened the challenge: the bond went back to it. */
  challenger: Address;
  /** The bond, returned to the challenger (not paid to the trainer). */
  bond: bigint;
  /** The outcome in words, for the UI. */
  outcome: string;
  receipt: TransactionReceipt;
}

/** What an answered challenge means (ChallengeModule.respond, revision 2). */
export const ANSWER_OUTCOME =
  'The submission is proven: no challenge can fail it any more. The bond went back to the challenger: an ownership proof is necessary but not sufficient (a watermark key can be fitted to any public model), so nobody wins the bond until the learning stage of the protocol exists.';

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
      bond: `${tokens(challenge.bond)}, returned to the challenger`,
    },
    call: writeCall(challengeModuleOf(ctx.deployment), challengeModuleAbi, 'respond', [p.challengeId, words as never]),
  });
  const ev = receiptEvent(receipt, challengeModuleAbi, 'ChallengeAnswered');
  return {
    trainer: ev.args.trainer,
    challenger: ev.args.challenger,
    bond: ev.args.bond,
    outcome: ANSWER_OUTCOME,
    receipt,
  };
}
