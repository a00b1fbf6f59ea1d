// Statistics of the benchmark: rank correlation, ratios and means with confidence intervals that
// resample whole tasks (epochs of one task share a population, so they are not independent),
// and an exact binomial bound for rare events.

import { Rng } from './rng.ts';

export interface Estimate {
  value: number;
  lo: number;
  hi: number;
}

/** Ranks 1..n, ties sharing their average rank. */
export function averageRanks(values: readonly number[]): number[] {
  const order = values.map((v, i) => ({ v, i })).sort((a, b) => a.v - b.v);
  const ranks = new Array<number>(values.length);
  for (let start = 0; start < order.length;) {
    let end = start;
    while (end + 1 < order.length && order[end + 1]!.v === order[start]!.v) end++;
    const rank = (start + end) / 2 + 1;
    for (let k = start; k <= end; k++) ranks[order[k]!.i] = rank;
    start = end + 1;
  }
  return ranks;
}

export function pearson(x: readonly number[], y: readonly number[]): number {
  if (x.length !== y.length || x.length < 2) throw new RangeError('pearson: need two equal-length series of 2+ values');
  const n = x.length;
  const mx = x.reduce((s, v) => s + v, 0) / n;
  const my = y.reduce((s, v) => s + v, 0) / n;
  let sxy = 0;
  let sxx = 0;
  let syy = 0;
  for (let i = 0; i < n; i++) {
    const dx = x[i]! - mx;
    const dy = y[i]! - my;
    sxy += dx * dy;
    sxx += dx * dx;
    syy += dy * dy;
  }
  if (sxx === 0 || syy === 0) return Number.NaN;
  return sxy / Math.sqrt(sxx * syy);
}

/** Spearman's rho: Pearson correlation of the average ranks. NaN if either series is constant. */
export function spearman(x: readonly number[], y: readonly number[]): number {
  return pearson(averageRanks(x), averageRanks(y));
}

/** Group items by task, in first-seen order. */
function clusters<T extends { task: number }>(items: readonly T[]): T[][] {
  const byTask = new Map<number, T[]>();
  for (const it of items) {
    const list = byTask.get(it.task);
    if (list === undefined) byTask.set(it.task, [it]);
    else list.push(it);
  }
  return [...byTask.values()];
}

interface Group {
  n: number;
  d: number;
}

/**
 * sum(num) / sum(den) with a 95% percentile interval from resampling tasks with replacement
 * (B resamples, seeded so the report is reproducible).
 */
export function ratioEstimate<T extends { task: number }>(
  items: readonly T[],
  num: (t: T) => number,
  den: (t: T) => number,
  B = 2000,
  seed = 1,
): Estimate {
  const groups = clusters(items).map((g) => ({
    n: g.reduce((s, t) => s + num(t), 0),
    d: g.reduce((s, t) => s + den(t), 0),
  }));
  return withBootstrap(groups, B, seed);
}

/** Mean of per-item values (NaN skipped) with the same task-resampling interval. */
export function meanEstimate<T extends { task: number }>(
  items: readonly T[],
  value: (t: T) => number,
  B = 2000,
  seed = 2,
): Estimate {
  const groups = clusters(items.filter((t) => !Number.isNaN(value(t)))).map((g) => ({
    n: g.reduce((s, t) => s + value(t), 0),
    d: g.length,
  }));
  return withBootstrap(groups, B, seed);
}

/** sum n / sum d over the groups, and over B resamples of the groups. */
function withBootstrap(groups: readonly Group[], B: number, seed: number): Estimate {
  const ratio = (n: number, d: number) => (d === 0 ? Number.NaN : n / d);
  const value = ratio(
    groups.reduce((s, g) => s + g.n, 0),
    groups.reduce((s, g) => s + g.d, 0),
  );
  if (groups.length < 2 || Number.isNaN(value)) return { value, lo: value, hi: value };
  const rng = new Rng(seed, groups.length, 0xb007);
  const samples: number[] = [];
  for (let b = 0; b < B; b++) {
    let n = 0;
    let d = 0;
    for (let k = 0; k < groups.length; k++) {
      const g = groups[Math.floor(rng.next() * groups.length)]!;
      n += g.n;
      d += g.d;
    }
    const v = ratio(n, d);
    if (!Number.isNaN(v)) samples.push(v);
  }
  samples.sort((a, b) => a - b);
  const q = (p: number) => samples[Math.min(samples.length - 1, Math.max(0, Math.floor(p * samples.length)))]!;
  return { value, lo: q(0.025), hi: q(0.975) };
}

/** P(X <= x) for X ~ Binomial(n, p), summed in log space. */
export function binomialCdf(x: number, n: number, p: number): number {
  if (p <= 0) return 1;
  if (p >= 1) return x >= n ? 1 : 0;
  let logTerm = n * Math.log1p(-p); // P(X = 0)
  let total = Math.exp(logTerm);
  for (let k = 1; k <= x; k++) {
    logTerm += Math.log((n - k + 1) / k) + Math.log(p) - Math.log1p(-p);
    total += Math.exp(logTerm);
  }
  return Math.min(1, total);
}

/** Clopper-Pearson 95% interval of a proportion x / n (two-sided, 2.5% each side). */
export function proportionEstimate(x: number, n: number): Estimate {
  if (n === 0) return { value: Number.NaN, lo: Number.NaN, hi: Number.NaN };
  const solve = (f: (p: number) => number) => {
    let lo = 0;
    let hi = 1;
    for (let i = 0; i < 60; i++) {
      const mid = (lo + hi) / 2;
      if (f(mid) > 0) lo = mid;
      else hi = mid;
    }
    return (lo + hi) / 2;
  };
  // upper: P(X <= x; p) = 0.025; lower: P(X >= x; p) = 0.025.
  const hi = x === n ? 1 : solve((p) => binomialCdf(x, n, p) - 0.025);
  const lo = x === 0 ? 0 : solve((p) => 0.025 - (1 - binomialCdf(x - 1, n, p)));
  return { value: x / n, lo, hi };
}
