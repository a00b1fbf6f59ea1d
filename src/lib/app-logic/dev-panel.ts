// The dev panel's view of each task on a local chain: phase, window, what comes next and which
// scoring epochs have ended without being finalized (nobody runs a keeper in a test chain).
// Pure, from the schedule twin.
import { nextEvent, type NextEvent } from '../chain/countdown.ts';
import {
  epochAt,
  phaseAt,
  scoringEpochs,
  totalEpochs,
  windowAt,
  type Phase,
  type Schedule,
  type Window,
} from '../chain/schedule.ts';

export interface TaskClock {
  phase: Phase;
  /** The epoch chain time is in, or null before epoch 0. */
  epoch: number | null;
  window: Window;
  next: NextEvent | null;
  /** Scoring epochs that have ended and are not finalized yet, oldest first. */
  unfinalized: number[];
}

/** Scoring epochs that ended by `now` and are not yet closed on chain. */
export function epochsToFinalize(s: Schedule, closedEpochs: number, now: bigint): number[] {
  if (s.rejected) return [];
  const { started, epoch } = epochAt(s, now);
  if (!started) return [];
  const ended = Math.min(epoch, scoringEpochs(s));
  const out: number[] = [];
  for (let e = closedEpochs; e < ended; e++) out.push(e);
  return out;
}

export function taskClock(s: Schedule, closedEpochs: number, now: bigint): TaskClock {
  const { started, epoch } = epochAt(s, now);
  return {
    phase: phaseAt(s, now),
    epoch: started ? epoch : null,
    window: windowAt(s, now).window,
    next: nextEvent(s, now),
    unfinalized: epochsToFinalize(s, closedEpochs, now),
  };
}

const WINDOW_WORDS: Record<Window, string> = {
  None: 'no window',
  Seal: 'seal window',
  Reveal: 'reveal window',
  ScoreCommit: 'score commit window',
  ScoreReveal: 'score reveal window',
};

export const windowWords = (w: Window): string => WINDOW_WORDS[w];

/** Chain time as "2025-01-31 12:00:05 UTC". */
export function utcTime(seconds: bigint): string {
  return `${new Date(Number(seconds) * 1000).toISOString().slice(0, 19).replace('T', ' ')} UTC`;
}

/** What the "next epoch" button does from `epoch` (null: before epoch 0): the last epoch has no next one, only the end. */
export function nextEpochLabel(s: Schedule, epoch: number | null): string {
  return epoch !== null && epoch >= totalEpochs(s) - 1 ? 'Move to the end' : 'Next epoch';
}

/** The sentence after chain time moved to the start of `epoch`: an epoch past the last one is the task's end. */
export function epochReachedSentence(s: Schedule, taskId: bigint, epoch: number, at: bigint): string {
  const when = `Chain time is now ${utcTime(at)}`;
  const last = totalEpochs(s) - 1;
  if (epoch > last) return `${when}: task #${taskId} has ended (its last epoch, ${last}, is over).`;
  const phase = epoch < s.submissionEpochs ? 'submission' : epoch < scoringEpochs(s) ? 'final' : 'challenge';
  return `${when}: epoch ${epoch} of task #${taskId} has started (${phase} phase${epoch === last ? ', the last epoch' : ''}).`;
}
