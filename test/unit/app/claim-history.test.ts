// The Rewards page's history of claims and withdrawals, and what it says when nothing is left.
import { describe, expect, it } from 'vitest';
import { claimHistoryRows, noRewardsSentence, type ClaimEvent } from '../../../src/lib/app-logic/claim-history.ts';

const E = 10n ** 18n;
const ev = (
  kind: ClaimEvent['kind'],
  block: bigint,
  logIndex: number,
  amount: bigint,
  extra: Partial<ClaimEvent> = {},
): ClaimEvent => ({
  kind,
  taskId: 1n,
  amount,
  block,
  logIndex,
  txHash: `0x${block.toString(16).padStart(64, '0')}`,
  time: 1_000n + block,
  ...extra,
});

describe('claim history', () => {
  it('lists claims and withdrawals newest first, in words', () => {
    const d = '0x00000000000000000000000000000000000000aa';
    const rows = claimHistoryRows([
      ev('own-rewards', 5n, 0, 3n * E),
      ev('delegation', 9n, 1, 10n * E, { delegatee: d, taskId: 2n }),
      ev('delegation-rewards', 9n, 0, E / 2n, { delegatee: d }),
      ev('remainder', 4n, 0, 2n * E),
    ]);
    expect(rows.map((r) => r.what)).toEqual([
      'Delegation to 0x0000…00aa withdrawn',
      'Delegation rewards from 0x0000…00aa claimed',
      'Your own rewards claimed',
      'Unspent deposit taken back',
    ]);
    expect(rows.map((r) => r.reward)).toEqual([false, true, true, false]);
    expect(rows[0]).toMatchObject({ taskId: 2n, amount: 10n * E, time: 1_009n });
  });

  it('says everything was claimed, not "nothing booked", once rewards were claimed', () => {
    expect(noRewardsSentence([])).toMatch(/^No rewards booked to you yet/);
    expect(noRewardsSentence(claimHistoryRows([ev('stake', 3n, 0, E)]))).toMatch(/^No rewards booked to you yet/);
    expect(noRewardsSentence(claimHistoryRows([ev('own-rewards', 3n, 0, E)]))).toMatch(
      /^Nothing left to claim: every reward booked to you so far has been claimed/,
    );
  });
});
