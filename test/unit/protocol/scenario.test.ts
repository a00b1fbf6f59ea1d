import { describe, expect, it } from 'vitest';
import { InputError } from '../../../src/lib/protocol/errors.ts';
import { parseScenario, runScenario } from '../../../src/lib/protocol/scenario.ts';

const PARAMS = {
  R0: '1000',
  gamma: '0.7',
  q: '0.85',
  alphaT: '1',
  alphaV: '1',
  lambdaV: '20',
  minScore: '0',
  tolV: '0.005',
  floorBps: '5000',
  minValidators: '1',
};

function scenario() {
  return {
    params: { ...PARAMS },
    trainers: [
      { id: 'alice', stake: '60', delegated: '40', sigma: '0.2', sealTime: '1700000000.5' },
      { id: 'bob', stake: '100', delegated: '0', sigma: '0', sealTime: '1700000000.25', duplicate: false },
    ],
    validators: [{ id: 'val', stake: '200', delegated: '0', sigma: '0.1' }],
    scores: [['0.6', '0.6']],
  };
}

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- the tests write malformed fields anywhere
type Mutable = Record<string, any>;

function expectError(mutate: (s: Mutable) => void, message: string): void {
  const s: Mutable = scenario();
  mutate(s);
  expect(() => parseScenario(s)).toThrow(InputError);
  expect(() => parseScenario(s)).toThrow(message);
}

const ZERO = '0.000000000000000000';

describe('scenario parsing', () => {
  it('converts decimal strings to wei, whole-number params to numbers, and keeps ids in order', () => {
    const parsed = parseScenario(scenario());
    expect(parsed.trainerIds).toEqual(['alice', 'bob']);
    expect(parsed.validatorIds).toEqual(['val']);
    expect(parsed.input.R).toBe(1000n * 10n ** 18n);
    expect(parsed.input.params).toEqual({
      gamma: 7n * 10n ** 17n,
      q: 85n * 10n ** 16n,
      alphaT: 10n ** 18n,
      alphaV: 10n ** 18n,
      lambdaV: 20n * 10n ** 18n,
      minScore: 0n,
      tolV: 5n * 10n ** 15n,
      floorBps: 5000,
      minValidators: 1,
    });
    expect(parsed.input.trainers[0]).toEqual({
      own: 60n * 10n ** 18n,
      delegated: 40n * 10n ** 18n,
      sigma: 2n * 10n ** 17n,
      seal: 1700000000500000000000000000n,
      duplicate: false,
      canary: false,
    });
  });

  it('reads "canary": true', () => {
    const s: Mutable = scenario();
    s.trainers[1].canary = true;
    expect(parseScenario(s).input.trainers.map((t) => t.canary)).toEqual([false, true]);
  });

  it.each<[string, (s: Mutable) => void, string]>([
    ['sigma above 1', (s) => (s.trainers[1].sigma = '1.5'), 'trainers[1].sigma: must be between 0 and 1'],
    [
      'lambdaV above 50',
      (s) => (s.params.lambdaV = '50.000000000000000001'),
      'params.lambdaV: must be between 0 and 50',
    ],
    ['minScore of 1', (s) => (s.params.minScore = '1'), 'params.minScore: must be below 1'],
    ['negative minScore', (s) => (s.params.minScore = '-0.1'), 'params.minScore: must not be negative'],
    ['tolV above 1', (s) => (s.params.tolV = '1.5'), 'params.tolV: must be between 0 and 1'],
    ['floorBps above 10000', (s) => (s.params.floorBps = '10001'), 'params.floorBps: must be between 0 and 10000'],
    [
      'fractional floorBps',
      (s) => (s.params.floorBps = '50.5'),
      'params.floorBps: must be a whole number as a string, like "5000", got "50.5"',
    ],
    [
      'numeric floorBps',
      (s) => (s.params.floorBps = 5000),
      'params.floorBps: must be a whole number as a string, like "5000", got number 5000',
    ],
    ['minValidators of 0', (s) => (s.params.minValidators = '0'), 'params.minValidators: must be between 1 and 512'],
    [
      'minValidators above 512',
      (s) => (s.params.minValidators = '513'),
      'params.minValidators: must be between 1 and 512',
    ],
    [
      'negative minValidators',
      (s) => (s.params.minValidators = '-3'),
      'params.minValidators: must be a whole number as a string, like "3", got "-3"',
    ],
    ['negative stake', (s) => (s.validators[0].stake = '-1'), 'validators[0].stake: must not be negative'],
    ['numeric score', (s) => (s.scores[0][1] = 0.5), 'scores[0][1]: must be a decimal string'],
    ['score above 1', (s) => (s.scores[0][0] = '1.0001'), 'scores[0][0]: must be between 0 and 1'],
    ['exponent', (s) => (s.params.R0 = '1e3'), 'params.R0: "1e3" is not a plain decimal'],
    ['too many decimals', (s) => (s.params.q = '0.1234567890123456789'), 'params.q: has more than 18'],
    [
      'R0 at 2^128 wei',
      (s) => (s.params.R0 = '340282366920938463463.374607431768211456'),
      'params.R0: must be below 2^128',
    ],
    [
      'empty pool',
      (s) => (s.trainers[0].stake = s.trainers[0].delegated = '0'),
      'trainers[0]: stake + delegated must be positive',
    ],
    [
      'pool at 2^96 wei',
      (s) => (s.trainers[0].stake = '79228162514.264337593543950336'),
      'trainers[0]: stake + delegated must be below',
    ],
    ['unknown key', (s) => (s.trainers[0].stak = '1'), 'trainers[0]: unknown key "stak"'],
    ['unknown param', (s) => (s.params.tolv = '0.005'), 'params: unknown key "tolv"'],
    ['unknown top-level key', (s) => (s.extra = 1), 'scenario: unknown key "extra"'],
    ['missing key', (s) => delete s.validators[0].sigma, 'validators[0].sigma: is missing'],
    [
      'missing param',
      (s) => delete s.params.gamma,
      'params: missing gamma; every parameter is required (defaults: gamma "0.7")',
    ],
    ['missing R0', (s) => delete s.params.R0, 'params: missing R0; every parameter is required'],
    [
      'a scenario from before revision 2',
      (s) => ['minScore', 'tolV', 'floorBps', 'minValidators'].forEach((key) => delete s.params[key]),
      'params: missing minScore, tolV, floorBps, minValidators; every parameter is required ' +
        '(defaults: minScore "0", tolV "0.0005", floorBps "5000", minValidators "3")',
    ],
    ['params not an object', (s) => (s.params = []), 'params: must be an object'],
    ['missing section', (s) => delete s.scores, 'scores: is missing'],
    ['non-boolean duplicate', (s) => (s.trainers[0].duplicate = 'yes'), 'trainers[0].duplicate: must be true or false'],
    ['non-boolean canary', (s) => (s.trainers[0].canary = 1), 'trainers[0].canary: must be true or false'],
    [
      'more than 16 canaries',
      (s) => {
        s.trainers = Array.from({ length: 17 }, (_, i) => ({
          id: `c${i}`,
          stake: '1',
          delegated: '0',
          sigma: '0',
          sealTime: '0',
          canary: true,
        }));
        s.scores = [s.trainers.map(() => '0.5')];
      },
      'trainers: at most 16 canaries per epoch, got 17',
    ],
    ['empty id', (s) => (s.trainers[0].id = ''), 'trainers[0].id: must be a non-empty string'],
    ['numeric id', (s) => (s.validators[0].id = 7), 'validators[0].id: must be a non-empty string'],
    ['repeated id', (s) => (s.trainers[1].id = 'alice'), 'trainers[1].id: duplicate id "alice"'],
    ['missing score row', (s) => (s.scores = []), 'scores: must have one row per validator (1), got 0'],
    ['short score row', (s) => s.scores[0].pop(), 'scores[0]: must have one score per trainer (2), got 1'],
    ['trainers not an array', (s) => (s.trainers = {}), 'trainers: must be an array'],
    ['trainer not an object', (s) => (s.trainers[0] = 'alice'), 'trainers[0]: must be an object'],
  ])('reports %s with its path', (_, mutate, message) => expectError(mutate, message));

  it('rejects a non-object scenario', () => {
    expect(() => parseScenario([])).toThrow('scenario: must be an object');
  });
});

describe('scenario output', () => {
  it('formats amounts as 18-decimal token strings with the trainer and validator ids', () => {
    const output = runScenario(scenario());
    expect(Object.keys(output)).toEqual([
      'degenerate',
      'R_T',
      'R_V',
      'booked',
      'rollover',
      'dust',
      'qualified',
      'zeroColumns',
      'trainers',
      'validators',
      'canaries',
    ]);
    // T = S = 200 tokens: R_T = R_V = 500; equal aggregates, bob sealed earlier and ranks first.
    expect(output).toMatchObject({
      degenerate: false,
      R_T: '500.000000000000000000',
      R_V: '500.000000000000000000',
      rollover: ZERO,
      qualified: 2,
      zeroColumns: 0,
      canaries: [],
    });
    const [alice, bob] = output.trainers;
    expect(bob).toEqual({
      id: 'bob',
      rank: 1,
      qualified: true,
      canary: false,
      aggregate: '0.600000000000000000',
      pool: expect.any(String),
      own: expect.any(String),
      delegators: ZERO,
    });
    expect(alice?.rank).toBe(2);
    expect(output.validators).toEqual([
      {
        id: 'val',
        failedCanary: false,
        pool: '500.000000000000000000',
        own: '500.000000000000000000',
        delegators: ZERO,
        distance: ZERO,
      },
    ]);
  });

  it('shows which submissions qualified, the canaries, failed validators and the rollover', () => {
    const s: Mutable = scenario();
    s.params.gamma = '0.5';
    s.trainers.push({ id: 'probe', stake: '1', delegated: '0', sigma: '0', sealTime: '0', canary: true });
    s.validators = [
      { id: 'v1', stake: '100', delegated: '0', sigma: '0' },
      { id: 'v2', stake: '100', delegated: '0', sigma: '0' },
      { id: 'lazy', stake: '100', delegated: '0', sigma: '0' },
    ];
    // alice 0.9; bob 0.2 is under half of the best; lazy misses the probe's 0.7.
    s.scores = [
      ['0.9', '0.2', '0.7'],
      ['0.9', '0.2', '0.7'],
      ['0.5', '0.5', '0.5'],
    ];
    const output = runScenario(s);
    expect(output.qualified).toBe(1);
    expect(output.trainers.map((t) => [t.id, t.rank, t.qualified, t.canary, t.pool])).toEqual([
      ['alice', 1, true, false, '500.000000000000000000'],
      ['bob', null, false, false, ZERO],
      ['probe', null, false, true, ZERO],
    ]);
    expect(output.canaries).toEqual([
      { id: 'probe', aggregate: '0.700000000000000000', agreeingStake: '200.000000000000000000', valid: true },
    ]);
    expect(output.validators.map((v) => [v.id, v.failedCanary, v.pool])).toEqual([
      ['v1', false, '250.000000000000000000'],
      ['v2', false, '250.000000000000000000'],
      ['lazy', true, ZERO],
    ]);
    expect([output.booked, output.rollover, output.dust]).toEqual(['1000.000000000000000000', ZERO, ZERO]);
  });

  it('reports a degenerate epoch (fewer validators than minValidators) as a rollover of R0', () => {
    const s: Mutable = scenario();
    s.params.minValidators = '2';
    expect(runScenario(s)).toEqual({
      degenerate: true,
      R_T: ZERO,
      R_V: ZERO,
      booked: ZERO,
      rollover: '1000.000000000000000000',
      dust: ZERO,
      qualified: 0,
      zeroColumns: 0,
      trainers: [],
      validators: [],
      canaries: [],
    });
  });
});
