// From per-sample runs to the consensus benchmark's numbers: prediction flips per backend pair,
// the spread of honest validators' subset scores across backends, and how often a lazy
// validator's reused score lands within a tolerance.
import { Rng } from '../../../src/lib/ml/rng.ts';
import { runLabel, type Run } from './runs.ts';
import {
  absDiff,
  commonIndices,
  lazyDiffs,
  quantile,
  restrict,
  subsetScores,
  within,
  rewardRatio,
  type LazyKind,
  type SampleResults,
  type ScoreRule,
} from './stats.ts';

export interface PairFlips {
  a: string;
  b: string;
  /** Either side computes in 16-bit floats. */
  half: boolean;
  /** Samples both evaluated. */
  common: number;
  /** Samples whose arg-max differs. */
  predictions: number;
  /** Samples right on one side and wrong on the other (what moves an accuracy). */
  correctness: number;
  maxLogitDiff: number;
  maxLossDiff: number;
}

export const pairsOf = <T>(xs: readonly T[]): [T, T][] =>
  xs.flatMap((a, i) => xs.slice(i + 1).map((b) => [a, b] as [T, T]));

export function flips(a: Run, b: Run): PairFlips {
  const common = commonIndices(a.indices, b.indices);
  const posA = new Map<number, number>();
  a.indices.forEach((s, p) => posA.set(s, p));
  const posB = new Map<number, number>();
  b.indices.forEach((s, p) => posB.set(s, p));
  const classes = a.logits.length / a.indices.length;
  let predictions = 0;
  let correctness = 0;
  let maxLogitDiff = 0;
  let maxLossDiff = 0;
  for (const s of common) {
    const i = posA.get(s)!;
    const j = posB.get(s)!;
    if (a.predictions[i] !== b.predictions[j]) predictions++;
    if (a.correct[i] !== b.correct[j]) correctness++;
    maxLossDiff = Math.max(maxLossDiff, Math.abs(a.losses[i]! - b.losses[j]!));
    for (let c = 0; c < classes; c++)
      maxLogitDiff = Math.max(maxLogitDiff, Math.abs(a.logits[i * classes + c]! - b.logits[j * classes + c]!));
  }
  return {
    a: runLabel(a),
    b: runLabel(b),
    half: a.floatPrecision < 32 || b.floatPrecision < 32,
    common: common.length,
    predictions,
    correctness,
    maxLogitDiff,
    maxLossDiff,
  };
}

/** Gap between the largest and second-largest logit of every sample (near ties flip first). */
export function topGaps(r: Pick<Run, 'logits' | 'indices'>): Float32Array {
  const classes = r.logits.length / r.indices.length;
  return Float32Array.from({ length: r.indices.length }, (_, i) => {
    let a = -Infinity;
    let b = -Infinity;
    for (let c = 0; c < classes; c++) {
      const v = r.logits[i * classes + c]!;
      if (v > a) {
        b = a;
        a = v;
      } else if (v > b) b = v;
    }
    return a - b;
  });
}

/**
 * The most an arithmetic error of at most `eps` per logit can move a k-subset's accuracy, in
 * units: only samples whose top-2 gap is under 2 eps can flip; the worst case flips all of those
 * in the subset the same way. Max over `draws` subsets (the subsetScores draws for `seed`).
 */
export function nearTieBound(r: Run, eps: number, k: number, draws: number, seed: string): number {
  const gaps = topGaps(r);
  const fragile: SampleResults = {
    indices: r.indices,
    correct: Uint8Array.from(gaps, (g) => (g < 2 * eps ? 1 : 0)),
    losses: new Float32Array(gaps.length),
  };
  const [counts] = subsetScores({ name: 'accuracy' }, [fragile], k, draws, seed);
  // subsetScores gives fragile/k in units: exactly the units those flips would move.
  return Math.max(...counts!);
}

export interface Spread {
  p999: number;
  max: number;
  /** Draws (1 when the subset is the whole set). */
  draws: number;
}

const spread = (d: Int32Array): Spread => ({ p999: quantile(d, 0.999), max: quantile(d, 1), draws: d.length });

export interface PairSpread {
  a: string;
  b: string;
  half: boolean;
  /** Samples the subsets were drawn from (fewer than the set where a backend covered a sample of it). */
  from: number;
  spread: Spread;
  diffs: Int32Array;
}

/**
 * For one model and subset size: |score difference| of every backend pair over `draws` subsets.
 * Runs covering the whole set share one set of draws; pairs with a partial-coverage run draw from
 * the samples that run evaluated.
 */
export function honestSpread(
  rule: ScoreRule,
  runs: readonly Run[],
  k: number,
  draws: number,
  seed: string,
): PairSpread[] {
  const n = Math.max(...runs.map((r) => r.indices.length));
  const full = runs.filter((r) => r.indices.length === n);
  const partial = runs.filter((r) => r.indices.length < n);
  const scores = new Map<Run, Int32Array>();
  subsetScores(rule, full, k, draws, seed).forEach((u, i) => scores.set(full[i]!, u));
  const out: PairSpread[] = [];
  for (const [a, b] of pairsOf(full)) {
    const diffs = absDiff(scores.get(a)!, scores.get(b)!);
    out.push({
      a: runLabel(a),
      b: runLabel(b),
      half: a.floatPrecision < 32 || b.floatPrecision < 32,
      from: n,
      spread: spread(diffs),
      diffs,
    });
  }
  for (const p of partial) {
    if (k > p.indices.length && k < n) continue; // cannot draw k of the samples it covered
    const aligned = [p, ...full].map((r) => restrict(r, p.indices));
    const u = subsetScores(rule, aligned, k, draws, `${seed}/${runLabel(p)}`);
    full.forEach((f, i) => {
      const diffs = absDiff(u[0]!, u[i + 1]!);
      out.push({
        a: runLabel(f),
        b: runLabel(p),
        half: f.floatPrecision < 32 || p.floatPrecision < 32,
        from: p.indices.length,
        spread: spread(diffs),
        diffs,
      });
    });
  }
  return out;
}

export interface LazyResult {
  kind: LazyKind;
  diffs: Int32Array;
  within: Record<number, number>;
}

/** The three lazy validators against the reference run (honest score) of one model. */
export function lazySpread(
  rule: ScoreRule,
  reference: SampleResults,
  publicRef: SampleResults,
  k: number,
  draws: number,
  seed: string,
  tols: readonly number[],
): LazyResult[] {
  const kinds: [LazyKind, SampleResults][] = [
    ['other-subset', reference],
    ['whole-set', reference],
    ['same-positions', publicRef],
  ];
  return kinds.map(([kind, source]) => {
    const diffs = lazyDiffs(rule, reference, source, kind, k, draws, seed);
    return { kind, diffs, within: Object.fromEntries(tols.map((t) => [t, within(diffs, t)])) };
  });
}

/** Worst (largest) lazy reward ratio over the given lazy distributions at `tol`, against the worst honest pair distribution. */
export function worstRatio(
  lazy: readonly Int32Array[],
  honest: readonly Int32Array[],
  tol: number,
  lambda: number,
): number {
  let worst = 0;
  for (const l of lazy) for (const h of honest) worst = Math.max(worst, rewardRatio(l, h, tol, lambda));
  return worst;
}

export interface ModelReport {
  level: string;
  steps: number;
  artifactHash: string;
  trainSeconds: number;
  runs: Run[];
  hidden: Run;
  flips: PairFlips[];
  /** Subset size (the set's size for the whole set) -> pair spreads, accuracy metric and the loss metric. */
  honest: Map<number, PairSpread[]>;
  honestLoss: Map<number, PairSpread[]>;
  lazy: Map<number, LazyResult[]>;
  /** Subset size -> nearTieBound of the reference run at the assumed error. */
  nearTie: Map<number, number>;
  /** Samples of the reference run with a top-2 logit gap under each threshold. */
  gapCounts: number[];
  /** Samples whose top-2 gap is under twice the 16-bit run's largest logit error: those it can flip. */
  halfReach: number;
  /** The same for the assumed 32-bit error (EPS). */
  epsReach: number;
  /** Service subset scores against the per-sample arrays: label, units from the arrays, units from the service. */
  checks: { label: string; samples: number; derived: number; service: number }[];
}

export interface SpecReport {
  spec: string;
  samples: number;
  hiddenSamples: number;
  sizes: number[];
  models: ModelReport[];
}

/** A subset size with the tolerance a rule gives it and the worst lazy reward ratio there. */
export interface Candidate {
  k: number;
  /** Largest honest 32-bit difference seen at k (units), over every model of the specs counted. */
  honestMax: number;
  /** Largest near-tie bound at k over those models (units). */
  nearTieMax: number;
  tol: number;
  /** Worst lazy reward ratio over models and lazy kinds. */
  ratio: number;
  ratioByModel: { spec: string; level: string; accuracy: number; ratio: number; byKind: Record<string, number> }[];
  specs: string[];
}

/**
 * For each subset size smaller than some spec's set: the tolerance `tolFor(k, specs)` and the
 * lazy/honest reward ratios at it (a spec whose set is not larger than k is left out: there the
 * subset is the whole set and reuse is exact).
 */
export function candidates(
  reports: readonly SpecReport[],
  sizes: readonly number[],
  lambda: number,
  tolFor: (k: number, specs: readonly SpecReport[]) => number,
): Candidate[] {
  const out: Candidate[] = [];
  for (const k of sizes) {
    const specs = reports.filter((r) => r.samples > k);
    if (specs.length === 0) continue;
    let honestMax = 0;
    let nearTieMax = 0;
    for (const r of specs) {
      for (const m of r.models) {
        nearTieMax = Math.max(nearTieMax, m.nearTie.get(k)!);
        for (const s of m.honest.get(k)!) if (!s.half) honestMax = Math.max(honestMax, s.spread.max);
      }
    }
    const tol = tolFor(k, specs);
    const ratioByModel = specs.flatMap((r) =>
      r.models.map((m) => {
        const honest = m.honest
          .get(k)!
          .filter((s) => !s.half)
          .map((s) => s.diffs);
        const byKind = Object.fromEntries(
          m.lazy.get(k)!.map((l) => [l.kind, worstRatio([l.diffs], honest, tol, lambda)]),
        );
        const ref = m.runs.find((x) => x.place === 'node' && x.backend === 'wasm')!;
        return {
          spec: r.spec,
          level: m.level,
          accuracy: ref.accuracy,
          ratio: Math.max(...Object.values(byKind)),
          byKind,
        };
      }),
    );
    out.push({
      k,
      honestMax,
      nearTieMax,
      tol,
      ratio: Math.max(...ratioByModel.map((x) => x.ratio)),
      ratioByModel,
      specs: specs.map((r) => r.spec),
    });
  }
  return out;
}

export interface SweepRow {
  accuracy: number;
  /** Worst lazy/honest reward ratio over the three lazy kinds, per tolerance. */
  ratios: number[];
}

/**
 * The lazy validators against a synthetic model of accuracy p on sets of n samples (right and
 * wrong samples placed at random, public and hidden sets drawn alike), honest validators agreeing
 * exactly: how the reward ratio depends on the model's accuracy, whatever the model.
 */
export function accuracySweep(
  ps: readonly number[],
  n: number,
  k: number,
  tols: readonly number[],
  draws: number,
  lambda: number,
): SweepRow[] {
  const synthetic = (p: number, label: string): SampleResults => {
    const correct = new Uint8Array(n);
    for (let i = 0; i < Math.round(p * n); i++) correct[i] = 1;
    Rng.seeded('bench-consensus/sweep', label, String(p)).shuffle(correct);
    return { indices: Uint32Array.from({ length: n }, (_, i) => i), correct, losses: new Float32Array(n) };
  };
  const honest = [new Int32Array(draws)];
  return ps.map((p) => {
    const hidden = synthetic(p, 'hidden');
    const pub = synthetic(p, 'public');
    const lazy = lazySpread({ name: 'accuracy' }, hidden, pub, k, draws, `sweep/${p}`, []).map((l) => l.diffs);
    return { accuracy: p, ratios: tols.map((t) => worstRatio(lazy, honest, t, lambda)) };
  });
}

/**
 * The recommended candidate for the largest sets (here the 5,000-sample ones): among the sizes
 * smaller than them, the lowest worst lazy ratio; ties go to the smaller subset (cheaper).
 */
export function recommend(cs: readonly Candidate[], reports: readonly SpecReport[]): Candidate {
  const bigN = Math.max(...reports.map((r) => r.samples));
  return cs.filter((c) => c.k < bigN).reduce((a, b) => (b.ratio < a.ratio - 1e-9 ? b : a));
}
