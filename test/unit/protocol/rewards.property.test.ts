// Seeded random epochs: exact integer invariants of docs/reward-math.md (revision 2), exact
// symmetries, properties of the median, sybil neutrality at alpha = 1, and agreement with a
// plain float64 evaluation of SPEC section 4's formulas.

import { describe, expect, it } from 'vitest';
import {
  epochRewards,
  weightedMedian,
  type EpochInput,
  type EpochResult,
  type RewardParams,
  type ValidatorInput,
} from '../../../src/lib/protocol/rewards.ts';
import { WAD, WAD2, absDiff, sum } from '../../../src/lib/protocol/wad.ts';

const EPOCHS = 400;
const CONSERVATION_EPOCHS = 3000;
const UNIT = 10n ** 14n;

/** mulberry32: tiny, seedable, good enough to spread test cases. */
function rng(seed: number) {
  let a = seed >>> 0;
  const next = (): number => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 2 ** 32;
  };
  const int = (n: number): number => Math.floor(next() * n);
  const big = (max: bigint): bigint => {
    let v = 0n;
    for (let i = 0; i < 5; i++) v = (v << 32n) | BigInt(int(2 ** 32));
    return v % (max + 1n);
  };
  const pick = <T>(options: readonly T[]): T => options[int(options.length)]!;
  return { next, int, big, pick };
}

type Rng = ReturnType<typeof rng>;

function fraction(r: Rng, special: bigint[]): bigint {
  return r.next() < 0.3 ? r.pick(special) : r.big(WAD);
}

function stake(r: Rng): { own: bigint; delegated: bigint } {
  const amount = (): bigint => r.pick([0n, WAD, r.big(1000n * WAD), r.big(10n ** 6n * WAD), r.big(10n ** 10n * WAD)]);
  const own = amount();
  const delegated = amount();
  return own + delegated === 0n ? { own: WAD, delegated } : { own, delegated };
}

function randomParams(r: Rng): RewardParams {
  return {
    gamma: fraction(r, [0n, WAD / 2n, WAD, 7n * 10n ** 17n]),
    q: fraction(r, [0n, WAD, 85n * 10n ** 16n]),
    alphaT: fraction(r, [0n, WAD]),
    alphaV: fraction(r, [0n, WAD]),
    lambdaV: r.pick([0n, 20n * WAD, 50n * WAD, r.big(50n * WAD)]),
    minScore: r.pick([0n, 0n, r.big(WAD / 2n), BigInt(r.int(5000)) * UNIT]),
    tolV: r.pick([0n, 5n * 10n ** 15n, 5n * 10n ** 15n, 5n * 10n ** 16n, WAD, r.big(WAD / 10n)]),
    floorBps: r.pick([0, 5000, 5000, 10000, r.int(10001)]),
    minValidators: r.next() < 0.8 ? 1 : 1 + r.int(4),
  };
}

/**
 * Scores a real epoch would see: each column has a true quality; honest validators report it
 * within a few score units, lazy ones something else. Also arbitrary wei and exact ties.
 */
function randomScores(r: Rng, n: number, m: number): bigint[][] {
  const truth = Array.from({ length: n }, () => BigInt(r.int(10001)));
  const kind = Array.from({ length: m }, () => r.pick(['honest', 'honest', 'honest', 'constant', 'random'] as const));
  const constant = BigInt(r.int(10001));
  const scores = kind.map((k) =>
    truth.map((t) => {
      if (r.next() < 0.05) return r.big(WAD);
      if (k === 'constant') return constant * UNIT;
      if (k === 'random') return BigInt(r.int(10001)) * UNIT;
      const noisy = t + BigInt(r.int(101) - 50);
      return (noisy < 0n ? 0n : noisy > 10000n ? 10000n : noisy) * UNIT;
    }),
  );
  // Identical columns force exact aggregate ties, so the seal/index tie-break is exercised.
  if (n > 1 && r.next() < 0.3) for (const row of scores) row[n - 1] = row[0]!;
  return scores;
}

function randomEpoch(r: Rng, size: 'small' | 'mixed' = 'mixed'): EpochInput {
  const wide = size === 'mixed' && r.next() < 0.1;
  const n = wide ? 20 + r.int(40) : 1 + r.int(8);
  const m = size === 'mixed' && r.next() < 0.1 ? 20 + r.int(40) : 1 + r.int(8);
  let canaries = 0;
  const trainers = Array.from({ length: n }, () => {
    const canary = r.next() < 0.15 && canaries < 16;
    if (canary) canaries++;
    return { ...stake(r), sigma: fraction(r, [0n, WAD]), seal: BigInt(r.int(4)), duplicate: r.next() < 0.1, canary };
  });
  const validators = Array.from({ length: m }, () => ({ ...stake(r), sigma: fraction(r, [0n, WAD]) }));
  return {
    R: r.pick([r.big(1000n * WAD), r.big(10n ** 9n * WAD), 2n ** 128n - 1n - r.big(2n ** 100n)]),
    params: randomParams(r),
    trainers,
    validators,
    scores: randomScores(r, n, m),
  };
}

function epochs(seed: number, count: number, size: 'small' | 'mixed' = 'mixed'): EpochInput[] {
  const r = rng(seed);
  return Array.from({ length: count }, () => randomEpoch(r, size));
}

/** The median straight from its definition, O(m^2): min { r_j : 2 sum_{r_k <= r_j} s_k >= S }. */
function medianByDefinition(scores: readonly bigint[], stakes: readonly bigint[]): bigint {
  const S = sum(stakes);
  const candidates = scores.filter((rj) => 2n * sum(stakes.filter((_, k) => scores[k]! <= rj)) >= S);
  return candidates.reduce((a, b) => (b < a ? b : a));
}

/**
 * The same definition checked in O(m): med is a score, the stake at or below it reaches half,
 * the stake strictly below it does not (so no smaller score could).
 */
function expectLowerMedian(med: bigint, scores: readonly bigint[], stakes: readonly bigint[]): void {
  const S = sum(stakes);
  expect(scores.includes(med)).toBe(true);
  expect(2n * sum(stakes.filter((_, k) => scores[k]! <= med)) >= S).toBe(true);
  expect(2n * sum(stakes.filter((_, k) => scores[k]! < med)) < S).toBe(true);
}

const columnOf = (input: EpochInput, i: number): bigint[] =>
  input.scores.map((row) => (input.trainers[i]!.duplicate ? 0n : row[i]!));

/**
 * SPEC section 4 (revision 2) in plain float64 for the amounts. The discrete decisions (median,
 * tolerance, canaries, qualifying) are made on the exact integers, by the definitions rather
 * than by the implementation's algorithms, because a float can flip a comparison at a boundary.
 */
function floatModel(input: EpochInput) {
  const f = (v: bigint): number => Number(v) / 1e18;
  const { params } = input;
  const R = Number(input.R);
  const [gamma, q, alphaT, alphaV, lambdaV] = [
    params.gamma,
    params.q,
    params.alphaT,
    params.alphaV,
    params.lambdaV,
  ].map(f) as [number, number, number, number, number];
  const n = input.trainers.length;
  const s = input.validators.map((v) => v.own + v.delegated);
  const S = sum(s);
  const agg = input.trainers.map((_, i) => medianByDefinition(columnOf(input, i), s));
  const canary = input.trainers.map((t) => t.canary === true);
  const inTol = (i: number, j: number): boolean => absDiff(agg[i]!, columnOf(input, i)[j]!) <= params.tolV;
  const validCanary = agg.map((_, c) => canary[c] && 2n * sum(s.filter((_, j) => inTol(c, j))) >= S);
  const failed = s.map((_, j) => agg.some((_, c) => validCanary[c] && !inTol(c, j)));
  const best = agg.reduce((b, r, i) => (!canary[i] && r > b ? r : b), 0n);
  const qualifies = agg.map(
    (r, i) => !canary[i] && r > params.minScore && r * 10000n >= BigInt(params.floorBps) * best,
  );
  const nq = qualifies.filter(Boolean).length;

  const t = input.trainers.map((tr) => f(tr.own + tr.delegated));
  const T = t.reduce((a, ti, i) => a + (qualifies[i] ? ti : 0), 0);
  const Sf = f(S);
  const R_T = R * (gamma + (1 - 2 * gamma) * (T / (T + Sf)));
  const R_V = R * (gamma + (1 - 2 * gamma) * (Sf / (T + Sf)));
  const order = agg
    .map((_, i) => i)
    .filter((i) => qualifies[i])
    .sort((a, b) =>
      agg[a]! > agg[b]!
        ? -1
        : agg[a]! < agg[b]!
          ? 1
          : Number(input.trainers[a]!.seal - input.trainers[b]!.seal) || a - b,
    );
  const rank = agg.map(() => 0);
  order.forEach((i, k) => (rank[i] = k + 1));
  const g = (k: number): number => (q === 1 ? 1 / nq : ((1 - q) / (1 - q ** nq)) * q ** (k - 1));
  const gw = t.map((ti, i) => (rank[i]! > 0 ? g(rank[i]!) * ti ** alphaT : 0));
  const G = gw.reduce((a, b) => a + b, 0);
  const P = gw.map((x) => (G === 0 ? 0 : (R_T * x) / G));
  const A = s.map(() => 0);
  let zero = 0;
  for (let i = 0; i < n; i++) {
    const w = s.map((sj, j) =>
      failed[j] || !inTol(i, j)
        ? 0
        : Math.exp(-lambdaV * f(absDiff(agg[i]!, columnOf(input, i)[j]!))) * f(sj) ** alphaV,
    );
    const W = w.reduce((a, b) => a + b, 0);
    if (W === 0) zero++;
    else w.forEach((x, j) => (A[j] = A[j]! + x / W));
  }
  const Q = A.map((a) => (R_V * a) / n);
  const rollover = (nq === 0 ? R_T : 0) + (R_V * zero) / n;
  const ownOf = (pool: number, sigmaW: bigint, own: bigint, total: bigint): number => {
    const sigma = f(sigmaW);
    return pool * (sigma + ((1 - sigma) * f(own)) / f(total));
  };
  const ownT = P.map((p, i) =>
    ownOf(p, input.trainers[i]!.sigma, input.trainers[i]!.own, input.trainers[i]!.own + input.trainers[i]!.delegated),
  );
  const ownV = Q.map((p, j) => ownOf(p, input.validators[j]!.sigma, input.validators[j]!.own, s[j]!));
  return { R_T, R_V, agg, rank, qualifies, failed, validCanary, zero, P, Q, rollover, ownT, ownV };
}

/** The integer result may lose whole wei to floors and the float model ~1e-16 of R to rounding. */
function expectClose(actual: bigint, expected: number, R: bigint, what: string): void {
  const tolerance = 1e-9 * Math.abs(expected) + 1e-14 * Number(R) + 4;
  const diff = Math.abs(Number(actual) - expected);
  if (diff > tolerance) expect.fail(`${what}: ${actual} vs float ${expected} (diff ${diff})`);
}

/** booked + rollover + dust == R with 0 <= dust below the floors' worst case. */
function checkConservation(input: EpochInput, result: EpochResult): void {
  const { R } = input;
  expect(result.booked + result.rollover + result.dust).toBe(R);
  expect(result.dust >= 0n).toBe(true);
  const pools = sum(result.trainers.map((t) => t.pool)) + sum(result.validators.map((v) => v.pool));
  expect(result.booked).toBe(pools);
  if (result.degenerate) {
    expect(result.rollover).toBe(R);
    return;
  }
  // Under one wei per trainer floor, per validator floor (plus the 1e36 floors' share of R_V)
  // and for rollV.
  const m = BigInt(input.validators.length);
  const bound = BigInt(result.qualified) + m + 1n + (result.R_V * 2n * m) / WAD2 + 1n;
  expect(result.dust <= bound, `dust ${result.dust} over ${bound}`).toBe(true);
}

function checkInvariants(input: EpochInput, result: EpochResult): void {
  const { R, params } = input;
  const n = input.trainers.length;
  const m = input.validators.length;
  checkConservation(input, result);
  expect(result.degenerate).toBe(n === 0 || m < params.minValidators);
  if (result.degenerate) {
    expect(result).toMatchObject({
      R_T: 0n,
      R_V: 0n,
      booked: 0n,
      dust: 0n,
      trainers: [],
      validators: [],
      canaries: [],
    });
    return;
  }
  expect(result.R_T + result.R_V).toBe(R);
  expect(result.R_T >= 0n && result.R_V >= 0n).toBe(true);

  const s = input.validators.map((v) => v.own + v.delegated);
  const qualified = result.trainers.filter((t) => t.qualified);
  expect(result.qualified).toBe(qualified.length);
  const P = sum(result.trainers.map((t) => t.pool));
  if (result.qualified === 0) {
    expect(P).toBe(0n);
  } else {
    // Each of the n' trainer floors loses less than one wei of R_T.
    expect(result.R_T - P >= 0n && result.R_T - P < BigInt(result.qualified)).toBe(true);
  }
  const rollV = (result.R_V * BigInt(result.zeroColumns)) / BigInt(n);
  expect(result.rollover).toBe((result.qualified === 0 ? result.R_T : 0n) + rollV);

  // Column weights: at most 1e36 per paying column, and each floor loses under one unit
  // (the 128-bit shift under a hundredth of one more).
  const paying = BigInt(n - result.zeroColumns);
  const A = sum(result.validators.map((v) => v.weight));
  expect(A <= paying * WAD2 && A > paying * (WAD2 - 2n * BigInt(m))).toBe(true);
  const vLoss = result.R_V - sum(result.validators.map((v) => v.pool)) - rollV;
  expect(vLoss >= 0n).toBe(true);

  const best = result.trainers.reduce((b, t) => (!t.canary && t.aggregate > b ? t.aggregate : b), 0n);
  for (const [i, t] of result.trainers.entries()) {
    const tr = input.trainers[i]!;
    const column = columnOf(input, i);
    expect(t.index).toBe(i);
    expect(t.canary).toBe(tr.canary === true);
    expectLowerMedian(t.aggregate, column, s);
    expect(t.aggregate >= column.reduce((a, b) => (b < a ? b : a))).toBe(true);
    expect(t.aggregate <= column.reduce((a, b) => (b > a ? b : a))).toBe(true);
    if (tr.duplicate) expect(t.aggregate).toBe(0n);
    expect(t.qualified).toBe(
      !t.canary && t.aggregate > params.minScore && t.aggregate * 10000n >= BigInt(params.floorBps) * best,
    );
    if (!t.qualified) expect([t.rank, t.pool]).toEqual([0, 0n]);
    expect(t.own + t.delegators).toBe(t.pool);
    expect(t.own >= 0n && t.delegators >= 0n).toBe(true);
    if (tr.sigma === WAD || tr.delegated === 0n) expect(t.own).toBe(t.pool);
  }
  for (const [j, v] of result.validators.entries()) {
    expect(v.index).toBe(j);
    expect(v.own + v.delegators).toBe(v.pool);
    expect(v.own >= 0n && v.delegators >= 0n).toBe(true);
    expect(v.distance >= 0n && v.distance <= WAD).toBe(true);
    if (v.failedCanary) expect([v.weight, v.pool]).toEqual([0n, 0n]);
  }
  expect(result.canaries.map((c) => c.index)).toEqual(input.trainers.flatMap((tr, i) => (tr.canary ? [i] : [])));

  // Ranks of the qualifying columns are 1..n', ordered by aggregate desc, seal asc, index asc.
  const byRank = [...qualified].sort((a, b) => a.rank - b.rank);
  expect(byRank.map((t) => t.rank)).toEqual(byRank.map((_, k) => k + 1));
  for (let k = 1; k < byRank.length; k++) {
    const key = (t: (typeof byRank)[number]) => [t.aggregate, input.trainers[t.index]!.seal, BigInt(t.index)] as const;
    const [a0, s0, i0] = key(byRank[k - 1]!);
    const [a1, s1, i1] = key(byRank[k]!);
    expect(a0 > a1 || (a0 === a1 && (s0 < s1 || (s0 === s1 && i0 < i1)))).toBe(true);
  }
}

function permute<T>(values: readonly T[], perm: readonly number[]): T[] {
  return perm.map((p) => values[p]!);
}

describe(`epochRewards on ${EPOCHS} seeded random epochs`, () => {
  const inputs = epochs(20261206, EPOCHS);
  const results = inputs.map(epochRewards);

  it('covers the cases that matter (guards the generator)', () => {
    const scored = results.filter((r) => !r.degenerate);
    expect(results.some((r) => r.degenerate)).toBe(true);
    expect(scored.some((r) => r.qualified === 0)).toBe(true);
    expect(scored.some((r) => r.zeroColumns > 0)).toBe(true);
    expect(scored.some((r) => r.validators.some((v) => v.failedCanary))).toBe(true);
    expect(scored.some((r) => r.canaries.some((c) => !c.valid))).toBe(true);
    expect(scored.some((r) => r.trainers.some((t) => !t.qualified && !t.canary && t.aggregate > 0n))).toBe(true);
  });

  it('keeps the exact integer invariants of the doc', () => {
    inputs.forEach((input, e) => checkInvariants(input, results[e]!));
  });

  it('agrees with a float64 evaluation of SPEC section 4', () => {
    inputs.forEach((input, e) => {
      const result = results[e]!;
      if (result.degenerate) return;
      const model = floatModel(input);
      const tag = `epoch ${e}`;
      expectClose(result.R_T, model.R_T, input.R, `${tag} R_T`);
      expectClose(result.R_V, model.R_V, input.R, `${tag} R_V`);
      expectClose(result.rollover, model.rollover, input.R, `${tag} rollover`);
      expect(result.zeroColumns, tag).toBe(model.zero);
      expect(
        result.canaries.map((c) => c.valid),
        tag,
      ).toEqual(model.validCanary.filter((_, i) => input.trainers[i]!.canary));
      result.trainers.forEach((t, i) => {
        expect(t.rank, `${tag} rank of ${i}`).toBe(model.rank[i]);
        expect(t.aggregate).toBe(model.agg[i]);
        expectClose(t.pool, model.P[i]!, input.R, `${tag} P[${i}]`);
        expectClose(t.own, model.ownT[i]!, input.R, `${tag} own[${i}]`);
      });
      result.validators.forEach((v, j) => {
        expect(v.failedCanary).toBe(model.failed[j]);
        expectClose(v.pool, model.Q[j]!, input.R, `${tag} Q[${j}]`);
        expectClose(v.own, model.ownV[j]!, input.R, `${tag} ownV[${j}]`);
      });
    });
  });

  it('is exactly invariant under reordering the validators', () => {
    const r = rng(7);
    inputs.slice(0, 100).forEach((input, e) => {
      if (results[e]!.degenerate) return;
      const perm = input.validators.map((_, j) => j).sort(() => r.next() - 0.5);
      const shuffled = epochRewards({
        ...input,
        validators: permute(input.validators, perm),
        scores: permute(input.scores, perm),
      });
      expect(shuffled.trainers).toEqual(results[e]!.trainers);
      expect(shuffled.canaries).toEqual(results[e]!.canaries);
      expect(shuffled.validators.map(({ index: _, ...v }) => v)).toEqual(
        permute(results[e]!.validators, perm).map(({ index: _, ...v }) => v),
      );
    });
  });

  it('is exactly invariant under reordering trainers whose seals are distinct', () => {
    const r = rng(11);
    inputs.slice(0, 100).forEach((input) => {
      const distinct = { ...input, trainers: input.trainers.map((t, i) => ({ ...t, seal: BigInt(i) })) };
      const base = epochRewards(distinct);
      if (base.degenerate) return;
      const perm = input.trainers.map((_, i) => i).sort(() => r.next() - 0.5);
      const shuffled = epochRewards({
        ...distinct,
        trainers: permute(distinct.trainers, perm),
        scores: distinct.scores.map((row) => permute(row, perm)),
      });
      expect(shuffled.trainers.map(({ index: _, ...t }) => t)).toEqual(
        permute(base.trainers, perm).map(({ index: _, ...t }) => t),
      );
      expect(shuffled.validators).toEqual(base.validators);
      expect([shuffled.booked, shuffled.rollover, shuffled.dust]).toEqual([base.booked, base.rollover, base.dust]);
    });
  });
});

describe(`conservation over ${CONSERVATION_EPOCHS} small random epochs`, () => {
  it("booked + rollover + dust == R, 0 <= dust <= the floors' worst case", () => {
    const inputs = epochs(777, CONSERVATION_EPOCHS, 'small');
    let rolled = 0;
    for (const input of inputs) {
      const result = epochRewards(input);
      checkConservation(input, result);
      if (!result.degenerate && result.rollover > 0n) rolled++;
    }
    // Guard: a good share of the epochs exercise a non-degenerate rollover.
    expect(rolled).toBeGreaterThan(CONSERVATION_EPOCHS / 20);
  });
});

describe('weightedMedian properties', () => {
  const r = rng(99);
  const randomColumn = (m: number) => ({
    scores: Array.from({ length: m }, () => (r.next() < 0.5 ? BigInt(r.int(10001)) * UNIT : r.big(WAD))),
    stakes: Array.from({ length: m }, () => (r.next() < 0.1 ? 0n : 1n + r.big(10n ** 24n))),
  });

  it('matches its definition and never leaves [min, max] of the column', () => {
    for (let k = 0; k < 2000; k++) {
      const { scores, stakes } = randomColumn(1 + r.int(12));
      if (sum(stakes) === 0n) stakes[0] = 1n;
      const median = weightedMedian(scores, stakes);
      expect(median).toBe(medianByDefinition(scores, stakes));
      expect(scores.includes(median)).toBe(true);
    }
  });

  it("a coalition under half of the stake cannot move it outside the honest scores' range", () => {
    for (let k = 0; k < 2000; k++) {
      const honest = randomColumn(1 + r.int(8));
      const H = sum(honest.stakes) === 0n ? (honest.stakes[0] = 1n) : sum(honest.stakes);
      // Coalition stake C with 2C < S = H + C, i.e. C < H, split over 1..6 members.
      const members = 1 + r.int(6);
      const C = r.big(H - 1n);
      const cut = Array.from({ length: members - 1 }, () => r.big(C)).sort((a, b) => (a < b ? -1 : 1));
      const coalitionStakes = [...cut, C].map((c, i) => c - (i === 0 ? 0n : cut[i - 1]!));
      const target = r.pick([0n, WAD]);
      const coalitionScores = coalitionStakes.map(() => (r.next() < 0.8 ? target : r.big(WAD)));
      const median = weightedMedian([...honest.scores, ...coalitionScores], [...honest.stakes, ...coalitionStakes]);
      const positive = honest.scores.filter((_, i) => honest.stakes[i]! > 0n);
      expect(median >= positive.reduce((a, b) => (b < a ? b : a))).toBe(true);
      expect(median <= positive.reduce((a, b) => (b > a ? b : a))).toBe(true);
    }
  });

  it('the bound is tight: exactly half of the stake pulls it below every honest score', () => {
    const honest = [tok4(6000), tok4(6500), tok4(7000)];
    expect(weightedMedian([...honest, 0n], [1n, 1n, 1n, 3n])).toBe(0n);
    expect(weightedMedian([...honest, 0n], [1n, 1n, 1n, 2n])).toBe(tok4(6000));
  });
});

function tok4(bps: number): bigint {
  return BigInt(bps) * UNIT;
}

describe('sybil neutrality at alphaV = 1', () => {
  /** Validator j's own and delegated stake cut into k identities with its sigma and scores. */
  function split(input: EpochInput, j: number, k: number, r: Rng): { input: EpochInput; ids: number[] } {
    const v = input.validators[j]!;
    const parts = (total: bigint): bigint[] => {
      const cuts = Array.from({ length: k - 1 }, () => r.big(total)).sort((a, b) => (a < b ? -1 : 1));
      return [...cuts, total].map((c, i) => c - (i === 0 ? 0n : cuts[i - 1]!));
    };
    const own = parts(v.own);
    const delegated = parts(v.delegated);
    // Every identity needs a positive pool: move one wei where a cut left none.
    const identities: ValidatorInput[] = own.map((o, l) => ({ own: o, delegated: delegated[l]!, sigma: v.sigma }));
    for (const id of identities) {
      if (id.own + id.delegated > 0n) continue;
      const donor = identities.find((d) => d.own > 1n || (d.own === 1n && d.delegated > 0n))!;
      donor.own -= 1n;
      id.own += 1n;
    }
    const validators = [...input.validators.slice(0, j), ...identities, ...input.validators.slice(j + 1)];
    const row = input.scores[j]!;
    const scores = [...input.scores.slice(0, j), ...identities.map(() => [...row]), ...input.scores.slice(j + 1)];
    return { input: { ...input, validators, scores }, ids: identities.map((_, l) => j + l) };
  }

  it('splitting a validator over k identities changes its total only by rounding, others exactly not at all', () => {
    const r = rng(4242);
    let checked = 0;
    for (const base of epochs(31337, 300)) {
      const input: EpochInput = { ...base, params: { ...base.params, alphaV: WAD } };
      const before = epochRewards(input);
      if (before.degenerate) continue;
      const j = r.int(input.validators.length);
      const v = input.validators[j]!;
      const k = 2 + r.int(5);
      if (v.own + v.delegated < BigInt(k) || (v.own < BigInt(k) && v.own > 0n)) continue;
      const after = split(input, j, k, r);
      const result = epochRewards(after.input);
      checked++;
      expect(result.trainers).toEqual(before.trainers);
      expect([result.R_T, result.R_V, result.zeroColumns]).toEqual([before.R_T, before.R_V, before.zeroColumns]);
      // Every other validator's weight and pool is exactly what it was.
      const others = (res: EpochResult, skip: number[]) =>
        res.validators.filter((_, x) => !skip.includes(x)).map(({ index: _, ...rest }) => rest);
      expect(others(result, after.ids)).toEqual(others(before, [j]));
      // The identities together: floors of k pools and k weights per column, and the 128-bit
      // shift: |difference| <= k + 1 + 2k R_V / 1e36 wei.
      const original = before.validators[j]!;
      const ids = after.ids.map((x) => result.validators[x]!);
      const bound = BigInt(k) + 1n + (2n * BigInt(k) * result.R_V) / WAD2 + 1n;
      expect(absDiff(sum(ids.map((x) => x.pool)), original.pool) <= bound).toBe(true);
      expect(absDiff(sum(ids.map((x) => x.own)), original.own) <= bound + BigInt(k)).toBe(true);
      expect(ids.every((x) => x.failedCanary === original.failedCanary)).toBe(true);
    }
    expect(checked).toBeGreaterThan(100);
  });
});

describe('the largest epoch the doc allows', () => {
  it('256 columns (16 canaries) x 512 validators at the stake and reward caps keeps the invariants', () => {
    const r = rng(3);
    const input: EpochInput = {
      R: 2n ** 128n - 1n,
      params: {
        gamma: 7n * 10n ** 17n,
        q: 85n * 10n ** 16n,
        alphaT: 6n * 10n ** 17n,
        alphaV: 3n * 10n ** 17n,
        lambdaV: 50n * WAD,
        minScore: 10n ** 17n,
        tolV: 5n * 10n ** 15n,
        floorBps: 5000,
        minValidators: 512,
      },
      trainers: Array.from({ length: 256 }, (_, i) => ({
        own: 2n ** 95n,
        delegated: 2n ** 95n - 1n,
        sigma: r.big(WAD),
        seal: BigInt(i),
        canary: i % 16 === 3,
      })),
      validators: Array.from({ length: 512 }, () => ({
        own: r.big(2n ** 95n) + 1n,
        delegated: r.big(2n ** 95n),
        sigma: r.big(WAD),
      })),
      scores: randomScores(r, 256, 512),
    };
    const result = epochRewards(input);
    expect(result.degenerate).toBe(false);
    expect(result.canaries).toHaveLength(16);
    checkInvariants(input, result);
  });
});
