import { privateKeyToAccount } from 'viem/accounts';
import { describe, expect, it } from 'vitest';
import { optionReader } from '../../../scripts/lib/bench-options.ts';
import { LARGE, SMALL, SIM_OPTIONS, checkConfig, configFromOptions } from '../../../scripts/lib/sim/config.ts';
import { SimError } from '../../../scripts/lib/sim/errors.ts';
import { Rng } from '../../../scripts/lib/incentives/rng.ts';
import { accountKey, buildPopulation, sybilGroup, trainingLengths } from '../../../scripts/lib/sim/population.ts';

describe('sim configuration', () => {
  it('the large run has at least 1,000 participants, within the contracts caps', () => {
    expect(LARGE.trainers + LARGE.validators + LARGE.delegators).toBeGreaterThanOrEqual(1_000);
    expect(checkConfig(LARGE)).toBe(LARGE);
    expect(SMALL.trainers + SMALL.validators + SMALL.delegators).toBe(50);
    expect(checkConfig(SMALL)).toBe(SMALL);
  });

  it('refuses what a run cannot play, saying why', () => {
    const refuse = (c: Partial<typeof SMALL>, message: RegExp) => {
      const e = (() => {
        try {
          checkConfig({ ...SMALL, ...c });
        } catch (x) {
          return x;
        }
        return null;
      })();
      expect(e).toBeInstanceOf(SimError);
      expect((e as SimError).code).toBe('sim-config');
      expect((e as SimError).message).toMatch(message);
    };
    refuse({ trainers: 257 }, /at most 256 trainers/);
    refuse({ validators: 513 }, /at most 512 validators/);
    refuse({ trainers: 7 }, /honest ones/);
    refuse({ validators: 15 }, /twins, agents and 3 more/);
    refuse({ submissionEpochs: 1 }, /at least 2 submission epochs/);
    refuse({ segments: { min: 5, max: 2 } }, /min <= max/);
  });

  it('reads its options over a preset', () => {
    const c = configFromOptions(
      optionReader(['--small', '--delegators', '3', '--seed', '9', '--max-segments', '12'], SIM_OPTIONS),
    );
    expect(c).toMatchObject({ trainers: SMALL.trainers, delegators: 3, seed: 9, segments: { min: 2, max: 12 } });
    expect(configFromOptions(optionReader([], SIM_OPTIONS)).trainers).toBe(LARGE.trainers);
    expect(() => optionReader(['--nodes', '3'], SIM_OPTIONS)).toThrow(/unknown option --nodes/);
  });
});

describe('sim population', () => {
  const pop = buildPopulation(SMALL);

  it('has every role in the configured numbers, adversaries last', () => {
    expect(pop.trainers.map((t) => t.role)).toEqual([...Array(13).fill('honest'), 'thief', 'freeRider', 'duplicate']);
    expect(pop.validators.map((v) => v.role)).toEqual([
      ...Array(12).fill('honest'),
      'lazy-constant',
      'lazy-random',
      'lazy-previous',
      'colluding',
      'colluding',
      'sybil',
      'sybil',
      'sybil',
    ]);
    expect(pop.validators.filter((v) => v.agent).map((v) => v.index)).toEqual([0, 1]);
    expect(pop.delegators).toHaveLength(14);
  });

  it("gives each adversary an honest twin with its stake and sigma; a sybil group's twin holds the whole stake", () => {
    for (const a of pop.trainers.filter((t) => t.role !== 'honest')) {
      const twins = pop.trainers.filter((t) => t.twinOf === a.index);
      expect(twins).toHaveLength(1);
      expect([twins[0]!.role, twins[0]!.stake, twins[0]!.sigma]).toEqual(['honest', a.stake, a.sigma]);
    }
    for (const a of pop.validators.filter((v) => v.role !== 'honest' && v.role !== 'sybil')) {
      const twin = pop.validators.find((v) => v.twinOf === a.index)!;
      expect([twin.role, twin.agent, twin.stake, twin.sigma]).toEqual(['honest', false, a.stake, a.sigma]);
    }
    const group = sybilGroup(pop);
    const whole = group.reduce((s, i) => s + pop.validators[i]!.stake, 0n);
    expect(pop.validators.find((v) => v.twinOf === group[0])!.stake).toBe(whole);
    // Parts differ by less than one part: the split is even, the remainder on the last.
    const parts = group.map((i) => pop.validators[i]!.stake);
    expect(parts.every((p) => p === parts[0] || p - parts[0]! < BigInt(group.length))).toBe(true);
  });

  it('delegates only to plain honest participants, so twins and adversaries compare one to one', () => {
    for (const d of pop.delegators) {
      const target = (d.to.role === 'trainer' ? pop.trainers : pop.validators)[d.to.index]!;
      expect([target.role, target.twinOf]).toEqual(['honest', null]);
      expect(d.amount).toBeGreaterThanOrEqual(10n ** 18n);
    }
  });

  it("the friend is the honest trainer of median training length, and nobody's twin", () => {
    const f = pop.trainers[pop.friend]!;
    expect([f.role, f.twinOf]).toEqual(['honest', null]);
    const lengths = pop.trainers
      .filter((t) => t.role === 'honest')
      .map((t) => t.segments)
      .sort((a, b) => a - b);
    expect(f.segments).toBe(lengths[Math.floor(lengths.length / 2)]);
  });

  it('is the same for the same seed and another for another seed', () => {
    expect(buildPopulation(SMALL)).toEqual(pop);
    expect(buildPopulation({ ...SMALL, seed: 2 }).trainers.map((t) => t.stake)).not.toEqual(
      pop.trainers.map((t) => t.stake),
    );
  });

  it('spreads training lengths log-uniformly, one per stratum', () => {
    const lengths = trainingLengths(10, 2, 32, new Rng(1)).sort((a, b) => a - b);
    // 2 * 16^((i + 0.5) / 10), rounded.
    expect(lengths).toEqual([2, 3, 4, 5, 7, 9, 12, 16, 21, 28]);
  });

  it('derives a distinct valid key per account', () => {
    const keys = ['trainer', 'validator', 'delegator'].flatMap((role) =>
      [0, 1, 2].map((i) => accountKey(1, role as 'trainer', i)),
    );
    expect(new Set(keys).size).toBe(keys.length);
    expect(accountKey(1, 'trainer', 0)).toBe(accountKey(1, 'trainer', 0));
    for (const k of keys) expect(privateKeyToAccount(k).address).toMatch(/^0x[0-9a-fA-F]{40}$/);
  });
});
