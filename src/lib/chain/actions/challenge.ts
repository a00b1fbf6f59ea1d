// A validator challenges a revealed submission (SPEC 2.4, 7), posting the task's bond: with an
// EIP-2612 permit when the token supports it (one signature and one transaction), else approve.
import { parseEventLogs, type Address, type TransactionReceipt } from 'viem';
import { challengeModuleAbi, taskRegistryAbi } from '../abi.generated.ts';
import { ActionInputError, send, tokens, writeCall, type ActionContext } from './context.ts';
import { authorizeSpend, NO_PERMIT, type PermitSig } from './permit.ts';
import { challengeModuleOf } from './read-challenges.ts';

export interface ChallengeResult {
  challengeId: bigint;
  trainer: Address;
  bond: bigint;
  /** The accused may answer until then (inclusive); after it anyone may resolve. */
  deadline: bigint;
  receipt: TransactionReceipt;
}

export async function challenge(ctx: ActionContext, p: { taskId: bigint; submissionId: bigint }): Promise<ChallengeResult> {
  if (p.submissionId < 0n) throw new ActionInputError('submissionId', 'A submission id is a whole number from 0.');
  const module = challengeModuleOf(ctx.deployment);
  const { bond } = await ctx.publicClient.readContract({
    address: ctx.deployment.contracts.taskRegistry,
    abi: taskRegistryAbi,
    functionName: 'challengeParams',
    args: [p.taskId],
  });
  const call = (sig: PermitSig | null) =>
    sig === null
      ? writeCall(module, challengeModuleAbi, 'challenge', [p.taskId, p.submissionId])
      : writeCall(module, challengeModuleAbi, 'challengeWithPermit', [p.taskId, p.submissionId, sig]);
  // A zero bond moves nothing: no allowance to ask for.
  const auth = bond > 0n ? await authorizeSpend(ctx, { spender: module, amount: bond, precheck: call(NO_PERMIT) }) : ({ kind: 'allowance' } as const);
  const receipt = await send(ctx, {
    kind: 'challenge',
    label: `Challenge submission ${p.submissionId} of task ${p.taskId} with a bond of ${tokens(bond)}`,
    summary: { task: String(p.taskId), submission: String(p.submissionId), bond: tokens(bond) },
    call: call(auth.kind === 'permit' ? auth.sig : null),
  });
  const [ev] = parseEventLogs({ abi: challengeModuleAbi, eventName: 'ChallengeOpened', logs: receipt.logs });
  return { challengeId: ev!.args.challengeId, trainer: ev!.args.trainer, bond: ev!.args.bond, deadline: ev!.args.deadline, receipt };
}
