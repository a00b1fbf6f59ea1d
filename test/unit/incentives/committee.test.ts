import { describe, expect, it } from 'vitest';
import { DEFAULT_REWARD_PARAMS, epochRewards, type EpochInput } from '../../../src/lib/protocol/rewards.ts';
import { WAD } from '../../../src/lib/protocol/wad.ts';
import { committeeEpochRewards } from '../../../scripts/lib/incentives/committee-rewards.ts';
import { drawSeats, poissonInverse, seatCount } from '../../../scripts/lib/incentives/committee-seats.ts';
import { Rng } from '../../../scripts/lib/incentives/rng.ts';

const U = 10n ** 14n; // one score unit (1e-4)
const tok = (x: number) => BigInt(x) * WAD;

/** n columns, validators with the given whole-token stakes, scores[j][i] in score units. */
function input(stakes: number[], scores: number[][], canary: boolean[] = []): EpochInput {
  const n = scores[0]!.length;
  return {
    R: tok(1000),
    params: DEFAULT_REWARD_PARAMS,
    trainers: Array.from({ length: n }, (_, i) => ({
      own: tok(10 + i),
      delegated: 0n,
      sigma: 0n,
      seal: BigInt(i),
      canary: canary[i] === true,
    })),
    validators: stakes.map((s) => ({ own: tok(s), delegated: 0n, sigma: 0n })),
    scores: scores.map((row) => row.map((u) => BigInt(u) * U)),
  };
}

describe('committee seats', () => {
  it('poissonInverse: u = 0 gives 0, and the mean over a uniform grid is lambda', () => {
    expect(poissonInverse(3, 0)).toBe(0);
    const N = 20_000;
    let sum = 0;
    for (let i = 0; i < N; i++) sum += poissonInverse(3, (i + 0.5) / N);
    expect(sum / N).toBeCloseTo(3, 2);
    expect(() => poissonInverse(17, 0.5)).toThrow(RangeError);
  });

  it('each column holds k seats on average, and a validator holds seats in proportion to its stake', () => {
    const rng = new Rng(11, 2, 3);
    const validators = Array.from({ length: 200 }, (_, j) => ({ account: 1000 + j, stake: rng.logNormal(100, 1) }));
    const S = validators.reduce((s, v) => s + v.stake, 0);
    const big = validators.reduce((a, b) => (b.stake > a.stake ? b : a));
    const bigIndex = validators.indexOf(big);
    let seats = 0;
    let bigSeats = 0;
    const epochs = 40;
    for (let e = 0; e < epochs; e++) {
      const draw = drawSeats({ k: 16, columns: 50, validators, seed: 5, epoch: e });
      for (const [j, row] of draw.entries()) {
        const total = row.reduce((a, b) => a + b, 0);
        seats += total;
        if (j === bigIndex) bigSeats += total;
      }
    }
    // 2,000 column draws of Poisson(16): the mean's standard deviation is 0.09.
    expect(seats / (epochs * 50)).toBeGreaterThan(15.6);
    expect(seats / (epochs * 50)).toBeLessThan(16.4);
    // Its expected total is k n epochs s/S; Poisson, so within 5 standard deviations.
    const expected = (16 * 50 * epochs * big.stake) / S;
    expect(Math.abs(bigSeats - expected)).toBeLessThan(5 * Math.sqrt(expected));
  });

  it('splitting a stake over ten identities draws, on average, the seats of one', () => {
    const lambda = 6;
    let whole = 0;
    let split = 0;
    const N = 4000;
    for (let e = 0; e < N; e++) {
      whole += seatCount(lambda, 9, e, 1);
      for (let l = 0; l < 10; l++) split += seatCount(lambda / 10, 9, e, 100 + l);
    }
    // Both Poisson(6) per epoch: means within 5 standard deviations of 6 (sd of a mean 0.039).
    expect(Math.abs(whole / N - lambda)).toBeLessThan(0.2);
    expect(Math.abs(split / N - lambda)).toBeLessThan(0.2);
  });
});

describe('committeeEpochRewards', () => {
  it('with seats equal to every stake it books what the every-validator reference books', () => {
    const stakes = [1, 2, 3, 4, 5];
    const scores = [
      [8000, 7000, 6000, 5000],
      [8001, 7000, 6000, 5000],
      [8000, 7002, 6000, 4000],
      [8000, 7000, 6001, 5000],
      [9000, 7000, 6000, 5000],
    ];
    const inp = input(stakes, scores);
    const full = epochRewards(inp);
    const seats = stakes.map((s) => scores[0]!.map(() => s));
    const committee = committeeEpochRewards(inp, seats);
    expect(committee.trainers.map((t) => t.aggregate)).toEqual(full.trainers.map((t) => t.aggregate));
    expect(committee.trainers.map((t) => t.pool)).toEqual(full.trainers.map((t) => t.pool));
    expect([committee.R_T, committee.R_V, committee.zeroColumns]).toEqual([full.R_T, full.R_V, full.zeroColumns]);
    committee.validators.forEach((v, j) => {
      const f = full.validators[j]!.pool;
      // Same weights up to the column shift's rounding: a few wei at most.
      expect(v.pool >= f - 4n && v.pool <= f + 4n).toBe(true);
    });
    expect(committee.validators[4]!.pool).toBeLessThan(committee.validators[3]!.pool);
  });

  it('a coalition moves a column only when its seats outnumber the honest seats there', () => {
    // Validators 0-1 honest (0.8), 2-3 coalition (1.0) on column 0; everyone honest elsewhere.
    const scores = [
      [8000, 5000],
      [8000, 5000],
      [10000, 5000],
      [10000, 5000],
    ];
    const stakes = [1, 1, 1, 1];
    const tie = committeeEpochRewards(input(stakes, scores), [
      [1, 1],
      [1, 1],
      [1, 1],
      [1, 1],
    ]);
    expect(tie.trainers[0]!.aggregate).toBe(8000n * U); // 2 against 2: the lower median stays honest
    const captured = committeeEpochRewards(input(stakes, scores), [
      [1, 1],
      [0, 1],
      [1, 1],
      [1, 1],
    ]);
    expect(captured.trainers[0]!.aggregate).toBe(10000n * U);
    // The out-voted honest validator is off tolerance there and earns no weight in that column.
    expect(captured.validators[0]!.pool).toBeLessThan(captured.validators[2]!.pool);
  });

  it('a canary fails only the validators seated on it', () => {
    // Column 1 is a canary; validator 3 is off on it but holds no seat there; validator 4 is off and seated.
    const scores = [
      [7000, 6000, 5000],
      [7000, 6000, 5000],
      [7000, 6000, 5000],
      [7000, 9000, 5000],
      [7000, 9000, 5000],
    ];
    const seats = [
      [1, 1, 1],
      [1, 1, 1],
      [1, 1, 1],
      [1, 0, 1],
      [1, 1, 1],
    ];
    const r = committeeEpochRewards(input([1, 1, 1, 1, 1], scores, [false, true, false]), seats);
    expect(r.validators.map((v) => v.failedCanary)).toEqual([false, false, false, false, true]);
    expect(r.validators[4]!.pool).toBe(0n);
    expect(r.validators[3]!.pool).toBeGreaterThan(0n);
  });

  it('a column without a seat is unscored: no rank, and its share of R_V rolls over', () => {
    const scores = [
      [7000, 6000],
      [7000, 6000],
      [7000, 6000],
    ];
    const r = committeeEpochRewards(input([1, 1, 1], scores), [
      [1, 0],
      [1, 0],
      [1, 0],
    ]);
    expect(r.emptyColumns).toBe(1);
    expect(r.trainers[1]!.rank).toBe(0);
    expect(r.trainers[1]!.pool).toBe(0n);
    expect(r.zeroColumns).toBe(1);
    expect(r.rollover).toBe(r.R_V / 2n);
    expect(r.booked + r.rollover + r.dust).toBe(tok(1000));
  });
});
