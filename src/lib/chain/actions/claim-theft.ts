// An original owner proves that another trainer's submission carries the owner's address under
// the key the owner committed before that submission was sealed (SPEC 7): the submitter forfeits
// its unvested rewards and the task's slash of its stake to the owner. `prepareTheftClaim` says
// what to prove, and why no claim is possible, before the seconds of proving are spent.
import { parseEventLogs, type Address, type TransactionReceipt } from 'viem';
import { challengeModuleAbi } from '../abi.generated.ts';
import { endTime } from '../schedule.ts';
import { formatChainTime } from '../tx/sentences.ts';
import { accountOf, ActionInputError, send, writeCall, type ActionContext, type ReadContext } from './context.ts';
import { chainTime, readSchedule } from './chain-now.ts';
import { readPool } from './participants.ts';
import { challengeModuleOf, checkedProofWords, readSubmission, readTheftInputs, type ProofArgument, type ProofInputs, type SubmissionView } from './read-challenges.ts';
import { Role } from './task-params.ts';

export interface PreparedTheftClaim {
  submission: SubmissionView;
  inputs: ProofInputs;
}

/** Checks that `owner` may claim theft of the submission now; ActionInputError with the reason otherwise. */
export async function prepareTheftClaim(ctx: ReadContext, p: { taskId: bigint; submissionId: bigint; owner: Address }): Promise<PreparedTheftClaim> {
  challengeModuleOf(ctx.deployment);
  const submission = await readSubmission(ctx, p.taskId, p.submissionId);
  if (!submission) throw new ActionInputError('submissionId', `Task ${p.taskId} has no revealed submission ${p.submissionId}.`);
  if (submission.trainer.toLowerCase() === p.owner.toLowerCase()) throw new ActionInputError('submissionId', 'You cannot claim theft of your own submission.');
  const [pool, thief, schedule, now] = await Promise.all([
    readPool(ctx, p.taskId, p.owner),
    readPool(ctx, p.taskId, submission.trainer),
    readSchedule(ctx, p.taskId),
    chainTime(ctx),
  ]);
  if (pool.role !== Role.Trainer) throw new ActionInputError('owner', 'Only a trainer of this task, with a committed watermark key, can claim theft.');
  if (pool.keyBlock >= submission.sealBlock) {
    throw new ActionInputError(
      'owner',
      `Your watermark key was committed in block ${pool.keyBlock}, not before submission ${p.submissionId} was sealed in block ${submission.sealBlock}, so it cannot prove theft of it.`,
    );
  }
  if (thief.forfeited) throw new ActionInputError('submissionId', `The trainer of submission ${p.submissionId} has already forfeited everything it had in this task.`);
  const end = endTime(schedule);
  if (now >= end) throw new ActionInputError('taskId', `Theft claims closed with the challenge phase at ${formatChainTime(end)}.`);
  return { submission, inputs: await readTheftInputs(ctx, p) };
}

export interface ClaimTheftResult {
  thief: Address;
  /** Booked rewards (own and its delegators') and slashed stake, paid to the owner. */
  rewards: bigint;
  slashed: bigint;
  receipt: TransactionReceipt;
}

export async function claimTheft(ctx: ActionContext, p: { taskId: bigint; submissionId: bigint; proof: ProofArgument }): Promise<ClaimTheftResult> {
  const { inputs } = await prepareTheftClaim(ctx, { taskId: p.taskId, submissionId: p.submissionId, owner: accountOf(ctx) });
  const words = checkedProofWords(p.proof, inputs);
  const receipt = await send(ctx, {
    kind: 'claimTheft',
    label: `Claim theft of your model: submission ${p.submissionId} of task ${p.taskId}`,
    summary: { task: String(p.taskId), submission: String(p.submissionId) },
    call: writeCall(challengeModuleOf(ctx.deployment), challengeModuleAbi, 'claimTheft', [p.taskId, p.submissionId, words as never]),
  });
  const [ev] = parseEventLogs({ abi: challengeModuleAbi, eventName: 'TheftClaimed', logs: receipt.logs });
  return { thief: ev!.args.thief, rewards: ev!.args.rewards, slashed: ev!.args.slashed, receipt };
}
