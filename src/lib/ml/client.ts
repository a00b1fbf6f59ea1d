// What the app uses: typed handles on the training and evaluation workers. Importing this module
// loads no tfjs; the workers load it (and their backends) on their own threads. The app starts
// the workers (src/app/workers.ts names their scripts, so Vite bundles them) and hands them in.
// A call rejects with the library's own error class (TrainJobError, EvalJobError, SpecError...),
// its code and retryable flag, rebuilt from the JSON the worker sends (src/lib/error-wire.ts).
import * as Comlink from 'comlink';
import { fromWorker } from '../error-registry.ts';
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
import type { EvalWorkerApi, TrainWorkerApi } from './worker-api.ts';

export type {
  TrainEvents,
  TrainJob,
  TrainOutcome,
  TranscriptEvents,
  TranscriptJob,
  TranscriptOutcome,
  TranscriptMeta,
  EvalEvents,
  EvalJob,
  EvalOutcome,
  ReplayEvents,
  ReplayJob,
  ReplayOutcome,
  GenerateEvents,
  GenerateJob,
  GenerateOutcome,
  BackendSelection,
  RunSummary,
};
export type { EvalWorkerApi, TrainWorkerApi, WorkerFactory } from './worker-api.ts';
export type { TrainProgress } from './train/trainer.ts';

export interface Trainer {
  /** The backend a model would train on here (calibrated), without training. */
  probe(specBytes: Uint8Array, backend?: BackendName | 'auto'): Promise<BackendSelection>;
  /** Trains (or resumes) a run; resolves when it completes, stops or is cancelled. */
  train(job: TrainJob, events?: TrainEvents): Promise<TrainOutcome>;
  pause(): Promise<void>;
  resume(): Promise<void>;
  cancel(reason?: string): Promise<void>;
  /** Runs with a stored checkpoint, newest first. */
  runs(): Promise<RunSummary[]>;
  deleteRun(runId: string): Promise<void>;
  /**
   * Runs (or resumes) a training transcript in the worker (SPEC 8.1, 8.2): the fixed program of
   * the job's identity, every rounded state kept in the worker's IndexedDB until deleted.
   */
  transcript(job: TranscriptJob, events?: TranscriptEvents): Promise<TranscriptOutcome>;
  /** Stored transcripts, newest first. */
  transcripts(): Promise<TranscriptMeta[]>;
  deleteTranscript(id: string): Promise<void>;
  /** Test hook: destroys the worker's WebGPU device. */
  loseDevice(): Promise<boolean>;
  /** Stops the worker at once (a checkpoint already stored stays stored). */
  terminate(): void;
}

export interface Evaluator {
  /**
   * Scores an artifact in the worker. A validator passes the epoch's `subset` ({ seed from
   * SubmissionBook.evalSeedOf, size = the task's evalSubsetSize }): the worker draws the indices
   * from the dataset's manifest and scores exactly those samples (SPEC 2.2). A 16-bit backend is
   * refused unless the job sets allowHalfPrecision (docs/bench/consensus.md).
   */
  evaluate(job: EvalJob, events?: EvalEvents): Promise<EvalOutcome>;
  /**
   * Replays one transcript segment in the worker (SPEC 8.3): `interval` steps of the trainer's
   * fixed program from `start`, compared with `claimed` (docs/transcript.md section 8).
   */
  replay(job: ReplayJob, events?: ReplayEvents): Promise<ReplayOutcome>;
  /** Cancels the replay in progress: it resolves with status 'cancelled'. */
  cancel(reason?: string): Promise<void>;
  /**
   * Completes a prompt with a next-token byte model in the worker (never on the page's thread),
   * each byte reported as it is chosen (bytes reported after the call settles are dropped: the
   * outcome holds them all).
   */
  generate(job: GenerateJob, events?: GenerateEvents): Promise<GenerateOutcome>;
  /** Stops the completion in progress; it resolves with the bytes so far, stop 'aborted'. */
  cancelGenerate(): Promise<void>;
  terminate(): void;
}

// Workers resolve relative URLs against their script, not the page.
const absolute = (url: string) => new URL(url, globalThis.location?.href).href;

/**
 * Runs a worker call whose progress callbacks go quiet once it settles. A callback travels on
 * its proxy's own MessagePort and the result on the worker's, and nothing orders the two: progress
 * sent just before the result can arrive after it (the Train page then showed a finished
 * evaluation as "running, 250 of 250" for good). Records (checkpoints, segments) are not gated.
 */
async function withProgress<T>(call: (live: () => boolean) => Promise<T>): Promise<T> {
  let live = true;
  try {
    return await fromWorker(call(() => live));
  } finally {
    live = false;
  }
}

// Every callback exists on the proxy, so the worker never calls a missing remote method.
function trainEvents(e: TrainEvents, live: () => boolean): Required<TrainEvents> {
  return {
    onBackend: (s) => e.onBackend?.(s),
    onProgress: (p) => live() && e.onProgress?.(p),
    onCheckpoint: (c) => e.onCheckpoint?.(c),
    onDeviceLost: (d) => e.onDeviceLost?.(d),
  };
}

export function createTrainer(w: Worker): Trainer {
  const remote = Comlink.wrap<TrainWorkerApi>(w);
  return {
    probe: (specBytes, backend) => fromWorker(remote.probe(specBytes, backend)),
    train: (job, events = {}) =>
      withProgress((live) =>
        remote.train({ ...job, dataUrl: absolute(job.dataUrl) }, Comlink.proxy(trainEvents(events, live))),
      ),
    pause: () => fromWorker(remote.pause()),
    resume: () => fromWorker(remote.resume()),
    cancel: (reason) => fromWorker(remote.cancel(reason)),
    runs: () => fromWorker(remote.runs()),
    deleteRun: (runId) => fromWorker(remote.deleteRun(runId)),
    transcript: (job, events = {}) =>
      withProgress((live) =>
        remote.transcript(
          { ...job, dataUrl: absolute(job.dataUrl) },
          // Every callback exists on the proxy, so the worker never calls a missing remote method.
          Comlink.proxy({
            onBackend: (s: BackendSelection) => events.onBackend?.(s),
            onStep: (step: number, last: number) => live() && events.onStep?.(step, last),
            onSegment: (seg: Parameters<NonNullable<TranscriptEvents['onSegment']>>[0]) => events.onSegment?.(seg),
            onDeviceLost: (d: Parameters<NonNullable<TranscriptEvents['onDeviceLost']>>[0]) => events.onDeviceLost?.(d),
          }),
        ),
      ),
    transcripts: () => fromWorker(remote.transcripts()),
    deleteTranscript: (id) => fromWorker(remote.deleteTranscript(id)),
    loseDevice: () => fromWorker(remote.loseDevice()),
    terminate: () => {
      remote[Comlink.releaseProxy]();
      w.terminate();
    },
  };
}

export function createEvaluator(w: Worker): Evaluator {
  const remote = Comlink.wrap<EvalWorkerApi>(w);
  return {
    evaluate: (job, events = {}) => {
      // A copy is transferred, so the caller's artifact stays usable.
      const artifact = job.artifact.slice();
      return withProgress((live) =>
        remote.evaluate(
          Comlink.transfer(
            { ...job, artifact, ...(job.dataUrl !== undefined ? { dataUrl: absolute(job.dataUrl) } : {}) },
            [artifact.buffer],
          ),
          Comlink.proxy({ onProgress: (done: number, total: number) => live() && events.onProgress?.(done, total) }),
        ),
      );
    },
    replay: (job, events = {}) => {
      // Copies are transferred, so the caller's state bytes stay usable.
      const start = job.start.slice();
      const claimed = job.claimed.slice();
      return withProgress((live) =>
        remote.replay(
          Comlink.transfer(
            { ...job, start, claimed, ...(job.dataUrl !== undefined ? { dataUrl: absolute(job.dataUrl) } : {}) },
            [start.buffer, claimed.buffer],
          ),
          Comlink.proxy({ onProgress: (done: number, total: number) => live() && events.onProgress?.(done, total) }),
        ),
      );
    },
    cancel: (reason) => fromWorker(remote.cancel(reason)),
    generate: (job, events = {}) => {
      // A copy is transferred, so the caller's artifact stays usable.
      const artifact = job.artifact.slice();
      return withProgress((live) =>
        remote.generate(
          Comlink.transfer({ ...job, artifact }, [artifact.buffer]),
          Comlink.proxy({ onByte: (byte: number, count: number) => live() && events.onByte?.(byte, count) }),
        ),
      );
    },
    cancelGenerate: () => fromWorker(remote.cancelGenerate()),
    terminate: () => {
      remote[Comlink.releaseProxy]();
      w.terminate();
    },
  };
}
