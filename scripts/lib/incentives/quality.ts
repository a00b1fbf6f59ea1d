// Model quality and evaluation noise, per sample. Every model is a fixed classifier: on each
// sample s of an eval set it is right or wrong, the same fact for every validator, epoch and
// subset. A Gaussian copula makes errors overlap across models as they do for nets trained on
// the same data (hard samples are hard for everyone):
//   model M is correct on sample s of set X  iff  sqrt(rho) z_Xs + sqrt(1 - rho) e_MXs < probit(acc_MX)
// z_Xs: the sample's difficulty (shared), e_MXs: the model's own latent, both N(0, 1), so the
// expected accuracy on set X is exactly acc_MX. A trainer's next model keeps a share `keep` of
// its predecessor's latent; a near-copy takes the original's latent except on a fraction
// `redraw` of samples. Validators' backends then flip correctness on a few samples (noise.ts).

import { hashNormal, hashUniform, probit } from './rng.ts';

export const PUBLIC_SET = 0;
export const HIDDEN_SET = 1;
export type EvalSetId = typeof PUBLIC_SET | typeof HIDDEN_SET;

/** Scores are whole multiples of 1e-4 on chain (validators round: commitments.ts). */
export const SCORE_UNITS = 10_000;

export type Origin =
  { kind: 'fresh' } | { kind: 'next'; parent: Model; keep: number } | { kind: 'copy'; parent: Model; redraw: number };

export interface Model {
  /** Unique within a task: the hash key of its predictions. */
  id: number;
  /** Expected accuracy on the hidden final set, i.e. on fresh data: the model's true quality. */
  quality: number;
  /** Expected accuracy on the public eval set (quality + its overfit gap). */
  publicAccuracy: number;
  origin: Origin;
}

export interface SampleModel {
  taskSeed: number;
  /** rho: correlation of two models' latents (error overlap). */
  errorCorrelation: number;
  /** z_Xs per set, filled on first use. */
  difficulty?: Map<EvalSetId, Float64Array>;
}

// Hash-key domains, so that different draws never share a key.
const KEY_SAMPLE = 0x7fffffff;
const KEY_REDRAW = 0x40000000;
const KEY_FLIP = 0x2c1b3c6d;

/** The model's own latent on sample s of set X (standard normal). */
export function latent(sm: SampleModel, model: Model, set: EvalSetId, s: number): number {
  // A loop over the lineage instead of recursion with closures: this is the simulator's
  // innermost loop. value = sum of own latents weighted down the chain of 'next' parents.
  let weight = 1;
  let value = 0;
  let m: Model = model;
  for (;;) {
    const o = m.origin;
    if (o.kind === 'fresh') return value + weight * hashNormal(sm.taskSeed, m.id, set, s);
    if (o.kind === 'next') {
      value += weight * Math.sqrt(1 - o.keep) * hashNormal(sm.taskSeed, m.id, set, s);
      weight *= Math.sqrt(o.keep);
    } else if (hashUniform(sm.taskSeed, m.id ^ KEY_REDRAW, set, s) < o.redraw) {
      return value + weight * hashNormal(sm.taskSeed, m.id, set, s);
    }
    m = o.parent;
  }
}

export function accuracyOn(model: Model, set: EvalSetId): number {
  return set === PUBLIC_SET ? model.publicAccuracy : model.quality;
}

/** Which of `samples` (indices into set X) the model gets right. */
export function correctness(sm: SampleModel, model: Model, set: EvalSetId, samples: readonly number[]): Uint8Array {
  const threshold = probit(accuracyOn(model, set));
  const a = Math.sqrt(sm.errorCorrelation);
  const b = Math.sqrt(1 - sm.errorCorrelation);
  const z = difficulties(sm, set, samples);
  const out = new Uint8Array(samples.length);
  samples.forEach((s, i) => {
    out[i] = a * z[i]! + b * latent(sm, model, set, s) < threshold ? 1 : 0;
  });
  return out;
}

function difficulties(sm: SampleModel, set: EvalSetId, samples: readonly number[]): Float64Array {
  const top = samples.length === 0 ? 0 : Math.max(...samples) + 1;
  sm.difficulty ??= new Map();
  let all = sm.difficulty.get(set);
  if (all === undefined || all.length < top) {
    const grown = new Float64Array(Math.max(top, all?.length ?? 0));
    for (let s = 0; s < grown.length; s++)
      grown[s] = all !== undefined && s < all.length ? all[s]! : hashNormal(sm.taskSeed, KEY_SAMPLE, set, s);
    sm.difficulty.set(set, grown);
    all = grown;
  }
  const out = new Float64Array(samples.length);
  samples.forEach((s, i) => {
    out[i] = all[s]!;
  });
  return out;
}

/** accuracy in score units (0..10000), rounded as validators round before committing. */
export function toUnits(correct: number, total: number): number {
  return Math.round((correct * SCORE_UNITS) / total);
}

/**
 * The score an honest validator on each backend gives: the model's correctness on `samples`,
 * with sample s changed on backend b when hashUniform(model, b, s) falls under its flip chance.
 * A sample that changes between backends is a near-tie of two classes, about as often right as
 * wrong, so flips are balanced: a right sample flips with chance p / (2 acc), a wrong one with
 * p / (2 (1 - acc)). Then a fraction p of samples differs from the reference and the expected
 * score does not move (uniform flips would bias every backend toward 50%). Deterministic, so
 * validators on one backend agree exactly.
 */
export function backendScores(
  sm: SampleModel,
  model: Model,
  set: EvalSetId,
  samples: readonly number[],
  flip: readonly number[],
): number[] {
  const right = correctness(sm, model, set, samples);
  let base = 0;
  for (const r of right) base += r;
  const acc = accuracyOn(model, set);
  return flip.map((p, backend) => {
    if (p === 0) return toUnits(base, samples.length);
    const pRight = Math.min(1, p / (2 * acc));
    const pWrong = Math.min(1, p / (2 * (1 - acc)));
    let count = base;
    samples.forEach((s, i) => {
      const u = hashUniform(sm.taskSeed ^ KEY_FLIP, model.id, set * 16 + backend, s);
      if (right[i]) {
        if (u < pRight) count--;
      } else if (u < pWrong) count++;
    });
    return toUnits(count, samples.length);
  });
}
