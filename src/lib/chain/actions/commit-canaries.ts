// The task creator commits an epoch's canary key before the epoch starts (docs/contracts.md,
// "Canaries"; docs/canaries.md): only keccak256(abi.encode(canaryKey)) goes on chain, so nobody
// can tell which seals the key salts until it is revealed in the epoch's score-reveal window.
// Every refusal the contract would make is checked first, with a sentence that says why.
import { getAddress, zeroHash, type Address, type Hex, type TransactionReceipt } from 'viem';
import { submissionBookAbi, taskRegistryAbi } from '../abi.generated.ts';
import { receiptEvent } from '../receipt-events.ts';
import { epochStart, scoringEpochs } from '../schedule.ts';
import { shortHex } from '../../format.ts';
import { formatChainTime } from '../tx/sentences.ts';
import { ActionInputError, accountOf, send, writeCall, type ActionContext, type ReadContext } from './context.ts';
import { chainTime, readSchedule } from './chain-now.ts';

/** The creator of `taskId` (TaskRegistry.creatorOf). */
export async function readTaskCreator(ctx: ReadContext, taskId: bigint): Promise<Address> {
  return getAddress(
    await ctx.publicClient.readContract({
      address: ctx.deployment.contracts.taskRegistry,
      abi: taskRegistryAbi,
      functionName: 'creatorOf',
      args: [taskId],
    }),
  );
}

/** The key commitment recorded for `epoch`, or null if none. */
export async function readCanaryCommit(ctx: ReadContext, p: { taskId: bigint; epoch: number }): Promise<Hex | null> {
  const hash = await ctx.publicClient.readContract({
    address: ctx.deployment.contracts.submissionBook,
    abi: submissionBookAbi,
    functionName: 'canaryCommitOf',
    args: [p.taskId, BigInt(p.epoch)],
  });
  return hash === zeroHash ? null : hash;
}

/** Refuses (ActionInputError) unless the context's account created `taskId`. */
export async function requireCreator(ctx: ActionContext, taskId: bigint): Promise<void> {
  const creator = await readTaskCreator(ctx, taskId);
  const me = accountOf(ctx);
  if (creator.toLowerCase() !== me.toLowerCase()) {
    throw new ActionInputError(
      'taskId',
      `Task ${taskId} was created by ${creator}; only its creator commits and reveals its canaries, and this account is ${me}.`,
    );
  }
}

export interface CommitCanariesResult {
  epoch: number;
  keyHash: Hex;
  /** The commitment this one replaced (a creator may replace it until the epoch starts). */
  replaced: Hex | null;
  receipt: TransactionReceipt;
}

/**
 * Commits `keyHash` = keccak256(abi.encode(canaryKey)) (see canaryKeyHash) for `epoch`: only the
 * creator, only a scoring epoch, only before it starts. A commitment equal to the recorded one is
 * sent anyway (it costs gas and changes nothing): callers that retry compare first.
 */
export async function commitCanaries(
  ctx: ActionContext,
  p: { taskId: bigint; epoch: number; keyHash: Hex },
): Promise<CommitCanariesResult> {
  if (!/^0x[0-9a-fA-F]{64}$/.test(p.keyHash) || p.keyHash === zeroHash) {
    throw new ActionInputError(
      'keyHash',
      'The canary commitment must be a non-zero 32-byte hash: keccak256(abi.encode(canaryKey)).',
    );
  }
  if (!Number.isSafeInteger(p.epoch) || p.epoch < 0)
    throw new ActionInputError('epoch', `The epoch must be a whole number from 0, got ${p.epoch}.`);
  const [schedule, now] = await Promise.all([
    readSchedule(ctx, p.taskId),
    chainTime(ctx),
    requireCreator(ctx, p.taskId),
  ]);
  const scoring = scoringEpochs(schedule);
  if (p.epoch >= scoring) {
    throw new ActionInputError(
      'epoch',
      `Task ${p.taskId} has ${scoring} scoring epoch${scoring === 1 ? '' : 's'} (0 to ${scoring - 1}); epoch ${p.epoch} is not one of them.`,
    );
  }
  const starts = epochStart(schedule, p.epoch);
  if (now >= starts) {
    throw new ActionInputError(
      'epoch',
      `Epoch ${p.epoch} of task ${p.taskId} started at ${formatChainTime(starts)}: its canaries had to be committed before it started.`,
    );
  }
  const replaced = await readCanaryCommit(ctx, p);
  const receipt = await send(ctx, {
    kind: 'commitCanaries',
    label: `Commit the canary key of task ${p.taskId}, epoch ${p.epoch}`,
    summary: { task: String(p.taskId), epoch: String(p.epoch), commitment: shortHex(p.keyHash, 6) },
    call: writeCall(ctx.deployment.contracts.submissionBook, submissionBookAbi, 'commitCanaries', [
      p.taskId,
      BigInt(p.epoch),
      p.keyHash,
    ]),
  });
  const ev = receiptEvent(receipt, submissionBookAbi, 'CanariesCommitted');
  return { epoch: Number(ev.args.epoch), keyHash: ev.args.keyHash, replaced, receipt };
}
