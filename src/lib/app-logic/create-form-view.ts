// What the Create page shows around its fields, as pure functions: the error summary (each error
// with the element to focus and the group to open), which groups need attention, and the draft
// kept while typing (through a storage port: localStorage in the app, a Map in tests).
import type { ModelSpec } from '../ml/spec/types.ts';
import type { SpecFitProblem } from '../zk/spec-fit.ts';
import { datasetMismatch, type CheckedDataset } from './dataset-files.ts';
import { FIELD_GROUPS, TASK_FIELDS, type FieldGroup, type TaskFormErrors, type TaskFormValues } from './task-form.ts';
import type { TaskMetaErrors, TaskMetaValues } from './task-metadata.ts';

export type CreateErrors = TaskFormErrors & { [K in keyof TaskMetaValues as `meta.${K}`]?: string };

export interface SummaryItem {
  key: string;
  /** The id of the element to focus (an input, a select, a file input). */
  target: string;
  /** What the person calls the field. */
  label: string;
  text: string;
  /** The collapsible group holding the field, to open before focusing; null: always visible. */
  group: FieldGroup | null;
}

const CONTENT_TARGETS: Record<string, { target: string; label: string }> = {
  'meta.name': { target: 'task-name', label: 'Task name' },
  'meta.description': { target: 'task-description', label: 'Description' },
  modelSpec: { target: 'spec-template', label: 'Model' },
  trainData: { target: 'train-published', label: 'Training set' },
  evalData: { target: 'eval-published', label: 'Public eval set' },
  finalEval: { target: 'final-files', label: 'Hidden final eval set' },
};

/** The errors in the order the form shows its fields: name, model, datasets, then the groups. */
export function errorSummary(errors: CreateErrors): SummaryItem[] {
  const out: SummaryItem[] = [];
  const all = errors as Record<string, string | undefined>;
  for (const [key, where] of Object.entries(CONTENT_TARGETS)) {
    const text = all[key];
    if (text) out.push({ key, ...where, text, group: null });
  }
  for (const g of FIELD_GROUPS) {
    for (const f of TASK_FIELDS) {
      const text = f.group === g.key ? all[f.key] : undefined;
      if (text) out.push({ key: f.key, target: `task-${f.key}`, label: f.label, text, group: g.key });
    }
  }
  return out;
}

/**
 * What the chosen content gets wrong against the model: a spec the deployed circuit could not
 * defend in a challenge, and datasets whose shape or classes do not fit it (the hidden set only
 * when there are final epochs).
 */
export function contentFitErrors(
  spec: ModelSpec | null,
  specFit: SpecFitProblem | null,
  sets: { train: CheckedDataset | null; evalSet: CheckedDataset | null; finalSet: CheckedDataset | null },
  finalEpochs: number,
): TaskFormErrors {
  const out: TaskFormErrors = {};
  if (!spec) return out;
  if (specFit) out.modelSpec = `The model cannot be defended in a challenge: ${specFit.field} ${specFit.reason}.`;
  const check = (ds: CheckedDataset | null, key: 'trainData' | 'evalData' | 'finalEval') => {
    const why = ds ? datasetMismatch(ds.manifest, spec) : null;
    if (why) out[key] = `This dataset does not fit the model: ${why}`;
  };
  check(sets.train, 'trainData');
  check(sets.evalSet, 'evalData');
  if (finalEpochs > 0) check(sets.finalSet, 'finalEval');
  return out;
}

export const metaErrors = (e: TaskMetaErrors): CreateErrors => ({
  ...(e.name ? { 'meta.name': e.name } : {}),
  ...(e.description ? { 'meta.description': e.description } : {}),
});

/** Fields in a group, for the collapsed group's "Show 6 fields" affordance. */
export const groupFieldCount = (group: FieldGroup): number => TASK_FIELDS.filter((f) => f.group === group).length;

export interface CreateDraft {
  values: TaskFormValues;
  template: string;
  specText: string;
  meta: TaskMetaValues;
}

/** The storage the draft is kept in (window.localStorage satisfies it). */
export interface DraftStorage {
  getItem(key: string): string | null;
  setItem(key: string, value: string): void;
  removeItem(key: string): void;
}

export const draftKey = (chainId: number) => `aiarena-create-draft:${chainId}`;

/** The draft of an earlier visit, or null (none, unreadable, or storage refused). */
export function readDraft(storage: DraftStorage, chainId: number): Partial<CreateDraft> | null {
  try {
    const raw = storage.getItem(draftKey(chainId));
    const d = raw ? (JSON.parse(raw) as Partial<CreateDraft>) : null;
    return d && typeof d.values === 'object' ? d : null;
  } catch {
    return null;
  }
}

/** Keeps the draft; a full or refused storage only loses the draft, never the form. */
export function writeDraft(storage: DraftStorage, chainId: number, d: CreateDraft): void {
  try {
    storage.setItem(draftKey(chainId), JSON.stringify(d));
  } catch {
    // The form still works without a draft.
  }
}

export function clearDraft(storage: DraftStorage, chainId: number): void {
  try {
    storage.removeItem(draftKey(chainId));
  } catch {
    // Nothing kept, nothing to clear.
  }
}
