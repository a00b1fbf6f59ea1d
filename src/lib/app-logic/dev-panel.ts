// The dev panel's view of each task on a local chain: phase, window, what comes next and which
// scoring epochs have ended without being finalized (nobody runs a keeper in a test chain).
// Pure, from the schedule twin.
import { nextEvent, type NextEvent } from '../chain/countdown.ts';
import { epochAt, phaseAt, scoringEpochs, windowAt, type Phase, type Schedule, type Window } from '../chain/schedule.ts';

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
