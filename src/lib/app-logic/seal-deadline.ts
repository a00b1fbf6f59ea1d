// Whether a training run can finish before the seal window it is meant for closes (issue 10,
// 1.6): the time the run still needs at its measured speed against the seal deadlines in chain
// time. A run that cannot make it is not stopped (the agent seals the weights it has when the
// window is about to close), but the trainer is told so, with how many training epochs would fit.
// Chain seconds are taken as wall seconds: a live chain's clock runs with the wall clock.
import { effectiveEpoch, epochAt, windowTimes, type Schedule } from '../chain/schedule.ts';
import { formatDuration } from '../format.ts';

export interface RunSpeed {
  step: number;
  totalSteps: number;
  /** Training epochs the run is planned for. */
  epochs: number;
  /** Seconds left at the measured speed (TrainProgress.etaSec). */
  etaSec: number;
}

export interface SealDeadlineInput {
  schedule: Schedule;
  /** Chain time. */
  now: bigint;
  run: RunSpeed;
  /** First epoch the account's trainer stake counts in; null when not staked (a stake sent now counts from the next epoch). */
  eligibleFrom: number | null;
}

export interface SealDeadline {
  /** The next seal window this account can use: its epoch and when it closes (chain time). */
  next: { epoch: number; closes: bigint } | null;
  /** When the run ends at the measured speed (chain time). */
  finishesAt: bigint;
  /** True when the run ends before `next` closes. */
  inTime: boolean;
  /** A warning sentence when it does not (null when in time). */
  warning: string | null;
}

/** The seal windows (epoch, close) this account can still use, from chain time `now`. */
export function usableSeals(
  schedule: Schedule,
  now: bigint,
  eligibleFrom: number | null,
): { epoch: number; closes: bigint }[] {
  const first = Math.max(
    eligibleFrom ?? effectiveEpoch(schedule, now),
    epochAt(schedule, now).started ? epochAt(schedule, now).epoch : 0,
  );
  const out: { epoch: number; closes: bigint }[] = [];
  for (let e = first; e < schedule.submissionEpochs; e++) {
    const w = windowTimes(schedule, e, 'Seal');
    if (w && w.closes > now) out.push({ epoch: e, closes: w.closes });
  }
  return out;
}

export const NO_SEAL_LEFT =
  'No seal window is left that this account can use: a model trained now cannot be submitted in this task.';

export function sealDeadline(p: SealDeadlineInput): SealDeadline {
  const { schedule, now, run } = p;
  const eta = Math.max(0, Math.ceil(run.etaSec));
  const finishesAt = now + BigInt(eta);
  const seals = usableSeals(schedule, now, p.eligibleFrom);
  const next = seals[0] ?? null;
  if (run.step >= run.totalSteps) return { next, finishesAt, inTime: true, warning: null };
  if (next === null) {
    return {
      next,
      finishesAt,
      inTime: false,
      warning: NO_SEAL_LEFT,
    };
  }
  if (finishesAt <= next.closes) return { next, finishesAt, inTime: true, warning: null };
  const left = Number(next.closes - now);
  const stepsLeft = run.totalSteps - run.step;
  const perStep = stepsLeft > 0 ? eta / stepsLeft : 0;
  const stepsPerEpoch = run.totalSteps / Math.max(1, run.epochs);
  // Training epochs that end before the window closes at this speed (the run so far included).
  const fit = perStep > 0 ? Math.floor((run.step + left / perStep) / stepsPerEpoch) : run.epochs;
  const later = seals.find((s) => s.closes >= finishesAt);
  const parts = [
    `At the measured speed this run needs about ${formatDuration(eta)} more, but the seal window of epoch ${next.epoch} closes in ${formatDuration(left)} (chain time).`,
    'Only the weights it has by then can be sealed for that epoch, not the finished model.',
    later
      ? `The finished model can be sealed in epoch ${later.epoch}.`
      : `It cannot finish before the last seal window this account can use (epoch ${seals.at(-1)!.epoch}) closes either.`,
    fit >= 1
      ? `At this speed a run of about ${fit} training epoch${fit === 1 ? '' : 's'} (this one is planned for ${run.epochs}) ends before epoch ${next.epoch}'s seal window closes.`
      : `Not even one training epoch fits before epoch ${next.epoch}'s seal window closes.`,
  ];
  return { next, finishesAt, inTime: false, warning: parts.join(' ') };
}
