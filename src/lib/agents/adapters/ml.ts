// MlPort over the ML workers' typed client (src/lib/ml/client.ts createTrainer/createEvaluator)
// or, in Node, over the services they wrap (createTrainService/createEvalService): both have
// the same train/pause/resume/cancel and evaluate shape. Bound to one task: its model spec file
// and where its datasets are served.
//
// Evaluation backend: validators must not score on a backend that computes in 16-bit floats
// (tfjs WebGL on a device without float32 render targets, common on phones): honest validators' scores would then
// disagree by more than the tolerance tolV. The eval service's automatic choice ('auto', the
// default) ranks a 16-bit backend last, behind wasm and cpu, so it is never picked where either
// exists, and the service refuses a 16-bit backend unless a job allows it, which this port never
// does. A forced `evalBackend` that turns out to be 16-bit here is replaced by 'auto' and the
// switch is reported (EvalScore/SampleEval.backend names what was used).
import type { Hex } from 'viem';
import type { BackendName } from '../../ml/backend/types.ts';
import type {
  EvalEvents,
  EvalJob,
  EvalOutcome,
  ReplayEvents,
  ReplayJob,
  ReplayOutcome,
} from '../../ml/eval/service.ts';
import { EvalJobError } from '../../ml/eval/service.ts';
import { SpecError, parseModelSpecBytes } from '../../ml/spec/parse.ts';
import { artifactHash } from '../../ml/artifact/hash.ts';
import { isTokenModel } from '../../ml/spec/output.ts';
import { specShapes } from '../../ml/spec/shapes.ts';
import type {
  TrainEvents,
  TrainJob,
  TrainOutcome,
  TranscriptEvents,
  TranscriptJob,
  TranscriptOutcome,
} from '../../ml/train/service.ts';
import { TrainJobError, segmentsOf } from '../../ml/train/service.ts';
import { urlSource } from '../../ml/data/sources.ts';
import { TRANSCRIPT_BACKEND } from '../../ml/spec/transcript.ts';
import { TranscriptError } from '../../ml/transcript/errors.ts';
import { stateArtifact } from '../../ml/transcript/state.ts';
import type { TranscriptStore } from '../../ml/transcript/store.ts';
import { carryOver, commitmentOf, finishPrefix, transcriptIdOf } from '../transcript-runs.ts';
import {
  PortError,
  type EvalRequest,
  type MlPort,
  type SampleEval,
  type SegmentReplayResult,
  type TrainEventsPort,
  type TrainRequest,
  type TrainResult,
} from '../ports.ts';

export interface TrainerHandle {
  train(job: TrainJob, events?: TrainEvents): Promise<TrainOutcome>;
  pause(): unknown;
  resume(): unknown;
  cancel(reason?: string): unknown;
  /** Transcript runs (the worker client and the Node service have it). */
  transcript?(job: TranscriptJob, events?: TranscriptEvents): Promise<TranscriptOutcome>;
}

export interface EvaluatorHandle {
  evaluate(job: EvalJob, events?: EvalEvents): Promise<EvalOutcome>;
  /** Transcript segment replay (validators' challenge checks); absent: the port cannot replay. */
  replay?(job: ReplayJob, events?: ReplayEvents): Promise<ReplayOutcome>;
}

export interface MlPortOptions {
  trainer: TrainerHandle;
  evaluator: EvaluatorHandle;
  /** The task's model spec file, already fetched and hash-checked. */
  specBytes: Uint8Array;
  /** The task's training set (content hash of its manifest). */
  trainData: Hex;
  /**
   * Where a dataset is read from, by the content hash of its manifest: a folder URL, or IPFS
   * gateways serving it by hash (a set that is not part of the app, as a revealed final eval set).
   */
  dataUrl(hash: Hex): string | { gateways: readonly string[] };
  /** Default 'auto': the fastest 32-bit backend (see the note at the top). */
  evalBackend?: BackendName | 'auto';
  /** Passed to every training job (tests and demos cap steps; the app checkpoints often). */
  train?: { readEvery?: number; checkpointEvery?: number; maxSteps?: number };
  /**
   * The store the trainer's transcript runs keep their states in (the worker's IndexedDB
   * database opened here, or the Node service's directory): needed to reuse states when K grows
   * and to seal a snapshot's stored prefix. Without it transcript requests are refused.
   */
  transcripts?: TranscriptStore;
  /** Fetches the training set's manifest for a transcript's K (default: global fetch). */
  fetch?: typeof fetch;
}

// The data sources compare bare lowercase hex; the chain gives 0x-prefixed bytes32.
const bare = (h: Hex) => h.slice(2).toLowerCase();

const dataAt = (at: string | { gateways: readonly string[] }) =>
  typeof at === 'string' ? { dataUrl: at } : { dataGateways: at.gateways };

/** Training reads a folder: its set is bundled with the app or served next to it. */
const trainFolder = (at: string | { gateways: readonly string[] }): string => {
  if (typeof at !== 'string')
    throw new PortError('ml', 'TrainDataNotServed', 'the training set is not served by this app', false);
  return at;
};

/** Errors that the same job will hit again: a wrong spec or dataset, not a network hiccup. */
export function mlPortError(error: unknown): unknown {
  if (error instanceof TrainJobError || error instanceof EvalJobError || error instanceof SpecError) {
    return new PortError('ml', error.name, error.message, false, { cause: error });
  }
  return error;
}

/** The eval service's refusal of a 16-bit backend (service.ts, allowHalfPrecision). */
/** A transcript run's steps as the training progress the agents show. */
function transcriptProgress(
  step: number,
  last: number,
  epochs: number,
  batchSize: number,
  startedAt: number,
): import('../../ml/train/trainer.ts').TrainProgress {
  const perSec = step > 0 ? step / Math.max(1e-3, (Date.now() - startedAt) / 1000) : 0;
  return {
    step,
    totalSteps: last,
    epoch: Math.min(epochs - 1, Math.floor((step / Math.max(1, last)) * epochs)),
    epochs,
    loss: Number.NaN,
    penalty: Number.NaN,
    accuracy: Number.NaN,
    samplesPerSec: perSec * batchSize,
    etaSec: perSec > 0 ? (last - step) / perSec : Number.NaN,
    backend: '',
  };
}

const isHalfPrecisionRefusal = (e: unknown) => e instanceof EvalJobError && /computes in 16-bit floats/.test(e.message);

export function mlPort(o: MlPortOptions): MlPort {
  const spec = parseModelSpecBytes(o.specBytes);
  // Once a forced backend proved 16-bit here, every later job uses the automatic choice.
  let evalBackend: BackendName | 'auto' = o.evalBackend ?? 'auto';
  const evaluateJob = async (job: Omit<EvalJob, 'backend'>, events: EvalEvents): Promise<EvalOutcome> => {
    try {
      return await o.evaluator.evaluate({ ...job, backend: evalBackend }, events);
    } catch (e) {
      if (evalBackend === 'auto' || !isHalfPrecisionRefusal(e)) throw e;
      evalBackend = 'auto';
      return o.evaluator.evaluate({ ...job, backend: evalBackend }, events);
    }
  };
  const runEvaluation = async (
    req: EvalRequest,
    events: { onProgress?: (done: number, total: number) => void },
    perSample: boolean,
  ): Promise<EvalOutcome> => {
    const { hash } = await spec;
    try {
      return await evaluateJob(
        {
          specBytes: o.specBytes,
          expectedSpecHash: hash,
          artifact: req.artifact,
          // Verified where the bytes came from (the CID-checked download or the training run).
          artifactHash: req.artifactHash,
          ...dataAt(o.dataUrl(req.dataHash)),
          expectedDataHash: bare(req.dataHash),
          ...(perSample ? { perSample: true } : {}),
          ...(req.probes ? { probes: req.probes } : {}),
        },
        { onProgress: (done, total) => events.onProgress?.(done, total) },
      );
    } catch (e) {
      throw mlPortError(e);
    }
  };
  /** A transcript run (SPEC 8; docs/transcript.md section 11). */
  const trainTranscript = async (req: TrainRequest, events: TrainEventsPort): Promise<TrainResult> => {
    const t = req.transcript!;
    const { spec: parsed, hash } = await spec;
    const store = o.transcripts;
    if (!o.trainer.transcript || !store)
      throw new PortError('ml', 'no-transcripts', 'this ML port keeps no training transcripts', false);
    const epochs = req.epochs ?? parsed.optimizer.epochs;
    const base = {
      specBytes: o.specBytes,
      expectedSpecHash: hash,
      dataUrl: trainFolder(o.dataUrl(o.trainData)),
      expectedDataHash: bare(o.trainData),
      identity: { chainId: t.chainId, task: t.task, trainer: req.watermark.owner },
      keyBits: req.watermark.keyBits,
      ...(t.continueFrom !== null ? { continueFrom: t.continueFrom } : {}),
      // A sealed transcript trains on the reference backend whatever the person chose: the
      // jurors replay it there, exactly (docs/transcript.md section 5).
      backend: TRANSCRIPT_BACKEND,
    };
    let outcome: TranscriptOutcome;
    let id: string;
    try {
      // K from the plan's epochs, as the service computes it (the training set's size is in its manifest).
      const source = urlSource(base.dataUrl, o.fetch ? { fetch: o.fetch } : {});
      const { manifest } = await source.manifest(base.expectedDataHash);
      const segments = segmentsOf({ epochs }, manifest.samples, parsed);
      id = transcriptIdOf(t.base, segments);
      await carryOver(store, t.base, segments);
      let started = 0;
      let backendName = '';
      // A segment's mean loss terms are what a transcript run reports; steps in between show the last.
      let terms = { loss: Number.NaN, penalty: Number.NaN, accuracy: Number.NaN };
      outcome = await o.trainer.transcript(
        { ...base, transcriptId: id, segments },
        {
          onBackend: (s) => {
            backendName = s.backend;
            events.onBackend?.(s);
          },
          onSegment: (seg) => (terms = { loss: seg.loss, penalty: seg.penalty, accuracy: seg.accuracy }),
          onStep: (step, last) => {
            started ||= Date.now();
            events.onProgress?.({
              ...transcriptProgress(step, last, epochs, parsed.optimizer.batchSize, started),
              ...terms,
              backend: backendName,
            });
          },
        },
      );
    } catch (e) {
      throw e instanceof TranscriptError ? new PortError('ml', e.code, e.message, false, { cause: e }) : mlPortError(e);
    }
    const common = {
      ...(outcome.reason !== undefined ? { reason: outcome.reason } : {}),
      plannedEpochs: epochs,
      backend: outcome.backend,
    };
    const stepOf = (segments: number) => segments * outcome.meta.settings.interval;
    if (outcome.status === 'completed') {
      return {
        status: 'completed',
        ...common,
        step: stepOf(outcome.meta.segments),
        epoch: epochs - 1,
        artifact: outcome.artifact!,
        artifactHash: outcome.artifactHash!,
        transcript: commitmentOf(outcome.meta),
        transcriptId: id,
      };
    }
    // Stopped early (a snapshot, the user): what is sealable is the stored prefix.
    const prefix = await finishPrefix(store, id);
    if (prefix === null)
      throw new PortError(
        'ml',
        'no-segment',
        'training stopped before its first transcript segment was stored: there is no model to seal yet',
        true,
      );
    const artifact = stateArtifact(prefix.last, specShapes(parsed).params).slice();
    return {
      status: outcome.status,
      ...common,
      step: stepOf(prefix.meta.segments),
      epoch: epochs - 1,
      artifact,
      artifactHash: await artifactHash(artifact),
      transcript: commitmentOf(prefix.meta),
      transcriptId: prefix.meta.id,
    };
  };

  return {
    specBytes: async () => o.specBytes,

    async train(req, events = {}): Promise<TrainResult> {
      if (req.transcript) return trainTranscript(req, events);
      const { spec: parsed, hash } = await spec;
      let outcome: TrainOutcome;
      try {
        outcome = await o.trainer.train(
          {
            runId: req.runId,
            specBytes: o.specBytes,
            expectedSpecHash: hash,
            dataUrl: trainFolder(o.dataUrl(o.trainData)),
            expectedDataHash: bare(o.trainData),
            seed: req.seed,
            ...(req.epochs !== null ? { overrides: { epochs: req.epochs } } : {}),
            watermark: { keyBits: req.watermark.keyBits, owner: req.watermark.owner },
            backend: req.backend,
            ...o.train,
          },
          {
            onBackend: (s) => events.onBackend?.(s),
            onProgress: (p) => events.onProgress?.(p),
          },
        );
      } catch (e) {
        throw mlPortError(e);
      }
      return {
        status: outcome.status,
        ...(outcome.reason !== undefined ? { reason: outcome.reason } : {}),
        step: outcome.step,
        epoch: outcome.epoch,
        plannedEpochs: outcome.last?.epochs ?? req.epochs ?? parsed.optimizer.epochs,
        backend: outcome.backend,
        artifact: outcome.artifact,
        artifactHash: outcome.artifactHash,
        // A plain run has no transcript (a transcript request takes trainTranscript above).
        transcript: null,
      };
    },

    pause: async () => {
      await o.trainer.pause();
    },
    resume: async () => {
      await o.trainer.resume();
    },
    stop: async (reason) => {
      await o.trainer.cancel(reason);
    },

    async evaluate(req, events = {}) {
      const r = await runEvaluation(req, events, false);
      return { score: r.score, loss: r.loss, accuracy: r.accuracy, samples: r.samples };
    },

    async evaluateSamples(req, events = {}): Promise<SampleEval> {
      const r = await runEvaluation(req, events, true);
      const per = r.perSample;
      // A next-token model has no class per sample: its vectors are the losses (correct is empty).
      const flags = isTokenModel((await spec).spec) ? 0 : r.datasetSamples;
      if (!per || per.correct === undefined || per.correct.length !== flags || per.losses.length !== r.datasetSamples) {
        throw new PortError(
          'ml',
          'per-sample',
          `the evaluator returned no per-sample results for all ${r.datasetSamples} samples`,
          false,
        );
      }
      if (r.floatPrecision < 32) {
        throw new PortError(
          'ml',
          'half-precision',
          `the evaluator computed in ${r.floatPrecision}-bit floats on ${r.backend}; validators score in 32-bit floats only`,
          false,
        );
      }
      return {
        samples: r.datasetSamples,
        correct: per.correct,
        losses: per.losses,
        score: r.score,
        backend: r.backend,
        floatPrecision: r.floatPrecision,
        // Asked for with the probes only (the similarity hint): a scoring-only caller gets none,
        // nor does a next-token model (no class per sample).
        ...(req.probes && per.predictions && per.predictions.length > 0 ? { predictions: per.predictions } : {}),
        ...(r.probePredictions ? { probePredictions: r.probePredictions } : {}),
      };
    },

    ...(o.evaluator.replay
      ? {
          async replaySegment(req, events = {}): Promise<SegmentReplayResult> {
            const { hash } = await spec;
            let r: ReplayOutcome;
            try {
              r = await o.evaluator.replay!(
                {
                  specBytes: o.specBytes,
                  expectedSpecHash: hash,
                  ...dataAt(o.dataUrl(o.trainData)),
                  expectedDataHash: bare(o.trainData),
                  identity: req.identity,
                  ...(req.keyBits ? { keyBits: req.keyBits } : {}),
                  start: req.start,
                  claimed: req.claimed,
                  ...(req.checkSeededStart ? { checkSeededStart: true } : {}),
                  // The reference backend unless the request names another (docs/transcript.md section 5).
                  backend: req.backend ?? TRANSCRIPT_BACKEND,
                },
                { onProgress: (done, total) => events.onProgress?.(done, total) },
              );
            } catch (e) {
              throw mlPortError(e);
            }
            return {
              status: r.status,
              replays: r.status === 'done' && r.seededStart !== false && r.check?.replays === true,
              failing: r.check?.failed ?? 0,
              maxDeviation: r.check?.maxDeviation ?? 0,
              seconds: r.seconds,
              ...(r.seededStart !== undefined ? { seededStart: r.seededStart } : {}),
              backend: r.backend,
            };
          },
        }
      : {}),
  };
}
