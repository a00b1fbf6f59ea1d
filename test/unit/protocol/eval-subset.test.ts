// evalSubset (SPEC 2.2, brief: partial Fisher-Yates over keccak256(abi.encodePacked(seed, uint32 i))).
// The fixed vectors were cross-checked against an independent implementation (ethers 5 with
// js-sha3's keccak, full-array Fisher-Yates), so another client can check itself against them.
import { keccak256, toBytes, type Hex } from 'viem';
import { describe, expect, test } from 'vitest';
import { evalSubset } from '../../../src/lib/protocol/eval-subset.ts';

const SEED = keccak256(toBytes('aiarena/eval-subset/test-vector'));
const seedOf = (i: number): Hex => keccak256(toBytes(`seed/${i}`));

describe('evalSubset', () => {
  test('fixed vectors (seed = keccak256("aiarena/eval-subset/test-vector"))', () => {
    expect(SEED).toBe('0xf910d013db866f06d9cfe8b24960ed4745cd075510d94cc7490b380ab357af8f');
    expect(evalSubset(SEED, 5000, 10)).toEqual([322, 1074, 2706, 3343, 3660, 4661, 4750, 4783, 4787, 4848]);
    expect(evalSubset(SEED, 250, 10)).toEqual([0, 16, 21, 36, 69, 106, 110, 114, 159, 189]);
    expect(evalSubset(SEED, 10, 4)).toEqual([0, 3, 5, 9]);
    const big = evalSubset(`0x${'11'.repeat(32)}`, 5000, 1000);
    expect(big.slice(0, 8)).toEqual([0, 6, 8, 9, 11, 12, 14, 17]);
    expect(big.reduce((a, b) => a + b, 0)).toBe(2489173);
  });

  test('deterministic, sorted, no duplicates, in range; the seed matters', () => {
    for (const [n, k] of [
      [5000, 500],
      [250, 100],
      [7, 6],
      [2, 1],
    ] as const) {
      const a = evalSubset(seedOf(n), n, k);
      expect(evalSubset(seedOf(n), n, k)).toEqual(a);
      expect(a).toHaveLength(k);
      expect(new Set(a).size).toBe(k);
      for (let i = 1; i < a.length; i++) expect(a[i]!).toBeGreaterThan(a[i - 1]!);
      expect(a[0]!).toBeGreaterThanOrEqual(0);
      expect(a.at(-1)!).toBeLessThan(n);
    }
    expect(evalSubset(seedOf(1), 5000, 500)).not.toEqual(evalSubset(seedOf(2), 5000, 500));
  });

  test('k >= N gives every index', () => {
    expect(evalSubset(SEED, 5, 5)).toEqual([0, 1, 2, 3, 4]);
    expect(evalSubset(SEED, 5, 1000)).toEqual([0, 1, 2, 3, 4]);
    expect(evalSubset(SEED, 1, 1)).toEqual([0]);
    // k = N - 1 leaves exactly one index out.
    expect(evalSubset(SEED, 50, 49)).toHaveLength(49);
  });

  test('a prefix property of the partial shuffle: the first k draws of a larger k contain the smaller subset', () => {
    // The first k swaps do not depend on how many follow, so subset(k) is inside subset(k') for k < k'.
    const small = evalSubset(SEED, 1000, 50);
    const large = new Set(evalSubset(SEED, 1000, 300));
    expect(small.every((i) => large.has(i))).toBe(true);
  });

  test('roughly uniform: every index about equally often over many seeds', () => {
    // 400 draws of 25 out of 50: each index expected 200 times (sd ~10); and index 0 is not special.
    const n = 50;
    const counts = new Array<number>(n).fill(0);
    for (let s = 0; s < 400; s++) for (const i of evalSubset(seedOf(s), n, 25)) counts[i]!++;
    const chi2 = counts.reduce((acc, c) => acc + (c - 200) ** 2 / 200, 0);
    // 49 degrees of freedom: P(chi2 > 90) ~ 3e-4 for a uniform draw; a biased rule (e.g. r % N
    // without the i offset, or indices never leaving their half) lands far above.
    expect(chi2).toBeLessThan(90);
    expect(Math.min(...counts)).toBeGreaterThan(150);
    expect(Math.max(...counts)).toBeLessThan(250);
  });

  test('bad input is refused with the field named', () => {
    expect(() => evalSubset(`0x${'0'.repeat(64)}`, 10, 3)).toThrow(/seed: is zero/);
    expect(() => evalSubset('0x1234' as Hex, 10, 3)).toThrow(/seed: must be 32 bytes/);
    expect(() => evalSubset(SEED, 0, 3)).toThrow(/datasetSize/);
    expect(() => evalSubset(SEED, 2.5, 3)).toThrow(/datasetSize/);
    expect(() => evalSubset(SEED, 10, 0)).toThrow(/k: must be an integer/);
    expect(() => evalSubset(SEED, 10, -1)).toThrow(/k: must be an integer/);
    expect(() => evalSubset(SEED, 2 ** 32, 3)).toThrow(/datasetSize/);
  });
});
