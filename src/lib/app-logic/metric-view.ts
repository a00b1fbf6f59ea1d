// Scores in the words of the task's metric (docs/ml.md section 1). A score on chain is one number
// in [0, 1] whatever the metric; a language-model task's people think in bits per byte, so every
// page that shows its scores also shows the bits per byte they stand for. With a capped metric
// `score = max(0, 1 - value / cap)`, so `value = cap * (1 - score)` while the score is above 0,
// and a score of 0 says only that the value was at or above the cap. Pure.
import type { Metric } from '../ml/spec/types.ts';

/** Scores committed on chain are integers out of this (SPEC 4.1). */
export const SCORE_UNITS = 10_000;

/** What the metric measures, for labels: "accuracy", "bits per byte (cap 8)", "loss (cap 2.5)". */
export function metricName(m: Metric): string {
  switch (m.name) {
    case 'accuracy':
      return 'accuracy';
    case 'bitsPerByte':
      return `bits per byte (cap ${m.cap})`;
    case 'loss':
      return `loss (cap ${m.cap})`;
  }
}

/**
 * The metric's value a score stands for: the accuracy itself, or `cap * (1 - score)` for a capped
 * metric. Null for a capped metric's 0: the value was at or above the cap, how far is not known.
 */
export function metricValue(m: Metric, score: number): number | null {
  if (!Number.isFinite(score) || score < 0 || score > 1) throw new RangeError(`a score is in [0, 1], got ${score}`);
  if (m.name === 'accuracy') return score;
  return score > 0 ? m.cap * (1 - score) : null;
}

/** The metric's value in words for a capped metric ("2.781 bits per byte", "above the cap"); null for accuracy. */
export function metricText(m: Metric, score: number): string | null {
  if (m.name === 'accuracy') return null;
  const v = metricValue(m, score);
  if (m.name === 'bitsPerByte')
    return v === null ? `above the cap of ${m.cap} bits per byte` : `${v.toFixed(3)} bits per byte`;
  return v === null ? `loss above the cap of ${m.cap}` : `loss ${v.toFixed(3)}`;
}

/** A score with what it means: "0.6523 (2.782 bits per byte)"; an accuracy task's score as it is. */
export function scoreText(m: Metric | null, score: number, digits = 4): string {
  const base = score.toFixed(digits);
  const meaning = m ? metricText(m, score) : null;
  return meaning === null ? base : `${base} (${meaning})`;
}

/** A score committed on chain (units of 1/10,000) as a number in [0, 1]. */
export const scoreOfUnits = (units: number): number => units / SCORE_UNITS;

/** A WAD score (aggregates, thresholds: 1e18 = 1) as a number in [0, 1]. */
export const scoreOfWad = (wad: bigint): number => Number(wad) / 1e18;

/**
 * What a threshold on scores (the minimum score, the tolerance tolV) means in the metric, for the
 * Create form: null for accuracy (the score is the accuracy). `kind` 'floor': a score above `t`
 * is a value below cap * (1 - t); 'distance': scores `t` apart are values cap * t apart.
 */
export function thresholdText(m: Metric, t: number, kind: 'floor' | 'distance'): string | null {
  if (m.name === 'accuracy' || !Number.isFinite(t) || t < 0 || t > 1) return null;
  const value = (x: number) => Number(x.toPrecision(6)).toString();
  const of = (x: number) => (m.name === 'bitsPerByte' ? `${value(x)} bits per byte` : `a loss of ${value(x)}`);
  if (kind === 'distance') return `For this model's metric that is ${of(m.cap * t)}.`;
  return t === 0
    ? `For this model's metric: anything below the cap, ${of(m.cap)}.`
    : `For this model's metric: below ${of(m.cap * (1 - t))}.`;
}
