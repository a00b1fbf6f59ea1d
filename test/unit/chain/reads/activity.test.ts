import { getAddress, type Address } from 'viem';
import { describe, expect, it } from 'vitest';
import {
  distanceSeries,
  epochResults,
  scoreSeries,
  taskActivity,
  wadToNumber,
} from '../../../../src/lib/chain/reads/activity.ts';
import type { ArenaEvent } from '../../../../src/lib/chain/reads/events.ts';

const a = (n: number) => getAddress(`0x${n.toString(16).padStart(40, '0')}`) as Address;
let i = 0;
const at = () => ({ block: 1n, logIndex: i++ });
const E = 10n ** 17n;

const events: ArenaEvent[] = [
  { ...at(), kind: 'Delegated', taskId: 1n, delegatee: a(1), delegator: a(30), amount: 5n, effectiveEpoch: 0n },
  { ...at(), kind: 'Delegated', taskId: 1n, delegatee: a(2), delegator: a(30), amount: 5n, effectiveEpoch: 0n },
  { ...at(), kind: 'Delegated', taskId: 1n, delegatee: a(1), delegator: a(31), amount: 5n, effectiveEpoch: 1n },
  { ...at(), kind: 'Delegated', taskId: 2n, delegatee: a(1), delegator: a(32), amount: 5n, effectiveEpoch: 0n },
  {
    ...at(),
    kind: 'SubmissionRevealed',
    taskId: 1n,
    epoch: 0n,
    trainer: a(1),
    submissionId: 0n,
    artifactHash: '0x01',
    artifactRoot: '0x01',
    duplicate: false,
  },
  {
    ...at(),
    kind: 'SubmissionRevealed',
    taskId: 1n,
    epoch: 0n,
    trainer: a(2),
    submissionId: 1n,
    artifactHash: '0x01',
    artifactRoot: '0x01',
    duplicate: false,
  },
  { ...at(), kind: 'DuplicateFlagged', taskId: 1n, submissionId: 1n, original: 0n },
  { ...at(), kind: 'ScoresRevealed', taskId: 1n, epoch: 0n, validator: a(20) },
  { ...at(), kind: 'ScoresRevealed', taskId: 1n, epoch: 0n, validator: a(21) },
  { ...at(), kind: 'EvalSeedDrawn', taskId: 1n, epoch: 0n, seed: `0x${'5e'.repeat(32)}` },
  {
    ...at(),
    kind: 'EpochScored',
    taskId: 1n,
    epoch: 0n,
    budget: 100n,
    rT: 70n,
    rV: 30n,
    qualified: 1n,
    columns: 3n,
    m: 2n,
  },
  // A duplicate (aggregate 0) does not qualify: rank 0, nothing booked.
  {
    ...at(),
    kind: 'TrainerRewarded',
    taskId: 1n,
    epoch: 0n,
    trainer: a(2),
    submissionId: 1n,
    rank: 0n,
    aggregate: 0n,
    pool: 0n,
    own: 0n,
  },
  {
    ...at(),
    kind: 'CanaryChecked',
    taskId: 1n,
    epoch: 0n,
    submissionId: 9n,
    aggregate: 5n * E,
    agreeingStake: 19n,
    valid: true,
  },
  {
    ...at(),
    kind: 'TrainerRewarded',
    taskId: 1n,
    epoch: 0n,
    trainer: a(1),
    submissionId: 0n,
    rank: 1n,
    aggregate: 9n * E,
    pool: 70n,
    own: 55n,
  },
  {
    ...at(),
    kind: 'ValidatorRewarded',
    taskId: 1n,
    epoch: 0n,
    validator: a(21),
    distance: 3n * E,
    pool: 0n,
    own: 0n,
    failedCanary: true,
  },
  {
    ...at(),
    kind: 'ValidatorRewarded',
    taskId: 1n,
    epoch: 0n,
    validator: a(20),
    distance: E,
    pool: 29n,
    own: 19n,
    failedCanary: false,
  },
  { ...at(), kind: 'EpochFinalized', taskId: 1n, epoch: 0n, booked: 99n, rollover: 0n, degenerate: false },
  { ...at(), kind: 'EpochFinalized', taskId: 1n, epoch: 1n, booked: 0n, rollover: 100n, degenerate: true },
  {
    ...at(),
    kind: 'TrainerRewarded',
    taskId: 1n,
    epoch: 2n,
    trainer: a(1),
    submissionId: 2n,
    rank: 1n,
    aggregate: 8n * E,
    pool: 30n,
    own: 30n,
  },
  {
    ...at(),
    kind: 'ValidatorRewarded',
    taskId: 1n,
    epoch: 2n,
    validator: a(20),
    distance: 2n * E,
    pool: 5n,
    own: 5n,
    failedCanary: false,
  },
  { ...at(), kind: 'EpochFinalized', taskId: 1n, epoch: 2n, booked: 35n, rollover: 160n, degenerate: false },
  { ...at(), kind: 'FinalEvalFallback', taskId: 1n },
  {
    ...at(),
    kind: 'TrainerRewarded',
    taskId: 2n,
    epoch: 0n,
    trainer: a(1),
    submissionId: 0n,
    rank: 1n,
    aggregate: E,
    pool: 1000n,
    own: 1000n,
  },
];

describe('taskActivity', () => {
  it('counts one task only, delegators once each', () => {
    expect(taskActivity(events, 1n)).toEqual({
      delegators: 2,
      validationSubmissions: 2,
      finalizedEpochs: 3,
      degenerateEpochs: 1,
      rolledOver: 260n,
      // a(2) did not qualify and a(21) failed a canary: booked nothing, so not counted as rewarded.
      trainerRewards: { total: 100n, rewarded: 1, mean: 100n, max: 100n },
      validatorRewards: { total: 34n, rewarded: 1, mean: 34n, max: 34n },
      finalEvalFallback: true,
    });
    expect(taskActivity(events, 3n)).toMatchObject({
      delegators: 0,
      trainerRewards: { total: 0n, rewarded: 0, mean: 0n, max: 0n },
    });
  });
});

describe('epochResults', () => {
  const r = epochResults(events, 1n, 4);
  it('ranks qualifying trainers first, then those that did not qualify, and orders validators by distance', () => {
    expect(r[0]!.trainers.map((t) => [t.rank, t.qualified, t.trainer, t.delegators])).toEqual([
      [1, true, a(1), 15n],
      [0, false, a(2), 0n],
    ]);
    expect(r[0]!.validators.map((v) => [v.validator, v.failedCanary])).toEqual([
      [a(20), false],
      [a(21), true],
    ]);
    expect(r[0]!.split).toEqual({
      budget: 100n,
      trainers: 70n,
      validators: 30n,
      qualified: 1,
      columns: 3,
      validatorsRevealed: 2,
    });
    expect(r[0]!.canaries).toEqual([{ submissionId: 9n, aggregate: 5n * E, agreeingStake: 19n, valid: true }]);
    expect(r[0]!.evalSeed).toBe(`0x${'5e'.repeat(32)}`);
    expect(r[2]!.evalSeed).toBeNull();
    expect(r[0]!.scoreReveals).toBe(2);
    expect(r[0]!.revealed.map((s) => s.duplicate)).toEqual([false, true]);
  });
  it('marks degenerate and unfinalized epochs', () => {
    expect(r[1]).toMatchObject({ finalized: true, degenerate: true, rollover: 100n, trainers: [], split: null });
    expect(r[3]).toMatchObject({ finalized: false, degenerate: false, trainers: [] });
    expect(r).toHaveLength(4);
    expect(epochResults(events, 1n, 1)).toHaveLength(1);
  });
  it('gives per-trainer and per-validator series over the epochs they appear in', () => {
    expect(scoreSeries(r)).toEqual([
      {
        key: a(1),
        points: [
          { x: 0, y: 0.9 },
          { x: 2, y: 0.8 },
        ],
      },
      { key: a(2), points: [{ x: 0, y: 0 }] },
    ]);
    expect(distanceSeries(r)).toEqual([
      {
        key: a(20),
        points: [
          { x: 0, y: 0.1 },
          { x: 2, y: 0.2 },
        ],
      },
      { key: a(21), points: [{ x: 0, y: 0.3 }] },
    ]);
  });
});

describe('wadToNumber', () => {
  it('keeps the four decimals scores have', () => {
    expect(wadToNumber(0n)).toBe(0);
    expect(wadToNumber(10n ** 18n)).toBe(1);
    expect(wadToNumber(646666666666666666n)).toBeCloseTo(0.64666666, 8);
    expect(wadToNumber(9123n * 10n ** 14n)).toBe(0.9123);
  });
});
