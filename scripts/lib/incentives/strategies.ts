// How a validator fills its score row. Honest validators evaluate; the others are the lazy and
// colluding strategies the benchmark measures. Scores are in units of 1e-4 (0..10000).

import type { Model } from './quality.ts';
import { hashUniform } from './rng.ts';

export interface ColumnView {
  account: number;
  model: Model;
  duplicate: boolean;
}

/** What a validator can know when it fills its row in one epoch of one world. */
export interface ScoringView {
  epoch: number;
  /** Its score of the model on this epoch's evaluation samples, on its backend. */
  evaluate(model: Model, backend: number): number;
  /** The same sample indices taken from the PUBLIC set (final phase: the wrong set). */
  evaluatePublic(model: Model, backend: number): number;
  /** Last epoch's published aggregates by trainer account (undefined in the first epoch). */
  previous: Map<number, number> | undefined;
  taskSeed: number;
}

export type Strategy = (view: ScoringView, column: ColumnView, self: { account: number; backend: number }) => number;

/** Evaluates every column; a byte-identical duplicate scores 0 (SPEC 2.4). */
export const honest: Strategy = (view, column, self) =>
  column.duplicate ? 0 : view.evaluate(column.model, self.backend);

/** Median of last epoch's aggregates, or 0.8 in the first epoch. */
function previousMedian(view: ScoringView): number {
  const values = [...(view.previous?.values() ?? [])].sort((a, b) => a - b);
  return values.length === 0 ? 8000 : values[Math.floor(values.length / 2)]!;
}

/** One number for every column: last epoch's median aggregate (0.8 in the first epoch). */
export const lazyConstant: Strategy = (view) => previousMedian(view);

/** Uniform in the range of last epoch's aggregates ([0.5, 0.95] in the first epoch). */
export const lazyRandom: Strategy = (view, column, self) => {
  const values = [...(view.previous?.values() ?? [])];
  const lo = values.length === 0 ? 5000 : Math.min(...values);
  const hi = values.length === 0 ? 9500 : Math.max(...values);
  return Math.round(lo + (hi - lo) * hashUniform(view.taskSeed, self.account, view.epoch, column.account));
};

/** Last epoch's published aggregate of the same account; the median for an account without one. */
export const lazyPrevious: Strategy = (view, column) => view.previous?.get(column.account) ?? previousMedian(view);

/** Final phase: evaluates honestly, but on the public set instead of the revealed hidden set. */
export const lazyPublicSet: Strategy = (view, column, self) =>
  column.duplicate ? 0 : view.evaluatePublic(column.model, self.backend);

/**
 * A coalition member: scores the friend 1.0; with `lowerBetter`, also scores 0 every column it
 * finds better than the friend on its own evaluation (canaries included: it cannot tell them).
 */
export function colluding(friendAccount: number, friendModel: Model, lowerBetter: boolean): Strategy {
  return (view, column, self) => {
    if (column.account === friendAccount) return 10_000;
    const own = honest(view, column, self);
    if (lowerBetter && own > view.evaluate(friendModel, self.backend)) return 0;
    return own;
  };
}
