// The dev panel's task clock: phase, window, next boundary and the epochs waiting to be finalized.
import { describe, expect, it } from 'vitest';
import {
  epochReachedSentence,
  epochsToFinalize,
  nextEpochLabel,
  taskClock,
  utcTime,
} from '../../../src/lib/app-logic/dev-panel.ts';
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
    expect(taskClock(s, 0, 950n)).toEqual({
      phase: 'Pending',
      epoch: null,
      window: 'None',
      next: { label: 'epoch 0 starts (seal window)', at: 1_000n },
      unfinalized: [],
    });
    expect(taskClock(s, 0, 1_055n)).toMatchObject({
      phase: 'Submission',
      epoch: 0,
      window: 'Reveal',
      next: { label: 'score commit window of epoch 0', at: 1_060n },
    });
    expect(taskClock(s, 1, 1_210n)).toMatchObject({
      phase: 'Final',
      epoch: 2,
      window: 'ScoreCommit',
      unfinalized: [1],
    });
    expect(taskClock(s, 3, 1_500n)).toMatchObject({ phase: 'Ended', next: null });
  });

  it('writes chain time in UTC', () => {
    expect(utcTime(0n)).toBe('1970-01-01 00:00:00 UTC');
    expect(utcTime(1_767_225_600n)).toBe('2026-01-01 00:00:00 UTC');
  });

  it('never announces an epoch after the last one', () => {
    // 2 submission + 1 final + 1 challenge epoch: epochs 0..3, the task ends at the start of 4.
    expect(epochReachedSentence(s, 7n, 0, 1_000n)).toBe(
      'Chain time is now 1970-01-01 00:16:40 UTC: epoch 0 of task #7 has started (submission phase).',
    );
    expect(epochReachedSentence(s, 7n, 2, 1_200n)).toMatch(/epoch 2 of task #7 has started \(final phase\)\.$/);
    expect(epochReachedSentence(s, 7n, 3, 1_300n)).toMatch(
      /epoch 3 of task #7 has started \(challenge phase, the last epoch\)\.$/,
    );
    expect(epochReachedSentence(s, 7n, 4, 1_400n)).toBe(
      'Chain time is now 1970-01-01 00:23:20 UTC: task #7 has ended (its last epoch, 3, is over).',
    );
    expect(nextEpochLabel(s, null)).toBe('Next epoch');
    expect(nextEpochLabel(s, 2)).toBe('Next epoch');
    expect(nextEpochLabel(s, 3)).toBe('Move to the end');
  });
});
