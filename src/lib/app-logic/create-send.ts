// Sending a task: the network is checked first (nothing is uploaded for a wallet that cannot
// send), then the spec and the public datasets are uploaded (validators and trainers fetch them
// by the hashes on chain; the hidden final eval set stays on this device until its reveal), then
// the schedule is laid out from chain time and createTask sent (permit when possible).
import type { Hex } from 'viem';
import { chainTime } from '../chain/actions/chain-now.ts';
import type { ActionContext } from '../chain/actions/context.ts';
import { createTask } from '../chain/actions/create-task.ts';
import { revealFinalEval } from '../chain/actions/final-eval.ts';
import type { TaskParamsInput } from '../chain/actions/task-params.ts';
import { uploadBlob } from '../storage/cas/upload.ts';
import type { CasConfig } from '../storage/cas/config.ts';
import { taskParamsAt, type TaskPlan } from './task-form.ts';
import type { CheckedDataset } from './dataset-files.ts';
import type { SecretFiles } from './final-eval-store.ts';

export interface UploadItem {
  what: string;
  bytes: Uint8Array;
}

/** The files of a dataset in upload order: shards first, so a manifest is never up without them. */
export function datasetBlobs(name: string, ds: Pick<CheckedDataset, 'manifestBytes' | 'shards'>): UploadItem[] {
  return [
    ...ds.shards.map((s, i) => ({ what: `${name} shard ${i + 1} of ${ds.shards.length}`, bytes: s.bytes })),
    { what: `${name} manifest`, bytes: ds.manifestBytes },
  ];
}

export async function uploadAll(
  blobs: readonly UploadItem[],
  cas: CasConfig,
  onStep: (text: string) => void,
): Promise<void> {
  for (const [i, b] of blobs.entries()) {
    onStep(`Uploading ${i + 1} of ${blobs.length}: ${b.what} (${(b.bytes.length / 1e6).toFixed(2)} MB)…`);
    await uploadBlob(b.bytes, cas, { name: b.what });
  }
}

export interface SendTaskInput {
  ctx: ActionContext;
  cas: CasConfig;
  plan: TaskPlan;
  specBytes: Uint8Array;
  train: CheckedDataset;
  eval: CheckedDataset;
  onStep: (text: string) => void;
}

export async function sendTask(p: SendTaskInput): Promise<{ taskId: bigint; params: TaskParamsInput; hash: Hex }> {
  const blobs = [{ what: 'model spec', bytes: p.specBytes }, ...datasetBlobs('training set', p.train)];
  // The same dataset for training and evaluation is uploaded once.
  if (p.eval.hash !== p.train.hash) blobs.push(...datasetBlobs('public eval set', p.eval));
  await uploadAll(blobs, p.cas, p.onStep);
  p.onStep('Asking your wallet to create the task (and to approve the deposit)…');
  const params = taskParamsAt(p.plan, await chainTime(p.ctx));
  const r = await createTask(p.ctx, params);
  return { taskId: r.taskId, params, hash: r.receipt.transactionHash };
}

/** Uploads the hidden set (it must be fetchable once public), then reveals it on chain. */
export async function revealSet(p: {
  ctx: ActionContext;
  cas: CasConfig;
  taskId: bigint;
  finalEvalHash: Hex;
  salt: Hex;
  files: SecretFiles;
  onStep: (text: string) => void;
}): Promise<void> {
  await uploadAll(
    datasetBlobs('final eval set', { manifestBytes: p.files.manifest, shards: p.files.shards }),
    p.cas,
    p.onStep,
  );
  p.onStep('Asking your wallet to reveal the final eval set…');
  await revealFinalEval(p.ctx, { taskId: p.taskId, finalEvalHash: p.finalEvalHash, salt: p.salt });
}
