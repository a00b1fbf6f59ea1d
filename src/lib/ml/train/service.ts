// The training service a worker exposes: one run at a time, from spec bytes and a dataset URL to
// a sealed-ready artifact. It owns the side effects the pure loop does not: fetching data,
// choosing the backend, persisting checkpoints, and restarting from the last checkpoint when the
// WebGPU device is lost. It knows nothing of Comlink, so Node tests drive it directly.
import { serializeArtifact } from '../artifact/serialize.ts';
import { artifactHash } from '../artifact/hash.ts';
import { resetBackend } from '../backend/activate.ts';
import { watchDeviceLoss, type DeviceLostEvent } from '../backend/device-loss.ts';
import { selectBackend, type BackendSelection } from '../backend/select.ts';
import { tf } from '../backend/tf.ts';
import type { BackendEnvironment, BackendName } from '../backend/types.ts';
import { urlSource } from '../data/sources.ts';
import { specHashBytes } from '../eval/evaluate.ts';
import { parseModelSpecBytes } from '../spec/parse.ts';
import { specShapes } from '../spec/shapes.ts';
import { TRANSCRIPT_BACKEND, transcriptSettings } from '../spec/transcript.ts';
import type { ModelSpec } from '../spec/types.ts';
import { ownerBits } from '../watermark/bits.ts';
import { decode } from '../watermark/decode.ts';
import { extractV, watermarkKernelIndex } from '../watermark/extract.ts';
import { quantize } from '../watermark/quantize.ts';
import type { CheckpointStore, RunMeta, RunSummary } from '../../storage/checkpoints.ts';
import { refuseOverrides } from '../transcript/program.ts';
import { runTranscript, type SegmentDone } from '../transcript/run.ts';
import type { TranscriptIdentity } from '../transcript/seeds.ts';
import type { TranscriptMeta, TranscriptStore } from '../transcript/store.ts';
import { RunControl } from './control.ts';
import type { TrainCheckpoint } from './checkpoint.ts';
import { datasetData } from './dataset.ts';
import type { OptimizerOverrides } from './hyper.ts';
import { train, type TrainProgress, type TrainStatus } from './trainer.ts';
import { TrainJobError } from '../errors.ts';

export { TrainJobError };

export interface TrainJob {
  /** Names the run in the checkpoint store; a run with a stored checkpoint resumes. */
  runId: string;
  /** The model spec file as published (its sha256 is the spec hash). */
  specBytes: Uint8Array;
  expectedSpecHash?: string;
  /** Dataset folder URL (absolute: a worker resolves relative URLs against its own script). */
  dataUrl: string;
  expectedDataHash?: string;
  seed: number;
  overrides?: OptimizerOverrides;
  /** Train the owner's watermark: X as T*N entries 0|1 and the owner's 0x address. */
  watermark?: { keyBits: Uint8Array; owner: string };
  /** 'auto' (default): calibrated choice; a name forces that backend. */
  backend?: BackendName | 'auto';
  readEvery?: number;
  checkpointEvery?: number;
  maxSteps?: number;
  /** false: ignore (and overwrite) a stored checkpoint. Default true. */
  resume?: boolean;
  meta?: RunMeta;
}

export interface WatermarkOutcome {
  wrong: number;
  carries: boolean;
  /** wrong <= maxErr / 2: the margin required before sealing (SPEC section 6). */
  sealable: boolean;
}

export interface TrainOutcome {
  status: TrainStatus;
  reason?: string;
  runId: string;
  step: number;
  epoch: number;
  backend: BackendName;
  specHash: string;
  /** The canonical artifact of the final weights (docs/ml.md section 3). */
  artifact: Uint8Array;
  artifactHash: `0x${string}`;
  last: TrainProgress | null;
  watermark?: WatermarkOutcome;
  /** Resumed from a stored checkpoint at this step (absent for a fresh run). */
  resumedFrom?: number;
  deviceLosses: number;
}

/**
 * A transcript run (SPEC 8.1, 8.2; docs/transcript.md section 6): the fixed program of
 * `identity`, rounded every `interval` steps, each state kept in the worker's transcript store.
 * It has no seed, overrides or initial weights: those come from the spec and the identity.
 */
export interface TranscriptJob {
  /** Names the transcript in the store; a stored transcript of this id resumes. */
  transcriptId: string;
  specBytes: Uint8Array;
  expectedSpecHash?: string;
  /** The task's training set (absolute folder URL). */
  dataUrl: string;
  expectedDataHash?: string;
  identity: TranscriptIdentity;
  /** The trainer's watermark key X (T*N entries 0|1); required when the spec has a watermark. */
  keyBits?: Uint8Array;
  /** K: segments of the finished transcript. Give this or `epochs`. */
  segments?: number;
  /**
   * Or K from training epochs: the fewest segments that cover `epochs` passes over the training
   * set, ceil(epochs * ceil(samples / batchSize) / interval) (the agents' plans are in epochs).
   */
  epochs?: number;
  /** Id of the trainer's own finished transcript in this task to continue from. */
  continueFrom?: string;
  /** Stop after this many segments in this call (the transcript stays resumable). */
  maxSegments?: number;
  /**
   * 'auto' or absent: the reference backend, TRANSCRIPT_BACKEND (docs/transcript.md section 5).
   * Another name trains there, for measurements only.
   */
  backend?: BackendName | 'auto';
}

export interface TranscriptEvents {
  onBackend?(selection: BackendSelection): void;
  /** After each step: the global step and the transcript's last step. */
  onStep?(step: number, lastStep: number): void;
  onSegment?(segment: SegmentDone): void;
  /** `restartStep`: steps into this transcript of the stored state it restarts from. */
  onDeviceLost?(event: DeviceLostEvent & { restartStep: number }): void;
}

export interface TranscriptOutcome {
  status: 'completed' | 'stopped' | 'cancelled';
  reason?: string;
  meta: TranscriptMeta;
  backend: BackendName;
  specHash: string;
  /** Stored states when this call began (0 for a fresh transcript). */
  resumedFrom: number;
  /** When completed: the artifact (the last state's weights) to seal, and its sha256. */
  artifact?: Uint8Array;
  artifactHash?: `0x${string}`;
  deviceLosses: number;
}

export interface TrainEvents {
  onBackend?(selection: BackendSelection): void;
  onProgress?(progress: TrainProgress): void;
  onCheckpoint?(saved: { step: number; epoch: number; savedAt: number }): void;
  onDeviceLost?(event: DeviceLostEvent & { restartStep: number }): void;
}

export interface TrainServiceEnv {
  backend: BackendEnvironment;
  openStore(): Promise<CheckpointStore>;
  fetch?: typeof fetch;
  /** Restarts allowed after device losses in one run. Default 3. */
  maxDeviceRestarts?: number;
  /** Where transcripts are kept (IndexedDB in the worker); without it transcript jobs are refused. */
  openTranscriptStore?(): Promise<TranscriptStore>;
}

export interface TrainService {
  /** Picks (and activates) the backend a model would train on, without training. */
  probe(specBytes: Uint8Array, backend?: BackendName | 'auto'): Promise<BackendSelection>;
  train(job: TrainJob, events?: TrainEvents): Promise<TrainOutcome>;
  pause(): void;
  resume(): void;
  cancel(reason?: string): void;
  runs(): Promise<RunSummary[]>;
  deleteRun(runId: string): Promise<void>;
  /** Runs (or resumes) a transcript; pause, resume and cancel act on it as on a run. */
  transcript(job: TranscriptJob, events?: TranscriptEvents): Promise<TranscriptOutcome>;
  /** Stored transcripts, newest first. */
  transcripts(): Promise<TranscriptMeta[]>;
  deleteTranscript(id: string): Promise<void>;
  /** Test hook: destroys the active WebGPU device as a driver reset would. */
  loseDevice(): boolean;
}

async function parseSpec(bytes: Uint8Array, expected?: string): Promise<{ spec: ModelSpec; hash: string }> {
  const parsed = await parseModelSpecBytes(bytes);
  if (expected !== undefined && parsed.hash !== expected.replace(/^0x/, '').toLowerCase()) {
    throw new TrainJobError(`the model spec hashes to ${parsed.hash}, the task names ${expected}`);
  }
  return parsed;
}

function watermarkOutcome(
  spec: ModelSpec,
  weights: Float32Array[],
  keyBits: Uint8Array,
  bits: Uint8Array,
): WatermarkOutcome {
  const wm = spec.watermark!;
  const params = specShapes(spec).params;
  const k = watermarkKernelIndex(spec, params);
  const q = quantize(
    extractV(wm.rule, weights[k]!, params[k]!.shape, wm.length),
    wm.quantization.scale,
    wm.quantization.bits,
  );
  const { wrong } = decode(keyBits, q, bits);
  return { wrong, carries: wrong <= wm.maxErr, sealable: 2 * wrong <= wm.maxErr };
}

/** K of a transcript job: its `segments`, or the segments that cover its `epochs`. */
export function segmentsOf(job: Pick<TranscriptJob, 'segments' | 'epochs'>, samples: number, spec: ModelSpec): number {
  if ((job.segments === undefined) === (job.epochs === undefined))
    throw new TrainJobError('a transcript job gives either segments or epochs');
  if (job.segments !== undefined) return job.segments;
  const epochs = job.epochs!;
  if (!Number.isSafeInteger(epochs) || epochs < 1)
    throw new TrainJobError(`epochs must be a positive integer, got ${epochs}`);
  const perEpoch = Math.ceil(samples / spec.optimizer.batchSize);
  return Math.max(1, Math.ceil((epochs * perEpoch) / transcriptSettings(spec).interval));
}

export function createTrainService(env: TrainServiceEnv): TrainService {
  let store: Promise<CheckpointStore> | null = null;
  const getStore = () => (store ??= env.openStore());
  let transcriptStore: Promise<TranscriptStore> | null = null;
  const getTranscriptStore = () => {
    if (env.openTranscriptStore === undefined) throw new TrainJobError('this worker keeps no transcripts');
    return (transcriptStore ??= env.openTranscriptStore());
  };
  let control: RunControl | null = null;
  const maxRestarts = env.maxDeviceRestarts ?? 3;

  const choose = (spec: ModelSpec, backend: BackendName | 'auto' | undefined) =>
    selectBackend({ spec, env: env.backend, ...(backend && backend !== 'auto' ? { force: backend } : {}) });

  /**
   * Runs `attempt` on the chosen backend and, when the GPU device is lost during it, resets the
   * backend, says where the run restarts, re-arms the control (a user's cancel in the meantime
   * stands) and tries again on a fresh selection, at most `maxRestarts` times. `attempt` sees
   * whether the device is lost (to keep weights read from a lost device out of saves) and how
   * many losses came before; its result is returned only from an attempt without a loss.
   */
  async function withDeviceRestarts<T>(
    o: {
      spec: ModelSpec;
      backend: BackendName | 'auto' | undefined;
      runControl: RunControl;
      events: Pick<TrainEvents, 'onBackend' | 'onDeviceLost'>;
      /** Where the next attempt starts, reported with the loss. */
      restartStep: () => number | Promise<number>;
    },
    /** Resolves to undefined only when the device was lost (its result is not used then). */
    attempt: (
      selection: BackendSelection,
      run: { lost: () => boolean; deviceLosses: number },
    ) => Promise<T | undefined>,
  ): Promise<T> {
    let selection = await choose(o.spec, o.backend);
    o.events.onBackend?.(selection);
    let deviceLosses = 0;
    for (;;) {
      let lost: DeviceLostEvent | null = null;
      const watch = watchDeviceLoss((e) => {
        lost = e;
        o.runControl.cancel('device-lost');
      });
      try {
        const out = await attempt(selection, { lost: () => lost !== null, deviceLosses });
        if (lost === null) {
          if (out === undefined) throw new TrainJobError('a run attempt ended without a result or a device loss');
          return out;
        }
      } catch (e) {
        // Kernels fail in all sorts of ways once the device is gone; only then do we retry.
        lost ??= await watch.lostWithin(1000);
        if (lost === null) throw e;
      } finally {
        watch.stop();
      }
      const event = lost as DeviceLostEvent;
      deviceLosses += 1;
      if (deviceLosses > maxRestarts)
        throw new TrainJobError(
          `the GPU device was lost ${deviceLosses} times (${event.message || event.reason}); giving up`,
        );
      resetBackend(selection.backend);
      o.events.onDeviceLost?.({ ...event, restartStep: await o.restartStep() });
      o.runControl.rearm('device-lost');
      selection = await choose(o.spec, o.backend);
      o.events.onBackend?.(selection);
    }
  }

  /** The job's spec (hash-checked) and its training set's source and manifest, as both kinds of run open them. */
  async function openJob(job: {
    specBytes: Uint8Array;
    expectedSpecHash?: string;
    dataUrl: string;
    expectedDataHash?: string;
  }) {
    const { spec, hash } = await parseSpec(job.specBytes, job.expectedSpecHash);
    const source = urlSource(job.dataUrl, env.fetch ? { fetch: env.fetch } : {});
    const { manifest } = await source.manifest(job.expectedDataHash);
    return { spec, hash, source, manifest };
  }

  return {
    async probe(specBytes, backend) {
      const { spec } = await parseSpec(specBytes);
      return choose(spec, backend);
    },

    async train(job, events = {}) {
      if (control !== null) throw new TrainJobError('a run is already in progress in this worker');
      const runControl = new RunControl();
      control = runControl;
      try {
        const { spec, hash, source, manifest } = await openJob(job);
        const checkpoints = await getStore();
        let resumeFrom: TrainCheckpoint | undefined =
          job.resume === false ? undefined : await checkpoints.load(job.runId);
        if (resumeFrom !== undefined && resumeFrom.seed !== job.seed) {
          throw new TrainJobError(
            `run ${job.runId} was started with seed ${resumeFrom.seed}, not ${job.seed}; delete it or use another run id`,
          );
        }
        const resumedFrom = resumeFrom?.step;
        const wmBits =
          job.watermark && spec.watermark ? ownerBits(job.watermark.owner, spec.watermark.bits) : undefined;
        if (job.watermark && !spec.watermark)
          throw new TrainJobError('a watermark key was given but the model spec has no watermark');

        return await withDeviceRestarts(
          {
            spec,
            backend: job.backend,
            runControl,
            events,
            // resumeFrom is now the last checkpoint this run saved (or the one it started from).
            restartStep: () => resumeFrom?.step ?? 0,
          },
          async (selection, run) => {
            const result = await train({
              spec,
              data: datasetData(manifest, source, { seed: job.seed }),
              seed: job.seed,
              ...(job.overrides ? { overrides: job.overrides } : {}),
              ...(job.watermark && wmBits ? { watermark: { keyBits: job.watermark.keyBits, ownerBits: wmBits } } : {}),
              ...(resumeFrom ? { resumeFrom } : {}),
              ...(job.readEvery !== undefined ? { readEvery: job.readEvery } : {}),
              ...(job.checkpointEvery !== undefined ? { checkpointEvery: job.checkpointEvery } : {}),
              ...(job.maxSteps !== undefined ? { maxSteps: job.maxSteps } : {}),
              control: runControl,
              onProgress: (p) => events.onProgress?.(p),
              onCheckpoint: async (c) => {
                // Weights read from a lost device are not to be trusted; keep the last good save.
                if (run.lost()) return;
                await checkpoints.save(job.runId, c, job.meta);
                resumeFrom = c;
                events.onCheckpoint?.({ step: c.step, epoch: c.epoch, savedAt: c.savedAt });
              },
            });
            // Weights read back from a lost device are not worth serializing.
            if (run.lost()) return undefined;
            const artifact = serializeArtifact(specHashBytes(hash), specShapes(spec).params, result.weights);
            return {
              status: result.status,
              ...(result.reason !== undefined ? { reason: result.reason } : {}),
              runId: job.runId,
              step: result.checkpoint.step,
              epoch: result.checkpoint.epoch,
              backend: selection.backend,
              specHash: hash,
              artifact,
              artifactHash: await artifactHash(artifact),
              last: result.last,
              ...(job.watermark && wmBits
                ? { watermark: watermarkOutcome(spec, result.weights, job.watermark.keyBits, wmBits) }
                : {}),
              ...(resumedFrom !== undefined ? { resumedFrom } : {}),
              deviceLosses: run.deviceLosses,
            };
          },
        );
      } finally {
        control = null;
      }
    },

    async transcript(job, events = {}) {
      if (control !== null) throw new TrainJobError('a run is already in progress in this worker');
      // A job from JavaScript (or over postMessage) may carry what a transcript must not take.
      refuseOverrides(job);
      const runControl = new RunControl();
      control = runControl;
      try {
        const { spec, hash, source, manifest } = await openJob(job);
        const transcripts = await getTranscriptStore();
        return await withDeviceRestarts(
          {
            spec,
            // The reference backend unless a job names another (measurements: such a transcript
            // may not replay exactly for the jurors, who replay on the reference backend).
            backend: job.backend === undefined || job.backend === 'auto' ? TRANSCRIPT_BACKEND : job.backend,
            runControl,
            events,
            // The transcript resumes from its last stored state.
            restartStep: async () => {
              const stored = await transcripts.meta(job.transcriptId);
              return stored ? (stored.leaves.length - 1) * stored.settings.interval : 0;
            },
          },
          async (selection, run) => {
            const result = await runTranscript({
              spec,
              specHash: hash,
              identity: job.identity,
              openData: (seed) => datasetData(manifest, source, { seed }),
              ...(job.keyBits !== undefined ? { keyBits: job.keyBits } : {}),
              id: job.transcriptId,
              store: transcripts,
              segments: segmentsOf(job, manifest.samples, spec),
              ...(job.continueFrom !== undefined ? { continueFrom: job.continueFrom } : {}),
              ...(job.maxSegments !== undefined ? { maxSegments: job.maxSegments } : {}),
              backend: selection.backend,
              control: runControl,
              onStep: (step, last) => events.onStep?.(step, last),
              onSegment: (s) => events.onSegment?.(s),
            });
            return {
              status: result.status,
              ...(result.status === 'cancelled' ? { reason: runControl.cancelReason } : {}),
              meta: result.meta,
              backend: selection.backend,
              specHash: hash,
              resumedFrom: result.resumedFrom,
              ...(result.artifact ? { artifact: result.artifact, artifactHash: result.artifactHash! } : {}),
              deviceLosses: run.deviceLosses,
            };
          },
        );
      } finally {
        control = null;
      }
    },
    transcripts: async () => (await getTranscriptStore()).list(),
    deleteTranscript: async (id) => (await getTranscriptStore()).delete(id),

    pause: () => control?.pause(),
    resume: () => control?.resume(),
    cancel: (reason = 'cancelled') => control?.cancel(reason),
    runs: async () => (await getStore()).list(),
    deleteRun: async (runId) => (await getStore()).delete(runId),
    loseDevice() {
      if (tf.getBackend() !== 'webgpu') return false;
      const device = (tf.backend() as unknown as { device?: { destroy(): void } }).device;
      device?.destroy();
      return device !== undefined;
    },
  };
}
