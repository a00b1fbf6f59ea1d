import { describe, expect, it } from 'vitest';
import { parseWad } from '../../../src/lib/protocol/decimal.ts';
import { expWad } from '../../../src/lib/protocol/exact.ts';
import {
  aggregateScores,
  checkCanaries,
  degenerateResult,
  epochRewards,
  failedValidators,
  geometricWeights,
  qualifyingColumns,
  rankColumns,
  sigmaSplit,
  splitReward,
  validatorPools,
  validatorWeights,
  weightedMedian,
  zeroColumnRollover,
  type EpochInput,
  type RewardParams,
  type TrainerInput,
  type ValidatorInput,
} from '../../../src/lib/protocol/rewards.ts';
import { WAD, WAD2 } from '../../../src/lib/protocol/wad.ts';

const tok = (text: string): bigint => parseWad(text, 'test');
const scoreRow = (...values: string[]): bigint[] => values.map(tok);

/** The SPEC's defaults, except minValidators = 1 so that small hand-made epochs are scored. */
const PARAMS: RewardParams = {
  gamma: tok('0.7'),
  q: tok('0.85'),
  alphaT: WAD,
  alphaV: WAD,
  lambdaV: tok('20'),
  minScore: 0n,
  tolV: tok('0.005'),
  floorBps: 5000,
  minValidators: 1,
};

type Overrides = Omit<Partial<EpochInput>, 'params'> & { params?: Partial<RewardParams> };

function epoch(overrides: Overrides): EpochInput {
  return {
    R: tok('1000'),
    trainers: [{ own: tok('100'), delegated: 0n, sigma: 0n, seal: 0n }],
    validators: [{ own: tok('100'), delegated: 0n, sigma: 0n }],
    scores: [[tok('0.5')]],
    ...overrides,
    params: { ...PARAMS, ...overrides.params },
  };
}

const trainer = (own: string, extra: Partial<TrainerInput> = {}): TrainerInput => ({
  own: tok(own),
  delegated: 0n,
  sigma: 0n,
  seal: 0n,
  ...extra,
});
const validator = (own: string): ValidatorInput => ({ own: tok(own), delegated: 0n, sigma: 0n });
const validators = (count: number, own = '10'): ValidatorInput[] => Array.from({ length: count }, () => validator(own));

describe('weightedMedian (step 2): the lower stake-weighted median', () => {
  const median = (scores: string[], stakes: bigint[]) => weightedMedian(scores.map(tok), stakes);

  it('odd count, equal stakes: the middle score', () => {
    expect(median(['0.2', '0.9', '0.5'], [1n, 1n, 1n])).toBe(tok('0.5'));
  });

  it('even count, equal stakes: the lower of the two middle scores, not their mean', () => {
    expect(median(['0.4', '0.1', '0.3', '0.2'], [1n, 1n, 1n, 1n])).toBe(tok('0.2'));
  });

  it('a stake majority decides alone', () => {
    expect(median(['0.9', '0.1', '0.2', '0.3'], [5n, 1n, 1n, 1n])).toBe(tok('0.9'));
    expect(median(['0.9', '0.1', '0.2', '0.3'], [3n, 1n, 1n, 1n])).toBe(tok('0.3'));
  });

  it('ties at the median: the tied value, whichever tied validator reaches half', () => {
    expect(median(['0.5', '0.2', '0.5', '0.6'], [1n, 2n, 1n, 2n])).toBe(tok('0.5'));
    expect(median(['0.3', '0.3', '0.3', '0.9'], [1n, 1n, 1n, 1n])).toBe(tok('0.3'));
    expect(median(['0.7', '0.7'], [1n, 1n])).toBe(tok('0.7'));
  });

  it('a validator holding exactly half can pull the median down to its score, never up', () => {
    // Stakes 2 : 1 : 1, S = 4. At 0.2 the stake at or below is 2, and 2 * 2 >= 4.
    expect(median(['0.9', '0.1', '0.2'], [2n, 1n, 1n])).toBe(tok('0.2'));
    expect(median(['0.05', '0.1', '0.2'], [2n, 1n, 1n])).toBe(tok('0.05'));
    expect(median(['0.15', '0.1', '0.2'], [2n, 1n, 1n])).toBe(tok('0.15'));
  });

  it('works on arbitrary wei, one validator, and ignores the input order', () => {
    expect(weightedMedian([3n, 1n, 2n], [1n, 1n, 1n])).toBe(2n);
    expect(weightedMedian([7n], [5n])).toBe(7n);
    expect(weightedMedian([2n, 3n, 1n], [1n, 1n, 1n])).toBe(2n);
  });

  it('rejects an empty column and mismatched lengths', () => {
    expect(() => weightedMedian([], [])).toThrow('no scores');
    expect(() => weightedMedian([1n], [1n, 2n])).toThrow('one stake per score');
  });
});

describe('splitReward (step 6)', () => {
  it('gives R_T = R_V when T = S and gamma = 0.7', () => {
    expect(splitReward(tok('1000'), 5n, 5n, tok('0.7'))).toEqual({ R_T: tok('500'), R_V: tok('500') });
  });

  it('truncates the negative term toward zero, not down', () => {
    // x = floor(1e18 / 3); (1 - 1.4) * x = -133333333333333333.2 truncates to ...333, so
    // factor = 566666666666666667 and R_T = floor(3e18 * factor / 1e18).
    expect(splitReward(3n * WAD, 1n, 2n, tok('0.7'))).toEqual({
      R_T: 1700000000000000001n,
      R_V: 1299999999999999999n,
    });
  });

  it("gamma = 0.5 halves R whatever the stakes; gamma = 1 pays by the other side's stake", () => {
    expect(splitReward(1001n, 1n, 1000n, WAD / 2n)).toEqual({ R_T: 500n, R_V: 501n });
    expect(splitReward(tok('100'), 1n, 3n, WAD)).toEqual({ R_T: tok('75'), R_V: tok('25') });
    expect(splitReward(tok('100'), 1n, 3n, 0n)).toEqual({ R_T: tok('25'), R_V: tok('75') });
  });

  it('T = 0 (nothing qualifies) gives the trainers exactly gamma of R', () => {
    expect(splitReward(tok('1000'), 0n, 7n, tok('0.7'))).toEqual({ R_T: tok('700'), R_V: tok('300') });
  });
});

describe('building blocks', () => {
  it("aggregates are the columns' weighted medians", () => {
    const scores = [scoreRow('1', '0'), scoreRow('0', '1'), scoreRow('0', '1')];
    expect(aggregateScores(scores, [1n, 1n, 1n])).toEqual([0n, WAD]);
    // Validator 0 holds exactly half: it can pull column 1 down to its 0, not column 0 up to 1.
    expect(aggregateScores(scores, [2n, 1n, 1n])).toEqual([0n, 0n]);
    expect(aggregateScores(scores, [3n, 1n, 1n])).toEqual([WAD, 0n]);
  });

  it('checkCanaries: agreeing stake within tolV, valid at half of the stake or more', () => {
    const tol = tok('0.005');
    const scores = [scoreRow('0.5', '0.3'), scoreRow('0.504', '0.3'), scoreRow('0.9', '0.3'), scoreRow('0.5', '0.306')];
    const aggregates = [tok('0.5'), tok('0.3')];
    const stakes = [1n, 1n, 2n, 1n];
    const canaries = checkCanaries(aggregates, scores, stakes, [true, true], tol);
    expect(canaries).toEqual([
      { index: 0, aggregate: tok('0.5'), agreeingStake: 3n, valid: true },
      { index: 1, aggregate: tok('0.3'), agreeingStake: 4n, valid: true },
    ]);
    // Validator 2 misses canary 0 by 0.4, validator 3 canary 1 by 0.006 > 0.005.
    expect(failedValidators(canaries, scores, tol)).toEqual([false, false, true, true]);
    // Only column 1 a canary: validator 2 agrees there.
    const one = checkCanaries(aggregates, scores, stakes, [false, true], tol);
    expect(one.map((c) => c.index)).toEqual([1]);
    expect(failedValidators(one, scores, tol)).toEqual([false, false, false, true]);
  });

  it('a void canary (under half of the stake agrees) fails nobody', () => {
    const scores = [scoreRow('0.5'), scoreRow('0.7'), scoreRow('0.9')];
    const canaries = checkCanaries([tok('0.7')], scores, [1n, 1n, 1n], [true], tok('0.005'));
    expect(canaries).toEqual([{ index: 0, aggregate: tok('0.7'), agreeingStake: 1n, valid: false }]);
    expect(failedValidators(canaries, scores, tok('0.005'))).toEqual([false, false, false]);
  });

  it('qualifyingColumns: above minScore and at least floorBps of the best non-canary aggregate', () => {
    const r = [tok('0.8'), tok('0.4'), tok('0.3999'), 0n, tok('0.99')];
    const canary = [false, false, false, false, true];
    // best = 0.8 (the canary's 0.99 does not count): 0.4 * 10000 >= 5000 * 0.8 exactly.
    expect(qualifyingColumns(r, canary, 0n, 5000)).toEqual([true, true, false, false, false]);
    // minScore is strict: an aggregate equal to it does not qualify.
    expect(qualifyingColumns(r, canary, tok('0.4'), 0)).toEqual([true, false, false, false, false]);
    // floorBps = 0, minScore = 0: anything above zero; 10000: only the best.
    expect(qualifyingColumns(r, canary, 0n, 0)).toEqual([true, true, true, false, false]);
    expect(qualifyingColumns(r, canary, 0n, 10000)).toEqual([true, false, false, false, false]);
    // Every column a canary: best = 0 and nothing qualifies.
    expect(qualifyingColumns([tok('0.5')], [true], 0n, 0)).toEqual([false]);
  });

  it('ranks by aggregate, then seal, then list index; rank 0 for columns that do not qualify', () => {
    expect(rankColumns([5n, 9n, 5n, 5n], [3n, 0n, 1n, 1n])).toEqual([4, 1, 2, 3]);
    expect(rankColumns([5n, 9n, 5n, 5n], [3n, 0n, 1n, 1n], [true, false, true, true])).toEqual([3, 0, 1, 2]);
    expect(rankColumns([5n, 9n], [0n, 0n], [false, false])).toEqual([0, 0]);
  });

  it('geometric weights floor each step from 1e18', () => {
    expect(geometricWeights(4, tok('0.5'))).toEqual([WAD, WAD / 2n, WAD / 4n, WAD / 8n]);
    expect(geometricWeights(3, 0n)).toEqual([WAD, 0n, 0n]);
    expect(geometricWeights(3, WAD)).toEqual([WAD, WAD, WAD]);
    expect(geometricWeights(3, 1n)).toEqual([WAD, 1n, 0n]);
    expect(geometricWeights(0, WAD)).toEqual([]);
  });

  it('sigmaSplit keeps sigma of the pool plus the own-stake share of the rest, one floor', () => {
    // 500 * (0.2 * 100 + 0.8 * 60) / 100 = 340
    expect(sigmaSplit(tok('500'), tok('0.2'), tok('60'), tok('100'))).toEqual({
      own: tok('340'),
      delegators: tok('160'),
    });
    expect(sigmaSplit(10n, 0n, 1n, 3n)).toEqual({ own: 3n, delegators: 7n });
    expect(sigmaSplit(10n, WAD, 0n, 3n)).toEqual({ own: 10n, delegators: 0n });
  });

  it('lambdaV = 0 with every validator in tolerance weights validators by stake alone', () => {
    const { weights, distances, zeroColumns } = validatorWeights([WAD / 2n], [[WAD], [0n], [0n]], [1n, 1n, 2n], {
      lambdaV: 0n,
      alphaV: WAD,
      tolV: WAD,
    });
    expect(weights).toEqual([WAD2 / 4n, WAD2 / 4n, WAD2 / 2n]);
    expect(distances).toEqual([WAD / 2n, WAD / 2n, WAD / 2n]); // 0.5 is a whole number of 1e-4
    expect(zeroColumns).toBe(0);
    expect(validatorPools(1000n, weights, 1)).toEqual([250n, 250n, 500n]);
  });

  it('validator weights follow exp(lambda (1 - D)) with one floor at 1e36', () => {
    const r = 666666666666666666n;
    const { weights, distances } = validatorWeights([r], [[WAD], [WAD], [0n]], [1n, 1n, 1n], {
      lambdaV: tok('20'),
      alphaV: WAD,
      tolV: WAD,
    });
    const eClose = expWad((tok('20') * r) / WAD);
    const eFar = expWad((tok('20') * (WAD - r)) / WAD);
    const Z = 2n * eClose + eFar;
    expect(weights).toEqual([(eClose * WAD2) / Z, (eClose * WAD2) / Z, (eFar * WAD2) / Z]);
    // Distances are accumulated in whole score units (1e-4), as on chain.
    const unit = 10n ** 14n;
    const far = ((WAD - r) / unit) * unit;
    expect(distances).toEqual([far, far, (r / unit) * unit]);
    // Independent float check of the SPEC formula: the far validator's share is 1/(2e^(20/3)+1).
    expect(Number((eFar * WAD2) / Z) / 1e36).toBeCloseTo(1 / (2 * Math.exp(20 / 3) + 1), 12);
  });

  it('tolV is inclusive: D = tolV earns weight, one wei more earns nothing', () => {
    const tolV = tok('0.005');
    const r = tok('0.5');
    const weightsAt = (d: bigint) =>
      validatorWeights([r], [[r], [r + d]], [1n, 1n], { lambdaV: tok('20'), alphaV: WAD, tolV }).weights;
    const inside = weightsAt(tolV);
    const e0 = expWad(tok('20'));
    const e1 = expWad((tok('20') * (WAD - tolV)) / WAD);
    expect(inside).toEqual([(e0 * WAD2) / (e0 + e1), (e1 * WAD2) / (e0 + e1)]);
    expect(weightsAt(tolV + 1n)).toEqual([WAD2, 0n]);
  });

  it('a failed validator gets no weight; a column with no weight at all is a zero column', () => {
    const scores = [
      [tok('0.5'), tok('0.6')],
      [tok('0.1'), tok('0.6')],
      [tok('0.9'), tok('0.6')],
    ];
    const out = validatorWeights([tok('0.5'), tok('0.6')], scores, [1n, 1n, 1n], PARAMS, [true, false, false]);
    expect(out.zeroColumns).toBe(1);
    expect(out.weights).toEqual([0n, WAD2 / 2n, WAD2 / 2n]);
    // The displayed distance still counts every column and every validator.
    expect(out.distances).toEqual([0n, tok('0.2'), tok('0.2')]);
    expect(zeroColumnRollover(tok('300'), 1, 3)).toBe(tok('100'));
    expect(zeroColumnRollover(10n, 1, 3)).toBe(3n);
  });
});

describe('column shift before the 1e36 division (step 4)', () => {
  it('drops the low bits of a column whose weights total more than 128 bits', () => {
    // Same distance for all three, so v_j = expWad(10e18) * s_j and the total has 170 bits: k = 42.
    const stakes = [2n ** 95n + 95028n, 2n ** 93n + 15080976n, 13n];
    const half = WAD / 2n;
    const { weights } = validatorWeights([half], [[half], [half], [half]], stakes, {
      lambdaV: tok('10'),
      alphaV: WAD,
      tolV: 0n,
    });
    const v = stakes.map((s) => expWad(tok('10')) * s);
    const Z = v[0]! + v[1]! + v[2]!;
    expect(Z.toString(2).length).toBe(170);
    const k = 42n;
    expect(weights).toEqual(v.map((vj) => ((vj >> k) * WAD2) / (Z >> k)));
    // The shifted weights still sum to at most 1e36 and lose nothing that matters.
    expect(weights[0]! + weights[1]! + weights[2]!).toBeLessThanOrEqual(WAD2);
    expect(weights[0]! + weights[1]! + weights[2]!).toBeGreaterThan(WAD2 - 4n);
    // Without the shift the middle weight would floor differently.
    expect((v[1]! * WAD2) / Z).not.toBe(weights[1]);
  });
});

describe('epochRewards: hand-checked epochs', () => {
  it('n = 1, m = 1 (minValidators 1): everything is booked, split by sigma', () => {
    const result = epochRewards(
      epoch({
        trainers: [{ own: tok('60'), delegated: tok('40'), sigma: tok('0.2'), seal: 0n }],
        validators: [{ own: tok('25'), delegated: tok('75'), sigma: 0n }],
        scores: [[tok('0.6')]],
      }),
    );
    expect(result).toEqual({
      degenerate: false,
      R_T: tok('500'),
      R_V: tok('500'),
      booked: tok('1000'),
      rollover: 0n,
      dust: 0n,
      qualified: 1,
      zeroColumns: 0,
      trainers: [
        {
          index: 0,
          rank: 1,
          aggregate: tok('0.6'),
          qualified: true,
          canary: false,
          pool: tok('500'),
          own: tok('340'),
          delegators: tok('160'),
        },
      ],
      validators: [
        {
          index: 0,
          pool: tok('500'),
          own: tok('125'),
          delegators: tok('375'),
          distance: 0n,
          weight: WAD2,
          failedCanary: false,
        },
      ],
      canaries: [],
    });
  });

  it('a byte-identical duplicate with a huge stake earns 0; the original gets all of R_T', () => {
    const result = epochRewards(
      epoch({
        trainers: [trainer('10', { seal: 1n }), trainer('1000000000', { seal: 2n, duplicate: true })],
        validators: validators(3),
        // Validators score the copy like the original; the duplicate flag zeroes its column.
        scores: [scoreRow('0.8', '0.8'), scoreRow('0.8', '0.8'), scoreRow('0.8', '0.8')],
      }),
    );
    // T = 10 (the duplicate does not qualify, its stake does not count), S = 30:
    // R_T = 1000 (0.7 - 0.4 * 0.25) = 600.
    expect(result.R_T).toBe(tok('600'));
    expect(result.trainers.map((t) => [t.rank, t.qualified, t.aggregate, t.pool])).toEqual([
      [1, true, tok('0.8'), tok('600')],
      [0, false, 0n, 0n],
    ]);
    expect(result.qualified).toBe(1);
    // Each validator: two columns of F = floor(1e36 / 3); Q = floor(400e18 * 2F / 2e36).
    expect(result.validators.map((v) => v.pool)).toEqual([
      133333333333333333333n,
      133333333333333333333n,
      133333333333333333333n,
    ]);
    expect([result.booked, result.rollover, result.dust]).toEqual([tok('1000') - 1n, 0n, 1n]);
  });

  it('nothing qualifies: R_T (gamma of R, T = 0) rolls over, validators are still paid', () => {
    const untrained = epoch({
      trainers: [trainer('10', { seal: 1n }), trainer('50', { seal: 2n })],
      validators: validators(3),
      scores: [scoreRow('0', '0'), scoreRow('0', '0'), scoreRow('0', '0')],
    });
    const result = epochRewards(untrained);
    expect([result.R_T, result.R_V, result.qualified]).toEqual([tok('700'), tok('300'), 0]);
    expect(result.trainers.map((t) => [t.rank, t.qualified, t.pool])).toEqual([
      [0, false, 0n],
      [0, false, 0n],
    ]);
    // Q = floor(300e18 * 2 floor(1e36 / 3) / 2e36) = 100 tokens less one wei.
    expect(result.validators.map((v) => v.pool)).toEqual([tok('100') - 1n, tok('100') - 1n, tok('100') - 1n]);
    expect(result.rollover).toBe(tok('700'));
    expect(result.booked).toBe(tok('300') - 3n);
    expect(result.dust).toBe(3n);

    // Same with real scores below minScore.
    const low = epochRewards({
      ...untrained,
      params: { ...untrained.params, minScore: tok('0.4') },
      scores: [scoreRow('0.3', '0.4'), scoreRow('0.3', '0.4'), scoreRow('0.3', '0.4')],
    });
    expect([low.qualified, low.rollover]).toEqual([0, tok('700')]);
  });

  it('a column with no validator in tolerance (those at the median failed a canary) rolls over', () => {
    // With a median, the validator at the aggregate is always at distance 0, so a column pays no
    // one only when every validator near the median failed a canary. Columns: K (canary), X, Y.
    const result = epochRewards(
      epoch({
        R: tok('600'),
        params: { gamma: WAD / 2n, q: WAD / 2n },
        trainers: [trainer('10', { seal: 0n, canary: true }), trainer('10', { seal: 1n }), trainer('10', { seal: 2n })],
        validators: validators(3),
        scores: [scoreRow('0.5', '0.5', '0.6'), scoreRow('0.8', '0.1', '0.6'), scoreRow('0.8', '0.9', '0.6')],
      }),
    );
    // K: aggregate 0.8, validators 1 and 2 agree (2/3 of the stake): valid; validator 0 fails.
    expect(result.canaries).toEqual([{ index: 0, aggregate: tok('0.8'), agreeingStake: tok('20'), valid: true }]);
    expect(result.validators.map((v) => v.failedCanary)).toEqual([true, false, false]);
    // X: aggregate 0.5 (validator 0); 1 and 2 are 0.4 away: nobody earns it.
    expect(result.zeroColumns).toBe(1);
    // K and Y pay validators 1 and 2 half each: 2 * 5e35 / (3 * 1e36) of R_V = 300.
    expect(result.validators.map((v) => [v.weight, v.pool])).toEqual([
      [0n, 0n],
      [WAD2, tok('100')],
      [WAD2, tok('100')],
    ]);
    // Y (0.6) rank 1, X (0.5) rank 2 with q = 0.5: 200 and 100 of R_T = 300.
    expect(result.trainers.map((t) => [t.rank, t.qualified, t.pool])).toEqual([
      [0, false, 0n],
      [2, true, tok('100')],
      [1, true, tok('200')],
    ]);
    expect([result.booked, result.rollover, result.dust]).toEqual([tok('500'), tok('100'), 0n]);
  });

  it('a failed canary zeroes the validator; its share of every column goes to the others', () => {
    const input = epoch({
      params: { gamma: WAD / 2n, q: WAD },
      trainers: [trainer('10', { seal: 0n, canary: true }), trainer('10', { seal: 1n }), trainer('10', { seal: 2n })],
      validators: validators(4),
      scores: [
        scoreRow('0.3', '0.9', '0.5'),
        scoreRow('0.7', '0.9', '0.5'),
        scoreRow('0.7', '0.9', '0.5'),
        scoreRow('0.7', '0.9', '0.5'),
      ],
    });
    const result = epochRewards(input);
    expect(result.canaries).toEqual([{ index: 0, aggregate: tok('0.7'), agreeingStake: tok('30'), valid: true }]);
    expect(result.validators.map((v) => v.failedCanary)).toEqual([true, false, false, false]);
    // Validator 0 agrees on X and Y, yet gets nothing; 1..3 get floor(1e36 / 3) per column.
    const third = WAD2 / 3n;
    expect(result.validators.map((v) => v.weight)).toEqual([0n, 3n * third, 3n * third, 3n * third]);
    // floor(500e18 * 3 floor(1e36/3) / 3e36) = 166.666... tokens, floored.
    expect(result.validators.map((v) => v.pool)).toEqual([
      0n,
      166666666666666666666n,
      166666666666666666666n,
      166666666666666666666n,
    ]);
    expect([result.zeroColumns, result.rollover, result.dust]).toEqual([0, 0n, 2n]);
    expect(result.trainers.map((t) => t.pool)).toEqual([0n, tok('250'), tok('250')]);

    // Had validator 0 matched the canary, the four would share R_V equally (each F is 1e36 / 4
    // less the unit that the 128-bit column shift of step 4 costs, hence 125 tokens less a wei).
    const honest = epochRewards({ ...input, scores: input.scores.map((row) => [tok('0.7'), ...row.slice(1)]) });
    expect(honest.validators.map((v) => v.pool)).toEqual(Array(4).fill(tok('125') - 1n));
  });

  it('a void canary (under half of the stake within tolV) fails nobody', () => {
    const result = epochRewards(
      epoch({
        R: tok('1200'),
        params: { gamma: WAD / 2n },
        trainers: [trainer('10', { seal: 0n, canary: true }), trainer('10', { seal: 1n })],
        validators: validators(3),
        scores: [scoreRow('0.5', '0.6'), scoreRow('0.7', '0.6'), scoreRow('0.9', '0.6')],
      }),
    );
    expect(result.canaries).toEqual([{ index: 0, aggregate: tok('0.7'), agreeingStake: tok('10'), valid: false }]);
    expect(result.validators.map((v) => v.failedCanary)).toEqual([false, false, false]);
    // The canary column still pays like any column: all of it to validator 1 (the only one in
    // tolerance); column 1 pays a third to each. R_V = 600 over n = 2 columns.
    expect(result.validators.map((v) => v.pool)).toEqual([
      99999999999999999999n,
      399999999999999999999n,
      99999999999999999999n,
    ]);
    expect(result.zeroColumns).toBe(0);
  });

  it('canaries take no rank, no reward, do not set the best score and do not move the split', () => {
    const input = epoch({
      trainers: [
        trainer('1000000', { seal: 0n, canary: true }),
        trainer('10', { seal: 1n }),
        trainer('10', { seal: 2n }),
      ],
      validators: validators(3),
      scores: [scoreRow('0.99', '0.6', '0.4'), scoreRow('0.99', '0.6', '0.4'), scoreRow('0.99', '0.6', '0.4')],
    });
    const result = epochRewards(input);
    // best = 0.6, so 0.4 >= 0.5 * 0.6 qualifies (with the canary's 0.99 as best it would not).
    expect(result.trainers.map((t) => [t.rank, t.qualified, t.canary])).toEqual([
      [0, false, true],
      [1, true, false],
      [2, true, false],
    ]);
    expect(result.qualified).toBe(2);
    // T = 20 (the canary's stake does not count), S = 30: R_T = 1000 (0.7 - 0.4 * 0.4) = 540.
    expect(result.R_T).toBe(tok('540'));
    const [canary, first, second] = result.trainers;
    expect(canary!.pool).toBe(0n);
    // Ranks 1 and 2 with q = 0.85, equal stakes: 540 / 1.85 and 540 * 0.85 / 1.85, floored.
    expect([first!.pool, second!.pool]).toEqual([291891891891891891891n, 248108108108108108108n]);
  });

  it('minValidators: fewer revealed validators make the epoch degenerate', () => {
    const input = epoch({
      params: { minValidators: 3 },
      validators: validators(2),
      scores: [scoreRow('0.5'), scoreRow('0.5')],
    });
    expect(epochRewards(input)).toEqual(degenerateResult(tok('1000')));
    expect(degenerateResult(tok('1000'))).toEqual({
      degenerate: true,
      R_T: 0n,
      R_V: 0n,
      booked: 0n,
      rollover: tok('1000'),
      dust: 0n,
      qualified: 0,
      zeroColumns: 0,
      trainers: [],
      validators: [],
      canaries: [],
    });
    const three = epochRewards({
      ...input,
      validators: validators(3),
      scores: [scoreRow('0.5'), scoreRow('0.5'), scoreRow('0.5')],
    });
    expect(three.degenerate).toBe(false);
    expect(three.booked + three.dust).toBe(tok('1000'));
  });

  it.each([
    ['no trainers', { trainers: [], scores: [[]] }],
    ['no validators', { validators: [], scores: [] }],
  ])('is degenerate with %s: nothing booked, R rolls over', (_, overrides) => {
    expect(epochRewards(epoch(overrides))).toEqual(degenerateResult(tok('1000')));
  });

  const twoEqual = (params: Partial<RewardParams>, seals: [bigint, bigint]) =>
    epochRewards(
      epoch({
        R: tok('600'),
        params: { gamma: WAD / 2n, ...params },
        trainers: [trainer('10', { seal: seals[0] }), trainer('10', { seal: seals[1] })],
        scores: [[tok('0.9'), tok('0.9')]],
      }),
    );

  it('n = 2 with equal scores: the earlier seal ranks first', () => {
    const result = twoEqual({ q: WAD / 2n }, [10n, 5n]);
    expect(result.R_T).toBe(tok('300'));
    expect(result.trainers.map((t) => [t.rank, t.pool])).toEqual([
      [2, tok('100')],
      [1, tok('200')],
    ]);
  });

  it('n = 2 with equal scores and seals: the list index breaks the tie', () => {
    expect(twoEqual({ q: WAD / 2n }, [7n, 7n]).trainers.map((t) => t.rank)).toEqual([1, 2]);
  });

  it('q = 0 is winner takes all', () => {
    expect(twoEqual({ q: 0n }, [1n, 2n]).trainers.map((t) => t.pool)).toEqual([tok('300'), 0n]);
  });

  it('q = 1 shares by stake alone, alphaT = 0 ignores stake too', () => {
    const base = epoch({
      R: tok('400'),
      params: { gamma: WAD / 2n, q: WAD, floorBps: 0 },
      trainers: [trainer('1', { seal: 0n }), trainer('3', { seal: 1n })],
      scores: [[tok('0.1'), tok('0.9')]],
    });
    expect(epochRewards(base).trainers.map((t) => t.pool)).toEqual([tok('50'), tok('150')]);
    const flat = epochRewards({ ...base, params: { ...base.params, alphaT: 0n } });
    expect(flat.trainers.map((t) => t.pool)).toEqual([tok('100'), tok('100')]);
  });

  it('alphaT = 0.5 weighs by the square root of stake', () => {
    const result = epochRewards(
      epoch({
        R: tok('400'),
        params: { gamma: WAD / 2n, q: WAD, alphaT: WAD / 2n },
        trainers: [trainer('1', { seal: 0n }), trainer('9', { seal: 1n })],
        scores: [[tok('0.5'), tok('0.5')]],
      }),
    );
    expect(result.trainers.map((t) => t.pool)).toEqual([tok('50'), tok('150')]);
  });

  it('alphaV = 0 and equal distances share the validator side equally whatever the stakes', () => {
    const result = epochRewards(
      epoch({
        params: { alphaV: 0n },
        validators: [validator('1'), validator('999')],
        scores: [[tok('0.5')], [tok('0.5')]],
      }),
    );
    const [a, b] = result.validators;
    expect(a?.pool).toBe(b?.pool);
    // Dividing by Z >> k instead of the exact sum can leave a few wei of dust, never more.
    expect(a!.pool + b!.pool).toBeLessThanOrEqual(result.R_V);
    expect(a!.pool + b!.pool).toBeGreaterThanOrEqual(result.R_V - 4n);
  });

  it('sigma = 1 gives the whole pool to the owner even with mostly delegated stake', () => {
    const result = epochRewards(
      epoch({
        trainers: [{ own: tok('1'), delegated: tok('99'), sigma: WAD, seal: 0n }],
        validators: [{ own: tok('1'), delegated: tok('99'), sigma: WAD }],
      }),
    );
    expect(result.trainers[0]).toMatchObject({ own: tok('500'), delegators: 0n });
    expect(result.validators[0]).toMatchObject({ own: tok('500'), delegators: 0n });
  });

  it('a stake coalition under half cannot lift a weak model to rank 1; the mean would have', () => {
    // Honest validators (stake 60) score A 0.9 and B 0.5; a coalition with 40 scores B 1, A 0.
    const result = epochRewards(
      epoch({
        params: { floorBps: 0 },
        trainers: [trainer('10', { seal: 0n }), trainer('10', { seal: 1n })],
        validators: [validator('30'), validator('30'), validator('40')],
        scores: [scoreRow('0.9', '0.5'), scoreRow('0.9', '0.5'), scoreRow('0', '1')],
      }),
    );
    expect(result.trainers.map((t) => [t.aggregate, t.rank])).toEqual([
      [tok('0.9'), 1],
      [tok('0.5'), 2],
    ]);
    // The coalition is out of tolerance on both columns: it earns nothing.
    expect(result.validators[2]!.pool).toBe(0n);
    // (Stake-weighted means: A 0.54, B 0.7, so B would have ranked first.)
  });
});

describe('epochRewards: input validation', () => {
  const cases: [string, Overrides, string][] = [
    ['R too large', { R: 2n ** 128n }, 'R: must be in'],
    ['negative R', { R: -1n }, 'R: must be in'],
    ['gamma > 1', { params: { gamma: WAD + 1n } }, 'params.gamma: must be in'],
    ['lambdaV > 50', { params: { lambdaV: 50n * WAD + 1n } }, 'params.lambdaV: must be in'],
    ['minScore = 1', { params: { minScore: WAD } }, 'params.minScore: must be in [0, 999999999999999999]'],
    ['tolV > 1', { params: { tolV: WAD + 1n } }, 'params.tolV: must be in [0, 1000000000000000000]'],
    ['tolV not a bigint', { params: { tolV: 5 as unknown as bigint } }, 'params.tolV: must be a bigint'],
    ['floorBps > 10000', { params: { floorBps: 10001 } }, 'params.floorBps: must be in [0, 10000]'],
    ['fractional floorBps', { params: { floorBps: 1.5 } }, 'params.floorBps: must be a whole number'],
    [
      'floorBps as bigint',
      { params: { floorBps: 5000n as unknown as number } },
      'params.floorBps: must be a whole number',
    ],
    ['minValidators = 0', { params: { minValidators: 0 } }, 'params.minValidators: must be in [1, 512]'],
    ['minValidators > 512', { params: { minValidators: 513 } }, 'params.minValidators: must be in [1, 512]'],
    ['sigma > 1', { trainers: [{ own: 1n, delegated: 0n, sigma: WAD + 1n, seal: 0n }] }, 'trainers[0].sigma'],
    [
      'non-boolean canary',
      { trainers: [{ ...trainer('1'), canary: 1 as unknown as boolean }] },
      'trainers[0].canary: must be a boolean',
    ],
    [
      'empty pool',
      { validators: [{ own: 0n, delegated: 0n, sigma: 0n }] },
      'validators[0]: own + delegated must be positive',
    ],
    [
      'pool at 2^96',
      { trainers: [{ own: 2n ** 95n, delegated: 2n ** 95n, sigma: 0n, seal: 0n }] },
      'trainers[0]: own + delegated must be below 2^96',
    ],
    ['score > 1', { scores: [[WAD + 1n]] }, 'scores[0][0]: must be in'],
    ['missing row', { scores: [] }, 'scores: must have one row per validator (1), got 0'],
    ['short row', { scores: [[]] }, 'scores[0]: must have one score per column (1), got 0'],
  ];
  it.each(cases)('rejects %s', (_, overrides, message) => {
    expect(() => epochRewards(epoch(overrides))).toThrow(message);
  });

  it('rejects more than 256 columns and more than 16 canaries', () => {
    const trainers = Array.from({ length: 257 }, (_, i) => ({ own: 1n, delegated: 0n, sigma: 0n, seal: BigInt(i) }));
    expect(() => epochRewards(epoch({ trainers, scores: [trainers.map(() => 0n)] }))).toThrow('trainers: at most 256');
    const canaries = Array.from({ length: 17 }, (_, i) => ({
      own: 1n,
      delegated: 0n,
      sigma: 0n,
      seal: BigInt(i),
      canary: true,
    }));
    expect(() => epochRewards(epoch({ trainers: canaries, scores: [canaries.map(() => 0n)] }))).toThrow(
      'trainers: at most 16 canaries, got 17',
    );
    expect(
      epochRewards(epoch({ trainers: canaries.slice(1), scores: [canaries.slice(1).map(() => 0n)] })).canaries,
    ).toHaveLength(16);
  });
});
