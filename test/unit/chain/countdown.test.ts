import { describe, expect, it } from 'vitest';
import { currentEpoch, nextEvent } from '../../../src/lib/chain/countdown.ts';
import { testSchedule } from './fixtures.ts';

// Review until 1000, epochs of 100 s from 1010: submission 0-2, final 3, challenge 4, end 1510.
const s = testSchedule({ startTime: 1010n, reviewEnd: 1000n, epochLength: 100 });

describe('nextEvent', () => {
  it.each([
    [900n, 'review ends', 1000n],
    [1000n, 'epoch 0 starts (seal window)', 1010n],
    [1010n, 'reveal window of epoch 0', 1060n],
    [1059n, 'reveal window of epoch 0', 1060n],
    [1060n, 'score commit window of epoch 0', 1070n],
    [1070n, 'score reveal window of epoch 0', 1095n],
    [1095n, 'epoch 1 starts', 1110n],
    [1300n, 'final phase starts (epoch 3)', 1310n],
    [1290n, 'score reveal window of epoch 2', 1295n],
    [1310n, 'score reveal window of epoch 3', 1380n],
    [1380n, 'challenge phase starts', 1410n],
    [1410n, 'task ends', 1510n],
  ])('at %i: %s at %i', (t, label, at) => {
    expect(nextEvent(s, t)).toEqual({ label, at });
  });

  it('is null once the task has ended or was rejected', () => {
    expect(nextEvent(s, 1510n)).toBeNull();
    expect(nextEvent({ ...s, rejected: true }, 900n)).toBeNull();
  });

  it('goes straight to epoch 0 when the task starts as review ends', () => {
    expect(nextEvent({ ...s, startTime: 1000n }, 999n)).toEqual({ label: 'epoch 0 starts (seal window)', at: 1000n });
  });

  it('ends the task after the last scoring epoch when there is no challenge phase', () => {
    expect(nextEvent({ ...s, challengeEpochs: 0 }, 1390n)).toEqual({ label: 'task ends', at: 1410n });
  });

  it('rounds window boundaries up to whole seconds like the contract', () => {
    // 0.5 * 15 = 7.5: the contract's floor(elapsed * 1e4 / 15) reaches 5000 at 8 s.
    expect(nextEvent({ ...s, epochLength: 15 }, 1010n)).toEqual({ label: 'reveal window of epoch 0', at: 1018n });
  });
});

describe('currentEpoch', () => {
  it('is null before the start and counts from 0 after', () => {
    expect(currentEpoch(s, 1009n)).toBeNull();
    expect(currentEpoch(s, 1010n)).toBe(0);
    expect(currentEpoch(s, 1409n)).toBe(3);
  });
});
