// Picks the backend a run trains on (SPEC section 6): probe webgpu, webgl, wasm, cpu; keep those
// that can train this model; time a few real steps on each and take the fastest. Software GPU
// adapters (SwiftShader) and cpu are only timed when no GPU or wasm backend can train the model:
// they lose to wasm by an order of magnitude and timing them costs seconds.
import { activateBackend, BackendUnavailableError } from './activate.ts';
import { trialTraining, type TrialOptions } from './trial.ts';
import { BACKEND_ORDER, type BackendEnvironment, type BackendInfo, type BackendName } from './types.ts';
import type { ModelSpec } from '../spec/types.ts';
import { BackendCannotTrainError, NoBackendError } from '../errors.ts';

export { BackendCannotTrainError, NoBackendError };

export interface CandidateReport {
  name: BackendName;
  status: 'unavailable' | 'cannot-train' | 'skipped' | 'calibrated';
  info?: BackendInfo;
  samplesPerSec?: number;
  reason?: string;
}

export interface BackendSelection {
  backend: BackendName;
  info: BackendInfo;
  /** Measured on the model (0 when forced without timing). */
  samplesPerSec: number;
  report: CandidateReport[];
}

export interface SelectOptions {
  spec: ModelSpec;
  env?: BackendEnvironment;
  /** The user's choice: use this backend or fail saying why. */
  force?: BackendName;
  /** Backends to consider, in preference order. Default: all. */
  candidates?: readonly BackendName[];
  trial?: TrialOptions;
  /** Called as each candidate is decided. */
  onCandidate?: (c: CandidateReport) => void;
}

/** 0: GPU or wasm; 1: cpu and software GPUs; 2: half-precision WebGL (last resort). */
export function tier(info: BackendInfo): number {
  if (info.floatPrecision < 32) return 2;
  if (info.software || info.name === 'cpu') return 1;
  return 0;
}

export async function selectBackend(options: SelectOptions): Promise<BackendSelection> {
  const { spec, env = {} } = options;
  const trialOptions = { steps: 3, warmup: 1, ...options.trial };
  if (options.force !== undefined) {
    const info = await activateBackend(options.force, env);
    const trial = await trialTraining(spec, trialOptions);
    if (!trial.ok) throw new BackendCannotTrainError(options.force, trial.error);
    const c: CandidateReport = { name: info.name, status: 'calibrated', info, samplesPerSec: trial.samplesPerSec };
    options.onCandidate?.(c);
    return { backend: info.name, info, samplesPerSec: trial.samplesPerSec, report: [c] };
  }

  const report: CandidateReport[] = [];
  const decide = (c: CandidateReport) => {
    report.push(c);
    options.onCandidate?.(c);
  };
  const available: BackendInfo[] = [];
  for (const name of options.candidates ?? BACKEND_ORDER) {
    try {
      available.push(await activateBackend(name, env));
    } catch (e) {
      decide({
        name,
        status: 'unavailable',
        reason: e instanceof BackendUnavailableError ? e.reason : (e as Error).message,
      });
    }
  }

  let best: { info: BackendInfo; samplesPerSec: number } | null = null;
  for (const t of [0, 1, 2]) {
    const group = available.filter((i) => tier(i) === t);
    if (best !== null) {
      for (const info of group)
        decide({ name: info.name, status: 'skipped', info, reason: `${best.info.name} can train this model` });
      continue;
    }
    for (const info of group) {
      await activateBackend(info.name, env);
      const trial = await trialTraining(spec, trialOptions);
      if (!trial.ok) {
        decide({ name: info.name, status: 'cannot-train', info, reason: trial.error });
        continue;
      }
      decide({ name: info.name, status: 'calibrated', info, samplesPerSec: trial.samplesPerSec });
      if (best === null || trial.samplesPerSec > best.samplesPerSec)
        best = { info, samplesPerSec: trial.samplesPerSec };
    }
  }
  if (best === null) throw new NoBackendError(report);
  const info = await activateBackend(best.info.name, env);
  return { backend: info.name, info, samplesPerSec: best.samplesPerSec, report };
}

/**
 * A backend for evaluation only (no backward pass, nothing to calibrate): the first backend of
 * the best tier that activates, in probe order; `force` as in selectBackend.
 */
export async function selectInferenceBackend(env: BackendEnvironment = {}, force?: BackendName): Promise<BackendInfo> {
  if (force !== undefined) return activateBackend(force, env);
  const available: BackendInfo[] = [];
  for (const name of BACKEND_ORDER) {
    try {
      available.push(await activateBackend(name, env));
    } catch {
      // unavailable here; the next one will do
    }
  }
  const best = available.reduce<BackendInfo | null>((b, i) => (b === null || tier(i) < tier(b) ? i : b), null);
  if (best === null) throw new NoBackendError([]);
  return activateBackend(best.name, env);
}
