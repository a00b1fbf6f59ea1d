import { getAddress, type Address } from 'viem';
import { describe, expect, it } from 'vitest';
import { distanceSeries, epochResults, scoreSeries, taskActivity, wadToNumber } from '../../../../src/lib/chain/reads/activity.ts';
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
  { ...at(), kind: 'SubmissionRevealed', taskId: 1n, epoch: 0n, trainer: a(1), submissionId: 0n, artifactHash: '0x01', duplicate: false },
  { ...at(), kind: 'SubmissionRevealed', taskId: 1n, epoch: 0n, trainer: a(2), submissionId: 1n, artifactHash: '0x01', duplicate: false },
  { ...at(), kind: 'DuplicateFlagged', taskId: 1n, submissionId: 1n, original: 0n },
  { ...at(), kind: 'ScoresRevealed', taskId: 1n, epoch: 0n, validator: a(20) },
  { ...at(), kind: 'ScoresRevealed', taskId: 1n, epoch: 0n, validator: a(21) },
  { ...at(), kind: 'EpochScored', taskId: 1n, epoch: 0n, budget: 100n, rT: 70n, rV: 30n, n: 2n, m: 2n },
  { ...at(), kind: 'TrainerRewarded', taskId: 1n, epoch: 0n, trainer: a(2), submissionId: 1n, rank: 2n, aggregate: 0n, pool: 20n, own: 15n },
  { ...at(), kind: 'TrainerRewarded', taskId: 1n, epoch: 0n, trainer: a(1), submissionId: 0n, rank: 1n, aggregate: 9n * E, pool: 50n, own: 40n },
  { ...at(), kind: 'ValidatorRewarded', taskId: 1n, epoch: 0n, validator: a(21), distance: 3n * E, pool: 10n, own: 10n },
  { ...at(), kind: 'ValidatorRewarded', taskId: 1n, epoch: 0n, validator: a(20), distance: E, pool: 19n, own: 9n },
  { ...at(), kind: 'EpochFinalized', taskId: 1n, epoch: 0n, booked: 99n, degenerate: false },
  { ...at(), kind: 'EpochFinalized', taskId: 1n, epoch: 1n, booked: 0n, degenerate: true },
  { ...at(), kind: 'TrainerRewarded', taskId: 1n, epoch: 2n, trainer: a(1), submissionId: 2n, rank: 1n, aggregate: 8n * E, pool: 30n, own: 30n },
  { ...at(), kind: 'ValidatorRewarded', taskId: 1n, epoch: 2n, validator: a(20), distance: 2n * E, pool: 5n, own: 5n },
  { ...at(), kind: 'EpochFinalized', taskId: 1n, epoch: 2n, booked: 35n, degenerate: false },
  { ...at(), kind: 'FinalEvalFallback', taskId: 1n },
  { ...at(), kind: 'TrainerRewarded', taskId: 2n, epoch: 0n, trainer: a(1), submissionId: 0n, rank: 1n, aggregate: E, pool: 1000n, own: 1000n },
];

describe('taskActivity', () => {
  it('counts one task only, delegators once each', () => {
    expect(taskActivity(events, 1n)).toEqual({
      delegators: 2,
      validationSubmissions: 2,
      finalizedEpochs: 3,
      degenerateEpochs: 1,
      trainerRewards: { total: 100n, rewarded: 2, mean: 50n, max: 80n },
      validatorRewards: { total: 34n, rewarded: 2, mean: 17n, max: 24n },
      finalEvalFallback: true,
    });
    expect(taskActivity(events, 3n)).toMatchObject({ delegators: 0, trainerRewards: { total: 0n, rewarded: 0, mean: 0n, max: 0n } });
  });
});

describe('epochResults', () => {
  const r = epochResults(events, 1n, 4);
  it('ranks trainers and orders validators by distance', () => {
    expect(r[0]!.trainers.map((t) => [t.rank, t.trainer, t.delegators])).toEqual([
      [1, a(1), 10n],
      [2, a(2), 5n],
    ]);
    expect(r[0]!.validators.map((v) => v.validator)).toEqual([a(20), a(21)]);
    expect(r[0]!.split).toEqual({ budget: 100n, trainers: 70n, validators: 30n });
    expect(r[0]!.scoreReveals).toBe(2);
    expect(r[0]!.revealed.map((s) => s.duplicate)).toEqual([false, true]);
  });
  it('marks degenerate and unfinalized epochs', () => {
    expect(r[1]).toMatchObject({ finalized: true, degenerate: true, trainers: [], split: null });
    expect(r[3]).toMatchObject({ finalized: false, degenerate: false, trainers: [] });
    expect(r).toHaveLength(4);
    expect(epochResults(events, 1n, 1)).toHaveLength(1);
  });
  it('gives per-trainer and per-validator series over the epochs they appear in', () => {
    expect(scoreSeries(r)).toEqual([
      { key: a(1), points: [{ x: 0, y: 0.9 }, { x: 2, y: 0.8 }] },
      { key: a(2), points: [{ x: 0, y: 0 }] },
    ]);
    expect(distanceSeries(r)).toEqual([
      { key: a(20), points: [{ x: 0, y: 0.1 }, { x: 2, y: 0.2 }] },
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
