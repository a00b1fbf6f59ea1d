// Reveals committed scores in the score reveal window; they must be the committed ones, with the salt.
import type { Hex, TransactionReceipt } from 'viem';
import { submissionBookAbi } from '../abi.generated.ts';
import { packScores } from '../commitments.ts';
import { send, writeCall, type ActionContext } from './context.ts';

export async function revealScores(
  ctx: ActionContext,
  p: { taskId: bigint; scores: readonly number[]; salt: Hex },
): Promise<{ receipt: TransactionReceipt }> {
  const receipt = await send(ctx, {
    kind: 'revealScores',
    label: `Reveal your scores in task ${p.taskId}`,
    summary: { task: String(p.taskId), columns: String(p.scores.length) },
    call: writeCall(ctx.deployment.contracts.submissionBook, submissionBookAbi, 'revealScores', [
      p.taskId,
      packScores(p.scores),
      p.salt,
    ]),
  });
  return { receipt };
}
