// The functional-similarity hint of the validator's automatic challenge (SPEC 8.4; issue 11
// section 4), pure: which earlier submissions a new one is compared with, what the comparison
// says, and whether it crosses the challenge threshold. The predictions come from the validator's
// one evaluation of each model (eval set, and the seeded probe inputs below), so a hint costs no
// extra model run. docs/bench/similarity.md measured the probe agreement: independent models at
// most 0.737, copies (fine-tuned, re-watermarked, permuted and rescaled) at least 0.800.
import type { Address } from 'viem';
import { predictionAgreement } from '../../ml/eval/agreement.ts';
import type { ModelSpec } from '../../ml/spec/types.ts';

/** Probe inputs per model: the bench's count. */
export const PROBE_COUNT = 1000;
/**
 * Uniform probes in [-2, 3) per input value: the bench's range, two input ranges beyond each side
 * of the demo specs' inputs (pixels scaled to [0, 1]), where independently trained models part
 * ways and a copy does not.
 */
export const PROBE_RANGE: readonly [number, number] = [-2, 3];
/**
 * Positions a next-token model is probed at: about twice the classifiers' probe count, as random
 * byte sequences of the model's length (16 sequences of 128 bytes), each position one prediction.
 * docs/bench/similarity-lm.md: independently trained solidity-gpt models agree on at most 0.154 of
 * them, exact and permuted copies on 1.000, fine-tuned copies on under 0.2 (not caught this way).
 */
export const TOKEN_PROBE_POSITIONS = 2048;

/** The probes the eval service draws for a model of `spec` (every validator of a task the same). */
export function probeSettings(spec: Pick<ModelSpec, 'input' | 'output'>): { count: number; lo: number; hi: number } {
  if (spec.output.tokens === undefined) return { count: PROBE_COUNT, lo: PROBE_RANGE[0], hi: PROBE_RANGE[1] };
  // Token ids over the whole vocabulary; sequences of the model's own length.
  return { count: Math.ceil(TOKEN_PROBE_POSITIONS / spec.input.shape[0]!), lo: 0, hi: spec.output.tokens };
}

/** Noise-probe agreement at or above which the agent challenges (halfway in the bench's gap). */
export const DEFAULT_CHALLENGE_THRESHOLD = 0.768;

/** Every validator of a task draws the same probes: the seed names the task, not the validator. */
export const probeSeed = (chainId: number, registry: Address, taskId: bigint): string =>
  `${chainId}/${registry.toLowerCase()}/${taskId}`;

/** A revealed submission as the hint needs it. */
export interface SimilaritySubject {
  submissionId: number;
  trainer: Address;
}

/**
 * The submissions `s` is compared with: revealed earlier (lower id: ids count reveals up) by
 * another trainer. A trainer's own earlier models are its continuation (SPEC 8.1), not a copy.
 */
export function comparisonSet<T extends SimilaritySubject>(s: SimilaritySubject, known: readonly T[]): T[] {
  return known.filter((k) => k.submissionId < s.submissionId && k.trainer.toLowerCase() !== s.trainer.toLowerCase());
}

/** Two models' predictions: on the eval set (null when they were not evaluated on the same set) and on the probes. */
export interface Predictions {
  eval: Int32Array | null;
  evalSet: string;
  probes: Int32Array;
}

export interface Match {
  submissionId: number;
  trainer: Address;
  /** Same class on the probe inputs: what the threshold applies to. */
  probes: number;
  /** Same class on the eval samples (null when not evaluated on one set): shown, not decided on. */
  eval: number | null;
}

/** The closest of `others` to `model` by probe agreement (ties: the earliest); null when there is none. */
export function closestMatch(
  model: Predictions,
  others: readonly (SimilaritySubject & { predictions: Predictions })[],
): Match | null {
  let best: Match | null = null;
  for (const o of others) {
    // Predictions on other probes (another count, from an older version) are not comparable.
    if (o.predictions.probes.length !== model.probes.length || model.probes.length === 0) continue;
    const probes = predictionAgreement(model.probes, o.predictions.probes);
    const sameSet =
      model.eval !== null &&
      o.predictions.eval !== null &&
      model.evalSet === o.predictions.evalSet &&
      model.eval.length === o.predictions.eval.length;
    const evalAgreement = sameSet ? predictionAgreement(model.eval!, o.predictions.eval!) : null;
    if (best === null || probes > best.probes)
      best = { submissionId: o.submissionId, trainer: o.trainer, probes, eval: evalAgreement };
  }
  return best;
}

/** A threshold as the user may set it: a share in (0, 1]. */
export function checkThreshold(t: number): number {
  if (!(Number.isFinite(t) && t > 0 && t <= 1))
    throw new RangeError(`the challenge threshold is a share of probe inputs in (0, 1], got ${t}`);
  return t;
}

/** Whether a hint calls for a challenge (at or above the threshold). */
export const crossesThreshold = (m: Match | null, threshold: number): boolean => m !== null && m.probes >= threshold;
