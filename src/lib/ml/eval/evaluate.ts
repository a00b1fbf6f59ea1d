// Batched evaluation on the spec's metric (docs/ml.md section 1): accuracy, or a loss mapped to
// max(0, 1 - loss / cap), or for a next-token model bits per byte mapped to max(0, 1 - bpb / cap).
// A next-token sample's loss is the mean cross-entropy of its positions (every sample has the same
// number), so any subset's loss is the mean of its samples' and no per-position logits are kept.
// Sums stay on the backend and are read once at the end (one sync).
import { tf, type Tensor } from '../backend/tf.ts';
import { deserializeArtifact } from '../artifact/deserialize.ts';
import { buildModel, type Model } from '../model/model.ts';
import { elementCount, specShapes } from '../spec/shapes.ts';
import type { Metric, ModelSpec } from '../spec/types.ts';
import { yieldToEventLoop } from '../train/control.ts';
import type { TrainingData } from '../train/data.ts';
import { accuracyPerSample, correctCount, crossEntropyPerSample } from '../train/loss.ts';
import { isTokenModel, labelsPerSample, outputWidth } from '../spec/output.ts';
import { selectSamples } from './subset.ts';

export interface EvalResult {
  /** The spec's metric as a score in [0, 1] (higher is better). */
  score: number;
  /** Mean cross-entropy (nats; per target token for a next-token model). */
  loss: number;
  /** Accuracy (of the next token, over every target, for a next-token model). */
  accuracy: number;
  /** The loss in bits (bits per byte: the tokens are bytes), with the bitsPerByte metric only. */
  bitsPerByte?: number;
  samples: number;
  /** Per evaluated sample, in evaluation order (only with `perSample`). */
  perSample?: PerSample;
}

/**
 * What the backend computed for each sample: the inputs of the score, for comparing backends. A
 * next-token model has no class per sample: its `predictions`, `correct` and `logits` are empty
 * (its logits would be len x tokens per sample) and `accuracy` holds its per-sample terms.
 */
export interface PerSample {
  /** Arg-max class. */
  predictions: Int32Array;
  /** 1 where the arg-max class is the label, else 0: the terms of the accuracy (a subset's accuracy is their mean). */
  correct: Uint8Array;
  /** Cross-entropy of the sample (mean over its positions for a next-token model). */
  losses: Float32Array;
  /** Logits, sample-major (`classes` per sample). */
  logits: Float32Array;
  /** Next-token models only: the share of the sample's positions predicted right. */
  accuracy?: Float32Array;
}

export interface EvalOptions {
  /** Default: the spec's batch size. */
  batchSize?: number;
  /**
   * Evaluate only these samples of the data (SPEC 2.2 evaluation subsets), ascending, batched as
   * if they were the whole dataset; every sample when absent. Duplicates or indices outside the
   * data are a RangeError.
   */
  indices?: ArrayLike<number>;
  /** Also return what was computed for each sample (costs a read per batch). */
  perSample?: boolean;
  /** Called after each batch with the samples evaluated so far. */
  onProgress?: (done: number, total: number) => void;
}

/** Nats to bits: a next-token model's loss (nats per byte token) in bits per byte. */
export const bitsOf = (nats: number): number => nats / Math.LN2;

/** The score of a (loss, accuracy) pair under a metric (loss in nats); always in [0, 1]. */
export function metricScore(metric: Metric, loss: number, accuracy: number): number {
  if (metric.name === 'accuracy') return accuracy;
  if (!Number.isFinite(loss)) return 0;
  const value = metric.name === 'bitsPerByte' ? bitsOf(loss) : loss;
  return Math.min(1, Math.max(0, 1 - value / metric.cap));
}

/** Evaluates in the data's order (pass unshuffled data: the result must not depend on a seed). */
export async function evaluateModel(model: Model, all: TrainingData, options: EvalOptions = {}): Promise<EvalResult> {
  const spec = model.spec;
  const batchSize = options.batchSize ?? spec.optimizer.batchSize;
  const featureSize = elementCount(spec.input.shape);
  const data = options.indices === undefined ? all : selectSamples(all, options.indices);
  const tokens = isTokenModel(spec);
  const classes = outputWidth(spec);
  const perSize = tokens ? 0 : data.samples;
  const per: PerSample | null = options.perSample
    ? {
        predictions: new Int32Array(perSize),
        correct: new Uint8Array(perSize),
        losses: new Float32Array(data.samples),
        logits: new Float32Array(perSize * classes),
        ...(tokens ? { accuracy: new Float32Array(data.samples) } : {}),
      }
    : null;
  const reader = await data.openEpoch(0, batchSize);
  let sums: Tensor | null = null;
  let samples = 0;
  try {
    for (let batch = await reader.next(); batch !== null; batch = await reader.next()) {
      if (batch.features.length !== batch.size * featureSize) {
        throw new RangeError(
          `evaluation batch has ${batch.features.length / batch.size} values per sample, the spec's input needs ${featureSize}`,
        );
      }
      const b = batch;
      const prev: Tensor | null = sums;
      // The score's sums are the same ops with or without perSample, so the score is too.
      const [next, ...outs] = tf.tidy((): Tensor[] => {
        const x = tf.tensor(
          b.features,
          [b.size, ...spec.input.shape],
          b.features instanceof Int32Array ? 'int32' : 'float32',
        );
        const y = tokens
          ? tf.tensor2d(b.labels, [b.size, labelsPerSample(spec)], 'int32')
          : tf.tensor1d(b.labels, 'int32');
        const logits = model.apply(x);
        const ce = crossEntropyPerSample(logits, y);
        const s = tf.stack([tf.sum(ce), correctCount(logits, y)]);
        const total: Tensor = prev ? tf.add(prev, s) : s;
        if (!per) return [total];
        return tokens ? [total, ce, accuracyPerSample(logits, y)] : [total, tf.argMax(logits, 1), ce, logits];
      });
      sums = next!;
      prev?.dispose();
      if (per) {
        try {
          const got = await Promise.all(outs.map((t) => t.data()));
          if (tokens) {
            per.losses.set(got[0] as Float32Array, samples);
            per.accuracy!.set(got[1] as Float32Array, samples);
          } else {
            const [p, l, z] = got;
            per.predictions.set(p as Int32Array, samples);
            // The same comparison correctCount makes (tf.equal of the arg-max and the label).
            for (let k = 0; k < b.size; k++) per.correct[samples + k] = (p as Int32Array)[k] === b.labels[k] ? 1 : 0;
            per.losses.set(l as Float32Array, samples);
            per.logits.set(z as Float32Array, samples * classes);
          }
        } finally {
          for (const t of outs) t.dispose();
        }
      }
      samples += b.size;
      options.onProgress?.(samples, data.samples);
      // Lets a worker take a cancel message on long evaluations.
      if (samples % (batchSize * 32) === 0) await yieldToEventLoop();
    }
  } finally {
    reader.close();
  }
  if (sums === null || samples === 0) throw new RangeError('the evaluation data has no samples');
  const [lossSum, correct] = await (sums as Tensor).data<'float32'>();
  (sums as Tensor).dispose();
  const loss = lossSum! / samples;
  const accuracy = correct! / samples;
  return {
    score: metricScore(spec.metric, loss, accuracy),
    loss,
    accuracy,
    ...(spec.metric.name === 'bitsPerByte' ? { bitsPerByte: bitsOf(loss) } : {}),
    samples,
    ...(per ? { perSample: per } : {}),
  };
}

/** A sha256 given as 64 hex digits (optionally 0x-prefixed) or 32 bytes. */
export function specHashBytes(hash: string | Uint8Array): Uint8Array {
  if (typeof hash !== 'string') return hash;
  const h = hash.startsWith('0x') ? hash.slice(2) : hash;
  if (!/^[0-9a-fA-F]{64}$/.test(h)) throw new TypeError(`a spec hash is 64 hex digits, got "${hash}"`);
  return Uint8Array.from({ length: 32 }, (_, i) => parseInt(h.slice(2 * i, 2 * i + 2), 16));
}

/**
 * Evaluates an artifact of `spec` (whose sha256 is `specHash`): the strict reader checks it
 * against the spec, throwing ArtifactError, before any model is built.
 */
export async function evaluateArtifact(
  spec: ModelSpec,
  specHash: string | Uint8Array,
  bytes: Uint8Array,
  data: TrainingData,
  options: EvalOptions = {},
): Promise<EvalResult> {
  const weights = deserializeArtifact(bytes, { specHash: specHashBytes(specHash), params: specShapes(spec).params });
  const model = buildModel(spec, weights);
  try {
    return await evaluateModel(model, data, options);
  } finally {
    model.dispose();
  }
}
