import { describe, expect, it } from 'vitest';
import {
  ASSUMED_PAIR_FLIP_RATE,
  BACKENDS,
  assumedNoise,
  fitFlipRates,
  parseConsensus,
  type PairDisagreement,
} from '../../../scripts/lib/incentives/noise.ts';

const pairsFrom = (p: number[]): PairDisagreement[] => {
  const out: PairDisagreement[] = [];
  for (let i = 0; i < 4; i++)
    for (let j = i + 1; j < 4; j++) out.push({ a: BACKENDS[i]!, b: BACKENDS[j]!, flipRate: p[i]! + p[j]! });
  return out;
};

describe('backend noise', () => {
  it('recovers per-backend rates from pair rates that they generated', () => {
    const p = [0.0001, 0, 0.004, 0.0007];
    fitFlipRates(pairsFrom(p)).forEach((v, i) => expect(v).toBeCloseTo(p[i]!, 9));
  });

  it('gives an unmeasured backend the largest fitted rate, never zero', () => {
    const fitted = fitFlipRates([{ a: 'cpu', b: 'wasm', flipRate: 0.002 }]);
    expect(fitted[BACKENDS.indexOf('webgl')]).toBeCloseTo(0.001, 9);
    expect(fitted[BACKENDS.indexOf('webgpu')]).toBeCloseTo(0.001, 9);
  });

  it('labels the assumption as such', () => {
    const n = assumedNoise();
    expect(n.measured).toBe(false);
    expect(n.source).toMatch(/^ASSUMPTION/);
    n.flip.forEach((v) => expect(v).toBeCloseTo(ASSUMED_PAIR_FLIP_RATE / 2, 12));
  });

  const file = (flips: unknown[], extra: object = {}) => ({
    specs: [{ spec: 'x', models: [{ level: 'a', flips }] }],
    ...extra,
  });

  it("reads bench:consensus's JSON: worst correctness rate per backend pair, 16-bit and same-backend pairs apart", () => {
    const n = parseConsensus(
      file(
        [
          { a: 'node cpu', b: 'node wasm', half: false, common: 10000, correctness: 4, predictions: 10 },
          { a: 'chromium wasm', b: 'node cpu', half: false, common: 10000, correctness: 2 },
          { a: 'node wasm', b: 'chromium wasm', half: false, common: 10000, correctness: 1 },
          { a: 'node cpu', b: 'chromium webgl (f16 textures)', half: true, common: 10000, correctness: 300 },
        ],
        { recommendation: { evalSubsetSize: 800, tolVWad: '3000000000000000' } },
      ),
      'docs/bench/consensus.json',
    );
    expect(n.measured).toBe(true);
    expect(n.pairs).toEqual([{ a: 'cpu', b: 'wasm', flipRate: 0.0004 }]);
    expect(n.flip[0]).toBeCloseTo(0.0002, 9);
    expect(n.flip[1]).toBeCloseTo(0.0002, 9);
    expect(n.source).toMatch(/16-bit pairs left out \(worst 3\.00e-2\)/);
    expect(n.source).toMatch(/two places differed on at most 1\.00e-4/);
    expect(n.recommended).toEqual({ evalSubsetSize: 800, tolV: 3n * 10n ** 15n });
  });

  it('refuses anything else with an error that names the file and the field', () => {
    expect(() => parseConsensus([], 'c.json')).toThrow(/c\.json: the file is not an object/);
    expect(() => parseConsensus({ pairs: [] }, 'c.json')).toThrow(/c\.json: specs is not an array/);
    expect(() =>
      parseConsensus(file([{ a: 'node cuda', b: 'node wasm', common: 10, correctness: 0 }]), 'c.json'),
    ).toThrow(/flips\[0\]\.a names no backend/);
    expect(() =>
      parseConsensus(file([{ a: 'node cpu', b: 'node wasm', common: 10, correctness: 11 }]), 'c.json'),
    ).toThrow(/correctness must be a whole number in \[0, common\]/);
    expect(() =>
      parseConsensus(file([{ a: 'node cpu', b: 'node wasm', common: 0, correctness: 0 }]), 'c.json'),
    ).toThrow(/common must be a positive whole number/);
    expect(() =>
      parseConsensus(file([{ a: 'node wasm', b: 'chromium wasm', common: 10, correctness: 0 }]), 'c.json'),
    ).toThrow(/no 32-bit pair of two different backends/);
  });
});
