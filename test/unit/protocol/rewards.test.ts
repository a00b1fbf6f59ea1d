import { describe, expect, it } from 'vitest';
import { parseWad } from '../../../src/lib/protocol/decimal.ts';
import { expWad } from '../../../src/lib/protocol/exact.ts';
import {
  aggregateScores,
  epochRewards,
  geometricWeights,
  rankColumns,
  sigmaSplit,
  splitReward,
  validatorPools,
  validatorWeights,
  type EpochInput,
  type RewardParams,
} from '../../../src/lib/protocol/rewards.ts';
import { WAD, WAD2 } from '../../../src/lib/protocol/wad.ts';

const tok = (text: string): bigint => parseWad(text, 'test');

const DEFAULTS: RewardParams = {
  gamma: tok('0.7'),
  q: tok('0.85'),
  alphaT: WAD,
  alphaV: WAD,
  lambdaV: tok('20'),
};

type Overrides = Omit<Partial<EpochInput>, 'params'> & { params?: Partial<RewardParams> };

function epoch(overrides: Overrides): EpochInput {
  return {
    R: tok('1000'),
    trainers: [{ own: tok('100'), delegated: 0n, sigma: 0n, seal: 0n }],
    validators: [{ own: tok('100'), delegated: 0n, sigma: 0n }],
    scores: [[tok('0.5')]],
    ...overrides,
    params: { ...DEFAULTS, ...overrides.params },
  };
}

describe('splitReward (step 1)', () => {
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

  it('gamma = 0.5 halves R whatever the stakes; gamma = 1 pays by the other side\'s stake', () => {
    expect(splitReward(1001n, 1n, 1000n, WAD / 2n)).toEqual({ R_T: 500n, R_V: 501n });
    expect(splitReward(tok('100'), 1n, 3n, WAD)).toEqual({ R_T: tok('75'), R_V: tok('25') });
    expect(splitReward(tok('100'), 1n, 3n, 0n)).toEqual({ R_T: tok('25'), R_V: tok('75') });
  });
});

describe('building blocks', () => {
  it('aggregates are stake-weighted means, floored', () => {
    const scores = [[WAD, 0n], [0n, WAD], [0n, WAD]];
    expect(aggregateScores(scores, [1n, 1n, 1n])).toEqual([333333333333333333n, 666666666666666666n]);
    expect(aggregateScores(scores, [2n, 1n, 1n])).toEqual([WAD / 2n, WAD / 2n]);
  });

  it('ranks by aggregate, then seal, then list index', () => {
    expect(rankColumns([5n, 9n, 5n, 5n], [3n, 0n, 1n, 1n])).toEqual([4, 1, 2, 3]);
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

  it('lambdaV = 0 weights validators by stake alone', () => {
    const { weights, distances } = validatorWeights([WAD / 2n], [[WAD], [0n], [0n]], [1n, 1n, 2n], 0n, WAD);
    expect(weights).toEqual([WAD2 / 4n, WAD2 / 4n, WAD2 / 2n]);
    expect(distances).toEqual([WAD / 2n, WAD / 2n, WAD / 2n]); // 0.5 is a whole number of 1e-4
    expect(validatorPools(1000n, weights, 1)).toEqual([250n, 250n, 500n]);
  });

  it('validator weights follow exp(lambda (1 - D)) with one floor at 1e36', () => {
    const r = 666666666666666666n;
    const { weights, distances } = validatorWeights([r], [[WAD], [WAD], [0n]], [1n, 1n, 1n], tok('20'), WAD);
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
});

describe('column shift before the 1e36 division (step 5)', () => {
  it('drops the low bits of a column whose weights total more than 128 bits', () => {
    // Same distance for all three, so v_j = expWad(10e18) * s_j and the total has 170 bits: k = 42.
    const stakes = [2n ** 95n + 95028n, 2n ** 93n + 15080976n, 13n];
    const half = WAD / 2n;
    const { weights } = validatorWeights([half], [[half], [half], [half]], stakes, tok('10'), WAD);
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
  it('n = 1, m = 1: everything is booked, split by sigma', () => {
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
      dust: 0n,
      trainers: [
        { index: 0, rank: 1, aggregate: tok('0.6'), pool: tok('500'), own: tok('340'), delegators: tok('160') },
      ],
      validators: [
        { index: 0, pool: tok('500'), own: tok('125'), delegators: tok('375'), distance: 0n, weight: WAD2 },
      ],
    });
  });

  const twoEqual = (params: Partial<RewardParams>, seals: [bigint, bigint]) =>
    epochRewards(
      epoch({
        R: tok('600'),
        params: { gamma: WAD / 2n, ...params },
        trainers: [
          { own: tok('10'), delegated: 0n, sigma: 0n, seal: seals[0] },
          { own: tok('10'), delegated: 0n, sigma: 0n, seal: seals[1] },
        ],
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
    const result = twoEqual({ q: WAD / 2n }, [7n, 7n]);
    expect(result.trainers.map((t) => t.rank)).toEqual([1, 2]);
  });

  it('q = 0 is winner takes all', () => {
    const result = twoEqual({ q: 0n }, [1n, 2n]);
    expect(result.trainers.map((t) => t.pool)).toEqual([tok('300'), 0n]);
  });

  it('q = 1 shares by stake alone, alphaT = 0 ignores stake too', () => {
    const base = epoch({
      R: tok('400'),
      params: { gamma: WAD / 2n, q: WAD },
      trainers: [
        { own: tok('1'), delegated: 0n, sigma: 0n, seal: 0n },
        { own: tok('3'), delegated: 0n, sigma: 0n, seal: 1n },
      ],
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
        trainers: [
          { own: tok('1'), delegated: 0n, sigma: 0n, seal: 0n },
          { own: tok('9'), delegated: 0n, sigma: 0n, seal: 1n },
        ],
        scores: [[tok('0.5'), tok('0.5')]],
      }),
    );
    expect(result.trainers.map((t) => t.pool)).toEqual([tok('50'), tok('150')]);
  });

  it('alphaV = 0 and equal distances share the validator side equally whatever the stakes', () => {
    const result = epochRewards(
      epoch({
        params: { alphaV: 0n },
        validators: [
          { own: tok('1'), delegated: 0n, sigma: 0n },
          { own: tok('999'), delegated: 0n, sigma: 0n },
        ],
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

  it('a duplicate is scored zero, ranks last and does not move validator distances', () => {
    const result = epochRewards(
      epoch({
        params: { q: WAD / 2n },
        trainers: [
          { own: tok('10'), delegated: 0n, sigma: 0n, seal: 0n, duplicate: true },
          { own: tok('10'), delegated: 0n, sigma: 0n, seal: 1n },
        ],
        validators: [
          { own: tok('10'), delegated: 0n, sigma: 0n },
          { own: tok('10'), delegated: 0n, sigma: 0n },
        ],
        scores: [
          [WAD, tok('0.4')],
          [WAD, tok('0.6')],
        ],
      }),
    );
    expect(result.trainers.map((t) => [t.rank, t.aggregate])).toEqual([
      [2, 0n],
      [1, tok('0.5')],
    ]);
    // Only column 1 contributes distance: 0.1 each, divided by n = 2.
    expect(result.validators.map((v) => v.distance)).toEqual([tok('0.05'), tok('0.05')]);
    // R_T = 500 split 1 : 2 by the rank weights 0.5 and 1.
    expect(result.trainers.map((t) => t.pool)).toEqual([tok('500') / 3n, tok('1000') / 3n]);
  });

  it.each([
    ['no trainers', { trainers: [], scores: [[]] }],
    ['no validators', { validators: [], scores: [] }],
  ])('is degenerate with %s: nothing booked, R rolls over', (_, overrides) => {
    expect(epochRewards(epoch(overrides))).toEqual({
      degenerate: true,
      R_T: 0n,
      R_V: 0n,
      booked: 0n,
      dust: tok('1000'),
      trainers: [],
      validators: [],
    });
  });
});

describe('epochRewards: input validation', () => {
  const cases: [string, Overrides, string][] = [
    ['R too large', { R: 2n ** 128n }, 'R: must be in'],
    ['negative R', { R: -1n }, 'R: must be in'],
    ['gamma > 1', { params: { gamma: WAD + 1n } }, 'params.gamma: must be in'],
    ['lambdaV > 50', { params: { lambdaV: 50n * WAD + 1n } }, 'params.lambdaV: must be in'],
    ['sigma > 1', { trainers: [{ own: 1n, delegated: 0n, sigma: WAD + 1n, seal: 0n }] }, 'trainers[0].sigma'],
    ['empty pool', { validators: [{ own: 0n, delegated: 0n, sigma: 0n }] }, 'validators[0]: own + delegated must be positive'],
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

  it('rejects more than 256 columns', () => {
    const trainers = Array.from({ length: 257 }, (_, i) => ({ own: 1n, delegated: 0n, sigma: 0n, seal: BigInt(i) }));
    expect(() => epochRewards(epoch({ trainers, scores: [trainers.map(() => 0n)] }))).toThrow('trainers: at most 256');
  });
});
