import { describe, expect, it } from 'vitest';
import {
  breakEvenDetection,
  cleared,
  computeBreakEven,
  defaultChallengeTerms,
  expectIdentity,
  expectStrategy,
  upheld,
  type ChallengeTerms,
} from '../../../scripts/lib/incentives/challenge.ts';
import {
  challengeRow,
  type ChallengeInputs,
  type ChallengeRowSpec,
} from '../../../scripts/lib/incentives/challenge-rows.ts';
import { parseHonestReplays, parseSimilarity } from '../../../scripts/lib/incentives/detection.ts';
import type { Measurement } from '../../../scripts/lib/incentives/runner.ts';

// Every expected value below is worked by hand from the terms (bond 100, slash 20%, jury 10%).
const terms: ChallengeTerms = { bond: 100, slashBps: 2000, juryBps: 1000 };

describe('challenge outcomes (ChallengeModule._uphold / _clear, StakeManager.forfeit)', () => {
  it('the task starts from the Create form defaults, the bond bounded by what a copy at the minimum stake loses', () => {
    // The form's own world (10 ARENA minimum): its default bond, 2 ARENA, is the bound itself.
    expect(defaultChallengeTerms(10)).toEqual({ bond: 2, slashBps: 2000, juryBps: 1000 });
    // The simulator's 1-token minimum: 20% of it. A larger minimum does not raise the form's bond.
    expect(defaultChallengeTerms(1)).toEqual({ bond: 0.2, slashBps: 2000, juryBps: 1000 });
    expect(defaultChallengeTerms(1000).bond).toBe(2);
  });

  it('upheld: forfeit all unvested rewards and 20% of stake; the jury takes 10% after a vote', () => {
    // slash 200 x 0.2 = 40; jury (50 + 40) x 0.1 = 9; challenger 100 + 90 - 9.
    expect(upheld(terms, 50, 200, true)).toEqual({
      forfeited: 50,
      slashed: 40,
      jury: 9,
      toChallenger: 181,
      challengerGain: 81,
    });
    // No vote (the ownership proof or the disclosure was missing): nothing for a jury.
    expect(upheld(terms, 50, 200, false)).toMatchObject({ jury: 0, toChallenger: 190, challengerGain: 90 });
    expect(() => upheld(terms, -1, 200, true)).toThrow(RangeError);
  });

  it('cleared: the bond goes to the trainer, less the jury share only after a vote', () => {
    expect(cleared(terms, false)).toEqual({ toTrainer: 100, jury: 0, challengerGain: -100 });
    expect(cleared(terms, true)).toEqual({ toTrainer: 90, jury: 10, challengerGain: -100 });
  });
});

describe('expected reward with challenges', () => {
  const o = { terms, honestLoses: 0 };

  it('an identity that cannot replay: (1 - c) x reward + c x (-slash)', () => {
    const caught = expectIdentity({ reward: 50, stake: 200, replays: false, challenged: 1 }, o);
    expect(caught).toEqual({ expected: -40, loss: 90, challengers: 81 });
    const half = expectIdentity({ reward: 50, stake: 200, replays: false, challenged: 0.5 }, o);
    // 0.5 x 50 + 0.5 x (-40) = 5; the challengers gain 0.5 x 81.
    expect(half.expected).toBeCloseTo(5, 12);
    expect(half.loss).toBeCloseTo(45, 12);
    expect(half.challengers).toBeCloseTo(40.5, 12);
    expect(() => expectIdentity({ reward: 1, stake: 1, replays: false, challenged: 1.5 }, o)).toThrow(RangeError);
  });

  it('an identity that replays takes the whole bond per challenge, or loses with honestLoses', () => {
    expect(expectIdentity({ reward: 50, stake: 200, replays: true, challenged: 1 }, o)).toEqual({
      expected: 150,
      loss: -100,
      challengers: -100,
    });
    // Per challenge: 0.9 x 100 + 0.1 x (-40 - 50) = 81; half a challenge: 50 + 40.5.
    // Challengers: 0.5 x (0.9 x (-100) + 0.1 x 81) = -40.95.
    const risky = expectIdentity(
      { reward: 50, stake: 200, replays: true, challenged: 0.5 },
      { terms, honestLoses: 0.1 },
    );
    expect(risky.expected).toBeCloseTo(90.5, 12);
    expect(risky.challengers).toBeCloseTo(-40.95, 12);
    // An adversary's trained identity is given no risk of losing (loseRisk 0 overrides honestLoses).
    expect(
      expectIdentity(
        { reward: 50, stake: 200, replays: true, challenged: 0.5, loseRisk: 0 },
        { terms, honestLoses: 0.1 },
      ).expected,
    ).toBeCloseTo(100, 12);
    // Never challenged: exactly its reward.
    expect(expectIdentity({ reward: 50, stake: 200, replays: true, challenged: 0 }, o).expected).toBe(50);
    // What-if without the bond: challenged or not, its reward; the burned bond is still the challengers' loss.
    expect(
      expectIdentity({ reward: 50, stake: 200, replays: true, challenged: 2 }, { ...o, bondToCleared: false }),
    ).toEqual({ expected: 50, loss: 0, challengers: -200 });
  });

  it('a strategy sums its identities', () => {
    const s = expectStrategy(
      [
        { reward: 30, stake: 50, replays: true, challenged: 1 },
        { reward: 10, stake: 50, replays: false, challenged: 1 },
      ],
      o,
    );
    // 30 + 100, and -10 (slash of 50 x 0.2): 120; challengers -100 + (10 + 10) x 0.9.
    expect(s.expected).toBeCloseTo(120, 12);
    expect(s.challengers).toBeCloseTo(-82, 12);
  });

  it('break-even detection and compute', () => {
    expect(breakEvenDetection(3, -0.5)).toBeCloseTo(2 / 3.5, 12);
    expect(breakEvenDetection(0.9, 1.9)).toBeCloseTo(0.1, 12);
    expect(breakEvenDetection(0.5, 0.2)).toBeUndefined();
    expect(breakEvenDetection(2, 1.5)).toBeUndefined();
    // (r - e k) / (1 - k) < 1 while k < (1 - r) / (1 - e).
    expect(computeBreakEven(-0.25, 0.15)).toBeCloseTo(1.25 / 0.85, 12);
    expect(computeBreakEven(0.5, 0)).toBeCloseTo(0.5, 12);
    expect(computeBreakEven(0.8, 1)).toBe(Number.POSITIVE_INFINITY);
    expect(computeBreakEven(1.2, 1)).toBeUndefined();
    expect(computeBreakEven(1.2, 0.1)).toBeUndefined();
  });
});

const similarity = [
  '| pair | group | weights cosine | noise probes: same class |',
  '|---|---|--:|--:|',
  '| honest 0 vs honest 1 | independent | 0.01 | 0.700 |',
  '| honest 0 vs honest 2 | independent | 0.02 | 0.790 |',
  '| honest 1 vs honest 2 | independent | 0.03 | 0.650 |',
  '| exact copy | copy | 1.000 | 1.000 |',
  '| fine-tuned 3 epochs | copy | 0.98 | 0.800 |',
  '| **gap** | | -0.05 | 0.010 |',
  '',
  "- Threshold for the validator's automatic challenge: noise probes: same class at or above **0.768**",
].join('\n');

describe('measured inputs', () => {
  it('reads the trigger from the similarity page', () => {
    const t = parseSimilarity(similarity, 'sim.md');
    expect(t.measure).toBe('noise probes: same class');
    expect(t.threshold).toBe(0.768);
    expect(t.copies.map((c) => c.detected)).toEqual([true, true]);
    expect([t.independentPairs, t.independentAbove]).toEqual([3, 1]);
    // 2 of 2: Clopper-Pearson lower bound 0.025^(1/2).
    expect(t.detection.value).toBe(1);
    expect(t.detection.lo).toBeCloseTo(Math.sqrt(0.025), 6);
    expect(t.falseChallenge.value).toBeCloseTo(1 / 3, 12);
    expect(() => parseSimilarity(similarity.replace('Threshold', 'Limit'), 'sim.md')).toThrow(/Threshold/);
    expect(() => parseSimilarity(similarity.replace('noise probes: same class |', 'other |'), 'sim.md')).toThrow(
      /no "noise probes: same class"/,
    );
  });

  it('reads honest replay failures per transcript', () => {
    const md = [
      '| run | trained on | replayed on | failed segments | margin |',
      '|---|---|---|---|---|',
      '| 0 | wasm | cpu | 0 / 25 | 3x |',
      '| 0 | cpu | wasm | 2 / 25 | 0.1x |',
      '| 1 | wasm | cpu | 0 / 25 | 9x |',
      '',
      'Over all 75 replayed segments: 2 failed',
    ].join('\n');
    const r = parseHonestReplays(md, 'tr.md');
    expect(r).toMatchObject({ transcripts: 3, withFailure: 1, segments: 75, failedSegments: 2 });
    expect(r.rate.value).toBeCloseTo(1 / 3, 12);
    expect(() => parseHonestReplays('no table', 'tr.md')).toThrow(/no replay table/);
  });
});

describe('challenge rows', () => {
  const input: ChallengeInputs = {
    trigger: {
      source: 'sim.md',
      measure: 'noise probes: same class',
      threshold: 0.768,
      copies: [],
      independentPairs: 66,
      independentAbove: 0,
      detection: { value: 1, lo: 0.5, hi: 1 },
      falseChallenge: { value: 0, lo: 0, hi: 0.05 },
    },
    replays: {
      source: 'tr.md',
      transcripts: 40,
      withFailure: 0,
      segments: 1000,
      failedSegments: 0,
      rate: { value: 0, lo: 0, hi: 0.1 },
    },
    terms,
    submissionEpochs: 4,
  };
  const m = (
    scenario: string,
    task: number,
    epoch: number,
    adv: number,
    twin: number,
    extra: Partial<Measurement> = {},
  ) =>
    ({
      scenario,
      task,
      epoch,
      final: false,
      adv,
      twin,
      advStake: 100,
      twinStake: 100,
      honestTrainers: 0,
      honestTrainersBase: 0,
      honestValidators: 0,
      honestValidatorsBase: 0,
      ...extra,
    }) satisfies Measurement;

  it('a thief: stakes counted once per task, rewards summed, detection applied', () => {
    const spec: ChallengeRowSpec = {
      id: 'thief',
      scenario: 'thief@canaries',
      label: 'thief',
      answer: '',
      kind: { kind: 'thief' },
      effort: 0.1,
      effortSource: '',
      target: true,
    };
    const ms = [m(spec.scenario, 0, 1, 30, 10), m(spec.scenario, 0, 2, 30, 10), m(spec.scenario, 1, 1, 40, 20)];
    const row = challengeRow(spec, ms, input);
    // Never challenged: 100 / 40. Caught: -20 (slash of 100) per task against 20 + 20.
    expect(row.unchallenged.value).toBeCloseTo(2.5, 12);
    expect(row.expected.value).toBeCloseTo(-1, 12);
    // At detection 0.5: (0.5 x 60 - 10) + (0.5 x 40 - 10) = 30, over 40.
    expect(row.atBound.value).toBeCloseTo(0.75, 12);
    // Loss (60 + 20 + 40 + 20) / 2; challengers 0.9 x (80 + 60) / 2.
    expect(row.loss).toBeCloseTo(70, 12);
    expect(row.challengers).toBeCloseTo(63, 12);
    expect(row.breakEven).toBeCloseTo(1.5 / 3.5, 12);
    expect(row.pass).toBe(true);
    // (r - 0.1 k) / (1 - k) with r = -1 stays below 1 for every k < 1.
    expect(row.computeBound).toBeGreaterThan(1);
  });

  it('near-copies: the identity that trained takes bonds, the others forfeit and are slashed', () => {
    const parts = [
      { account: 4_000_000, reward: 30, stake: 50 },
      { account: 4_000_001, reward: 10, stake: 50 },
    ];
    const ms = [m('trainer-sybil-10@canaries', 0, 0, 40, 25, { advParts: parts })];
    const spec = (times: 'once' | 'everySubmission'): ChallengeRowSpec => ({
      id: times,
      scenario: 'trainer-sybil-10@canaries',
      label: times,
      answer: '',
      kind: { kind: 'nearCopies', trainedBy: 'best', challengesOfTrained: times },
      effort: 1,
      effortSource: '',
      target: true,
    });
    // Once: 30 + 100 and -10 (slash of 50): 120 over 25.
    const once = challengeRow(spec('once'), ms, input);
    expect(once.unchallenged.value).toBeCloseTo(40 / 25, 12);
    expect(once.expected.value).toBeCloseTo(4.8, 12);
    expect(once.pass).toBe(false);
    // Every submission (4 in a task): 30 + 400 - 10 = 420.
    expect(challengeRow(spec('everySubmission'), ms, input).expected.value).toBeCloseTo(16.8, 12);
    // Without the bond: 30 - 10 = 20 over 25.
    expect(once.noBondToCleared.value).toBeCloseTo(0.8, 12);
    // The bond farmer's trained identity is its own slot (account 0), whatever it earned.
    const farmer = challengeRow(
      { ...spec('once'), kind: { kind: 'nearCopies', trainedBy: 'adversarySlot', challengesOfTrained: 'once' } },
      [
        m('x', 0, 0, 40, 25, {
          advParts: [
            { account: 4_100_000, reward: 30, stake: 50 },
            { account: 0, reward: 10, stake: 50 },
          ],
        }),
      ],
      input,
    );
    // 10 + 100 and -10: 100 over 25.
    expect(farmer.expected.value).toBeCloseTo(4, 12);
  });
});
