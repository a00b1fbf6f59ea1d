// Functional similarity of two models (SPEC 8.4, issue 11 section 4): how often they predict the
// same class, on the task's eval samples and on seeded probe inputs. Unlike the weights' cosine
// (src/lib/ml/similarity.ts) it does not move when a thief permutes or rescales hidden units, since
// those leave the function unchanged. On eval samples two good models agree because both are right;
// on probe inputs (uniform noise over a range wider than the inputs', far from the data: [-2, 3]
// for pixels in [0, 1]) independently trained models disagree more than a model and its copy.
// docs/bench/similarity.md measures both groups (noise within the pixels' own range, or blends of
// samples, do not separate them) and the threshold the validator's automatic challenge uses.
import { deserializeArtifact } from '../artifact/deserialize.ts';
import { tf } from '../backend/tf.ts';
import { buildModel, type Model } from '../model/model.ts';
import { Rng } from '../rng.ts';
import type { ModelSpec } from '../spec/types.ts';
import { memoryData, type TrainingData } from '../train/data.ts';
import { specShapes } from '../spec/shapes.ts';
import { evaluateModel, specHashBytes } from './evaluate.ts';
import { isTokenModel, outputWidth } from '../spec/output.ts';
import { EvalJobError } from '../errors.ts';

/** Share of positions where two prediction lists hold the same class. Pure. */
export function predictionAgreement(a: ArrayLike<number>, b: ArrayLike<number>): number {
  if (a.length !== b.length) throw new RangeError(`prediction lists of ${a.length} and ${b.length} samples`);
  if (a.length === 0) throw new RangeError('no predictions to compare');
  let same = 0;
  for (let i = 0; i < a.length; i++) if (a[i] === b[i]) same++;
  return same / a.length;
}

/**
 * `count` probe inputs of `features` values each, uniform in [lo, hi), from the stream named by
 * `seed` (every validator draws the same probes for the same seed). Pure.
 */
export function probeInputs(seed: string, count: number, features: number, lo: number, hi: number): Float32Array {
  if (!(hi > lo)) throw new RangeError(`probe range [${lo}, ${hi}) is empty`);
  const rng = Rng.seeded('aiarena/probes', seed);
  const out = new Float32Array(count * features);
  for (let i = 0; i < out.length; i++) out[i] = lo + (hi - lo) * rng.nextFloat();
  return out;
}

/**
 * Probe sequences for a next-token model: `count` sequences of `length` token ids, each uniform
 * in [lo, hi), from the same named stream as the classifiers' probes (every validator draws the
 * same ones for the same seed). Random bytes are far from any source text, so what a model
 * predicts after them is its own habit, not the corpus's. Pure.
 */
export function probeTokens(seed: string, count: number, length: number, lo: number, hi: number): Int32Array {
  if (!Number.isInteger(lo) || !Number.isInteger(hi) || !(hi > lo))
    throw new RangeError(`probe token ids [${lo}, ${hi}) must be a non-empty integer range`);
  const rng = Rng.seeded('aiarena/probes', seed, 'tokens');
  const span = hi - lo;
  const out = new Int32Array(count * length);
  for (let i = 0; i < out.length; i++) out[i] = lo + Math.floor(rng.nextFloat() * span);
  return out;
}

/**
 * A next-token model's arg-max token at every position of each sequence (`[count * length]`,
 * sequence-major): the next-token counterpart of a classifier's predictions, which the similarity
 * hint compares position by position.
 */
export async function tokenPredictions(model: Model, tokens: Int32Array, batchSize = 16): Promise<Int32Array> {
  const length = model.spec.input.shape[0]!;
  const count = tokens.length / length;
  if (!Number.isInteger(count)) throw new RangeError(`${tokens.length} token ids are not whole sequences of ${length}`);
  const out = new Int32Array(tokens.length);
  for (let s = 0; s < count; s += batchSize) {
    const n = Math.min(batchSize, count - s);
    const ids = tf.tidy(() =>
      tf.argMax(model.apply(tf.tensor2d(tokens.subarray(s * length, (s + n) * length), [n, length], 'int32')), -1),
    );
    try {
      out.set((await ids.data()) as Int32Array, s * length);
    } finally {
      ids.dispose();
    }
  }
  return out;
}

/** tokenPredictions of an artifact of `spec`, read strictly (another spec's artifact is refused). */
export async function artifactTokenPredictions(
  spec: ModelSpec,
  specHash: string,
  bytes: Uint8Array,
  tokens: Int32Array,
): Promise<Int32Array> {
  const weights = deserializeArtifact(bytes, { specHash: specHashBytes(specHash), params: specShapes(spec).params });
  const model = buildModel(spec, weights);
  try {
    return await tokenPredictions(model, tokens);
  } finally {
    model.dispose();
  }
}

/**
 * Pearson correlation of two models' logits over every (sample, class) entry, each sample's logits
 * centred first (softmax ignores a shift per sample, so only the differences between classes are
 * the function's). 1 for the same function. Pure.
 */
export function logitCorrelation(a: Float32Array, b: Float32Array, classes: number): number {
  if (a.length !== b.length || a.length % classes !== 0)
    throw new RangeError(`logits of ${a.length} and ${b.length} values for ${classes} classes`);
  let sab = 0;
  let saa = 0;
  let sbb = 0;
  for (let s = 0; s < a.length; s += classes) {
    let ma = 0;
    let mb = 0;
    for (let c = 0; c < classes; c++) {
      ma += a[s + c]!;
      mb += b[s + c]!;
    }
    ma /= classes;
    mb /= classes;
    for (let c = 0; c < classes; c++) {
      const x = a[s + c]! - ma;
      const y = b[s + c]! - mb;
      sab += x * y;
      saa += x * x;
      sbb += y * y;
    }
  }
  if (saa === 0 || sbb === 0) throw new RangeError('a model gives every class the same logit on every sample');
  return sab / Math.sqrt(saa * sbb);
}

/**
 * Probe inputs between the data: each the blend `l * x_i + (1 - l) * x_j` of two samples of
 * `features` (l uniform in [0, 1), i and j from the seeded stream): near the decision boundaries,
 * where independently trained models part ways. Pure.
 */
export function blendProbes(seed: string, count: number, features: Float32Array, featureSize: number): Float32Array {
  const n = features.length / featureSize;
  if (!Number.isInteger(n) || n < 2) throw new RangeError('blending needs at least two samples');
  const rng = Rng.seeded('aiarena/blend-probes', seed);
  const out = new Float32Array(count * featureSize);
  for (let p = 0; p < count; p++) {
    const i = Math.floor(rng.nextFloat() * n);
    const j = Math.floor(rng.nextFloat() * n);
    const l = rng.nextFloat();
    for (let f = 0; f < featureSize; f++)
      out[p * featureSize + f] = l * features[i * featureSize + f]! + (1 - l) * features[j * featureSize + f]!;
  }
  return out;
}

export interface Agreement {
  /** Arg-max agreement on the eval samples given. */
  eval: number;
  /** Arg-max agreement on the probe inputs. */
  probes: number;
  /** Centred logit correlation on the eval samples. */
  evalLogits: number;
  /** Centred logit correlation on the probe inputs. */
  probeLogits: number;
}

/** A model's arg-max predictions and logits over `data`, in order. */
export async function outputs(
  spec: ModelSpec,
  weights: readonly Float32Array[],
  data: TrainingData,
): Promise<{ predictions: Int32Array; logits: Float32Array }> {
  const model = buildModel(spec, weights);
  try {
    const { predictions, logits } = (await evaluateModel(model, data, { perSample: true })).perSample!;
    return { predictions, logits };
  } finally {
    model.dispose();
  }
}

/** Probe inputs as data the evaluator reads (labels unused: only the predictions count). */
export function probeData(probes: Float32Array, features: number): TrainingData {
  return memoryData(probes, new Int32Array(probes.length / features), features);
}

/** How often two models of one spec agree on the eval data and on the probes. */
export async function functionalAgreement(
  spec: ModelSpec,
  a: readonly Float32Array[],
  b: readonly Float32Array[],
  data: { eval: TrainingData; probes: TrainingData },
): Promise<Agreement> {
  if (isTokenModel(spec))
    throw new EvalJobError('functional agreement compares classifiers; a next-token model has no class per sample');
  const [ea, eb, pa, pb] = [
    await outputs(spec, a, data.eval),
    await outputs(spec, b, data.eval),
    await outputs(spec, a, data.probes),
    await outputs(spec, b, data.probes),
  ];
  const classes = outputWidth(spec);
  return {
    eval: predictionAgreement(ea.predictions, eb.predictions),
    probes: predictionAgreement(pa.predictions, pb.predictions),
    evalLogits: logitCorrelation(ea.logits, eb.logits, classes),
    probeLogits: logitCorrelation(pa.logits, pb.logits, classes),
  };
}
