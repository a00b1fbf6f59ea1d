// What happens next in a task and when: the countdown the task list shows. Derived from the
// schedule twin so the page and the contracts agree on every boundary.
import {
  endTime,
  epochAt,
  epochStart,
  phaseAt,
  scoringEpochs,
  windowAt,
  windowTimes,
  WINDOWS,
  type Schedule,
  type Window,
} from './schedule.ts';

export interface NextEvent {
  /** What starts at `at`, in words. */
  label: string;
  at: bigint;
}

const WINDOW_LABELS: Record<Window, string> = {
  None: '',
  Seal: 'seal window',
  Reveal: 'reveal window',
  ScoreCommit: 'score commit window',
  ScoreReveal: 'score reveal window',
};

/** The next boundary after `t`, or null once the task has ended or was rejected. */
export function nextEvent(s: Schedule, t: bigint): NextEvent | null {
  const phase = phaseAt(s, t);
  switch (phase) {
    case 'Rejected':
    case 'Ended':
      return null;
    case 'Review':
      return s.startTime > s.reviewEnd
        ? { label: 'review ends', at: s.reviewEnd }
        : { label: 'epoch 0 starts (seal window)', at: s.startTime };
    case 'Pending':
      return { label: 'epoch 0 starts (seal window)', at: s.startTime };
    case 'Challenge':
      return { label: 'task ends', at: endTime(s) };
    default:
      return nextInScoringEpoch(s, t);
  }
}

function nextInScoringEpoch(s: Schedule, t: bigint): NextEvent {
  const { window, epoch } = windowAt(s, t);
  const current = windowTimes(s, epoch, window);
  // Windows of an epoch are contiguous, so the current one closes where the next one opens.
  const following = WINDOWS.slice(WINDOWS.indexOf(window) + 1).find((w) => windowTimes(s, epoch, w) !== null);
  if (current && following) {
    return { label: `${WINDOW_LABELS[following]} of epoch ${epoch}`, at: current.closes };
  }
  const next = epoch + 1;
  const at = epochStart(s, next);
  if (next >= scoringEpochs(s)) return { label: s.challengeEpochs > 0 ? 'challenge phase starts' : 'task ends', at };
  if (next === s.submissionEpochs) return { label: `final phase starts (epoch ${next})`, at };
  return { label: `epoch ${next} starts`, at };
}

/** The epoch a moment falls in, for display ("epoch 2 of 5"), or null before the start. */
export function currentEpoch(s: Schedule, t: bigint): number | null {
  const { started, epoch } = epochAt(s, t);
  return started ? epoch : null;
}
