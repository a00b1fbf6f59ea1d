// The dev panel's task clock: phase, window, next boundary and the epochs waiting to be finalized.
import { describe, expect, it } from 'vitest';
import { epochsToFinalize, taskClock, utcTime } from '../../../src/lib/app-logic/dev-panel.ts';
import type { Schedule } from '../../../src/lib/chain/schedule.ts';

const s: Schedule = {
  startTime: 1_000n,
  reviewEnd: 900n,
  epochLength: 100,
  submissionEpochs: 2,
  finalEpochs: 1,
  challengeEpochs: 1,
  sealEnd: 5000,
  revealEnd: 6000,
  commitEnd: 8500,
  finalCommitEnd: 7000,
  rejected: false,
};

describe('dev panel', () => {
  it('lists the ended scoring epochs not yet finalized', () => {
    expect(epochsToFinalize(s, 0, 999n)).toEqual([]);
    expect(epochsToFinalize(s, 0, 1_099n)).toEqual([]);
    expect(epochsToFinalize(s, 0, 1_100n)).toEqual([0]);
    expect(epochsToFinalize(s, 0, 1_250n)).toEqual([0, 1]);
    expect(epochsToFinalize(s, 1, 1_250n)).toEqual([1]);
    // Challenge phase and after: only the scoring epochs count.
    expect(epochsToFinalize(s, 0, 5_000n)).toEqual([0, 1, 2]);
    expect(epochsToFinalize(s, 3, 5_000n)).toEqual([]);
    expect(epochsToFinalize({ ...s, rejected: true }, 0, 5_000n)).toEqual([]);
  });

  it('tells phase, epoch, window and what comes next', () => {
    expect(taskClock(s, 0, 950n)).toEqual({ phase: 'Pending', epoch: null, window: 'None', next: { label: 'epoch 0 starts (seal window)', at: 1_000n }, unfinalized: [] });
    expect(taskClock(s, 0, 1_055n)).toMatchObject({ phase: 'Submission', epoch: 0, window: 'Reveal', next: { label: 'score commit window of epoch 0', at: 1_060n } });
    expect(taskClock(s, 1, 1_210n)).toMatchObject({ phase: 'Final', epoch: 2, window: 'ScoreCommit', unfinalized: [1] });
    expect(taskClock(s, 3, 1_500n)).toMatchObject({ phase: 'Ended', next: null });
  });

  it('writes chain time in UTC', () => {
    expect(utcTime(0n)).toBe('1970-01-01 00:00:00 UTC');
    expect(utcTime(1_767_225_600n)).toBe('2026-01-01 00:00:00 UTC');
  });
});
