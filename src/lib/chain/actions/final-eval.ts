// The hidden final eval set (SPEC 2.3): the creator reveals it at the start of the final phase;
// if it does not within the deadline, anyone records the fallback to the public eval set.
import type { Hex, TransactionReceipt } from 'viem';
import { taskRegistryAbi } from '../abi.generated.ts';
import { shortHex } from '../../format.ts';
import { send, writeCall, type ActionContext } from './context.ts';

export async function revealFinalEval(
  ctx: ActionContext,
  p: { taskId: bigint; finalEvalHash: Hex; salt: Hex },
): Promise<{ receipt: TransactionReceipt }> {
  const receipt = await send(ctx, {
    kind: 'revealFinalEval',
    label: `Reveal the final eval set of task ${p.taskId}`,
    summary: { task: String(p.taskId), dataset: shortHex(p.finalEvalHash, 6) },
    call: writeCall(ctx.deployment.contracts.taskRegistry, taskRegistryAbi, 'revealFinalEval', [
      p.taskId,
      p.finalEvalHash,
      p.salt,
    ]),
  });
  return { receipt };
}

export async function recordFinalEvalFallback(
  ctx: ActionContext,
  p: { taskId: bigint },
): Promise<{ receipt: TransactionReceipt }> {
  const receipt = await send(ctx, {
    kind: 'recordFinalEvalFallback',
    label: `Record that task ${p.taskId} falls back to its public eval set`,
    summary: { task: String(p.taskId) },
    call: writeCall(ctx.deployment.contracts.taskRegistry, taskRegistryAbi, 'recordFinalEvalFallback', [p.taskId]),
  });
  return { receipt };
}
