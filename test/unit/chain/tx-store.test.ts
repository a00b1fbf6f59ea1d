import { IDBFactory } from 'fake-indexeddb';
import { describe, expect, it } from 'vitest';
import { memoryTxStore, openTxStore, type TxStore } from '../../../src/lib/chain/tx/store.ts';
import type { TxRecord } from '../../../src/lib/chain/tx/types.ts';

const record = (id: string, extra: Partial<TxRecord> = {}): TxRecord => ({
  id,
  chainId: 31337,
  account: '0x70997970C51812dc3A010C7d01b50e0d17dc79C8',
  kind: 'joinTask',
  label: 'Join task 1 as trainer with 100 ARENA',
  summary: { task: '1', role: 'trainer' },
  status: 'confirmed',
  hash: `0x${'ab'.repeat(32)}`,
  slot: { from: '0x70997970C51812dc3A010C7d01b50e0d17dc79C8', nonce: 4, to: null, value: 0n },
  blockNumber: 123n,
  gasUsed: 2n ** 70n,
  createdAt: 1,
  updatedAt: 2,
  ...extra,
});

async function roundTrip(open: () => Promise<TxStore>) {
  const store = await open();
  await store.put(record('a'));
  await store.put(record('b', { status: 'pending' }));
  await store.put(record('a', { status: 'failed', error: 'No.' }));
  store.close();
  const again = await open();
  const all = (await again.all()).sort((x, y) => x.id.localeCompare(y.id));
  expect(all).toEqual([record('a', { status: 'failed', error: 'No.' }), record('b', { status: 'pending' })]);
  expect(typeof all[0]!.gasUsed).toBe('bigint');
  await again.delete('a');
  expect(await again.get('a')).toBeUndefined();
  expect((await again.get('b'))?.status).toBe('pending');
}

describe('tx store', () => {
  it('keeps records, bigints included, across reopening (IndexedDB)', async () => {
    const factory = new IDBFactory();
    await roundTrip(() => openTxStore(factory, 'tx-test'));
  });

  it('behaves the same in memory', async () => {
    const store = memoryTxStore();
    await roundTrip(async () => store);
  });
});
