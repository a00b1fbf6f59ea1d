// The measured side of docs/scale.md's cost model: per-operation gas from docs/bench/gas.md and
// straight lines fitted through its measured sizes (revealScores against score words,
// revealCanaries against columns, finalization gas against RewardEngine's work units).

import { finalizationUnits } from './engine-units.ts';
import { operation, type GasPage } from './gas-page.ts';

export interface Line {
  intercept: number;
  slope: number;
}

export interface FinalizationFit {
  /** Gas per work unit of the cell stages (Columns, Canaries) and of every other stage. */
  cellGasPerUnit: number;
  otherGasPerUnit: number;
  /** Each measured point against the model: size, epoch, measured and modelled gas and calls. */
  points: {
    n: number;
    m: number;
    first: boolean;
    measured: number;
    model: number;
    calls: number;
    modelCalls: number;
  }[];
}

export interface Measured {
  seal: number;
  reveal: number;
  commitScores: number;
  drawEvalSeed: number;
  commitCanaries: number;
  /** revealScores gas = intercept + slope x words (16 scores per word). */
  revealScores: Line;
  /** revealCanaries gas = intercept + slope x columns. */
  revealCanaries: Line;
  finalization: FinalizationFit;
  /** Base gas of a transaction (EIP-2028 era, no access list). */
  txBase: number;
  run: string;
}

export const TX_BASE_GAS = 21_000;

/** Ordinary least squares y = a + b x. */
export function fitLine(points: readonly (readonly [number, number])[]): Line {
  if (points.length < 2) throw new RangeError('fitLine: need two points');
  const n = points.length;
  const mx = points.reduce((s, [x]) => s + x, 0) / n;
  const my = points.reduce((s, [, y]) => s + y, 0) / n;
  let sxy = 0;
  let sxx = 0;
  for (const [x, y] of points) {
    sxy += (x - mx) * (y - my);
    sxx += (x - mx) ** 2;
  }
  if (sxx === 0) throw new RangeError('fitLine: every x is the same');
  const slope = sxy / sxx;
  return { intercept: my - slope * mx, slope };
}

export const at = (line: Line, x: number) => line.intercept + line.slope * x;

/** Pools whose stake changes the gas benchmark's first epoch rolls: every join and every delegation. */
function benchRollPools(n: number, m: number): number {
  return n + m + Math.ceil(m / 3);
}

/**
 * Gas of finalization = 21,000 per call + a x (cell-stage units) + b x (other units), a and b
 * by least squares on the relative error over the measured points (each point counts alike,
 * whatever its size).
 */
export function fitFinalization(page: GasPage): FinalizationFit {
  const rows = page.finalization.map((p) => {
    const canaries = page.canaries.find((c) => c.n === p.n && c.m === p.m)?.canaries;
    if (canaries === undefined) throw new Error(`docs/bench/gas.md: no canary count for ${p.n} x ${p.m}`);
    const u = finalizationUnits({
      n: p.n,
      m: p.m,
      canaries,
      alphaVIsOne: true,
      rollPools: p.first ? benchRollPools(p.n, p.m) : 0,
      rollNextPools: 0,
    });
    const cell = u.byStage.Columns + u.byStage.Canaries;
    const other = u.calls.reduce((s, c) => s + c, 0) - cell;
    return { p, cell, other, calls: u.calls.length, y: p.total - TX_BASE_GAS * u.calls.length };
  });
  // Weighted normal equations, weights 1/y^2.
  let a11 = 0;
  let a12 = 0;
  let a22 = 0;
  let b1 = 0;
  let b2 = 0;
  for (const r of rows) {
    const w = 1 / r.y ** 2;
    a11 += w * r.cell * r.cell;
    a12 += w * r.cell * r.other;
    a22 += w * r.other * r.other;
    b1 += w * r.cell * r.y;
    b2 += w * r.other * r.y;
  }
  const det = a11 * a22 - a12 * a12;
  if (det === 0) throw new Error('fitFinalization: the measured points do not separate the two stage kinds');
  const cellGasPerUnit = (b1 * a22 - b2 * a12) / det;
  const otherGasPerUnit = (a11 * b2 - a12 * b1) / det;
  return {
    cellGasPerUnit,
    otherGasPerUnit,
    points: rows.map((r) => ({
      n: r.p.n,
      m: r.p.m,
      first: r.p.first,
      measured: r.p.total,
      model: TX_BASE_GAS * r.calls + cellGasPerUnit * r.cell + otherGasPerUnit * r.other,
      calls: r.p.calls,
      modelCalls: r.calls,
    })),
  };
}

export function fitMeasured(page: GasPage): Measured {
  const words = (n: number) => Math.ceil(n / 16);
  return {
    seal: operation(page, 'sealSubmission'),
    reveal: operation(page, 'revealSubmission'),
    commitScores: operation(page, 'commitScores'),
    drawEvalSeed: operation(page, 'drawEvalSeed (first'),
    commitCanaries: operation(page, 'commitCanaries'),
    revealScores: fitLine(page.finalization.map((p) => [words(p.n), p.revealScoresAvg] as const)),
    revealCanaries: fitLine(page.canaries.map((c) => [c.n, c.revealCanaries] as const)),
    finalization: fitFinalization(page),
    txBase: TX_BASE_GAS,
    run: page.run,
  };
}
