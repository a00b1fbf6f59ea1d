// The training loop (no model.fit): seeded batches from the loader, our own optimizer, reads of
// the loss only every `readEvery` steps (each read is a GPU sync), progress events, pause /
// resume / cancel, and checkpoints from which a resumed run continues the same sequence.
import { ensureGradients, tf, type Tensor } from '../backend/tf.ts';
import { buildModel, type Model } from '../model/model.ts';
import { initialWeights } from '../model/init.ts';
import { labelsPerSample } from '../spec/output.ts';
import { elementCount, specShapes } from '../spec/shapes.ts';
import type { ModelSpec, OptimizerSpec } from '../spec/types.ts';
import { CHECKPOINT_FORMAT, CHECKPOINT_VERSION, checkCheckpoint, type TrainCheckpoint } from './checkpoint.ts';
import { RunControl, yieldToEventLoop } from './control.ts';
import { START, type Batch, type LoaderPosition, type TrainingData } from './data.ts';
import { effectiveHyper, type OptimizerOverrides } from './hyper.ts';
import { createOptimizer, type Optimizer } from './optimizer.ts';
import { trainStep } from './step.ts';
import { createWatermarkPenalty, type WatermarkPenalty } from './watermark.ts';
import { watermarkKernelIndex } from '../watermark/extract.ts';

export interface TrainProgress {
  step: number;
  totalSteps: number;
  epoch: number;
  epochs: number;
  /** Mean cross-entropy over the batches since the last report. */
  loss: number;
  /** Mean watermark penalty over the same batches (0 without a watermark). */
  penalty: number;
  /** Accuracy on those training batches (per token for a next-token model). */
  accuracy: number;
  samplesPerSec: number;
  /** Seconds left at the current speed. */
  etaSec: number;
  backend: string;
}

export interface WatermarkTraining {
  /** X: T*N entries 0|1, row-major. */
  keyBits: Uint8Array;
  /** The first T bits of the owner's address, 0|1 (watermark/bits.ts ownerBits). */
  ownerBits: Uint8Array;
}

export interface TrainOptions {
  spec: ModelSpec;
  data: TrainingData;
  /** Run seed: initial weights and dropout masks (the loader has its own seeded shuffle). */
  seed: number;
  overrides?: OptimizerOverrides;
  /** Train the spec's watermark into the model. */
  watermark?: WatermarkTraining;
  /** Start from these weights instead of the seeded initialization (fine-tuning). */
  initialWeights?: Float32Array[];
  /** Continue this run. */
  resumeFrom?: TrainCheckpoint;
  /** Steps between loss reads and progress events. Default 10. */
  readEvery?: number;
  /** Steps between checkpoints; 0 or absent: only on pause and at the end. */
  checkpointEvery?: number;
  /** Stop after this many global steps (benchmarks, tests, staged runs). */
  maxSteps?: number;
  control?: RunControl;
  onProgress?: (p: TrainProgress) => void;
  onCheckpoint?: (c: TrainCheckpoint) => void | Promise<void>;
}

export type TrainStatus = 'completed' | 'stopped' | 'cancelled';

export interface TrainResult {
  status: TrainStatus;
  /** Why a cancelled run was cancelled. */
  reason?: string;
  weights: Float32Array[];
  checkpoint: TrainCheckpoint;
  last: TrainProgress | null;
}

interface RunState {
  step: number;
  epoch: number;
  position: LoaderPosition;
  samplesSeen: number;
}

/** Running sums of the loss terms on the backend, read once per report (the transcript program shares it). */
export class LossWindow {
  private sums: Tensor[] | null = null;
  samples = 0;
  steps = 0;
  started = performance.now();

  add(loss: Tensor, penalty: Tensor, correct: Tensor, size: number): void {
    const prev = this.sums;
    this.sums = tf.tidy(() => {
      const weighted = tf.mul(loss, size);
      const pen = tf.mul(penalty, size);
      return prev
        ? [tf.add(prev[0]!, weighted), tf.add(prev[1]!, pen), tf.add(prev[2]!, correct)]
        : [weighted, pen, tf.add(correct, 0)];
    });
    prev?.forEach((t) => t.dispose());
    this.samples += size;
    this.steps += 1;
  }

  /** Averages since the last read, then starts a new window. */
  async read(): Promise<{
    loss: number;
    penalty: number;
    accuracy: number;
    samples: number;
    steps: number;
    seconds: number;
  } | null> {
    if (!this.sums || this.samples === 0) return null;
    const sums = this.sums;
    const packed = tf.stack(sums);
    const [loss, penalty, correct] = await packed.data<'float32'>();
    packed.dispose();
    sums.forEach((t) => t.dispose());
    const out = {
      loss: loss! / this.samples,
      penalty: penalty! / this.samples,
      accuracy: correct! / this.samples,
      samples: this.samples,
      steps: this.steps,
      seconds: (performance.now() - this.started) / 1000,
    };
    this.reset();
    return out;
  }

  reset(): void {
    this.sums?.forEach((t) => t.dispose());
    this.sums = null;
    this.samples = 0;
    this.steps = 0;
    this.started = performance.now();
  }
}

/**
 * A batch as tensors `[size, ...input.shape]` and int32 labels: `[size]`, or `[size, len]` for a
 * next-token model (the transcript program shares it).
 */
export function batchTensors(spec: ModelSpec, batch: Batch): { x: Tensor; y: Tensor } {
  const featureSize = elementCount(spec.input.shape);
  const perSample = labelsPerSample(spec);
  if (batch.features.length !== batch.size * featureSize || batch.labels.length !== batch.size * perSample) {
    throw new RangeError(
      `batch of ${batch.size} has ${batch.features.length} feature values and ${batch.labels.length} labels; the spec's input [${spec.input.shape.join(', ')}] needs ${featureSize} values and ${perSample} label${perSample === 1 ? '' : 's'} per sample`,
    );
  }
  const dtype = batch.features instanceof Int32Array ? 'int32' : 'float32';
  return {
    x: tf.tensor(batch.features, [batch.size, ...spec.input.shape], dtype),
    y:
      perSample === 1
        ? tf.tensor1d(batch.labels, 'int32')
        : tf.tensor2d(batch.labels, [batch.size, perSample], 'int32'),
  };
}

function makeWatermark(spec: ModelSpec, model: Model, wm: WatermarkTraining | undefined): WatermarkPenalty | undefined {
  if (!wm) return undefined;
  if (!spec.watermark) throw new Error('a watermark was given but the model spec has none');
  const index = watermarkKernelIndex(spec, model.params);
  return createWatermarkPenalty(spec.watermark, model.variables[index]!, wm.keyBits, wm.ownerBits);
}

export async function train(options: TrainOptions): Promise<TrainResult> {
  const { spec, data, seed } = options;
  await ensureGradients();
  const hyper: OptimizerSpec = effectiveHyper(spec, options.overrides);
  const { paramCount } = specShapes(spec);
  const modelId = { name: spec.name, paramCount };
  const control = options.control ?? new RunControl();
  const readEvery = Math.max(1, options.readEvery ?? 10);
  const checkpointEvery = options.checkpointEvery ?? 0;
  const backend = tf.getBackend();

  const resume = options.resumeFrom;
  if (resume) checkCheckpoint(resume, modelId, hyper);
  const state: RunState = resume
    ? { step: resume.step, epoch: resume.epoch, position: resume.position, samplesSeen: resume.samplesSeen }
    : { step: 0, epoch: 0, position: START, samplesSeen: 0 };

  const model = buildModel(spec, resume?.weights ?? options.initialWeights ?? initialWeights(spec, seed));
  let optimizer: Optimizer | undefined;
  let watermark: WatermarkPenalty | undefined;
  const window = new LossWindow();
  try {
    optimizer = createOptimizer(hyper, model.variables);
    if (resume) optimizer.writeState(resume.optimizer);
    watermark = makeWatermark(spec, model, options.watermark);

    const stepsPerEpoch = Math.ceil(data.samples / hyper.batchSize);
    const fullSteps = hyper.epochs * stepsPerEpoch;
    const totalSteps = Math.min(fullSteps, options.maxSteps ?? Infinity);
    let last: TrainProgress | null = null;
    let lastSaved: TrainCheckpoint | undefined = resume;

    const report = async () => {
      const w = await window.read();
      if (!w) return;
      const secPerStep = w.seconds / w.steps;
      last = {
        step: state.step,
        totalSteps,
        epoch: state.epoch,
        epochs: hyper.epochs,
        loss: w.loss,
        penalty: w.penalty,
        accuracy: w.accuracy,
        samplesPerSec: w.seconds > 0 ? w.samples / w.seconds : 0,
        etaSec: (totalSteps - state.step) * secPerStep,
        backend,
      };
      options.onProgress?.(last);
    };

    const summary = (p: TrainProgress | null) =>
      p ? { last: { loss: p.loss, accuracy: p.accuracy, penalty: p.penalty } } : {};

    const checkpoint = async (): Promise<TrainCheckpoint> => {
      const saveStarted = performance.now();
      const c: TrainCheckpoint = {
        format: CHECKPOINT_FORMAT,
        version: CHECKPOINT_VERSION,
        model: modelId,
        seed,
        hyper,
        backend,
        step: state.step,
        epoch: state.epoch,
        position: { ...state.position },
        samplesSeen: state.samplesSeen,
        weights: await model.readWeights(),
        optimizer: await optimizer!.readState(),
        ...summary(last),
        savedAt: Date.now(),
      };
      await options.onCheckpoint?.(c);
      lastSaved = c;
      // Time spent saving is not training time; the window's steps before the save still are.
      window.started += performance.now() - saveStarted;
      return c;
    };

    run: while (state.epoch < hyper.epochs && state.step < totalSteps) {
      const reader = await data.openEpoch(state.epoch, hyper.batchSize, state.position);
      try {
        for (;;) {
          if (control.state === 'paused') {
            await report();
            if (lastSaved?.step !== state.step) await checkpoint();
            await control.whilePaused();
            window.reset();
          }
          if (control.state === 'cancelled' || state.step >= totalSteps) break run;
          const batch = await reader.next();
          if (batch === null) break;
          const { x, y } = batchTensors(spec, batch);
          try {
            const out = trainStep(model, optimizer, { x, y, step: state.step, seed }, watermark);
            window.add(out.loss, out.penalty, out.correct, batch.size);
            out.loss.dispose();
            out.penalty.dispose();
            out.correct.dispose();
          } finally {
            x.dispose();
            y.dispose();
          }
          state.step += 1;
          state.samplesSeen += batch.size;
          state.position = reader.position();
          if (state.step % readEvery === 0) {
            await report();
            await yieldToEventLoop();
          }
          if (checkpointEvery > 0 && state.step % checkpointEvery === 0) await checkpoint();
        }
      } finally {
        reader.close();
      }
      state.epoch += 1;
      state.position = START;
    }

    await report();
    const status: TrainStatus =
      control.state === 'cancelled'
        ? 'cancelled'
        : state.step >= fullSteps || state.epoch >= hyper.epochs
          ? 'completed'
          : 'stopped';
    // The last periodic checkpoint may already be the final state.
    const final = lastSaved?.step === state.step && lastSaved.epoch === state.epoch ? lastSaved : await checkpoint();
    return {
      status,
      ...(status === 'cancelled' ? { reason: control.cancelReason } : {}),
      weights: final.weights,
      checkpoint: final,
      last,
    };
  } finally {
    window.reset();
    watermark?.dispose();
    optimizer?.dispose();
    model.dispose();
  }
}
