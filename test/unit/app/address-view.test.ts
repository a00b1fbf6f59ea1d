// An account's page from the app's chain data: stakes, delegations both ways, earnings per epoch.
import { describe, expect, it } from 'vitest';
import type { Address } from 'viem';
import { addressView, parseAddress } from '../../../src/lib/app-logic/address-view.ts';
import type { ArenaEvent } from '../../../src/lib/chain/reads/events.ts';

const E = 10n ** 18n;
const A = '0x00000000000000000000000000000000000000a1' as Address;
const B = '0x00000000000000000000000000000000000000b2' as Address;
const C = '0x00000000000000000000000000000000000000c3' as Address;
let i = 0;
const at = () => ({ block: BigInt(++i), logIndex: 0 });
const events: ArenaEvent[] = [
  { kind: 'Delegated', taskId: 1n, delegatee: B, delegator: A, amount: 25n * E, effectiveEpoch: 1n, ...at() },
  { kind: 'Undelegated', taskId: 1n, delegatee: B, delegator: A, amount: 10n * E, ...at() },
  { kind: 'Delegated', taskId: 2n, delegatee: A, delegator: C, amount: 5n * E, effectiveEpoch: 1n, ...at() },
  {
    kind: 'TrainerRewarded',
    taskId: 2n,
    epoch: 0n,
    trainer: A,
    submissionId: 1n,
    rank: 1n,
    aggregate: E,
    pool: 4n * E,
    own: 3n * E,
    ...at(),
  },
  {
    kind: 'TrainerRewarded',
    taskId: 2n,
    epoch: 1n,
    trainer: A,
    submissionId: 2n,
    rank: 1n,
    aggregate: E,
    pool: 2n * E,
    own: E,
    ...at(),
  },
  {
    kind: 'ValidatorRewarded',
    taskId: 3n,
    epoch: 0n,
    validator: A,
    distance: 0n,
    pool: E,
    own: E / 2n,
    failedCanary: false,
    ...at(),
  },
  {
    kind: 'TrainerRewarded',
    taskId: 2n,
    epoch: 0n,
    trainer: B,
    submissionId: 3n,
    rank: 2n,
    aggregate: E,
    pool: E,
    own: E,
    ...at(),
  },
];
const tasks = [
  { id: 2n, trainers: [A, B], validators: [] },
  { id: 3n, trainers: [], validators: [A.toUpperCase().replace('0X', '0x') as Address] },
];

describe('addressView', () => {
  it('gathers stakes, delegations and earnings of one account', () => {
    const v = addressView(A, tasks, events);
    expect(v.roles).toEqual([
      { taskId: 2n, role: 'trainer' },
      { taskId: 3n, role: 'validator' },
    ]);
    expect(v.delegations).toEqual([{ taskId: 1n, delegatee: B, amount: 15n * E }]);
    expect(v.delegatedToIt).toEqual([{ taskId: 2n, amount: 5n * E, delegators: 1 }]);
    expect(v.totalEarned).toBe(3n * E + E + E / 2n);
    expect(v.series).toEqual([
      {
        label: 'Task #2',
        points: [
          { x: 0, y: 3 },
          { x: 1, y: 4 },
        ],
      },
      { label: 'Task #3', points: [{ x: 0, y: 0.5 }] },
    ]);
  });

  it('reads an address from the route, any case, or nothing', () => {
    expect(parseAddress('0x00000000000000000000000000000000000000A1')).toBe(
      '0x00000000000000000000000000000000000000A1',
    );
    expect(parseAddress('0x1234')).toBeNull();
    expect(parseAddress('')).toBeNull();
  });
});
