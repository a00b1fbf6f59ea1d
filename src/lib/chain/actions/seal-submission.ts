// Seals a trained model in the current epoch's seal window (SPEC 2.2): only the commitment
// keccak256(abi.encode(task, epoch, trainer, artifactHash, wmCommit, salt)) goes on chain.
import { parseEventLogs, type Hex, type TransactionReceipt } from 'viem';
import { submissionBookAbi } from '../abi.generated.ts';
import { sealCommitment } from '../commitments.ts';
import { windowAt } from '../schedule.ts';
import { accountOf, send, writeCall, type ActionContext } from './context.ts';
import { chainTime, readSchedule } from './chain-now.ts';
import { shortHex } from '../../format.ts';

export interface SealParams {
  taskId: bigint;
  artifactHash: Hex;
  wmCommit: Hex;
  salt: Hex;
  /** The epoch to seal in (default: the one the chain is in now). */
  epoch?: number;
}

export interface SealResult {
  epoch: number;
  commitment: Hex;
  /** The seal's place in line, for tie-breaks. */
  seq: bigint;
  receipt: TransactionReceipt;
}

export async function sealSubmission(ctx: ActionContext, p: SealParams): Promise<SealResult> {
  const epoch = p.epoch ?? windowAt(await readSchedule(ctx, p.taskId), await chainTime(ctx)).epoch;
  const commitment = sealCommitment(p.taskId, BigInt(epoch), accountOf(ctx), p.artifactHash, p.wmCommit, p.salt);
  const receipt = await send(ctx, {
    kind: 'sealSubmission',
    label: `Seal a model in task ${p.taskId}, epoch ${epoch}`,
    summary: { task: String(p.taskId), epoch: String(epoch), artifact: shortHex(p.artifactHash, 6), commitment: shortHex(commitment, 6) },
    call: writeCall(ctx.deployment.contracts.submissionBook, submissionBookAbi, 'sealSubmission', [p.taskId, commitment]),
  });
  const [ev] = parseEventLogs({ abi: submissionBookAbi, eventName: 'SubmissionSealed', logs: receipt.logs });
  return { epoch: Number(ev!.args.epoch), commitment, seq: ev!.args.seq, receipt };
}
