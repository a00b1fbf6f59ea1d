// Picking the next token from one position's logits: greedy (the first arg-max) or sampled at a
// temperature, optionally from the top k only. Pure: the draw comes from the caller's seeded Rng,
// so the same logits, settings and generator state pick the same token anywhere.
import type { Rng } from '../rng.ts';

export interface SampleSettings {
  /** 0: greedy. Otherwise logits are divided by it before the softmax. */
  temperature: number;
  /** Sample only among the k highest logits (ties broken by the lower token id); all when absent. */
  topK?: number;
}

/** The first index of the largest value (NaN never wins). */
export function argMax(logits: ArrayLike<number>): number {
  let best = 0;
  for (let i = 1; i < logits.length; i++) if (logits[i]! > logits[best]!) best = i;
  return best;
}

/** Token ids of the k highest logits, in ascending id order (ties: lower id first). */
export function topKIds(logits: ArrayLike<number>, k: number): number[] {
  const ids = Array.from({ length: logits.length }, (_, i) => i);
  ids.sort((a, b) => logits[b]! - logits[a]! || a - b);
  return ids.slice(0, k).sort((a, b) => a - b);
}

/** The next token for `logits` (one position, the vocabulary wide). */
export function pickToken(logits: ArrayLike<number>, s: SampleSettings, rng: Rng): number {
  if (s.temperature === 0) return argMax(logits);
  const ids = s.topK === undefined || s.topK >= logits.length ? null : topKIds(logits, s.topK);
  const n = ids?.length ?? logits.length;
  const at = (j: number) => logits[ids ? ids[j]! : j]!;
  let max = -Infinity;
  for (let j = 0; j < n; j++) max = Math.max(max, at(j));
  // Weights and their cumulative sum in float64 in id order: one uniform draw picks the token.
  const weights = new Float64Array(n);
  let total = 0;
  for (let j = 0; j < n; j++) {
    weights[j] = Math.exp((at(j) - max) / s.temperature);
    total += weights[j]!;
  }
  const u = rng.nextFloat() * total;
  let acc = 0;
  for (let j = 0; j < n; j++) {
    acc += weights[j]!;
    if (u < acc) return ids ? ids[j]! : j;
  }
  // Only rounding can get here (u within an ulp of total): the last token with any weight.
  for (let j = n - 1; j >= 0; j--) if (weights[j]! > 0) return ids ? ids[j]! : j;
  return argMax(logits);
}
