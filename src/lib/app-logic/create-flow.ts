// The Create page's multi-step flows as use cases: the hidden set's salt made and stored before
// anything is sent, the spec carrying the task's name and description, and the send (uploads,
// then createTask) with the secret re-filed under the new task id. Side effects go through the
// ports passed in (the secret store, the action context, the blob store config).
import type { Hex } from 'viem';
import type { ActionContext } from '../chain/actions/context.ts';
import type { CasConfig } from '../storage/cas/config.ts';
import { parseModelSpecBytes } from '../ml/spec/parse.ts';
import type { ModelSpec } from '../ml/spec/types.ts';
import { sendTask } from './create-send.ts';
import type { CheckedDataset } from './dataset-files.ts';
import { errorSentence } from './errors.ts';
import { makeFinalEvalSecret } from './final-eval-secret.ts';
import type { SecretStore, StoredSecret } from './final-eval-store.ts';
import type { TaskPlan } from './task-form.ts';
import { withTaskMetadata, type TaskMetaValues } from './task-metadata.ts';

/** The spec file a task names: the edited spec with the task's name and description in it. */
export async function specWithMetadata(
  specBytes: Uint8Array,
  meta: TaskMetaValues,
): Promise<{ bytes: Uint8Array; hash: Hex; spec: ModelSpec }> {
  // Without a name the bytes are the spec as chosen (a published template keeps its hash).
  const bytes =
    meta.name.trim() === ''
      ? specBytes
      : new TextEncoder().encode(withTaskMetadata(new TextDecoder().decode(specBytes), meta));
  const { spec, hash } = await parseModelSpecBytes(bytes);
  return { bytes, hash: `0x${hash}`, spec };
}

/**
 * A fresh salt over the hidden set, stored with the set's files at once: the record, and a
 * sentence when it could not be stored (then only the backup file keeps it).
 */
export async function prepareFinalEvalSecret(p: {
  set: CheckedDataset;
  chainId: number;
  taskRegistry: Hex;
  salt: Hex;
  store: Promise<SecretStore | null>;
}): Promise<{ record: StoredSecret; problem: string | null }> {
  const secret = makeFinalEvalSecret({
    chainId: p.chainId,
    taskRegistry: p.taskRegistry,
    finalEvalHash: p.set.hash,
    salt: p.salt,
    manifest: new TextDecoder().decode(p.set.manifestBytes),
    name: p.set.manifest.name,
  });
  const record: StoredSecret = { secret, files: { manifest: p.set.manifestBytes, shards: p.set.shards } };
  try {
    const db = await p.store;
    if (!db) throw new Error('this browser gives the app no IndexedDB');
    await db.put(record);
    return { record, problem: null };
  } catch (e) {
    return {
      record,
      problem: `The salt could not be stored on this device (${errorSentence(e)}): download the backup before sending.`,
    };
  }
}

export interface CreateTaskInput {
  ctx: ActionContext;
  cas: CasConfig;
  plan: TaskPlan;
  specBytes: Uint8Array;
  meta: TaskMetaValues;
  train: CheckedDataset;
  eval: CheckedDataset;
  /** The hidden set's secret, re-filed under the new task id once it exists. */
  secret: { record: StoredSecret; store: Promise<SecretStore | null> } | null;
  onStep: (text: string) => void;
}

export async function createTaskFlow(
  p: CreateTaskInput,
): Promise<{ taskId: bigint; startTime: bigint; modelSpec: Hex }> {
  const spec = await specWithMetadata(p.specBytes, p.meta);
  const sent = await sendTask({
    ctx: p.ctx,
    cas: p.cas,
    plan: { ...p.plan, modelSpec: spec.hash },
    specBytes: spec.bytes,
    train: p.train,
    eval: p.eval,
    onStep: p.onStep,
  });
  if (p.secret && p.plan.finalEpochs > 0) {
    const { record, store } = p.secret;
    // Best effort: the backup file and the commitment-keyed record still find the set.
    await (await store)?.put({ ...record, secret: { ...record.secret, taskId: sent.taskId } }).catch(() => undefined);
  }
  return { taskId: sent.taskId, startTime: sent.params.startTime, modelSpec: spec.hash };
}
