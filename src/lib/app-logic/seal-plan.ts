// Whether a training run the trainer is about to start can finish before the seal window it is
// meant for closes (issue 10, 1.6): decided from the plan alone, before any progress exists. The
// run's length comes from the training set's size (its manifest's sample count), the spec's
// batch size and the epochs asked for; its speed from the backend probe on this device, or from
// the benchmark numbers until the probe has run. A run that does not fit is not refused: the
// trainer is told, and offered the number of training epochs that does fit.
// Chain seconds are taken as wall seconds, as in seal-deadline.ts.
import type { Schedule } from '../chain/schedule.ts';
import { formatDuration } from '../format.ts';
import type { BackendName } from '../ml/backend/types.ts';
import { benchSpeed } from '../ml/train/speed-prior.ts';
import { NO_SEAL_LEFT, usableSeals } from './seal-deadline.ts';

/**
 * The share of the time left that the suggested epochs may use: the speed comes from a few timed
 * steps, the real loop also reads data and saves checkpoints, and the agent needs the rest of the
 * window to upload and seal.
 */
export const FIT_SHARE = 0.9;

export interface PlanSpeed {
  backend: BackendName;
  samplesPerSec: number;
  /** Timed on this device (the backend probe), not the benchmark prior. */
  measured: boolean;
}

/**
 * The speed to plan with: the probe's when it timed the backend the run would use (any, for
 * 'auto'), else the benchmark speed of the spec on that backend, else none.
 */
export function planSpeed(p: {
  choice: BackendName | 'auto';
  probed: { backend: BackendName; samplesPerSec: number } | null;
  specName: string;
}): PlanSpeed | null {
  const { probed, choice } = p;
  if (probed && probed.samplesPerSec > 0 && (choice === 'auto' || probed.backend === choice))
    return { backend: probed.backend, samplesPerSec: probed.samplesPerSec, measured: true };
  const prior = benchSpeed(p.specName, choice);
  return prior ? { ...prior, measured: false } : null;
}

export interface SealPlanInput {
  schedule: Schedule;
  /** Chain time. */
  now: bigint;
  /** First epoch the account's trainer stake counts in; null when not staked. */
  eligibleFrom: number | null;
  /** Samples in the training set (its manifest). */
  samples: number;
  /** The spec's batch size. */
  batchSize: number;
  /** Training epochs asked for. */
  epochs: number;
  speed: PlanSpeed;
}

export interface SealPlan {
  /** The next seal window this account can use (null: none is left). */
  next: { epoch: number; closes: bigint } | null;
  stepsPerEpoch: number;
  /** Seconds one training epoch takes at the planned speed. */
  epochSec: number;
  /** Seconds the whole run takes at the planned speed (whole seconds, rounded up). */
  estimateSec: number;
  /** True when the run ends before `next` closes. */
  inTime: boolean;
  /** Training epochs that end before `next` closes with FIT_SHARE of the time left; null when in time. */
  fitEpochs: number | null;
  /** A warning sentence when the run does not fit (null when in time). */
  warning: string | null;
}

const plural = (n: number, one: string) => `${n} ${one}${n === 1 ? '' : 's'}`;

export function sealPlan(p: SealPlanInput): SealPlan | null {
  const { schedule, now, samples, batchSize, epochs, speed } = p;
  if (!(samples > 0 && batchSize > 0 && epochs > 0 && speed.samplesPerSec > 0)) return null;
  const stepsPerEpoch = Math.ceil(samples / batchSize);
  // The trainer's speed is counted in full batches; the last, partial one costs about a step.
  const epochSec = (stepsPerEpoch * batchSize) / speed.samplesPerSec;
  const estimateSec = Math.ceil(epochs * epochSec);
  const seals = usableSeals(schedule, now, p.eligibleFrom);
  const next = seals[0] ?? null;
  const base = { next, stepsPerEpoch, epochSec, estimateSec };
  if (next === null) return { ...base, inTime: false, fitEpochs: null, warning: NO_SEAL_LEFT };
  const left = Number(next.closes - now);
  if (estimateSec <= left) return { ...base, inTime: true, fitEpochs: null, warning: null };
  const fitEpochs = Math.min(epochs - 1, Math.floor((left * FIT_SHARE) / epochSec));
  const finishesAt = now + BigInt(estimateSec);
  const later = seals.find((s) => s.closes >= finishesAt);
  const sps = Math.round(speed.samplesPerSec).toLocaleString('en-US');
  const at = speed.measured
    ? `the speed measured on this device of ${speed.backend} (${sps} samples/s)`
    : `the benchmark speed of ${speed.backend} (${sps} samples/s, until this device is measured)`;
  const warning = [
    `At ${at}, ${plural(epochs, 'training epoch')} of ${samples.toLocaleString('en-US')} samples (${stepsPerEpoch.toLocaleString('en-US')} steps of ${batchSize} each) need about ${formatDuration(estimateSec)}, but the seal window of epoch ${next.epoch} closes in ${formatDuration(left)} (chain time).`,
    'Only the weights the run has by then can be sealed for that epoch.',
    later
      ? `The finished model can be sealed in epoch ${later.epoch}.`
      : `It cannot finish before the last seal window this account can use (epoch ${seals.at(-1)!.epoch}) closes either.`,
    fitEpochs >= 1
      ? `About ${plural(fitEpochs, 'training epoch')} ${fitEpochs === 1 ? 'fits' : 'fit'} before epoch ${next.epoch}'s seal window closes, with a tenth of the time left to spare.`
      : `Not even one training epoch fits before epoch ${next.epoch}'s seal window closes.`,
  ].join(' ');
  return { ...base, inTime: false, fitEpochs: Math.max(0, fitEpochs), warning };
}

/**
 * The training epochs the form asks for: its text as a whole number from 1 to 1000, the spec's
 * default when empty, null when it is not a valid count (the form says why on Start).
 */
export function plannedEpochs(text: string, specEpochs: number | null): number | null {
  const t = text.trim();
  if (t === '') return specEpochs;
  if (!/^\d+$/.test(t)) return null;
  const n = Number(t);
  return n >= 1 && n <= 1000 ? n : null;
}
