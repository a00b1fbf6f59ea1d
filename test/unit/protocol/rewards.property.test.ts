// Seeded random epochs: exact integer invariants of docs/reward-math.md, exact symmetries, and
// agreement with a plain float64 evaluation of SPEC section 4's formulas.

import { describe, expect, it } from 'vitest';
import { epochRewards, type EpochInput, type EpochResult } from '../../../src/lib/protocol/rewards.ts';
import { WAD, WAD2, sum } from '../../../src/lib/protocol/wad.ts';

const EPOCHS = 400;

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

function randomEpoch(r: Rng): EpochInput {
  const n = r.next() < 0.1 ? 20 + r.int(40) : 1 + r.int(8);
  const m = r.next() < 0.1 ? 20 + r.int(40) : 1 + r.int(8);
  const trainers = Array.from({ length: n }, () => ({
    ...stake(r),
    sigma: fraction(r, [0n, WAD]),
    seal: BigInt(r.int(4)),
    duplicate: r.next() < 0.1,
  }));
  const validators = Array.from({ length: m }, () => ({ ...stake(r), sigma: fraction(r, [0n, WAD]) }));
  // On chain scores are whole basis points of a basis point; also try arbitrary wei.
  const score = (): bigint => (r.next() < 0.8 ? BigInt(r.int(10001)) * 10n ** 14n : r.big(WAD));
  const scores = validators.map(() => trainers.map(score));
  // Identical columns force exact aggregate ties, so the seal/index tie-break is exercised.
  if (n > 1 && r.next() < 0.3) for (const row of scores) row[n - 1] = row[0]!;
  return {
    R: r.pick([r.big(1000n * WAD), r.big(10n ** 9n * WAD), 2n ** 128n - 1n - r.big(2n ** 100n)]),
    params: {
      gamma: fraction(r, [0n, WAD / 2n, WAD, 7n * 10n ** 17n]),
      q: fraction(r, [0n, WAD, 85n * 10n ** 16n]),
      alphaT: fraction(r, [0n, WAD]),
      alphaV: fraction(r, [0n, WAD]),
      lambdaV: r.pick([0n, 20n * WAD, 50n * WAD, r.big(50n * WAD)]),
    },
    trainers,
    validators,
    scores,
  };
}

function epochs(seed: number, count: number): EpochInput[] {
  const r = rng(seed);
  return Array.from({ length: count }, () => randomEpoch(r));
}

/** SPEC section 4 in plain float64 (amounts in wei as floats). */
function floatModel(input: EpochInput) {
  const f = (v: bigint): number => Number(v) / 1e18;
  const R = Number(input.R);
  const { gamma, q, alphaT, alphaV, lambdaV } = {
    gamma: f(input.params.gamma),
    q: f(input.params.q),
    alphaT: f(input.params.alphaT),
    alphaV: f(input.params.alphaV),
    lambdaV: f(input.params.lambdaV),
  };
  const n = input.trainers.length;
  const t = input.trainers.map((tr) => f(tr.own + tr.delegated));
  const s = input.validators.map((v) => f(v.own + v.delegated));
  const T = t.reduce((a, b) => a + b, 0);
  const S = s.reduce((a, b) => a + b, 0);
  const R_T = R * (gamma + (1 - 2 * gamma) * (T / (T + S)));
  const R_V = R * (gamma + (1 - 2 * gamma) * (S / (T + S)));
  const score = (j: number, i: number): number => (input.trainers[i]!.duplicate ? 0 : f(input.scores[j]![i]!));
  const agg = t.map((_, i) => s.reduce((acc, sj, j) => acc + sj * score(j, i), 0) / S);
  const order = agg
    .map((_, i) => i)
    .sort((a, b) => agg[b]! - agg[a]! || Number(input.trainers[a]!.seal - input.trainers[b]!.seal) || a - b);
  const rank: number[] = [];
  order.forEach((i, k) => (rank[i] = k + 1));
  const g = (k: number): number => (q === 1 ? 1 / n : ((1 - q) / (1 - q ** n)) * q ** (k - 1));
  const gw = t.map((ti, i) => g(rank[i]!) * ti ** alphaT);
  const G = gw.reduce((a, b) => a + b, 0);
  const P = gw.map((x) => (R_T * x) / G);
  const A = s.map(() => 0);
  for (let i = 0; i < n; i++) {
    const w = s.map((sj, j) => Math.exp(-lambdaV * Math.abs(agg[i]! - score(j, i))) * sj ** alphaV);
    const W = w.reduce((a, b) => a + b, 0);
    w.forEach((x, j) => (A[j] = A[j]! + x / W));
  }
  const Q = A.map((a) => (R_V * a) / n);
  const ownT = P.map((p, i) => {
    const tr = input.trainers[i]!;
    const sigma = f(tr.sigma);
    return p * (sigma + ((1 - sigma) * f(tr.own)) / t[i]!);
  });
  const ownV = Q.map((p, j) => {
    const v = input.validators[j]!;
    const sigma = f(v.sigma);
    return p * (sigma + ((1 - sigma) * f(v.own)) / s[j]!);
  });
  return { R_T, R_V, rank, agg, P, Q, ownT, ownV };
}

/** The integer result may lose whole wei to floors and the float model ~1e-16 of R to rounding. */
function expectClose(actual: bigint, expected: number, R: bigint, what: string): void {
  const tolerance = 1e-9 * Math.abs(expected) + 1e-14 * Number(R) + 4;
  const diff = Math.abs(Number(actual) - expected);
  if (diff > tolerance) expect.fail(`${what}: ${actual} vs float ${expected} (diff ${diff})`);
}

function checkInvariants(input: EpochInput, result: EpochResult): void {
  const n = BigInt(input.trainers.length);
  const m = BigInt(input.validators.length);
  const { R } = input;
  expect(result.degenerate).toBe(false);
  expect(result.R_T + result.R_V).toBe(R);
  expect(result.R_T >= 0n && result.R_V >= 0n).toBe(true);

  const P = result.trainers.map((t) => t.pool);
  const Q = result.validators.map((v) => v.pool);
  // Each of the n trainer floors loses less than one wei of the exact split of R_T.
  expect(R_T_loss(result.R_T, P)).toBeGreaterThanOrEqual(0n);
  expect(R_T_loss(result.R_T, P)).toBeLessThan(n);
  // Column weights sum to at most 1e36 and lose under one unit per validator to floors, so the
  // validator pools lose under m wei plus R_V * m / 1e36 in total.
  const A = sum(result.validators.map((v) => v.weight));
  expect(A <= n * WAD2 && A > n * (WAD2 - m)).toBe(true);
  const vLoss = result.R_V - sum(Q);
  expect(vLoss >= 0n && vLoss * WAD2 < m * WAD2 + result.R_V * m).toBe(true);
  expect(result.booked).toBe(sum(P) + sum(Q));
  expect(result.dust).toBe(R - result.booked);

  for (const [i, t] of result.trainers.entries()) {
    expect(t.index).toBe(i);
    expect(t.own + t.delegators).toBe(t.pool);
    expect(t.own >= 0n && t.delegators >= 0n).toBe(true);
    expect(t.aggregate >= 0n && t.aggregate <= WAD).toBe(true);
    const tr = input.trainers[i]!;
    if (tr.duplicate) expect(t.aggregate).toBe(0n);
    if (tr.sigma === WAD || tr.delegated === 0n) expect(t.own).toBe(t.pool);
  }
  for (const [j, v] of result.validators.entries()) {
    expect(v.index).toBe(j);
    expect(v.own + v.delegators).toBe(v.pool);
    expect(v.own >= 0n && v.delegators >= 0n).toBe(true);
    expect(v.distance >= 0n && v.distance <= WAD).toBe(true);
  }

  // Ranks are a permutation ordered by aggregate desc, then seal asc, then index asc.
  const byRank = [...result.trainers].sort((a, b) => a.rank - b.rank);
  expect(byRank.map((t) => t.rank)).toEqual(byRank.map((_, k) => k + 1));
  for (let k = 1; k < byRank.length; k++) {
    const prev = byRank[k - 1]!;
    const cur = byRank[k]!;
    const key = (t: typeof cur) => [t.aggregate, input.trainers[t.index]!.seal, BigInt(t.index)] as const;
    const [a0, s0, i0] = key(prev);
    const [a1, s1, i1] = key(cur);
    expect(a0 > a1 || (a0 === a1 && (s0 < s1 || (s0 === s1 && i0 < i1)))).toBe(true);
  }
}

function R_T_loss(R_T: bigint, pools: bigint[]): bigint {
  return R_T - sum(pools);
}

function permute<T>(values: readonly T[], perm: readonly number[]): T[] {
  return perm.map((p) => values[p]!);
}

describe(`epochRewards on ${EPOCHS} seeded random epochs`, () => {
  const inputs = epochs(20240601, EPOCHS);
  const results = inputs.map(epochRewards);

  it('keeps the exact integer invariants of the doc', () => {
    inputs.forEach((input, e) => checkInvariants(input, results[e]!));
  });

  it('agrees with a float64 evaluation of SPEC section 4', () => {
    inputs.forEach((input, e) => {
      const result = results[e]!;
      const model = floatModel(input);
      const tag = `epoch ${e}`;
      expectClose(result.R_T, model.R_T, input.R, `${tag} R_T`);
      expectClose(result.R_V, model.R_V, input.R, `${tag} R_V`);
      result.trainers.forEach((t, i) => {
        expect(t.rank, `${tag} rank of ${i}`).toBe(model.rank[i]);
        expect(Math.abs(Number(t.aggregate) / 1e18 - model.agg[i]!)).toBeLessThan(1e-12);
        expectClose(t.pool, model.P[i]!, input.R, `${tag} P[${i}]`);
        expectClose(t.own, model.ownT[i]!, input.R, `${tag} own[${i}]`);
      });
      result.validators.forEach((v, j) => {
        expectClose(v.pool, model.Q[j]!, input.R, `${tag} Q[${j}]`);
        expectClose(v.own, model.ownV[j]!, input.R, `${tag} ownV[${j}]`);
      });
    });
  });

  it('is exactly invariant under reordering the validators', () => {
    const r = rng(7);
    inputs.slice(0, 100).forEach((input, e) => {
      const perm = input.validators.map((_, j) => j).sort(() => r.next() - 0.5);
      const shuffled = epochRewards({
        ...input,
        validators: permute(input.validators, perm),
        scores: permute(input.scores, perm),
      });
      expect(shuffled.trainers).toEqual(results[e]!.trainers);
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
    });
  });
});

describe('the largest epoch the doc allows', () => {
  it('256 columns x 512 validators at the stake and reward caps keeps the invariants', () => {
    const r = rng(3);
    const input: EpochInput = {
      R: 2n ** 128n - 1n,
      params: { gamma: 7n * 10n ** 17n, q: 85n * 10n ** 16n, alphaT: 6n * 10n ** 17n, alphaV: 3n * 10n ** 17n, lambdaV: 50n * WAD },
      trainers: Array.from({ length: 256 }, (_, i) => ({
        own: 2n ** 95n,
        delegated: 2n ** 95n - 1n,
        sigma: r.big(WAD),
        seal: BigInt(i),
      })),
      validators: Array.from({ length: 512 }, () => ({ own: r.big(2n ** 95n) + 1n, delegated: r.big(2n ** 95n), sigma: r.big(WAD) })),
      scores: Array.from({ length: 512 }, () => Array.from({ length: 256 }, () => BigInt(r.int(10001)) * 10n ** 14n)),
    };
    checkInvariants(input, epochRewards(input));
  });
});
