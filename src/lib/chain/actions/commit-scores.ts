// Commits a validator's scores for the epoch's columns (integers 0..10000 in the contract's
// column order): keccak256(abi.encode(task, epoch, validator, packedWords, salt)).
import type { Hex, TransactionReceipt } from 'viem';
import { submissionBookAbi } from '../abi.generated.ts';
import { prepareScores, type PreparedScores } from '../prepare.ts';
import { windowAt } from '../schedule.ts';
import { shortHex } from '../../format.ts';
import { ActionInputError, accountOf, send, writeCall, type ActionContext } from './context.ts';
import { chainTime, readSchedule } from './chain-now.ts';

export interface CommitScoresParams {
  taskId: bigint;
  /** One score per column, 0..10000 (see scoreToUnits). */
  scores: readonly number[];
  salt: Hex;
  epoch?: number;
}

export interface CommitScoresResult {
  epoch: number;
  commitment: Hex;
  receipt: TransactionReceipt;
}

/** Prepares the commitment for the context's account (in the chain's current epoch unless given) and sends it. */
export async function commitScores(ctx: ActionContext, p: CommitScoresParams): Promise<CommitScoresResult> {
  const epoch = p.epoch ?? windowAt(await readSchedule(ctx, p.taskId), await chainTime(ctx)).epoch;
  return sendScores(
    ctx,
    prepareScores({ taskId: p.taskId, epoch, validator: accountOf(ctx), scores: p.scores, salt: p.salt }),
  );
}

/**
 * Sends a prepared score commitment as it is (prepareScores computed it; an agent stored it with
 * its salt and scores). Refused when it was prepared for another account.
 */
export async function sendScores(
  ctx: ActionContext,
  prepared: Pick<PreparedScores, 'taskId' | 'epoch' | 'validator' | 'scores' | 'commitment'>,
): Promise<CommitScoresResult> {
  if (prepared.validator.toLowerCase() !== accountOf(ctx).toLowerCase()) {
    throw new ActionInputError(
      'validator',
      `These scores were prepared for ${prepared.validator}, not the connected account ${accountOf(ctx)}: their commitment would not open for this account.`,
    );
  }
  const { taskId, epoch, commitment } = prepared;
  const columns = prepared.scores.length;
  const receipt = await send(ctx, {
    kind: 'commitScores',
    label: `Commit scores for ${columns} submission${columns === 1 ? '' : 's'} in task ${taskId}, epoch ${epoch}`,
    summary: {
      task: String(taskId),
      epoch: String(epoch),
      columns: String(columns),
      commitment: shortHex(commitment, 6),
    },
    call: writeCall(ctx.deployment.contracts.submissionBook, submissionBookAbi, 'commitScores', [taskId, commitment]),
  });
  return { epoch, commitment, receipt };
}
