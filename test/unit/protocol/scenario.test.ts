import { describe, expect, it } from 'vitest';
import { InputError } from '../../../src/lib/protocol/errors.ts';
import { parseScenario, runScenario } from '../../../src/lib/protocol/scenario.ts';

function scenario() {
  return {
    params: { R0: '1000', gamma: '0.7', q: '0.85', alphaT: '1', alphaV: '1', lambdaV: '20' },
    trainers: [
      { id: 'alice', stake: '60', delegated: '40', sigma: '0.2', sealTime: '1700000000.5' },
      { id: 'bob', stake: '100', delegated: '0', sigma: '0', sealTime: '1700000000.25', duplicate: false },
    ],
    validators: [{ id: 'val', stake: '200', delegated: '0', sigma: '0.1' }],
    scores: [['0.6', '0.6']],
  };
}

type Mutable = Record<string, any>;

function expectError(mutate: (s: Mutable) => void, message: string): void {
  const s: Mutable = scenario();
  mutate(s);
  expect(() => parseScenario(s)).toThrow(InputError);
  expect(() => parseScenario(s)).toThrow(message);
}

describe('scenario parsing', () => {
  it('converts decimal strings to wei and keeps ids in order', () => {
    const parsed = parseScenario(scenario());
    expect(parsed.trainerIds).toEqual(['alice', 'bob']);
    expect(parsed.validatorIds).toEqual(['val']);
    expect(parsed.input.R).toBe(1000n * 10n ** 18n);
    expect(parsed.input.params.lambdaV).toBe(20n * 10n ** 18n);
    expect(parsed.input.trainers[0]).toEqual({
      own: 60n * 10n ** 18n,
      delegated: 40n * 10n ** 18n,
      sigma: 2n * 10n ** 17n,
      seal: 1700000000500000000000000000n,
      duplicate: false,
    });
  });

  it.each<[string, (s: Mutable) => void, string]>([
    ['sigma above 1', (s) => (s.trainers[1].sigma = '1.5'), 'trainers[1].sigma: must be between 0 and 1'],
    ['lambdaV above 50', (s) => (s.params.lambdaV = '50.000000000000000001'), 'params.lambdaV: must be between 0 and 50'],
    ['negative stake', (s) => (s.validators[0].stake = '-1'), 'validators[0].stake: must not be negative'],
    ['numeric score', (s) => (s.scores[0][1] = 0.5), 'scores[0][1]: must be a decimal string'],
    ['score above 1', (s) => (s.scores[0][0] = '1.0001'), 'scores[0][0]: must be between 0 and 1'],
    ['exponent', (s) => (s.params.R0 = '1e3'), 'params.R0: "1e3" is not a plain decimal'],
    ['too many decimals', (s) => (s.params.q = '0.1234567890123456789'), 'params.q: has more than 18'],
    ['R0 at 2^128 wei', (s) => (s.params.R0 = '340282366920938463463.374607431768211456'), 'params.R0: must be below 2^128'],
    ['empty pool', (s) => (s.trainers[0].stake = s.trainers[0].delegated = '0'), 'trainers[0]: stake + delegated must be positive'],
    ['pool at 2^96 wei', (s) => (s.trainers[0].stake = '79228162514.264337593543950336'), 'trainers[0]: stake + delegated must be below'],
    ['unknown key', (s) => (s.trainers[0].stak = '1'), 'trainers[0]: unknown key "stak"'],
    ['unknown top-level key', (s) => (s.extra = 1), 'scenario: unknown key "extra"'],
    ['missing key', (s) => delete s.validators[0].sigma, 'validators[0].sigma: is missing'],
    ['missing param', (s) => delete s.params.gamma, 'params.gamma: is missing'],
    ['missing section', (s) => delete s.scores, 'scores: is missing'],
    ['non-boolean duplicate', (s) => (s.trainers[0].duplicate = 'yes'), 'trainers[0].duplicate: must be true or false'],
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
    expect(Object.keys(output)).toEqual(['R_T', 'R_V', 'trainers', 'validators']);
    // T = S = 200 tokens: R_T = R_V = 500; equal aggregates, bob sealed earlier and ranks first.
    expect(output.R_T).toBe('500.000000000000000000');
    expect(output.R_V).toBe('500.000000000000000000');
    const [alice, bob] = output.trainers;
    expect(bob).toEqual({
      id: 'bob',
      rank: 1,
      aggregate: '0.600000000000000000',
      pool: expect.any(String),
      own: expect.any(String),
      delegators: '0.000000000000000000',
    });
    expect(alice?.rank).toBe(2);
    expect(output.validators).toEqual([
      {
        id: 'val',
        pool: '500.000000000000000000',
        own: '500.000000000000000000',
        delegators: '0.000000000000000000',
        distance: '0.000000000000000000',
      },
    ]);
  });

  it('reports a degenerate epoch as a rollover of R0 with empty lists', () => {
    const s: Mutable = scenario();
    s.validators = [];
    s.scores = [];
    expect(runScenario(s)).toEqual({
      R_T: '0.000000000000000000',
      R_V: '0.000000000000000000',
      rollover: '1000.000000000000000000',
      trainers: [],
      validators: [],
    });
  });
});
