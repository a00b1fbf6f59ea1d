// The contracts between the ML client and its workers: workers/train.worker.ts and
// workers/eval.worker.ts implement these, src/lib/ml/client.ts calls them over Comlink. They live
// here, not in workers/, so the library never depends on the code that hosts it. Each worker
// exposes its API through sendErrorsAsJson (src/lib/error-wire.ts): a method rejects with the
// error's JSON form, which the client rebuilds as the library's class (src/lib/error-registry.ts).
import type { BackendSelection } from './backend/select.ts';
import type { BackendName } from './backend/types.ts';
import type { EvalEvents, EvalJob, EvalOutcome } from './eval/service.ts';
import type { TrainEvents, TrainJob, TrainOutcome } from './train/service.ts';
import type { RunSummary } from '../storage/checkpoints.ts';

/** What the training worker exposes (the train service, with results transferred out). */
export interface TrainWorkerApi {
  probe(specBytes: Uint8Array, backend?: BackendName | 'auto'): Promise<BackendSelection>;
  train(job: TrainJob, events?: TrainEvents): Promise<TrainOutcome>;
  pause(): void;
  resume(): void;
  cancel(reason?: string): void;
  runs(): Promise<RunSummary[]>;
  deleteRun(runId: string): Promise<void>;
  loseDevice(): boolean;
}

/** What the evaluation worker exposes. */
export interface EvalWorkerApi {
  evaluate(job: EvalJob, events?: EvalEvents): Promise<EvalOutcome>;
}

/** Starts a worker; the app passes one that names the worker's script, so the bundler emits it. */
export type WorkerFactory = () => Worker;
