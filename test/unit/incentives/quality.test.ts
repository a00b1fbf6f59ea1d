import { describe, expect, it } from 'vitest';
import { DEFAULT_CONFIG } from '../../../scripts/lib/incentives/config.ts';
import {
  HIDDEN_SET,
  PUBLIC_SET,
  backendScores,
  correctness,
  toUnits,
  type Model,
} from '../../../scripts/lib/incentives/quality.ts';
import { Rng, probit } from '../../../scripts/lib/incentives/rng.ts';

const sm = { taskSeed: 42, errorCorrelation: DEFAULT_CONFIG.errorCorrelation };
const fresh = (id: number, quality: number, publicAccuracy = quality): Model => ({
  id,
  quality,
  publicAccuracy,
  origin: { kind: 'fresh' },
});
const all = (n: number) => Array.from({ length: n }, (_, i) => i);
const sum = (a: Uint8Array) => a.reduce((s, v) => s + v, 0);
const N = 20_000;

describe('per-sample model', () => {
  it('gets each set right at its expected accuracy (within 4 binomial sd)', () => {
    const m = fresh(1, 0.8, 0.83);
    const sd = Math.sqrt((0.8 * 0.2) / N);
    expect(Math.abs(sum(correctness(sm, m, HIDDEN_SET, all(N))) / N - 0.8)).toBeLessThan(4 * sd);
    expect(Math.abs(sum(correctness(sm, m, PUBLIC_SET, all(N))) / N - 0.83)).toBeLessThan(4 * sd);
  });

  it('makes two independent 0.85 models disagree on about 12% of samples (config comment)', () => {
    const a = correctness(sm, fresh(1, 0.85), HIDDEN_SET, all(N));
    const b = correctness(sm, fresh(2, 0.85), HIDDEN_SET, all(N));
    const differ = a.reduce((s, v, i) => s + (v !== b[i] ? 1 : 0), 0) / N;
    expect(differ).toBeGreaterThan(0.1);
    expect(differ).toBeLessThan(0.14);
  });

  it('is a fixed fact per sample: the same answer in any subset and order', () => {
    const m = fresh(3, 0.7);
    const whole = correctness(sm, m, PUBLIC_SET, all(100));
    const some = correctness(sm, m, PUBLIC_SET, [90, 5, 17]);
    expect([...some]).toEqual([whole[90], whole[5], whole[17]]);
  });

  it('copies predictions except on the redraw fraction; redraw 0 is byte-identical behaviour', () => {
    const original = fresh(4, 0.85);
    const dup: Model = {
      id: 5,
      quality: 0.85,
      publicAccuracy: 0.85,
      origin: { kind: 'copy', parent: original, redraw: 0 },
    };
    const near: Model = {
      id: 6,
      quality: 0.85,
      publicAccuracy: 0.85,
      origin: { kind: 'copy', parent: original, redraw: 0.1 },
    };
    const o = correctness(sm, original, HIDDEN_SET, all(N));
    expect([...correctness(sm, dup, HIDDEN_SET, all(N))]).toEqual([...o]);
    const n = correctness(sm, near, HIDDEN_SET, all(N));
    const differ = o.reduce((s, v, i) => s + (v !== n[i] ? 1 : 0), 0) / N;
    // A redrawn sample is re-decided, so it differs with the independent-model rate (~12%) times 0.1.
    expect(differ).toBeGreaterThan(0.005);
    expect(differ).toBeLessThan(0.025);
  });

  it("keeps a trainer's next model close to its last one", () => {
    const first = fresh(7, 0.8);
    const next: Model = {
      id: 8,
      quality: 0.82,
      publicAccuracy: 0.82,
      origin: { kind: 'next', parent: first, keep: 0.8 },
    };
    const a = correctness(sm, first, HIDDEN_SET, all(N));
    const b = correctness(sm, next, HIDDEN_SET, all(N));
    const other = correctness(sm, fresh(9, 0.82), HIDDEN_SET, all(N));
    const d = (x: Uint8Array, y: Uint8Array) => x.reduce((s, v, i) => s + (v !== y[i] ? 1 : 0), 0);
    expect(d(a, b)).toBeLessThan(0.7 * d(a, other));
    expect(Math.abs(sum(b) / N - 0.82)).toBeLessThan(0.012);
  });
});

describe('backend scores', () => {
  it('agree exactly without backend noise, and equal the rounded accuracy on the samples', () => {
    const m = fresh(10, 0.8);
    const samples = new Rng(1).subset(5000, 1000);
    const s = backendScores(sm, m, HIDDEN_SET, samples, [0, 0, 0, 0]);
    expect(new Set(s).size).toBe(1);
    expect(s[0]).toBe(toUnits(sum(correctness(sm, m, HIDDEN_SET, samples)), 1000));
  });

  it('differ between backends by about the flip rate, without moving the expected score', () => {
    const samples = all(5000);
    let moved = 0;
    let signed = 0;
    for (let id = 100; id < 140; id++) {
      const s = backendScores(sm, fresh(id, 0.8), HIDDEN_SET, samples, [0, 0.01, 0, 0]);
      expect(backendScores(sm, fresh(id, 0.8), HIDDEN_SET, samples, [0, 0.01, 0, 0])).toEqual(s);
      moved += Math.abs(s[1]! - s[0]!);
      signed += s[1]! - s[0]!;
    }
    // 50 balanced flips per model: net ~ N(0, sqrt(50)) samples, 2 units each at 5000 samples,
    // so |net| averages ~11 units and the signed mean over 40 models has sd ~2.2 units.
    expect(moved / 40).toBeGreaterThan(5);
    expect(moved / 40).toBeLessThan(20);
    expect(Math.abs(signed / 40)).toBeLessThan(9);
  });

  it('rounds to whole 1e-4 units', () => {
    expect(toUnits(1, 3)).toBe(3333);
    expect(toUnits(2, 3)).toBe(6667);
    expect(toUnits(1000, 1000)).toBe(10_000);
  });
});

describe('rng', () => {
  it('draws a subset of distinct sorted indices, the whole set when k >= n', () => {
    const s = new Rng(3).subset(5000, 1000);
    expect(s).toHaveLength(1000);
    expect(new Set(s).size).toBe(1000);
    expect(s.every((v, i) => i === 0 || v > s[i - 1]!)).toBe(true);
    expect(new Rng(3).subset(10, 20)).toEqual(all(10));
  });

  it('inverts the normal CDF', () => {
    expect(probit(0.5)).toBeCloseTo(0, 9);
    expect(probit(0.975)).toBeCloseTo(1.959964, 5);
    expect(probit(0.01)).toBeCloseTo(-2.326348, 5);
    expect(() => probit(1)).toThrow(RangeError);
  });
});
