// A task's name and description for people. They live in the task's model spec JSON (the one
// metadata file every task already names on chain by sha256 and uploads), as the optional
// top-level object `"task": { "name": ..., "description": ... }` (docs/ml.md section 1): no
// contract change, and a task made before the field existed (or without a name) is "Task #N".
// Create writes them with `withTaskMetadata`; lists and pages read them with `taskMetadata`.
import type { Hex } from 'viem';
import { readModelSpec } from '../chain/reads/content.ts';
import type { ContentFetcher } from '../chain/reads/gateway.ts';
import type { ModelSpec } from '../ml/spec/types.ts';

export interface TaskMetadata {
  /** What to call the task: its name, or "Task #N" when it has none. */
  title: string;
  /** The name the creator gave, or null (an older task, or none given). */
  name: string | null;
  description: string;
}

/** Name and description of task `taskId` from its parsed spec (null while unread or unreadable). */
export function taskMetadata(taskId: bigint, spec: Pick<ModelSpec, 'task'> | null | undefined): TaskMetadata {
  const name = spec?.task?.name ?? null;
  return { title: name ?? `Task #${taskId}`, name, description: spec?.task?.description ?? '' };
}

/**
 * Reads task `taskId`'s spec (hash-checked, by its on-chain `modelSpec`) for its name. A spec
 * that cannot be fetched or parsed leaves the task "Task #N": a list must not fail for one task.
 */
export async function readTaskMetadata(content: ContentFetcher, taskId: bigint, modelSpec: Hex): Promise<TaskMetadata> {
  try {
    return taskMetadata(taskId, (await readModelSpec(content, modelSpec)).spec);
  } catch {
    return taskMetadata(taskId, null);
  }
}

export const TASK_NAME_MAX = 80;
export const TASK_DESCRIPTION_MAX = 1024;

export interface TaskMetaValues {
  name: string;
  description: string;
}

export type TaskMetaErrors = Partial<Record<keyof TaskMetaValues, string>>;

/** What is wrong with the typed name and description (both optional; the spec parser agrees). */
export function validateTaskMeta(v: TaskMetaValues): TaskMetaErrors {
  const out: TaskMetaErrors = {};
  const name = v.name.trim();
  if (name.length > TASK_NAME_MAX)
    out.name = `The task name must be at most ${TASK_NAME_MAX} characters; it has ${name.length}.`;
  else if (/\p{Cc}/u.test(name)) out.name = 'The task name must be one line (no line breaks or tabs).';
  if (name === '' && v.description.trim() !== '') out.name = 'Give the task a name to go with its description.';
  const description = v.description.trim();
  if (description.length > TASK_DESCRIPTION_MAX)
    out.description = `The description must be at most ${TASK_DESCRIPTION_MAX} characters; it has ${description.length}.`;
  return out;
}

/**
 * The spec text with the task's name and description as its first field. The rest of the text is
 * kept byte for byte (its hash is what the task names); with no name the text is returned as is,
 * so an unnamed task keeps the published template's hash. A `task` field already in the text is
 * replaced (a draft edited by hand). Throws a SyntaxError when the text is not a JSON object.
 */
export function withTaskMetadata(specText: string, meta: TaskMetaValues): string {
  const name = meta.name.trim();
  const parsed = JSON.parse(specText) as unknown;
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed))
    throw new SyntaxError('The model spec is not a JSON object.');
  const base = 'task' in parsed ? JSON.stringify({ ...parsed, task: undefined }, null, 2) : specText;
  if (name === '') return base;
  const description = meta.description.trim();
  const task = JSON.stringify(description ? { name, description } : { name });
  const open = base.indexOf('{');
  return `${base.slice(0, open + 1)}\n  "task": ${task},${base.slice(open + 1)}`;
}
