import { describe, expect, it } from 'vitest';
import { epochState, pickEpoch } from '../../../src/app/pages/task/epochs.ts';
import type { EpochResult } from '../../../src/lib/chain/reads/activity.ts';
import { testSchedule } from '../chain/fixtures.ts';

const s = testSchedule({ startTime: 1000n, reviewEnd: 900n, epochLength: 100 });
const r = (epoch: number, finalized = false, degenerate = false): EpochResult => ({
  epoch,
  finalized,
  degenerate,
  booked: 0n,
  rollover: 0n,
  split: null,
  evalSeed: null,
  trainers: [],
  validators: [],
  canaries: [],
  revealed: [],
  scoreReveals: 0,
});

describe('epochState', () => {
  it('tells finalized, rolled over, running, waiting and upcoming epochs apart', () => {
    expect(epochState(s, r(0, true), 1250n)).toBe('finalized');
    expect(epochState(s, r(1, true, true), 1250n)).toBe('rolled-over');
    expect(epochState(s, r(2), 1250n)).toBe('running');
    expect(epochState(s, r(1), 1250n)).toBe('awaiting-finalization');
    expect(epochState(s, r(3), 1250n)).toBe('upcoming');
    expect(epochState(s, r(0), 900n)).toBe('upcoming');
  });
});

describe('pickEpoch', () => {
  const results = [r(0, true), r(1, true, true), r(2), r(3)];
  it('takes the epoch in the address when it exists', () => {
    expect(pickEpoch(s, results, 1250n, '2')).toBe(2);
    expect(pickEpoch(s, results, 1250n, '0')).toBe(0);
  });
  it('else the latest finalized epoch with results, else the running one, else 0', () => {
    expect(pickEpoch(s, results, 1250n, '9')).toBe(0);
    expect(pickEpoch(s, results, 1250n, 'x')).toBe(0);
    expect(pickEpoch(s, [r(0), r(1), r(2), r(3)], 1150n)).toBe(1);
    expect(pickEpoch(s, [r(0), r(1), r(2), r(3)], 9999n)).toBe(3);
    expect(pickEpoch(s, [r(0), r(1), r(2), r(3)], 500n)).toBe(0);
  });
});
