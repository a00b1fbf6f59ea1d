// A model's score on an epoch's evaluation subset (SPEC 2.2), from what each sample of the whole
// eval set contributed: validators evaluate every model once, in the reveal window, before the
// epoch's seed exists, and score any subset from those vectors the moment the seed is drawn.
//
// The formula is the eval service's (src/lib/ml/eval/evaluate.ts): accuracy = the mean of the
// subset's correct flags, loss = the mean of its cross-entropies, then metricScore. Accuracy is
// an exact ratio of integers, so it equals a direct evaluation of the subset; a loss metric sums
// the same float32 terms in another order, a difference of about 1e-7, far inside tolV.
import type { Hex } from 'viem';
import { metricScore } from '../../ml/eval/evaluate.ts';
import type { Metric } from '../../ml/spec/types.ts';
import { evalSubset } from '../../protocol/eval-subset.ts';

export interface SampleVectors {
  /** Samples in the eval set (the arrays' length). */
  samples: number;
  /** 1 where the sample's class was predicted; empty for a next-token model (no class per sample). */
  correct: Uint8Array;
  losses: Float32Array;
}

/** The epoch's subset: evalSubset(seed, samples, size) of the epoch's eval set. */
export interface SubsetSpec {
  seed: Hex;
  /** The task's evalSubsetSize (at least the set's size: every sample). */
  size: number;
}

/** The sample indices of `subset` in a set of `samples` (ascending). */
export const subsetIndices = (subset: SubsetSpec, samples: number): number[] =>
  evalSubset(subset.seed, samples, subset.size);

/**
 * The score in [0, 1] of the samples at `indices` (ascending, in range; see subsetIndices). The
 * correct flags are needed only for the accuracy metric: a next-token model has no class per
 * sample, so its vectors carry losses only (an empty `correct`), and its metric reads those.
 */
export function subsetScore(metric: Metric, v: SampleVectors, indices: readonly number[]): number {
  const flags = v.correct.length === v.samples;
  if (v.losses.length !== v.samples || (!flags && (metric.name === 'accuracy' || v.correct.length !== 0))) {
    throw new RangeError(
      `per-sample vectors of ${v.correct.length} and ${v.losses.length} entries for a set of ${v.samples} samples`,
    );
  }
  if (indices.length === 0) throw new RangeError('an evaluation subset has at least one sample');
  let correct = 0;
  let loss = 0;
  for (const i of indices) {
    if (!(i >= 0 && i < v.samples)) throw new RangeError(`sample ${i} is outside a set of ${v.samples} samples`);
    if (flags) correct += v.correct[i]!;
    loss += v.losses[i]!;
  }
  return metricScore(metric, loss / indices.length, correct / indices.length);
}
