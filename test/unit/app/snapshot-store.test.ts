import { IDBFactory } from 'fake-indexeddb';
import { getAddress } from 'viem';
import { describe, expect, it } from 'vitest';
import type { OkSnapshot } from '../../../src/app/snapshot.ts';
import { openSnapshotStore } from '../../../src/app/snapshot-store.ts';

const addr = getAddress('0x00000000000000000000000000000000000000a1');
const snapshot = (chainId: number, block: bigint): OkSnapshot => ({
  kind: 'ok',
  deployment: {
    chainId,
    deployer: addr,
    fromBlock: 1n,
    contracts: { token: addr, taskRegistry: addr, stakeManager: addr, submissionBook: addr, rewardEngine: addr },
    config: { rejectQuorum: 1n, minReviewPeriod: 1n, initialSupply: 1n, treasury: addr },
  },
  clock: { chainId, blockNumber: block, blockTime: 1000n, blockHash: `0x${'11'.repeat(32)}` },
  taskCount: 0n,
  tasks: [],
  log: {
    fromBlock: 1n,
    toBlock: block,
    toBlockHash: `0x${'11'.repeat(32)}`,
    events: [{ block: 2n, logIndex: 0, kind: 'FinalEvalFallback', taskId: 1n }],
  },
  seenAtMs: 5,
});

describe('snapshot store', () => {
  it('keeps the last snapshot per chain across reopening, bigints intact', async () => {
    const factory = new IDBFactory();
    const store = await openSnapshotStore(factory);
    expect(await store.load(31337)).toBeUndefined();
    await store.save(snapshot(31337, 10n), 111);
    await store.save(snapshot(31337, 12n), 222);
    await store.save(snapshot(84532, 99n), 333);
    store.close();
    const again = await openSnapshotStore(factory);
    expect(await again.load(31337)).toEqual({ ...snapshot(31337, 12n), savedAtMs: 222 });
    expect((await again.load(84532))?.clock.blockNumber).toBe(99n);
    again.close();
  });
});
