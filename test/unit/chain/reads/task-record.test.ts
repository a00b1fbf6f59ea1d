import { getAddress, type Address } from 'viem';
import { describe, expect, it } from 'vitest';
import {
  taskIdsToRead,
  taskRecord,
  UnexpectedChainValue,
  type TaskViews,
} from '../../../../src/lib/chain/reads/task-record.ts';
import { testSchedule } from '../fixtures.ts';

const a = (n: number) => getAddress(`0x${n.toString(16).padStart(40, '0')}`) as Address;
const h = (n: number) => `0x${n.toString(16).padStart(64, '0')}` as const;
const views = (over: Partial<TaskViews['task']> = {}, rest: Partial<TaskViews> = {}): TaskViews => ({
  task: {
    creator: a(1),
    schedule: testSchedule({ startTime: 1000n, reviewEnd: 900n, epochLength: 60 }),
    reward: {
      gamma: 7n,
      q: 8n,
      alphaT: 1n,
      alphaV: 1n,
      lambdaV: 20n,
      minScore: 2n,
      tolV: 5n,
      floorBps: 5000,
      minValidators: 3,
    },
    stakeRules: {
      minTrainerStake: 10n,
      minValidatorStake: 11n,
      maxTrainers: 256,
      maxValidators: 512,
      sigmaCooldown: 2,
    },
    challenge: { bond: 5n, responseTime: 60, slashBps: 2000, disputeTime: 30, voteTime: 40, juryBps: 500 },
    modelSpec: h(1),
    trainData: h(2),
    evalData: h(3),
    finalEvalCommit: h(4),
    finalEvalHash: h(0),
    rewardPerEpoch: 1000n,
    carry: 0n,
    remainder: 3n,
    refunded: 0n,
    paid: 997n,
    objections: 0n,
    closedEpochs: 1,
    finalEvalRevealed: false,
    fallbackRecorded: false,
    evalSubsetSize: 128,
    ...over,
  },
  phase: 2,
  finalEvalStatus: 1,
  trainers: [a(10), a(11)],
  validators: [a(20)],
  submissionCount: 4n,
  ...rest,
});

describe('taskRecord', () => {
  it('shapes the views: deposit for every scoring epoch, enums by name, counts', () => {
    const t = taskRecord(7n, views());
    expect(t).toMatchObject({
      id: 7n,
      phase: 'Submission',
      finalEval: 'Pending',
      finalEvalHash: null,
      deposit: 4000n,
      paid: 997n,
      remainder: 3n,
      submissions: 4,
      closedEpochs: 1,
    });
    expect(t.trainers).toEqual([a(10), a(11)]);
    expect(t.schedule.epochLength).toBe(60);
  });
  it('keeps the revision 2 parameters: the qualifying rule, the tolerance, minValidators and the evaluation subset', () => {
    const t = taskRecord(7n, views());
    expect(t.reward).toEqual({
      gamma: 7n,
      q: 8n,
      alphaT: 1n,
      alphaV: 1n,
      lambdaV: 20n,
      minScore: 2n,
      tolV: 5n,
      floorBps: 5000,
      minValidators: 3,
    });
    expect(t.evalSubsetSize).toBe(128);
  });
  it('shows the final eval hash only once revealed', () => {
    expect(
      taskRecord(1n, views({ finalEvalRevealed: true, finalEvalHash: h(9) }, { finalEvalStatus: 2 })),
    ).toMatchObject({ finalEval: 'Revealed', finalEvalHash: h(9) });
    expect(taskRecord(1n, views({}, { finalEvalStatus: 3 })).finalEval).toBe('Fallback');
  });
  it('refuses enum values the app does not know', () => {
    expect(() => taskRecord(1n, views({}, { phase: 9 }))).toThrow(UnexpectedChainValue);
    expect(() => taskRecord(1n, views({}, { finalEvalStatus: 4 }))).toThrow(/unknown final-eval state 4/);
  });
});

describe('taskIdsToRead', () => {
  it('lists the newest tasks first, then older ones a page asked for', () => {
    expect(taskIdsToRead(5n, 3)).toEqual([5n, 4n, 3n]);
    expect(taskIdsToRead(5n, 3, [1n, 4n, 9n, 0n, 1n, 2n])).toEqual([5n, 4n, 3n, 2n, 1n]);
    expect(taskIdsToRead(2n, 50)).toEqual([2n, 1n]);
    expect(taskIdsToRead(0n, 50, [1n])).toEqual([]);
  });
});
