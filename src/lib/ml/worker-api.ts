// The contracts between the ML client and its workers: workers/train.worker.ts and
// workers/eval.worker.ts implement these, src/lib/ml/client.ts calls them over Comlink. They live
// here, not in workers/, so the library never depends on the code that hosts it. Each worker
// exposes its API through sendErrorsAsJson (src/lib/error-wire.ts): a method rejects with the
// error's JSON form, which the client rebuilds as the library's class (src/lib/error-registry.ts).
import type { BackendSelection } from './backend/select.ts';
import type { BackendName } from './backend/types.ts';
import type { EvalEvents, EvalJob, EvalOutcome, ReplayEvents, ReplayJob, ReplayOutcome } from './eval/service.ts';
import type { GenerateEvents, GenerateJob, GenerateOutcome } from './generate/service.ts';
import type {
  TrainEvents,
  TrainJob,
  TrainOutcome,
  TranscriptEvents,
  TranscriptJob,
  TranscriptOutcome,
} from './train/service.ts';
import type { TranscriptMeta } from './transcript/store.ts';
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
  /** A transcript run (docs/transcript.md section 6); its artifact comes back transferred. */
  transcript(job: TranscriptJob, events?: TranscriptEvents): Promise<TranscriptOutcome>;
  transcripts(): Promise<TranscriptMeta[]>;
  deleteTranscript(id: string): Promise<void>;
  loseDevice(): boolean;
}

/** What the evaluation worker exposes. */
export interface EvalWorkerApi {
  evaluate(job: EvalJob, events?: EvalEvents): Promise<EvalOutcome>;
  /** Replays one transcript segment (docs/transcript.md section 8). */
  replay(job: ReplayJob, events?: ReplayEvents): Promise<ReplayOutcome>;
  /** Cancels the replay in progress. */
  cancel(reason?: string): void;
  /**
   * Completes a prompt with a next-token model over bytes (the "try the model" box), each byte
   * reported as it is chosen; the new bytes come back transferred.
   */
  generate(job: GenerateJob, events?: GenerateEvents): Promise<GenerateOutcome>;
  /** Stops the completion in progress before its next byte (it resolves with the bytes so far). */
  cancelGenerate(): void;
}

/** Starts a worker; the app passes one that names the worker's script, so the bundler emits it. */
export type WorkerFactory = () => Worker;
