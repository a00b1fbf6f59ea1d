// A few training steps of the real model on the active backend, on synthetic data: proves the
// backend has every kernel the model's forward and backward passes need (rather found out than
// hard-coded: backends and tfjs versions differ; the layers already route around the backward
// kernels wasm 4.22 lacks, model/grad-ops.ts) and measures its speed.
import { buildModel } from '../model/model.ts';
import { initialWeights } from '../model/init.ts';
import { labelsPerSample, outputWidth } from '../spec/output.ts';
import { elementCount } from '../spec/shapes.ts';
import type { ModelSpec } from '../spec/types.ts';
import { createOptimizer } from '../train/optimizer.ts';
import { trainStep } from '../train/step.ts';
import { tf, type Tensor } from './tf.ts';

export interface TrialOptions {
  batchSize?: number;
  /** Untimed steps after the first (shader compilation, allocator warm-up). Default 1. */
  warmup?: number;
  /** Timed steps. Default 3. */
  steps?: number;
}

export type TrialResult = { ok: true; samplesPerSec: number; msPerStep: number } | { ok: false; error: string };

function syntheticBatch(spec: ModelSpec, size: number): { x: Tensor; y: Tensor } {
  const n = size * elementCount(spec.input.shape);
  const first = spec.layers[0];
  const x =
    first?.type === 'embedding'
      ? tf.tensor(
          Int32Array.from({ length: n }, (_, i) => (i * 7919) % first.vocabSize),
          [size, ...spec.input.shape],
          'int32',
        )
      : tf.tensor(
          Float32Array.from({ length: n }, (_, i) => ((i * 7919) % 256) / 255),
          [size, ...spec.input.shape],
          'float32',
        );
  const perSample = labelsPerSample(spec);
  const labels = Int32Array.from({ length: size * perSample }, (_, i) => i % outputWidth(spec));
  const y = perSample === 1 ? tf.tensor1d(labels, 'int32') : tf.tensor2d(labels, [size, perSample], 'int32');
  return { x, y };
}

/** Trains the model for a few steps on the active backend; never throws. */
export async function trialTraining(spec: ModelSpec, options: TrialOptions = {}): Promise<TrialResult> {
  const batchSize = options.batchSize ?? spec.optimizer.batchSize;
  const warmup = options.warmup ?? 1;
  const steps = options.steps ?? 3;
  const model = buildModel(spec, initialWeights(spec, 1));
  const optimizer = createOptimizer(spec.optimizer, model.variables);
  const { x, y } = syntheticBatch(spec, batchSize);
  const run = async (step: number): Promise<number> => {
    const out = trainStep(model, optimizer, { x, y, step, seed: 1 });
    out.penalty.dispose();
    out.correct.dispose();
    const [loss] = await out.loss.data();
    out.loss.dispose();
    return loss!;
  };
  try {
    const first = await run(0);
    if (!Number.isFinite(first)) return { ok: false, error: `the loss is ${first} after one step` };
    for (let i = 0; i < warmup; i++) await run(1 + i);
    const t0 = performance.now();
    // Queue the timed steps without reading (as the training loop does), then sync once.
    for (let i = 0; i < steps - 1; i++) {
      const out = trainStep(model, optimizer, { x, y, step: 1 + warmup + i, seed: 1 });
      out.loss.dispose();
      out.penalty.dispose();
      out.correct.dispose();
    }
    const last = await run(warmup + steps);
    const ms = (performance.now() - t0) / steps;
    if (!Number.isFinite(last)) return { ok: false, error: `the loss is ${last} after ${warmup + steps + 1} steps` };
    return { ok: true, msPerStep: ms, samplesPerSec: (batchSize * 1000) / ms };
  } catch (e) {
    return { ok: false, error: (e as Error).message };
  } finally {
    x.dispose();
    y.dispose();
    optimizer.dispose();
    model.dispose();
  }
}
