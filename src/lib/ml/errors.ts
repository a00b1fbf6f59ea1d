// The ML library's errors that are thrown next to tfjs code (job services, backends, the model),
// in a module of their own: the ML client rebuilds them from a worker's rejection
// (src/lib/error-registry.ts) and must not load tfjs on the page's thread to do so. The modules
// that throw them re-export them, so they are imported from there as before.
import { ArenaError } from '../errors.ts';
import type { CandidateReport } from './backend/select.ts';
import type { BackendName } from './backend/types.ts';

/** A training job the service refuses: a wrong spec, a run already going, a watermark that does not fit. */
export class TrainJobError extends ArenaError<'train-job'> {
  constructor(message: string) {
    super('train-job', message);
    this.name = 'TrainJobError';
  }
}

/** An evaluation job the service refuses: wrong hashes, a bad subset, a 16-bit backend. */
export class EvalJobError extends ArenaError<'eval-job'> {
  constructor(message: string) {
    super('eval-job', message);
    this.name = 'EvalJobError';
  }
}

export class NoBackendError extends ArenaError<'no-backend'> {
  constructor(readonly report: CandidateReport[]) {
    super(
      'no-backend',
      `no backend can train this model: ${report.map((r) => `${r.name}: ${r.reason ?? r.status}`).join('; ')}`,
    );
    this.name = 'NoBackendError';
  }
}

export class BackendCannotTrainError extends ArenaError<'backend-cannot-train'> {
  constructor(
    readonly backend: BackendName,
    readonly reason: string,
  ) {
    super('backend-cannot-train', `backend ${backend} cannot train this model: ${reason}`);
    this.name = 'BackendCannotTrainError';
  }
}

export class BackendUnavailableError extends ArenaError<'backend-unavailable'> {
  constructor(
    readonly backend: BackendName,
    readonly reason: string,
  ) {
    super('backend-unavailable', `backend ${backend} is unavailable: ${reason}`);
    this.name = 'BackendUnavailableError';
  }
}

export class WeightShapeError extends ArenaError<'weight-shape'> {
  constructor(message: string) {
    super('weight-shape', message);
    this.name = 'WeightShapeError';
  }
}

/** A generation request the model cannot serve: not a byte model, or settings out of range. */
export class GenerateError extends ArenaError<'generate'> {
  constructor(message: string) {
    super('generate', message);
    this.name = 'GenerateError';
  }
}
