// MlPort over the ML workers' typed client (src/lib/ml/client.ts createTrainer/createEvaluator)
// or, in Node, over the services they wrap (createTrainService/createEvalService): both have
// the same train/pause/resume/cancel and evaluate shape. Bound to one task: its model spec file
// and where its datasets are served.
import type { Hex } from 'viem';
import type { BackendName } from '../../ml/backend/types.ts';
import type { EvalEvents, EvalJob, EvalOutcome } from '../../ml/eval/service.ts';
import { EvalJobError } from '../../ml/eval/service.ts';
import { SpecError, parseModelSpecBytes } from '../../ml/spec/parse.ts';
import type { TrainEvents, TrainJob, TrainOutcome } from '../../ml/train/service.ts';
import { TrainJobError } from '../../ml/train/service.ts';
import { PortError, type MlPort, type TrainResult } from '../ports.ts';

export interface TrainerHandle {
  train(job: TrainJob, events?: TrainEvents): Promise<TrainOutcome>;
  pause(): unknown;
  resume(): unknown;
  cancel(reason?: string): unknown;
}

export interface EvaluatorHandle {
  evaluate(job: EvalJob, events?: EvalEvents): Promise<EvalOutcome>;
}

export interface MlPortOptions {
  trainer: TrainerHandle;
  evaluator: EvaluatorHandle;
  /** The task's model spec file, already fetched and hash-checked. */
  specBytes: Uint8Array;
  /** The task's training set (content hash of its manifest). */
  trainData: Hex;
  /** The folder URL a dataset is served from, by the content hash of its manifest. */
  dataUrl(hash: Hex): string;
  evalBackend?: BackendName | 'auto';
  /** Passed to every training job (tests and demos cap steps; the app checkpoints often). */
  train?: { readEvery?: number; checkpointEvery?: number; maxSteps?: number };
}

// The data sources compare bare lowercase hex; the chain gives 0x-prefixed bytes32.
const bare = (h: Hex) => h.slice(2).toLowerCase();

/** Errors that the same job will hit again: a wrong spec or dataset, not a network hiccup. */
export function mlPortError(error: unknown): unknown {
  if (error instanceof TrainJobError || error instanceof EvalJobError || error instanceof SpecError) {
    return new PortError('ml', error.name, error.message, false, { cause: error });
  }
  return error;
}

export function mlPort(o: MlPortOptions): MlPort {
  const spec = parseModelSpecBytes(o.specBytes);
  return {
    specBytes: async () => o.specBytes,

    async train(req, events = {}): Promise<TrainResult> {
      const { spec: parsed, hash } = await spec;
      let outcome: TrainOutcome;
      try {
        outcome = await o.trainer.train(
          {
            runId: req.runId,
            specBytes: o.specBytes,
            expectedSpecHash: hash,
            dataUrl: o.dataUrl(o.trainData),
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
      const { hash } = await spec;
      try {
        const r = await o.evaluator.evaluate(
          {
            specBytes: o.specBytes,
            expectedSpecHash: hash,
            artifact: req.artifact,
            expectedArtifactHash: req.artifactHash,
            dataUrl: o.dataUrl(req.dataHash),
            expectedDataHash: bare(req.dataHash),
            ...(o.evalBackend ? { backend: o.evalBackend } : {}),
          },
          { onProgress: (done, total) => events.onProgress?.(done, total) },
        );
        return { score: r.score, loss: r.loss, accuracy: r.accuracy, samples: r.samples };
      } catch (e) {
        throw mlPortError(e);
      }
    },
  };
}
