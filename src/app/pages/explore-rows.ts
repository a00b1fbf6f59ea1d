// The Explore table's rows (the paper's Table 1 columns per task) and the network totals. Pure.
import type { Address } from 'viem';
import { nextEvent, type NextEvent } from '../../lib/chain/countdown.ts';
import { taskActivity, type TaskActivity } from '../../lib/chain/reads/activity.ts';
import type { ArenaEvent } from '../../lib/chain/reads/events.ts';
import type { TaskRecord } from '../../lib/chain/reads/task-record.ts';

export interface ExploreRow {
  task: TaskRecord;
  activity: TaskActivity;
  next: NextEvent | null;
}

export function exploreRows(
  tasks: readonly TaskRecord[],
  events: readonly ArenaEvent[],
  chainTime: bigint,
): ExploreRow[] {
  return tasks.map((task) => ({
    task,
    activity: taskActivity(events, task.id),
    next: nextEvent(task.schedule, chainTime),
  }));
}

export interface NetworkTotals {
  tasks: number;
  /** Distinct accounts across tasks (one account in two tasks counts once, as the paper counts). */
  trainers: number;
  validators: number;
  delegators: number;
  trainingSubmissions: number;
  validationSubmissions: number;
  rewarded: bigint;
}

export function networkTotals(tasks: readonly TaskRecord[], events: readonly ArenaEvent[]): NetworkTotals {
  const shown = new Set(tasks.map((t) => t.id));
  const delegators = new Set<Address>();
  let validationSubmissions = 0;
  let rewarded = 0n;
  for (const e of events) {
    if (!shown.has(e.taskId)) continue;
    if (e.kind === 'Delegated') delegators.add(e.delegator);
    else if (e.kind === 'ScoresRevealed') validationSubmissions++;
    else if (e.kind === 'TrainerRewarded' || e.kind === 'ValidatorRewarded') rewarded += e.pool;
  }
  return {
    tasks: tasks.length,
    trainers: new Set(tasks.flatMap((t) => t.trainers)).size,
    validators: new Set(tasks.flatMap((t) => t.validators)).size,
    delegators: delegators.size,
    trainingSubmissions: tasks.reduce((n, t) => n + t.submissions, 0),
    validationSubmissions,
    rewarded,
  };
}
