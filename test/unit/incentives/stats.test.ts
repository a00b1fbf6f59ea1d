import { describe, expect, it } from 'vitest';
import {
  averageRanks,
  binomialCdf,
  meanEstimate,
  proportionEstimate,
  ratioEstimate,
  spearman,
} from '../../../scripts/lib/incentives/stats.ts';

describe('spearman', () => {
  it('is 1 for any increasing relation and -1 for a decreasing one', () => {
    const x = [0.1, 0.5, 0.2, 0.9, 0.7];
    expect(
      spearman(
        x,
        x.map((v) => Math.exp(10 * v)),
      ),
    ).toBeCloseTo(1, 12);
    expect(
      spearman(
        x,
        x.map((v) => -v * v),
      ),
    ).toBeCloseTo(-1, 12);
  });

  it('matches the textbook value 1 - 6 sum d^2 / (n (n^2 - 1)) without ties', () => {
    // ranks x: 1..5, ranks y: 2 1 4 3 5 -> sum d^2 = 4, rho = 1 - 24 / 120 = 0.8
    expect(spearman([1, 2, 3, 4, 5], [20, 10, 40, 30, 50])).toBeCloseTo(0.8, 12);
  });

  it('gives tied values their average rank', () => {
    expect(averageRanks([3, 1, 3, 2])).toEqual([3.5, 1, 3.5, 2]);
    // x ranks 1 2 3.5 3.5, y ranks 1 2 3 4 -> Pearson of those ranks
    expect(spearman([1, 2, 5, 5], [1, 2, 3, 4])).toBeCloseTo(0.9486832980505138, 12);
  });

  it('is NaN for a constant series', () => {
    expect(spearman([1, 1, 1], [1, 2, 3])).toBeNaN();
  });
});

describe('ratioEstimate', () => {
  it('is the ratio of sums, with an interval around it from resampling tasks', () => {
    const items = [
      { task: 0, a: 1, b: 2 },
      { task: 0, a: 3, b: 2 },
      { task: 1, a: 2, b: 4 },
      { task: 2, a: 5, b: 4 },
    ];
    const e = ratioEstimate(
      items,
      (t) => t.a,
      (t) => t.b,
    );
    expect(e.value).toBeCloseTo(11 / 12, 12);
    expect(e.lo).toBeLessThanOrEqual(e.value);
    expect(e.hi).toBeGreaterThanOrEqual(e.value);
    // Task 0 resampled alone: 4/4; task 1: 0.5; task 2: 1.25: the interval cannot leave [0.5, 1.25].
    expect(e.lo).toBeGreaterThanOrEqual(0.5);
    expect(e.hi).toBeLessThanOrEqual(1.25);
  });

  it('collapses to the value when every task has the same ratio', () => {
    const items = [0, 1, 2, 3].map((task) => ({ task, a: task + 1, b: 2 * (task + 1) }));
    expect(
      ratioEstimate(
        items,
        (t) => t.a,
        (t) => t.b,
      ),
    ).toEqual({ value: 0.5, lo: 0.5, hi: 0.5 });
  });
});

describe('meanEstimate', () => {
  it('averages items, skipping NaN', () => {
    const e = meanEstimate(
      [
        { task: 0, v: 1 },
        { task: 1, v: Number.NaN },
        { task: 1, v: 3 },
      ],
      (t) => t.v,
    );
    expect(e.value).toBe(2);
  });
});

describe('proportionEstimate (Clopper-Pearson)', () => {
  it('gives 1 - 0.025^(1/n) as the upper bound of 0 events', () => {
    const e = proportionEstimate(0, 300);
    expect(e.value).toBe(0);
    expect(e.lo).toBe(0);
    expect(e.hi).toBeCloseTo(1 - 0.025 ** (1 / 300), 9);
    // The rule of three, one-sided 95%: 0 in 300 is "under 1%", 0 in 200 is not.
    expect(proportionEstimate(0, 400).hi).toBeLessThan(0.01);
    expect(proportionEstimate(0, 200).hi).toBeGreaterThan(0.01);
  });

  it('matches a tabulated interval: 5 of 50 -> [0.0333, 0.2181]', () => {
    const e = proportionEstimate(5, 50);
    expect(e.value).toBe(0.1);
    expect(e.lo).toBeCloseTo(0.0333, 3);
    expect(e.hi).toBeCloseTo(0.2181, 3);
  });

  it('binomialCdf sums the probabilities', () => {
    expect(binomialCdf(1, 2, 0.5)).toBeCloseTo(0.75, 12);
    expect(binomialCdf(2, 2, 0.3)).toBeCloseTo(1, 12);
  });
});
