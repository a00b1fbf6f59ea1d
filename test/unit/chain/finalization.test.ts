import { describe, expect, it } from 'vitest';
import { finalizationState } from '../../../src/lib/chain/finalization.ts';
import { testSchedule } from './fixtures.ts';

const s = testSchedule({ startTime: 1000n, reviewEnd: 990n, epochLength: 60, submissionEpochs: 2 });

describe('finalizationState', () => {
  it('waits until the epoch has ended', () => {
    expect(finalizationState(s, { epoch: 0, stage: 0 }, 1059n)).toEqual({ kind: 'wait', epoch: 0, endsAt: 1060n });
    expect(finalizationState(s, { epoch: 0, stage: 0 }, 1060n)).toEqual({ kind: 'due', epoch: 0 });
    expect(finalizationState(s, { epoch: 2, stage: 0 }, 1179n)).toEqual({ kind: 'wait', epoch: 2, endsAt: 1180n });
  });

  it('resumes a finalization under way whatever the time', () => {
    expect(finalizationState(s, { epoch: 1, stage: 4 }, 0n)).toEqual({ kind: 'due', epoch: 1 });
  });

  it('is done after the last scoring epoch, challenge epochs included or not', () => {
    expect(finalizationState(s, { epoch: 3, stage: 0 }, 10_000n)).toEqual({ kind: 'done' });
  });

  it('never finalizes a rejected task', () => {
    expect(finalizationState({ ...s, rejected: true }, { epoch: 0, stage: 0 }, 10_000n)).toEqual({ kind: 'rejected' });
  });
});
