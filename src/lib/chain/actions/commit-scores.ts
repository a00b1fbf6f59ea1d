// Commits a validator's scores for the epoch's columns (integers 0..10000 in the contract's
// column order): keccak256(abi.encode(task, epoch, validator, packedWords, salt)).
import type { Hex, TransactionReceipt } from 'viem';
import { submissionBookAbi } from '../abi.generated.ts';
import { packScores, scoresCommitment } from '../commitments.ts';
import { windowAt } from '../schedule.ts';
import { shortHex } from '../../format.ts';
import { accountOf, send, writeCall, type ActionContext } from './context.ts';
import { chainTime, readSchedule } from './chain-now.ts';

export interface CommitScoresParams {
  taskId: bigint;
  /** One score per column, 0..10000 (see scoreToUnits). */
  scores: readonly number[];
  salt: Hex;
  epoch?: number;
}

export async function commitScores(
  ctx: ActionContext,
  p: CommitScoresParams,
): Promise<{ epoch: number; commitment: Hex; receipt: TransactionReceipt }> {
  const words = packScores(p.scores);
  const epoch = p.epoch ?? windowAt(await readSchedule(ctx, p.taskId), await chainTime(ctx)).epoch;
  const commitment = scoresCommitment(p.taskId, BigInt(epoch), accountOf(ctx), words, p.salt);
  const receipt = await send(ctx, {
    kind: 'commitScores',
    label: `Commit scores for ${p.scores.length} submission${p.scores.length === 1 ? '' : 's'} in task ${p.taskId}, epoch ${epoch}`,
    summary: { task: String(p.taskId), epoch: String(epoch), columns: String(p.scores.length), commitment: shortHex(commitment, 6) },
    call: writeCall(ctx.deployment.contracts.submissionBook, submissionBookAbi, 'commitScores', [p.taskId, commitment]),
  });
  return { epoch, commitment, receipt };
}
