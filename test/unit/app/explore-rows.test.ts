import { getAddress, type Address } from 'viem';
import { describe, expect, it } from 'vitest';
import { exploreRows, networkTotals } from '../../../src/app/pages/explore-rows.ts';
import type { ArenaEvent } from '../../../src/lib/chain/reads/events.ts';
import type { TaskRecord } from '../../../src/lib/chain/reads/task-record.ts';

const a = (n: number) => getAddress(`0x${n.toString(16).padStart(40, '0')}`) as Address;
const schedule = {
  startTime: 1000n,
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
const task = (id: bigint, trainers: Address[], validators: Address[], submissions: number) =>
  ({ id, schedule, trainers, validators, submissions }) as unknown as TaskRecord;
let i = 0;
const at = () => ({ block: 1n, logIndex: i++ });
const events: ArenaEvent[] = [
  { ...at(), kind: 'Delegated', taskId: 1n, delegatee: a(1), delegator: a(30), amount: 1n, effectiveEpoch: 0n },
  { ...at(), kind: 'Delegated', taskId: 2n, delegatee: a(1), delegator: a(30), amount: 1n, effectiveEpoch: 0n },
  { ...at(), kind: 'Delegated', taskId: 3n, delegatee: a(1), delegator: a(31), amount: 1n, effectiveEpoch: 0n },
  { ...at(), kind: 'ScoresRevealed', taskId: 1n, epoch: 0n, validator: a(20) },
  { ...at(), kind: 'ScoresRevealed', taskId: 2n, epoch: 0n, validator: a(20) },
  {
    ...at(),
    kind: 'TrainerRewarded',
    taskId: 1n,
    epoch: 0n,
    trainer: a(1),
    submissionId: 0n,
    rank: 1n,
    aggregate: 1n,
    pool: 70n,
    own: 70n,
  },
  {
    ...at(),
    kind: 'ValidatorRewarded',
    taskId: 2n,
    epoch: 0n,
    validator: a(20),
    distance: 0n,
    pool: 30n,
    own: 30n,
    failedCanary: false,
  },
];

describe('networkTotals', () => {
  it('counts accounts once across the tasks shown, as the paper does', () => {
    const tasks = [task(1n, [a(1), a(2)], [a(20)], 3), task(2n, [a(1)], [a(20), a(21)], 2)];
    expect(networkTotals(tasks, events)).toEqual({
      tasks: 2,
      trainers: 2,
      validators: 2,
      delegators: 1,
      trainingSubmissions: 5,
      validationSubmissions: 2,
      rewarded: 100n,
    });
  });
});

describe('exploreRows', () => {
  it('pairs each task with its activity and next boundary', () => {
    const rows = exploreRows([task(1n, [a(1)], [a(20)], 1)], events, 1010n);
    expect(rows).toHaveLength(1);
    expect(rows[0]!.activity.delegators).toBe(1);
    expect(rows[0]!.activity.trainerRewards.total).toBe(70n);
    expect(rows[0]!.next).toEqual({ label: 'reveal window of epoch 0', at: 1050n });
    expect(exploreRows([task(1n, [], [], 0)], [], 5000n)[0]!.next).toBeNull();
  });
});
