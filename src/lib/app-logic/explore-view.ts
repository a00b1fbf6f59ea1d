// The Explore list as a view model: each task's name, description, model and training set (read
// from its content, "Task #N" until then), and the list sorted and filtered as the person asks.
// Pure.

/** The parts of an Explore row the list's sorting and filtering read. */
export interface ExploreRowLike {
  task: { id: bigint; phase: string; deposit: bigint; trainers: readonly unknown[] };
  activity: { trainerRewards: { total: bigint }; validatorRewards: { total: bigint } };
}

export interface TaskLabel {
  /** Its name, or "Task #N". */
  title: string;
  description: string;
  /** The model spec's name (e.g. "digits-mlp"), null until read. */
  model: string | null;
  /** The training set's name, null until read. */
  dataset: string | null;
}

export const unnamed = (taskId: bigint): TaskLabel => ({
  title: `Task #${taskId}`,
  description: '',
  model: null,
  dataset: null,
});

export type SortKey = 'newest' | 'oldest' | 'name' | 'pool' | 'trainers' | 'rewards';
export type PhaseFilter = 'all' | 'open' | 'ended';

export const SORT_LABEL: Record<SortKey, string> = {
  newest: 'Newest first',
  oldest: 'Oldest first',
  name: 'Name (A–Z)',
  pool: 'Largest reward pool',
  trainers: 'Most trainers',
  rewards: 'Most rewards booked',
};

export const PHASE_FILTER_LABEL: Record<PhaseFilter, string> = {
  all: 'All phases',
  open: 'Open to join (review, pending, submission)',
  ended: 'Final, challenge or ended',
};

const OPEN_PHASES = new Set(['Review', 'Pending', 'Submission']);

/** Whether a row matches the typed words (every word, in its name, description, model or data set, any case) and the phase filter. */
export function matches(row: ExploreRowLike, label: TaskLabel, query: string, phase: PhaseFilter): boolean {
  if (phase === 'open' && !OPEN_PHASES.has(row.task.phase)) return false;
  if (phase === 'ended' && OPEN_PHASES.has(row.task.phase)) return false;
  const words = query
    .toLowerCase()
    .split(/\s+/)
    .filter((w) => w !== '');
  if (words.length === 0) return true;
  const text = [label.title, label.description, label.model ?? '', label.dataset ?? '', `#${row.task.id}`]
    .join(' ')
    .toLowerCase();
  return words.every((w) => text.includes(w));
}

const cmpBig = (a: bigint, b: bigint) => (a < b ? -1 : a > b ? 1 : 0);

/** The rows filtered and sorted; ties keep newest first. */
export function exploreList<R extends ExploreRowLike>(
  rows: readonly R[],
  labelOf: (taskId: bigint) => TaskLabel,
  opts: { query: string; phase: PhaseFilter; sort: SortKey },
): R[] {
  const kept = rows.filter((r) => matches(r, labelOf(r.task.id), opts.query, opts.phase));
  const newest = (a: R, b: R) => cmpBig(b.task.id, a.task.id);
  const by: Record<SortKey, (a: R, b: R) => number> = {
    newest,
    oldest: (a, b) => -newest(a, b),
    name: (a, b) =>
      labelOf(a.task.id).title.localeCompare(labelOf(b.task.id).title, 'en', { numeric: true }) || newest(a, b),
    pool: (a, b) => cmpBig(b.task.deposit, a.task.deposit) || newest(a, b),
    trainers: (a, b) => b.task.trainers.length - a.task.trainers.length || newest(a, b),
    rewards: (a, b) =>
      cmpBig(
        b.activity.trainerRewards.total + b.activity.validatorRewards.total,
        a.activity.trainerRewards.total + a.activity.validatorRewards.total,
      ) || newest(a, b),
  };
  return [...kept].sort(by[opts.sort]);
}
