// The differential test's random epochs, made so that revision 2's edge cases come up often
// (docs/reward-math.md steps 2-9): random reward parameters across their ranges with the edges
// on purpose, validators that evaluate (with or without float noise), sloppy and lazy ones,
// "split" columns on which validators fall into a few exact clusters (ties at the median, exact
// half-stake splits, void canaries, columns whose only agreeing validators failed a canary), and
// a classifier that counts those cases from the reference's input and result. Pure functions:
// the chain is not needed to tune how often each case happens.
import type { EpochInput, EpochResult, RewardParams } from '../../../src/lib/protocol/rewards.ts';
import type { Rng } from './rng.ts';

const WAD = 10n ** 18n;
/** One on-chain score unit (scores are integers 0..10000 times 1e14). */
export const SCORE_UNIT = 10n ** 14n;
export const MAX_UNITS = 10_000;

/** How a validator fills its score sheet. */
export type Behavior =
  /** The column's true score plus the task's honest noise (float noise between backends). */
  | { kind: 'honest' }
  /** The true score plus noise far above any sensible tolerance. */
  | { kind: 'sloppy'; amp: number }
  /** Lazy: one score for every column, evaluated nothing. */
  | { kind: 'constant'; value: number }
  /** Lazy: a random score per column. */
  | { kind: 'random' };

export interface ColumnSpec {
  /** The column's true score in units (what an honest validator measures). */
  quality: number;
  /**
   * 'normal': validators score around `quality` by their behavior; 'split': validators that
   * evaluate fall into 2-3 exact clusters (ties at the median, exact half-stake splits); 'scattered':
   * every score is independent (the median is one validator's score and often nobody else is
   * within tolerance: a zero column when that validator failed a canary, a void canary);
   * 'trap': the lazy validators (constant and random scores, who miss canaries) all give
   * `quality`; the others fall far below it, as much stake as stays under half, or far above it,
   * so that the lazy ones hold the median (when they failed a canary, nobody within tolerance
   * earns: a zero column).
   */
  mode: 'normal' | 'split' | 'scattered' | 'trap';
}

/** Reward parameters across the ranges TaskRegistry accepts, the edges on purpose. */
export function randomRewardParams(rng: Rng, validators: number): RewardParams {
  const lambda = rng.chance(0.1) ? 0n : BigInt(rng.int(0, 50)) * WAD + BigInt(rng.int(0, 999_999)) * 10n ** 12n;
  return {
    gamma: rng.wad(),
    q: rng.wad(),
    alphaT: rng.wad(),
    alphaV: rng.wad(),
    lambdaV: lambda > 50n * WAD ? 50n * WAD : lambda,
    minScore: randomMinScore(rng),
    tolV: randomTolV(rng),
    floorBps: randomFloorBps(rng),
    minValidators: randomMinValidators(rng, validators),
  };
}

/** [0, 1): mostly low, sometimes exactly on the score grid (an aggregate equal to it does not qualify). */
function randomMinScore(rng: Rng): bigint {
  const r = rng.next();
  if (r < 0.35) return 0n;
  if (r < 0.5) return BigInt(rng.int(1, 99_999_999_999_999)); // under one score unit
  if (r < 0.75) return BigInt(rng.int(0, 5_000)) * SCORE_UNIT; // on the grid
  return BigInt(Math.floor(rng.next() * 0.95e9)) * 10n ** 9n + BigInt(rng.int(0, 999_999_999));
}

/** [0, 1]: zero, under one score unit, a few units (on the grid: D == tolV happens), wide, all. */
function randomTolV(rng: Rng): bigint {
  const r = rng.next();
  if (r < 0.15) return 0n;
  if (r < 0.3) return BigInt(rng.int(1, 99_999_999_999_999));
  if (r < 0.6) return BigInt(rng.int(1, 20)) * SCORE_UNIT;
  if (r < 0.85) return BigInt(rng.int(1, 3_000)) * SCORE_UNIT + BigInt(rng.int(0, 99_999_999_999_999));
  if (r < 0.92) return WAD;
  return BigInt(Math.floor(rng.next() * 1e9)) * 10n ** 9n;
}

function randomFloorBps(rng: Rng): number {
  const r = rng.next();
  if (r < 0.15) return 0;
  if (r < 0.3) return 10_000;
  if (r < 0.5) return 5_000;
  return rng.int(0, 10_000);
}

/** [1, validators + 1]: mostly small, sometimes above what an epoch's revealers reach. */
function randomMinValidators(rng: Rng, validators: number): number {
  const r = rng.next();
  if (r < 0.65) return 1;
  if (r < 0.9) return Math.min(rng.int(2, 3), validators + 1);
  return rng.int(1, validators + 1);
}

/** A task's share of lazy or sloppy validators: none to a near-majority. */
export function randomLazyShare(rng: Rng): number {
  return rng.pick([0, 0.25, 0.35, 0.45, 0.45]);
}

export function randomBehavior(rng: Rng, lazyShare: number): Behavior {
  if (!rng.chance(lazyShare)) return { kind: 'honest' };
  const r = rng.next();
  if (r < 0.35) return { kind: 'sloppy', amp: rng.pick([50, 200, 1_000, 5_000]) };
  if (r < 0.75) return { kind: 'constant', value: rng.chance(0.3) ? 0 : rng.int(0, MAX_UNITS) };
  return { kind: 'random' };
}

/** Honest validators' noise in units: none (bit-identical evaluation) to a few units. */
export function randomHonestNoise(rng: Rng): number {
  return rng.pick([0, 0, 0, 1, 2, 5, 20]);
}

/**
 * True scores of an epoch's columns (canary flags as sealed); a "bad" epoch's models are all
 * untrained. With canaries, often one other column is a trap.
 */
export function randomColumns(
  rng: Rng,
  canary: readonly boolean[],
  levels: readonly number[] | undefined,
): ColumnSpec[] {
  const bad = rng.chance(0.07);
  // A canary that splits validators (a void one) is as much a case as one they agree on.
  const columns = canary.map((c): ColumnSpec => ({
    quality: bad ? rng.int(0, 30) : rng.chance(0.08) ? 0 : levels ? rng.pick(levels) : rng.int(0, MAX_UNITS),
    mode: rng.chance(0.15) ? 'split' : rng.chance(c ? 0.35 : 0.12) ? 'scattered' : 'normal',
  }));
  const others = columns.filter((_, i) => !canary[i]);
  if (canary.some(Boolean) && others.length > 0 && rng.chance(0.9)) {
    const trap = rng.pick(others);
    trap.mode = 'trap';
    if (!bad) trap.quality = rng.int(3_000, 7_000);
  }
  return columns;
}

const clamp = (u: number): number => Math.min(MAX_UNITS, Math.max(0, Math.round(u)));

const isLazy = (b: Behavior): boolean => b.kind === 'constant' || b.kind === 'random';

/**
 * sheets[j][i]: validator j's score of column i, integers 0..10000. `stakes[j]` (the validators'
 * stakes this epoch) place a trap column's lazy cluster on the median.
 */
export function scoreSheets(
  rng: Rng,
  columns: readonly ColumnSpec[],
  behaviors: readonly Behavior[],
  stakes: readonly bigint[],
  honestNoise: number,
): number[][] {
  const S = stakes.reduce((a, b) => a + b, 0n);
  const centers = columns.map((c) => {
    if (c.mode !== 'split') return [];
    const k = rng.int(2, 3);
    return Array.from({ length: k }, (_, x) => (x === 0 ? c.quality : rng.int(0, MAX_UNITS)));
  });
  const traps = columns.map((c) => {
    if (c.mode !== 'trap') return undefined;
    const far = rng.int(1_000, 3_000);
    const below = new Set<number>();
    let low = 0n;
    for (const j of rng.subset(
      behaviors.map((_, j) => j),
      behaviors.length,
    )) {
      if (isLazy(behaviors[j]!) || 2n * (low + stakes[j]!) >= S) continue;
      below.add(j);
      low += stakes[j]!;
    }
    return { low: clamp(c.quality - far), high: clamp(c.quality + far), below };
  });
  return behaviors.map((b, j) =>
    columns.map((c, i) => {
      const trap = traps[i];
      if (trap) return isLazy(b) ? c.quality : trap.below.has(j) ? trap.low : trap.high;
      if (b.kind === 'constant') return b.value;
      if (c.mode === 'split') return rng.pick(centers[i]!);
      if (c.mode === 'scattered' || b.kind === 'random') return rng.int(0, MAX_UNITS);
      const amp = b.kind === 'honest' ? honestNoise : b.amp;
      return clamp(c.quality + rng.int(-amp, amp));
    }),
  );
}

/** What made an epoch interesting; summed over the run and printed. */
export interface EpochCases {
  /** null, or why nothing was scored (all of R rolled over). */
  degenerate: null | 'noColumns' | 'noValidators' | 'minValidators';
  /** Columns (not duplicates) where two or more validators gave exactly the median. */
  equalAtMedian: number;
  /** Columns whose lower median sits exactly where half the stake is at or below it, with higher scores above. */
  halfAtMedian: number;
  /** Some revealer holds exactly half the epoch's validator stake. */
  halfValidator: boolean;
  /** Scored epoch in which nothing qualified: R_T rolled over. */
  nothingQualified: boolean;
  /** Columns where every validator within tolerance failed a canary: their share of R_V rolled over. */
  zeroColumns: number;
  canaries: number;
  canariesValid: number;
  canariesVoid: number;
  failedValidators: number;
  /** Columns ruled out by minScore or by the floor (qualified columns are the others). */
  belowMinScore: number;
  belowFloor: number;
  /** Columns whose aggregate equals minScore exactly (strictly above is required). */
  atMinScore: number;
  /** Scores at distance exactly tolV > 0 from their column's aggregate (inclusive edge). */
  atTolerance: number;
  duplicates: number;
  /** Trainer pools paid. */
  qualified: number;
  /** Rolled over into the next epoch's budget or the remainder. */
  rolledOver: boolean;
}

export function classifyEpoch(input: EpochInput, ref: EpochResult): EpochCases {
  const { params, trainers, validators } = input;
  const n = trainers.length;
  const m = validators.length;
  const cases: EpochCases = {
    degenerate: n === 0 ? 'noColumns' : m === 0 ? 'noValidators' : m < params.minValidators ? 'minValidators' : null,
    equalAtMedian: 0,
    halfAtMedian: 0,
    halfValidator: false,
    nothingQualified: false,
    zeroColumns: 0,
    canaries: 0,
    canariesValid: 0,
    canariesVoid: 0,
    failedValidators: 0,
    belowMinScore: 0,
    belowFloor: 0,
    atMinScore: 0,
    atTolerance: 0,
    duplicates: trainers.filter((t) => t.duplicate === true).length,
    qualified: 0,
    rolledOver: ref.rollover > 0n,
  };
  if (ref.degenerate) return cases;
  const stakes = validators.map((v) => v.own + v.delegated);
  const S = stakes.reduce((a, b) => a + b, 0n);
  cases.halfValidator = m > 1 && stakes.some((s) => 2n * s === S);
  const best = ref.trainers.reduce((b, t) => (!t.canary && t.aggregate > b ? t.aggregate : b), 0n);
  trainers.forEach((tr, i) => {
    const r = ref.trainers[i]!;
    const column = input.scores.map((row) => (tr.duplicate ? 0n : row[i]!));
    if (!tr.duplicate) {
      if (column.filter((x) => x === r.aggregate).length > 1) cases.equalAtMedian++;
      const atOrBelow = column.reduce((s, x, j) => (x <= r.aggregate ? s + stakes[j]! : s), 0n);
      if (2n * atOrBelow === S && column.some((x) => x > r.aggregate)) cases.halfAtMedian++;
    }
    if (params.tolV > 0n) {
      cases.atTolerance += column.filter(
        (x) => (x > r.aggregate ? x - r.aggregate : r.aggregate - x) === params.tolV,
      ).length;
    }
    if (tr.canary) return;
    if (r.aggregate === params.minScore) cases.atMinScore++;
    if (r.aggregate <= params.minScore) cases.belowMinScore++;
    else if (r.aggregate * 10_000n < BigInt(params.floorBps) * best) cases.belowFloor++;
  });
  cases.nothingQualified = ref.qualified === 0;
  cases.qualified = ref.qualified;
  cases.zeroColumns = ref.zeroColumns;
  cases.canaries = ref.canaries.length;
  cases.canariesValid = ref.canaries.filter((c) => c.valid).length;
  cases.canariesVoid = ref.canaries.length - cases.canariesValid;
  cases.failedValidators = ref.validators.filter((v) => v.failedCanary).length;
  return cases;
}
