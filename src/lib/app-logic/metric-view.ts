// Scores in the words of the task's metric (docs/ml.md section 1). A score on chain is one number
// in [0, 1] whatever the metric; a language-model task's people think in bits per byte, so every
// page that shows its scores also shows the bits per byte they stand for. With a capped metric
// `score = max(0, 1 - value / cap)`, so `value = cap * (1 - score)` while the score is above 0,
// and a score of 0 says only that the value was at or above the cap. Pure.
import type { Metric } from '../ml/spec/types.ts';

/**
 * A next-token model's loss (mean nats per byte) in bits per byte: evaluate.ts's bitsOf, repeated
 * here so the pages' bundle does not load tfjs with the evaluator.
 */
export const bitsOfNats = (nats: number): number => nats / Math.LN2;

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

/** "scored by accuracy", "scored in bits per byte (cap 8)": the spec summary's words. */
export const scoredBy = (m: Metric): string =>
  m.name === 'accuracy' ? 'scored by accuracy' : `scored in ${metricName(m)}`;

const figure = (x: number) => Number(x.toPrecision(6)).toString();

/**
 * The Create form's note on what the score thresholds mean for a capped metric (null for
 * accuracy, whose score is the accuracy): the minimum score as the value a model must beat, and
 * tolV as a distance in the metric. Values that are not numbers in [0, 1] are left out (the form
 * reports them).
 */
export function thresholdNote(m: Metric, minScore: string, tolV: string): string | null {
  if (m.name === 'accuracy') return null;
  const what = m.name === 'bitsPerByte' ? 'bits per byte' : 'loss';
  const unit = (x: number) => (m.name === 'bitsPerByte' ? `${figure(x)} bits per byte` : `a loss of ${figure(x)}`);
  const parts = [`This model is scored in ${metricName(m)}: score = max(0, 1 − ${what} / ${m.cap}).`];
  const min = minScore.trim() === '' ? Number.NaN : Number(minScore);
  if (Number.isFinite(min) && min >= 0 && min < 1)
    parts.push(
      min === 0
        ? `A minimum score of 0 admits any model below the cap, ${unit(m.cap)}.`
        : `A minimum score of ${minScore.trim()} admits models below ${unit(m.cap * (1 - min))}.`,
    );
  const tol = tolV.trim() === '' ? Number.NaN : Number(tolV);
  if (Number.isFinite(tol) && tol >= 0 && tol <= 1)
    parts.push(`A tolerance of ${tolV.trim()} is ${unit(m.cap * tol)} between validators.`);
  return parts.join(' ');
}
