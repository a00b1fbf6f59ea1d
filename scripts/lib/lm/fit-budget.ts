// The model.fit baseline of the language-model budget table (issue 14, "the same spec trained with
// tfjs's own model.fit"): the spec built with tfjs-layers (scripts/lib/fit-lm.ts) and trained by
// model.fit on the same shuffled stream of training sequences our trainer reads, scored on the
// hidden split when its training time first passes each budget (scoring time not counted).
import type * as tfl from '@tensorflow/tfjs-layers';
import { tf } from '../../../src/lib/ml/backend/tf.ts';
import type { ModelSpec } from '../../../src/lib/ml/spec/types.ts';
import type { TrainingData } from '../../../src/lib/ml/train/data.ts';
import { fitModel } from '../fit-lm.ts';

export interface FitScore {
  bitsPerByte: number;
  accuracy: number;
}

// tfjs's sparseCategoricalCrossentropy clips probabilities at this epsilon; scoring does the same.
const EPSILON = 1e-7;

/**
 * Bits per byte of a softmax LayersModel over every target of every sequence of `data` (in file
 * order), as a validator scores our models: the mean per-target cross-entropy in bits (every
 * sequence has L targets, so the mean of sequence means is the mean over targets).
 */
export async function scoreLayersModel(
  model: tfl.LayersModel,
  data: TrainingData,
  L: number,
  batchSize = 64,
): Promise<FitScore> {
  const reader = await data.openEpoch(0, batchSize);
  let nats = 0;
  let correct = 0;
  let targets = 0;
  try {
    for (let b = await reader.next(); b !== null; b = await reader.next()) {
      const [ce, hit] = tf.tidy(() => {
        const x = tf.tensor2d(b.features as Int32Array, [b.size, L], 'int32');
        const y = tf.tensor2d(b.labels as Int32Array, [b.size, L], 'int32');
        const p = model.predict(x) as tf.Tensor3D;
        const depth = p.shape[2];
        const picked = tf.sum(tf.mul(p, tf.oneHot(y, depth)), -1);
        const loss = tf.sum(tf.neg(tf.log(tf.clipByValue(picked, EPSILON, 1))));
        const same = tf.sum(tf.cast(tf.equal(tf.argMax(p, -1), y), 'float32'));
        return [loss, same];
      });
      nats += (await ce.data())[0]!;
      correct += (await hit.data())[0]!;
      tf.dispose([ce, hit]);
      targets += b.size * L;
    }
  } finally {
    reader.close();
  }
  return { bitsPerByte: nats / targets / Math.LN2, accuracy: correct / targets };
}

/** A budget point of a run: where its training time first passed `budget` seconds. */
export interface FitPoint {
  budget: number;
  step: number;
  seconds: number;
  tokens: number;
  bpb: number;
  accuracy: number;
}

/**
 * Trains `spec` (untied, see fitModel) with model.fit, a call per `chunk` batches of the stream
 * (the optimizer's state carries over between calls), for at most the spec's epochs, and scores it
 * with `score` when its training time first passes each of `budgets` (seconds), handing each
 * point to `onPoint` as it is measured.
 */
export async function fitBudgetRun(
  spec: ModelSpec,
  train: TrainingData,
  budgets: readonly number[],
  score: (model: tfl.LayersModel) => Promise<FitScore>,
  onPoint: (point: FitPoint) => void,
  log: (line: string) => void = () => {},
  chunk = 2,
): Promise<FitPoint[]> {
  const L = spec.input.shape[0]!;
  const B = spec.optimizer.batchSize;
  const model = fitModel(spec, 'broadcast');
  const points: FitPoint[] = [];
  let trainMs = 0;
  let step = 0;
  try {
    for (let epoch = 0; epoch < spec.optimizer.epochs && points.length < budgets.length; epoch++) {
      const reader = await train.openEpoch(epoch, B * chunk);
      try {
        for (let b = await reader.next(); b !== null && points.length < budgets.length; b = await reader.next()) {
          const t0 = performance.now();
          const x = tf.tensor2d(b.features as Int32Array, [b.size, L], 'int32');
          const y = tf.tensor3d(Float32Array.from(b.labels), [b.size, L, 1]);
          let loss = NaN;
          try {
            const h = await model.fit(x, y, { batchSize: B, epochs: 1, shuffle: false, verbose: 0 });
            loss = h.history.loss!.at(-1) as number;
          } finally {
            tf.dispose([x, y]);
          }
          trainMs += performance.now() - t0;
          step += Math.ceil(b.size / B);
          const seconds = trainMs / 1000;
          if (step % 20 < chunk)
            log(`fit step ${step}: ${(loss / Math.LN2).toFixed(3)} bits/byte, ${seconds.toFixed(0)} s`);
          const budget = budgets[points.length]!;
          if (seconds < budget) continue;
          const s = await score(model);
          const point = { budget, step, seconds, tokens: step * B * L, bpb: s.bitsPerByte, accuracy: s.accuracy };
          points.push(point);
          log(`fit budget ${JSON.stringify(point)}`);
          onPoint(point);
        }
      } finally {
        reader.close();
      }
    }
  } finally {
    model.dispose();
  }
  return points;
}
