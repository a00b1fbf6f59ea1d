// The Rewards page as data: rows per transaction, the claim-all plan, and the sequential run
// (a failure does not stop the others; a declined wallet prompt does).
import { getAddress } from 'viem';
import { describe, expect, it } from 'vitest';
import {
  claimAllPlan,
  depositRows,
  rewardRows,
  runInSequence,
  withdrawalRows,
  type StepOutcome,
} from '../../../src/lib/app-logic/claims.ts';
import type { Claimables } from '../../../src/lib/chain/actions/claimables.ts';
import { TxError } from '../../../src/lib/chain/tx/errors.ts';
import { isRejection } from '../../../src/lib/app-logic/errors.ts';

const A = getAddress('0x00000000000000000000000000000000000000a1');
const B = getAddress('0x00000000000000000000000000000000000000b2');

const claimables: Claimables = {
  rewards: [
    { taskId: 2n, kind: 'delegation', delegatee: A, amount: 5n, now: true },
    { taskId: 1n, kind: 'own', amount: 7n, now: true },
    { taskId: 2n, kind: 'delegation', delegatee: B, amount: 9n, now: false, blockedBy: 'vesting', availableAt: 5000n },
    { taskId: 3n, kind: 'delegation', delegatee: B, amount: 4n, now: false, blockedBy: 'open-challenge' },
  ],
  withdrawals: [
    { taskId: 2n, kind: 'delegation', delegatee: A, amount: 10n, now: true },
    { taskId: 2n, kind: 'delegation', delegatee: A, amount: 30n, now: false, availableAt: 9000n },
    { taskId: 2n, kind: 'delegation', delegatee: A, amount: 1n, now: true },
    { taskId: 1n, kind: 'stake', amount: 100n, now: false, availableAt: 8000n },
  ],
  claimableNow: 12n,
  withdrawableNow: 11n,
};

describe('rewards rows', () => {
  it('one row per transaction, task order, claimable ones first, reasons for the rest', () => {
    const rows = rewardRows(claimables);
    expect(rows.map((r) => [r.key, r.amount, r.now])).toEqual([
      ['claim-own:1', 7n, true],
      [`claim-delegation:2:${A.toLowerCase()}`, 5n, true],
      [`claim-delegation:2:${B.toLowerCase()}`, 9n, false],
      [`claim-delegation:3:${B.toLowerCase()}`, 4n, false],
    ]);
    expect(rows[2]).toMatchObject({ waiting: expect.stringMatching(/vest when the task ends/), availableAt: 5000n });
    expect(rows[3]!.waiting).toMatch(/challenge is open/);
    expect(rows[1]!.action).toEqual({ kind: 'claim-delegation', taskId: 2n, delegatee: A });
  });

  it('merges parts of one withdrawal that are available now, keeps later parts apart', () => {
    const rows = withdrawalRows(claimables);
    expect(rows.map((r) => [r.key, r.amount, r.now])).toEqual([
      ['withdraw-stake:1', 100n, false],
      [`withdraw-delegation:2:${A.toLowerCase()}`, 11n, true],
      [`withdraw-delegation:2:${A.toLowerCase()}`, 30n, false],
    ]);
  });

  it('plans claim all as the claimable-now rewards', () => {
    expect(claimAllPlan(rewardRows(claimables)).map((r) => r.key)).toEqual([
      'claim-own:1',
      `claim-delegation:2:${A.toLowerCase()}`,
    ]);
  });
});

describe('deposit rows', () => {
  it('lists what each task the account created has not paid out nor refunded, and nothing else', () => {
    const task = (id: bigint, creator: string, remainder: bigint, refunded: bigint) => ({
      id,
      creator: creator as `0x${string}`,
      remainder,
      refunded,
    });
    const rows = depositRows(
      [
        task(3n, A, 50n, 20n),
        task(1n, A.toLowerCase(), 7n, 0n),
        task(2n, A, 9n, 9n), // all taken back
        task(4n, B, 100n, 0n), // someone else's task
      ],
      A,
    );
    expect(rows.map((r) => [r.key, r.amount, r.now])).toEqual([
      ['withdraw-remainder:1', 7n, true],
      ['withdraw-remainder:3', 30n, true],
    ]);
    expect(rows[0]!.action).toEqual({ kind: 'withdraw-remainder', taskId: 1n });
    expect(claimAllPlan(rows).map((r) => r.key)).toEqual(['withdraw-remainder:1', 'withdraw-remainder:3']);
  });
});

describe('claims in sequence', () => {
  const items = [{ key: 'a' }, { key: 'b' }, { key: 'c' }];

  it('runs one at a time and goes on after a failure', async () => {
    const order: string[] = [];
    let running = 0;
    const steps: StepOutcome<number>[] = [];
    const out = await runInSequence(
      items,
      async (item, i) => {
        running++;
        expect(running).toBe(1);
        order.push(item.key);
        await new Promise((r) => setTimeout(r, 2));
        running--;
        if (item.key === 'b') throw new TxError('reverted', 'Nothing to claim.', 'NothingToClaim');
        return i * 10;
      },
      { stop: isRejection, onStep: (o) => steps.push(o) },
    );
    expect(order).toEqual(['a', 'b', 'c']);
    expect(out.map((o) => o.status)).toEqual(['done', 'failed', 'done']);
    expect(out[2]).toEqual({ key: 'c', status: 'done', value: 20 });
    expect(steps).toEqual(out);
  });

  it('stops after the person declines in the wallet', async () => {
    const out = await runInSequence(
      items,
      async (item) => {
        if (item.key === 'a') throw { code: 4001, message: 'User rejected the request.' };
        return 1;
      },
      { stop: isRejection },
    );
    expect(out.map((o) => o.status)).toEqual(['failed', 'skipped', 'skipped']);
  });
});
