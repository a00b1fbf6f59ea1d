// The arithmetic behind docs/bench/consensus.md (scripts/lib/consensus/stats.ts): chain units,
// subset draws, honest pair differences and the lazy validators' differences.
import { describe, expect, test } from 'vitest';
import { Rng } from '../../../../src/lib/ml/rng.ts';
import {
  drawPositions,
  lazyDiffs,
  meanWeight,
  pairDiffs,
  quantile,
  restrict,
  rewardRatio,
  scoreUnits,
  subsetScores,
  within,
  type SampleResults,
} from '../../../../scripts/lib/consensus/stats.ts';
import { accuracySweep, nearTieBound, topGaps } from '../../../../scripts/lib/consensus/analysis.ts';
import type { Run } from '../../../../scripts/lib/consensus/runs.ts';

const ACC = { name: 'accuracy' } as const;

/** m samples, the first `right` correct, losses 0.1 for right and 2 for wrong ones. */
function results(m: number, right: number): SampleResults {
  const correct = Uint8Array.from({ length: m }, (_, i) => (i < right ? 1 : 0));
  return {
    indices: Uint32Array.from({ length: m }, (_, i) => i),
    correct,
    losses: Float32Array.from(correct, (c) => (c ? 0.1 : 2)),
  };
}

describe('consensus statistics', () => {
  test('scores in chain units, as scoreToUnits rounds them', () => {
    expect(scoreUnits(ACC, 873, 0, 1000)).toBe(8730);
    expect(scoreUnits(ACC, 2, 0, 3)).toBe(6667);
    expect(scoreUnits({ name: 'loss', cap: 2 }, 0, 100, 100)).toBe(5000); // mean loss 1, cap 2
    expect(scoreUnits({ name: 'loss', cap: 2 }, 0, 500, 100)).toBe(0); // clamped
  });

  test('drawPositions: k distinct positions in range, every position about equally likely', () => {
    const rng = Rng.seeded('t');
    const scratch = new Uint32Array(20);
    const counts = new Array<number>(20).fill(0);
    for (let d = 0; d < 2000; d++) {
      const p = drawPositions(rng, 20, 5, scratch);
      expect(new Set(p).size).toBe(5);
      for (const x of p) counts[x]!++;
    }
    // expected 500 each, sd ~19
    for (const c of counts) expect(Math.abs(c - 500)).toBeLessThan(100);
    expect(() => drawPositions(rng, 3, 4, scratch)).toThrow(RangeError);
  });

  test('identical results never differ; one flipped sample moves a k-subset by 1/k exactly when drawn (share k/m)', () => {
    const a = results(1000, 800);
    expect(Math.max(...pairDiffs(ACC, a, results(1000, 800), 100, 500, 's'))).toBe(0);
    const b = results(1000, 800);
    b.correct[5] = 0;
    const d = pairDiffs(ACC, a, b, 100, 4000, 's');
    expect(new Set(d)).toEqual(new Set([0, 100]));
    const share = d.filter((x) => x === 100).length / d.length;
    expect(Math.abs(share - 0.1)).toBeLessThan(0.02);
    // The whole set: one deterministic value.
    expect(Array.from(pairDiffs(ACC, a, b, 1000, 4000, 's'))).toEqual([10]);
  });

  test('pairs with a partly covered run compare only the samples both evaluated', () => {
    const a = results(10, 5);
    const partial = restrict(results(10, 5), Uint32Array.of(0, 1, 8, 9));
    partial.correct[2] = 1; // sample 8: right here, wrong in a
    expect(Array.from(pairDiffs(ACC, a, partial, 4, 10, 's'))).toEqual([2500]);
    expect(() => restrict(partial, Uint32Array.of(3))).toThrow(/sample 3/);
  });

  test('subsetScores: the same draws for every run', () => {
    const [u1, u2] = subsetScores(ACC, [results(500, 250), results(500, 250)], 50, 200, 'x');
    expect(Array.from(u1!)).toEqual(Array.from(u2!));
    expect(new Set(u1).size).toBeGreaterThan(3); // sampling noise at p = 0.5
  });

  test('lazy validators: reused scores are off by the subset sampling noise; nothing when the subset is the set', () => {
    const r = results(5000, 2500);
    const other = lazyDiffs(ACC, r, r, 'other-subset', 500, 2000, 's');
    const whole = lazyDiffs(ACC, r, r, 'whole-set', 500, 2000, 's');
    // sd of the difference: sqrt(2 p(1-p)/k (1 - k/N)) = 0.0300 for independent subsets, 0.0212 against the whole set
    const sd = (d: Int32Array) => Math.sqrt(d.reduce((s, x) => s + (x / 10_000) ** 2, 0) / d.length);
    expect(sd(other)).toBeGreaterThan(0.027);
    expect(sd(other)).toBeLessThan(0.033);
    expect(sd(whole)).toBeGreaterThan(0.019);
    expect(sd(whole)).toBeLessThan(0.024);
    expect(Array.from(lazyDiffs(ACC, r, r, 'other-subset', 5000, 2000, 's'))).toEqual([0]);
    // Another set, the same positions: off by the two sets' difference.
    expect(Array.from(lazyDiffs(ACC, r, results(5000, 2600), 'same-positions', 5000, 2000, 's'))).toEqual([200]);
    // A model right on every sample scores 1 on every subset: reuse is undetectable by subsets.
    const perfect = results(5000, 5000);
    expect(Math.max(...lazyDiffs(ACC, perfect, perfect, 'other-subset', 500, 500, 's'))).toBe(0);
  });

  test('quantiles, shares within a tolerance and the reward ratio', () => {
    const d = Int32Array.from({ length: 1000 }, (_, i) => i);
    expect(quantile(d, 1)).toBe(999);
    expect(quantile(d, 0.999)).toBe(998);
    expect(quantile(d, 0.5)).toBe(499);
    expect(within(d, 99)).toBe(0.1);
    expect(meanWeight(Int32Array.of(0, 0), 10, 20)).toBe(1);
    // 1e-2 away at lambda 20: exp(-0.2); beyond the tolerance: 0.
    expect(meanWeight(Int32Array.of(100), 100, 20)).toBeCloseTo(Math.exp(-0.2), 12);
    expect(meanWeight(Int32Array.of(101), 100, 20)).toBe(0);
    expect(rewardRatio(Int32Array.of(0, 500), Int32Array.of(0, 0), 10, 20)).toBe(0.5);
    expect(rewardRatio(Int32Array.of(0), Int32Array.of(50), 10, 20)).toBe(Infinity);
  });

  test("near ties: only samples whose top-2 logit gap is under 2 eps can flip, and they bound a subset's change", () => {
    // 4 samples, 3 classes: gaps 1, 1e-5, 0.3, 5e-4.
    const logits = Float32Array.of(2, 1, 0, 0.5, 0.49999, 0, 0, 0.3, 0, 1, 0.9995, -1);
    const r = {
      indices: Uint32Array.of(0, 1, 2, 3),
      logits,
      correct: new Uint8Array(4),
      losses: new Float32Array(4),
    } as unknown as Run;
    const gaps = Array.from(topGaps(r));
    expect(gaps[0]).toBeCloseTo(1, 6);
    expect(gaps[1]).toBeCloseTo(1e-5, 6);
    expect(gaps[3]).toBeCloseTo(5e-4, 6);
    // eps 1e-4: sample 1 (gap 1e-5) can flip, sample 3 (gap 5e-4) cannot; eps 3e-4: both.
    expect(nearTieBound(r, 1e-4, 4, 10, 's')).toBe(2500);
    expect(nearTieBound(r, 3e-4, 4, 10, 's')).toBe(5000);
    expect(nearTieBound(r, 1e-6, 4, 10, 's')).toBe(0);
    expect(nearTieBound(r, 1, 4, 10, 's')).toBe(10_000);
  });

  test('accuracy sweep: lazy reuse gets closer to honest as models get better, and a wider tolerance helps it', () => {
    const rows = accuracySweep([0.7, 0.99], 2000, 500, [20, 40], 600, 20);
    expect(rows[1]!.ratios[0]!).toBeGreaterThan(2 * rows[0]!.ratios[0]!);
    for (const r of rows) expect(r.ratios[1]!).toBeGreaterThan(r.ratios[0]!);
    // p = 0.7, k = 500 of 2000: sd of an independent-subset difference ~0.025, one sample 0.002.
    expect(rows[0]!.ratios[0]!).toBeLessThan(0.3);
  });
});
