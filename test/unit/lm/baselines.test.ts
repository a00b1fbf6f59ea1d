import { describe, expect, it } from 'vitest';
import {
  compressEach,
  countNgrams,
  DISCOUNT_GRID,
  gzip9,
  ngramModel,
  orderProbabilities,
  scoreOf,
  scoreOrders,
  tuneDiscounts,
  xz9,
  zlibGzip9,
} from '../../../scripts/lib/lm/baselines.ts';
import { sequenceWindows } from '../../../src/lib/ml/data/text.ts';
import { Rng } from '../../../src/lib/ml/rng.ts';

const enc = (s: string) => new TextEncoder().encode(s);
const A = 97;
const B = 98;

/** Text with some byte-level structure: words from a small list, from a seeded stream. */
function text(seed: string, n: number): Uint8Array {
  const rng = Rng.seeded(seed);
  const words = ['uint256 ', 'return ', 'x', ';\n', '(a, b)', '{', '}', 'function ', '\u00e9'];
  let s = '';
  while (s.length < n) s += words[rng.nextInt(words.length)];
  return enc(s.slice(0, n));
}

describe('byte n-gram counts and model', () => {
  // One window of L = 3: inputs "aba", targets "bab".
  const counts = countNgrams(enc('abab'), 3, 2);

  it('counts targets with the context their window holds', () => {
    const [c1, c2] = counts;
    expect([c1!.totals[0], c1!.counts[A], c1!.counts[B], c1!.distinct[0]]).toEqual([3, 1, 2, 2]);
    expect([c2!.counts[A * 256 + B], c2!.counts[B * 256 + A], c2!.totals[A], c2!.totals[B]]).toEqual([2, 1, 2, 1]);
    expect([c2!.distinct[A], c2!.distinct[B], c2!.totals[0]]).toEqual([1, 1, 0]);
  });

  it('gives the hand-computed probabilities', () => {
    // Order 1, D = 0.5: (max(c - 0.5, 0) + 0.5 * 2 distinct * 1/256) / 3.
    const m1 = ngramModel(counts, [0.5]);
    expect(m1.prob([], A)).toBeCloseTo((0.5 + 1 / 256) / 3, 15);
    expect(m1.prob([], B)).toBeCloseTo((1.5 + 1 / 256) / 3, 15);
    expect(m1.prob([], 0x63)).toBeCloseTo(1 / 256 / 3, 15);
    // Order 1 ignores context.
    expect(m1.prob([A, B], B)).toBe(m1.prob([], B));
    // Order 2, D_2 = 1: after 'a' only 'b' was seen (twice), so P(b|a) = (2 - 1 + 1 * 1 * P1(b)) / 2.
    const m2 = ngramModel(counts, [0.5, 1]);
    const p1b = (1.5 + 1 / 256) / 3;
    const p1a = (0.5 + 1 / 256) / 3;
    expect(m2.prob([A], B)).toBeCloseTo((1 + p1b) / 2, 15);
    expect(m2.prob([A], A)).toBeCloseTo(p1a / 2, 15);
    expect(m2.prob([B], A)).toBeCloseTo((0 + p1a) / 1, 15);
    // An unseen context, and no context at all, fall back to order 1.
    expect(m2.prob([0x63], B)).toBeCloseTo(p1b, 15);
    expect(m2.prob([], B)).toBeCloseTo(p1b, 15);
    // The bits of the window's targets "bab" under order 2: b | a, a | b, b | a.
    const probs = orderProbabilities(
      enc('abab'),
      3,
      counts[1]!,
      1,
      orderProbabilities(enc('abab'), 3, counts[0]!, 0.5, null),
    );
    expect(scoreOf(probs).bits).toBeCloseTo(-2 * Math.log2((1 + p1b) / 2) - Math.log2(p1a), 12);
  });

  it('sums to 1 over the 256 bytes for every context', () => {
    const L = 32;
    const windows = sequenceWindows(text('train', 3000), L, 0);
    const all = countNgrams(windows, L, 3);
    const sum = (m: ReturnType<typeof ngramModel>, ctx: number[]) => {
      let s = 0;
      for (let b = 0; b < 256; b++) s += m.prob(ctx, b);
      return s;
    };
    for (const discounts of [[0.3], [0.7, 0.5], [1, 0.02, 0.9]]) {
      const m = ngramModel(all, discounts);
      expect(sum(m, [])).toBeCloseTo(1, 12);
      // Every one-byte context (seen or not).
      for (let a = 0; a < 256; a++) expect(sum(m, [a])).toBeCloseTo(1, 12);
      if (discounts.length < 3) continue;
      // Two-byte contexts: every seen one, and unseen ones after seen and unseen last bytes.
      const seen = [...all[2]!.totals.keys()].filter((h) => all[2]!.totals[h]! > 0);
      expect(seen.length).toBeGreaterThan(20);
      const rng = Rng.seeded('contexts');
      const unseen = Array.from({ length: 300 }, () => rng.nextInt(65536)).filter((h) => all[2]!.totals[h] === 0);
      for (const h of [...seen, ...unseen]) expect(sum(m, [h >> 8, h & 255])).toBeCloseTo(1, 12);
    }
  });

  it('scores each target with the context its window holds, as the model does', () => {
    const L = 8;
    const windows = sequenceWindows(text('score', 400), L, 0);
    const all = countNgrams(sequenceWindows(text('fit', 2000), L, 0), L, 3);
    const discounts = [0.4, 0.6, 0.8];
    const scores = scoreOrders(all, discounts, windows, L);
    for (let n = 1; n <= 3; n++) {
      const m = ngramModel(all, discounts.slice(0, n));
      let bits = 0;
      for (let w = 0; w < windows.length; w += L + 1) {
        for (let j = 1; j <= L; j++) bits -= Math.log2(m.prob(windows.subarray(w, w + j), windows[w + j]!));
      }
      expect(scores[n - 1]!.bits).toBeCloseTo(bits, 8);
      expect(scores[n - 1]!.targets).toBe((windows.length / (L + 1)) * L);
    }
    // More context helps on text with structure.
    expect(scores[1]!.bitsPerByte).toBeLessThan(scores[0]!.bitsPerByte);
    expect(scores[2]!.bitsPerByte).toBeLessThan(scores[1]!.bitsPerByte);
  });

  it('tunes each discount to the grid value with the fewest bits on the tuning split', () => {
    const L = 16;
    const all = countNgrams(sequenceWindows(text('fit', 4000), L, 0), L, 2);
    const tune = sequenceWindows(text('tune', 800), L, 0);
    const tuned = tuneDiscounts(all, tune, L);
    expect(tuned.discounts).toHaveLength(2);
    for (const d of DISCOUNT_GRID) {
      expect(scoreOrders(all, [d], tune, L)[0]!.bitsPerByte).toBeGreaterThanOrEqual(tuned.tuningBitsPerByte[0]!);
      expect(scoreOrders(all, [tuned.discounts[0]!, d], tune, L)[1]!.bitsPerByte).toBeGreaterThanOrEqual(
        tuned.tuningBitsPerByte[1]!,
      );
    }
    expect(scoreOrders(all, tuned.discounts, tune, L).map((s) => s.bitsPerByte)).toEqual(tuned.tuningBitsPerByte);
  });

  it('refuses what it cannot model', () => {
    expect(() => countNgrams(enc('abc'), 3, 1)).toThrow(/multiple of L \+ 1 = 4/);
    expect(() => countNgrams(enc('abcd'), 3, 4)).toThrow(/order must be an integer in 1\.\.3/);
    expect(() => ngramModel(counts, [0])).toThrow(/D_1 must be in \(0, 1\]/);
    expect(() => ngramModel(counts, [0.5, 0.5, 0.5])).toThrow(/order 3 needs counts of orders 1\.\.3/);
  });
});

describe('compression baselines', () => {
  it('sums compressed bits over the inputs and averages per input', () => {
    const half = (b: Uint8Array) => b.length / 2 + (b.length === 10 ? 5 : 0);
    const s = compressEach([new Uint8Array(10), new Uint8Array(30)], half);
    expect(s).toEqual({
      bitsPerByte: (8 * (10 + 15)) / 40,
      meanPerInput: (8 + 4) / 2,
      inputs: 2,
      inputBytes: 40,
      compressedBytes: 25,
    });
    expect(() => compressEach([new Uint8Array(0)], half)).toThrow(/empty input/);
  });

  it('runs zlib, gzip -9 and xz -9 on real bytes', () => {
    const t = text('compress', 20_000);
    for (const c of [zlibGzip9, gzip9, xz9]) {
      const n = c(t);
      expect(n).toBeGreaterThan(100);
      expect(n).toBeLessThan(t.length / 3);
    }
    // Same deflate level and framing: the command and zlib agree within a few bytes.
    expect(Math.abs(gzip9(t) - zlibGzip9(t))).toBeLessThan(64);
  });
});
