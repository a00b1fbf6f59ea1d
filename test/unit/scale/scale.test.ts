import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { atLeastOnce, captureProbability, committeeSizeFor } from '../../../scripts/lib/scale/capture.ts';
import {
  asBuiltEpoch,
  committeeEpoch,
  scoresLowerBound,
  tiledEpoch,
  totalGas,
} from '../../../scripts/lib/scale/cost-model.ts';
import {
  ENGINE_UNITS,
  FinalizationStuck,
  finalizationUnits,
  oversizedStages,
} from '../../../scripts/lib/scale/engine-units.ts';
import { l1DataFeeWei, type FeeAssumptions } from '../../../scripts/lib/scale/fees.ts';
import { fitLine, fitMeasured } from '../../../scripts/lib/scale/fit.ts';
import { parseGasPage } from '../../../scripts/lib/scale/gas-page.ts';

const engineSource = readFileSync(new URL('../../../contracts/src/RewardEngine.sol', import.meta.url), 'utf8');
const gasPage = parseGasPage(readFileSync(new URL('../../../docs/bench/gas.md', import.meta.url), 'utf8'));

describe('RewardEngine work units', () => {
  it("restates the contract's constants exactly", () => {
    for (const [name, value] of Object.entries(ENGINE_UNITS)) {
      const m = new RegExp(`uint256 (?:public|internal) constant ${name} = ([\\d_]+);`).exec(engineSource);
      expect(m, name).not.toBeNull();
      expect(Number(m![1]!.replace(/_/g, '')), name).toBe(value);
    }
  });

  it('takes as many finalize calls as the gas benchmark measured in steady epochs', () => {
    const steady = gasPage.finalization.filter((p) => !p.first);
    expect(steady.length).toBeGreaterThanOrEqual(3);
    for (const p of steady) {
      const canaries = gasPage.canaries.find((c) => c.n === p.n && c.m === p.m)!.canaries;
      const u = finalizationUnits({ n: p.n, m: p.m, canaries, alphaVIsOne: true, rollPools: 0, rollNextPools: 0 });
      expect(u.calls.length, `${p.n} x ${p.m}`).toBe(p.calls);
      expect(Math.max(...u.calls)).toBeLessThanOrEqual(ENGINE_UNITS.WORK_BUDGET);
    }
  });

  it('cannot finalize 1,000 x 10,000: whole stages exceed one call', () => {
    const shape = { n: 1000, m: 10_000, canaries: 16, alphaVIsOne: true, rollPools: 0, rollNextPools: 0 };
    expect(() => finalizationUnits(shape)).toThrow(FinalizationStuck);
    expect(oversizedStages(shape).map((s) => s.stage)).toEqual(['Prepare', 'Canaries', 'Columns', 'Trainers']);
    // One column of 10,000 validators alone is 20,500 units of cells.
    expect(oversizedStages(shape).find((s) => s.stage === 'Columns')!.needs).toBe(
      30 + 90_000 + 60_000 + 20_500 + 1_875,
    );
  });
});

describe('cost model', () => {
  it('fits lines exactly through collinear points', () => {
    expect(
      fitLine([
        [1, 3],
        [2, 5],
        [4, 9],
      ]),
    ).toEqual({ intercept: 1, slope: 2 });
  });

  it('reproduces the measured reveals and finalizations it is fitted to', () => {
    const m = fitMeasured(gasPage);
    for (const p of gasPage.finalization) {
      const words = Math.ceil(p.n / 16);
      expect(
        Math.abs(m.revealScores.intercept + m.revealScores.slope * words - p.revealScoresAvg) / p.revealScoresAvg,
      ).toBeLessThan(0.01);
    }
    for (const p of m.finalization.points) {
      const err = Math.abs(p.model - p.measured) / p.measured;
      expect(err, `${p.n} x ${p.m}`).toBeLessThan(p.n >= 256 ? 0.03 : 0.15);
    }
  });

  it('prices the lower bound as gas.md does, and ranks the designs by cost at 1,000 x 10,000', () => {
    // docs/bench/gas.md's "calldata-only lower bound of the scores" at 256 x 512.
    expect(scoresLowerBound(256, 512)).toBe(4_194_304);
    const m = fitMeasured(gasPage);
    const small = asBuiltEpoch(m, 256, 512, 16);
    expect(small.blockers).toEqual([]);
    const built = asBuiltEpoch(m, 1000, 10_000, 16);
    expect(built.blockers.length).toBeGreaterThanOrEqual(4);
    const tiled = totalGas(tiledEpoch(m, 1000, 10_000, 16));
    const k64 = totalGas(committeeEpoch(m, 1000, 10_000, 64));
    const k256 = totalGas(committeeEpoch(m, 1000, 10_000, 256));
    expect(tiled).toBeGreaterThan(k256);
    expect(k256).toBeGreaterThan(k64);
    // Full sheets: the 10^7 cells dominate; 100 to 250 times the scores' calldata.
    expect(tiled / scoresLowerBound(1000, 10_000)).toBeGreaterThan(100);
    expect(tiled / scoresLowerBound(1000, 10_000)).toBeLessThan(250);
  });

  it('computes the OP-stack Fjord L1 data fee', () => {
    const a: FeeAssumptions = {
      l2GasPriceGwei: 0,
      l1BaseFeeGwei: 1,
      blobBaseFeeGwei: 1,
      baseFeeScalar: 2269,
      blobBaseFeeScalar: 1_055_762,
      compression: 1,
      ethUsd: 1,
    };
    // (836,500 x 1000 - 42,585,600) x (2269 x 1e9 x 16 + 1,055,762 x 1e9) / 1e12
    expect(l1DataFeeWei(1000, a)).toBeCloseTo(867_006_923_150.4, 0);
    // Below the minimum size every transaction pays for 100 bytes.
    expect(l1DataFeeWei(10, a)).toBe(l1DataFeeWei(20, a));
  });
});

describe('committee capture', () => {
  it('matches hand-computed cases of each draw', () => {
    // Binomial, 3 seats at f = 1/2: two or more.
    expect(captureProbability({ k: 3, f: 0.5, direction: 'up', draw: 'binomial' })).toBeCloseTo(0.5, 12);
    // Binomial, 4 seats, down: two or more of four = 11/16.
    expect(captureProbability({ k: 4, f: 0.5, direction: 'down', draw: 'binomial' })).toBeCloseTo(11 / 16, 12);
    // Hypergeometric: 3 of 10, 5 in the coalition: (C(5,2) C(5,1) + C(5,3)) / C(10,3) = 60 / 120.
    expect(captureProbability({ k: 3, f: 0.5, direction: 'up', draw: 'hypergeometric', V: 10 })).toBeCloseTo(0.5, 12);
    // Poisson(1/2) each side: P(A = H) = e^-1 I0(1) = 0.465760; up = (1 - that) / 2.
    const tie = 0.4657596075936404;
    expect(captureProbability({ k: 1, f: 0.5, direction: 'up', draw: 'poisson' })).toBeCloseTo((1 - tie) / 2, 9);
    expect(captureProbability({ k: 1, f: 0.5, direction: 'down', draw: 'poisson' })).toBeCloseTo(
      (1 - tie) / 2 + tie - Math.exp(-1),
      9,
    );
  });

  it('falls with k, and committeeSizeFor returns the smallest k meeting the target', () => {
    const p = (k: number) => captureProbability({ k, f: 0.2, direction: 'down', draw: 'poisson' });
    expect(p(64)).toBeLessThan(p(32));
    expect(p(32)).toBeLessThan(p(16));
    const k = committeeSizeFor({ f: 0.2, direction: 'down', draw: 'poisson' }, 1e-6)!;
    expect(p(k)).toBeLessThanOrEqual(1e-6);
    expect(p(k - 1)).toBeGreaterThan(1e-6);
    const ground = committeeSizeFor({ f: 0.2, direction: 'down', draw: 'poisson' }, 1e-6, 1024)!;
    expect(ground).toBeGreaterThan(k);
    expect(atLeastOnce(1e-6, 1024)).toBeCloseTo(1.0235e-3, 6);
  });
});
