// Whether a training run the trainer is about to start can finish before the seal window it is
// meant for closes (issue 10, 1.6): decided from the plan alone, before any progress exists. The
// run's length comes from the training set's size (its manifest's sample count), the spec's
// batch size and the epochs asked for; its speed from the backend probe on this device, or from
// the benchmark numbers until the probe has run (for a spec that was not benchmarked, a rough
// estimate scaled from those of the benchmarked specs by the work per sample). A run that does not fit is not refused: the
// trainer is told, and offered the number of training epochs that does fit.
// A run that continues from a checkpoint ("Train more", or a run stopped earlier: the trainer
// resumes from the run's stored checkpoint) only trains the steps from that checkpoint to the
// epochs asked for, which count the whole run, those already trained included.
// Chain seconds are taken as wall seconds, as in seal-deadline.ts.
import type { Schedule } from '../chain/schedule.ts';
import { formatDuration } from '../format.ts';
import type { BackendName } from '../ml/backend/types.ts';
import { speedPrior } from '../ml/train/speed-prior.ts';
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
  /**
   * 'device': timed on this device (the backend probe); 'bench': the spec's benchmark row;
   * 'scaled': a rough estimate from the benchmarks of other specs by the work per sample.
   */
  source: 'device' | 'bench' | 'scaled';
  /** The benchmarked specs a prior comes from (absent for 'device'). */
  from?: string[];
}

/**
 * The speed to plan with: the probe's when it timed the backend the run would use (any, for
 * 'auto'), else the speed prior of the spec on that backend (its benchmark, or an estimate
 * scaled from the benchmarked specs).
 */
export function planSpeed(p: {
  choice: BackendName | 'auto';
  probed: { backend: BackendName; samplesPerSec: number } | null;
  /** The spec's name and work per sample (specWork). */
  spec: { name: string; work: number };
}): PlanSpeed {
  const { probed, choice } = p;
  if (probed && probed.samplesPerSec > 0 && (choice === 'auto' || probed.backend === choice))
    return { backend: probed.backend, samplesPerSec: probed.samplesPerSec, source: 'device' };
  const prior = speedPrior(p.spec, choice);
  return { backend: prior.backend, samplesPerSec: prior.samplesPerSec, source: prior.basis, from: prior.from };
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
  /** Training epochs asked for: the whole run's, those already trained included. */
  epochs: number;
  /**
   * The step of the stored checkpoint the run continues from (0 or absent: a fresh run). The
   * trainer resumes from it and stops when the run has `epochs` epochs in all.
   */
  fromStep?: number;
  /**
   * Epochs the agent trains beyond the number asked for: those it added so the watermark could
   * be sealed (TrainingPlan.extraEpochs), which stay in every later run's count.
   */
  addedEpochs?: number;
  speed: PlanSpeed;
  /**
   * A transcript run (SPEC 8): it trains K segments of `interval` steps (K rounds the epochs' steps
   * up), less the segments stored on this device when it resumes; `fromStep` is then unused.
   */
  transcript?: { interval: number; storedSegments: number };
}

export interface SealPlan {
  /** The next seal window this account can use (null: none is left). */
  next: { epoch: number; closes: bigint } | null;
  stepsPerEpoch: number;
  /** Steps the run trains: from its checkpoint (or step 0) to the end of its last epoch. */
  stepsLeft: number;
  /** Seconds one training epoch takes at the planned speed. */
  epochSec: number;
  /** Seconds the run takes at the planned speed (whole seconds, rounded up). */
  estimateSec: number;
  /** True when the run ends before `next` closes. */
  inTime: boolean;
  /**
   * The epochs to ask for (the whole run's, as the form means them) so that the run ends before
   * `next` closes with FIT_SHARE of the time left; 0 when not one more epoch fits, null when in time.
   */
  fitEpochs: number | null;
  /** A warning sentence when the run does not fit (null when in time). */
  warning: string | null;
}

const plural = (n: number, one: string) => `${n} ${one}${n === 1 ? '' : 's'}`;

export function sealPlan(p: SealPlanInput): SealPlan | null {
  const { schedule, now, samples, batchSize, epochs, speed } = p;
  const fromStep = Math.max(0, p.fromStep ?? 0);
  const added = Math.max(0, p.addedEpochs ?? 0);
  if (!(samples > 0 && batchSize > 0 && epochs > 0 && speed.samplesPerSec > 0)) return null;
  const stepsPerEpoch = Math.ceil(samples / batchSize);
  // The trainer's speed is counted in full batches; the last, partial one costs about a step.
  const epochSec = (stepsPerEpoch * batchSize) / speed.samplesPerSec;
  const total = epochs + added;
  const t = p.transcript;
  const segmentsOf = (e: number) => (t ? Math.max(1, Math.ceil((e * stepsPerEpoch) / t.interval)) : 0);
  const stepsLeft = t
    ? Math.max(0, (segmentsOf(total) - t.storedSegments) * t.interval)
    : Math.max(0, total * stepsPerEpoch - fromStep);
  const estimateSec = Math.ceil((stepsLeft / stepsPerEpoch) * epochSec);
  const seals = usableSeals(schedule, now, p.eligibleFrom);
  const next = seals[0] ?? null;
  const base = { next, stepsPerEpoch, stepsLeft, epochSec, estimateSec };
  if (next === null) return { ...base, inTime: false, fitEpochs: null, warning: NO_SEAL_LEFT };
  const left = Number(next.closes - now);
  if (estimateSec <= left) return { ...base, inTime: true, fitEpochs: null, warning: null };
  // The epochs the run can have in all by then, the checkpoint's included, in the form's terms;
  // one only fits if it trains past the checkpoint.
  let fitEpochs: number;
  if (t) {
    // Whole segments: the stored ones and those that fit; the epochs whose K stays within them.
    const segs = t.storedSegments + Math.floor((((left * FIT_SHARE) / epochSec) * stepsPerEpoch) / t.interval);
    let fit = Math.min(epochs - 1, Math.floor((segs * t.interval) / stepsPerEpoch) - added);
    while (fit > 0 && segmentsOf(fit + added) > segs) fit--;
    fitEpochs = fit > 0 && segmentsOf(fit + added) > t.storedSegments ? fit : 0;
  } else {
    const reach = Math.floor(fromStep / stepsPerEpoch + (left * FIT_SHARE) / epochSec) - added;
    const fit = Math.min(epochs - 1, reach);
    fitEpochs = (fit + added) * stepsPerEpoch > fromStep ? fit : 0;
  }
  const finishesAt = now + BigInt(estimateSec);
  const later = seals.find((s) => s.closes >= finishesAt);
  const sps = Math.round(speed.samplesPerSec).toLocaleString('en-US');
  const from = (speed.from ?? []).join(' and ');
  const at =
    speed.source === 'device'
      ? `the speed measured on this device of ${speed.backend} (${sps} samples/s)`
      : speed.source === 'bench'
        ? `the benchmark speed of ${speed.backend} (${sps} samples/s, until this device is measured)`
        : `a rough estimate of the speed of ${speed.backend} (${sps} samples/s, estimated from the benchmark${(speed.from?.length ?? 0) > 1 ? 's' : ''} of ${from} by the work per sample, until this device is measured)`;
  const count = (n: number) => n.toLocaleString('en-US');
  const agentAdds =
    added > 0
      ? ` (the ${count(epochs)} asked for and ${plural(added, 'epoch')} the agent added so the watermark could be sealed)`
      : '';
  const run = t
    ? `${plural(total, 'training epoch')}${agentAdds} of ${count(samples)} samples as a transcript of ${count(segmentsOf(total))} segment${segmentsOf(total) === 1 ? '' : 's'} of ${count(t.interval)} steps (${count(stepsLeft)} ${t.storedSegments > 0 ? 'more ' : ''}steps of ${batchSize} each${t.storedSegments > 0 ? `, ${plural(t.storedSegments, 'segment')} stored on this device` : ''}) need`
    : fromStep > 0
      ? `training on from the checkpoint at step ${count(fromStep)} to ${plural(total, 'training epoch')}${agentAdds} of ${count(samples)} samples (${count(stepsLeft)} more steps of ${batchSize} each) needs`
      : `${plural(total, 'training epoch')}${agentAdds} of ${count(samples)} samples (${count(stepsPerEpoch)} steps of ${batchSize} each) need`;
  const inAll = fromStep > 0 && !t ? ' in all (those already trained included)' : '';
  const warning = [
    `At ${at}, ${run} about ${formatDuration(estimateSec)}, but the seal window of epoch ${next.epoch} closes in ${formatDuration(left)} (chain time).`,
    'Only the weights the run has by then can be sealed for that epoch.',
    later
      ? `The finished model can be sealed in epoch ${later.epoch}.`
      : `It cannot finish before the last seal window this account can use (epoch ${seals.at(-1)!.epoch}) closes either.`,
    fitEpochs >= 1
      ? `About ${plural(fitEpochs, 'training epoch')}${inAll} ${fitEpochs === 1 ? 'fits' : 'fit'} before epoch ${next.epoch}'s seal window closes, with a tenth of the time left to spare.`
      : `Not even one ${fromStep > 0 || (t?.storedSegments ?? 0) > 0 ? 'more ' : ''}training epoch fits before epoch ${next.epoch}'s seal window closes.`,
  ].join(' ');
  return { ...base, inTime: false, fitEpochs: Math.max(0, fitEpochs), warning };
}

/**
 * The line under the epochs field. When the next run continues from a stored checkpoint, the
 * field counts the whole run: it says how many epochs are already trained, and that asking for
 * no more than that trains nothing.
 */
export function epochsHint(p: {
  specEpochs: number | null;
  /** The epochs the field asks for now (plannedEpochs), null when it is not valid. */
  epochs: number | null;
  resume: { fromStep: number; stepsPerEpoch: number; addedEpochs: number } | null;
}): string {
  const spec = p.specEpochs === null ? '' : `The model spec suggests ${p.specEpochs}.`;
  const r = p.resume;
  if (!r || r.fromStep <= 0 || r.stepsPerEpoch <= 0) return spec;
  // In the field's terms: the epochs the agent added are trained on top of the number asked for.
  const done = r.fromStep / r.stepsPerEpoch - Math.max(0, r.addedEpochs);
  const shown = Number.isInteger(done) ? String(done) : done.toFixed(1);
  const added =
    r.addedEpochs > 0
      ? ` The agent trains ${plural(r.addedEpochs, 'epoch')} more than the number asked for, added so the watermark could be sealed.`
      : '';
  const nothing =
    p.epochs !== null && p.epochs <= done
      ? ` Asking for ${p.epochs} trains nothing more: ask for more than ${shown}.`
      : '';
  return `In all, counting the ${shown} already trained: the run continues from the checkpoint saved on this device at step ${r.fromStep.toLocaleString('en-US')}.${added}${nothing}${spec ? ` ${spec}` : ''}`;
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
