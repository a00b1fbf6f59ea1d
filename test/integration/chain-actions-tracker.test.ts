// The transaction tracker against a real anvil, with IndexedDB from fake-indexeddb: a pending
// transaction survives a "reload" (a new tracker on the same database) and is confirmed there;
// a send interrupted while the wallet asked is marked so; a replaced transaction and one that
// reverts when mined are recorded with their sentences. Mining is switched to manual so that
// transactions stay pending as long as the test needs.
import { IDBFactory } from 'fake-indexeddb';
import { createTestClient, getAddress, http, keccak256, toHex } from 'viem';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { faucet, joinTask, type ActionContext } from '../../src/lib/chain/actions/index.ts';
import { TxError } from '../../src/lib/chain/tx/errors.ts';
import { openTxStore, type TxStore } from '../../src/lib/chain/tx/store.ts';
import { createTxTracker, type TxTracker } from '../../src/lib/chain/tx/tracker.ts';
import type { TxRecord } from '../../src/lib/chain/tx/types.ts';
import {
  fieldKey,
  oneEpochTaskParams,
  startArenaEnv,
  tokenBalance,
  type ArenaEnv,
} from './support/chain-actions-env.ts';
import {
  advanceToWindow,
  createTask,
  randomSalt,
  readSchedule,
  sealSubmission,
} from '../../src/lib/chain/actions/index.ts';
import { windowTimes } from '../../src/lib/chain/schedule.ts';
import { seededTranscript } from '../../src/lib/chain/transcript-commit.ts';

/** The transcript these submissions seal: synthetic (no model is trained here), seeded, 8 segments. */
const TRANSCRIPT = seededTranscript(`0x${'7a'.repeat(32)}`, 8);

const WAD = 10n ** 18n;

/** Resolves with the first record list that satisfies `predicate`. */
function until(tracker: TxTracker, predicate: (records: TxRecord[]) => boolean, ms = 20_000): Promise<TxRecord[]> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error('tracker never reached the expected state')), ms);
    const unsubscribe = tracker.subscribe((records) => {
      if (!predicate(records)) return;
      clearTimeout(timer);
      queueMicrotask(() => unsubscribe());
      resolve(records);
    });
  });
}

describe('transaction tracker on anvil', () => {
  let env: ArenaEnv;
  let user: ActionContext;
  let test: ReturnType<typeof createTestClient>;
  let factory: IDBFactory;
  const opened: { stores: TxStore[]; trackers: TxTracker[] } = { stores: [], trackers: [] };

  async function tracker(name = 'tx') {
    const store = await openTxStore(factory, name);
    const t = await createTxTracker({
      store,
      client: user.publicClient,
      chainId: env.deployment.chainId,
      wait: { pollingIntervalMs: 50 },
    });
    opened.stores.push(store);
    opened.trackers.push(t);
    return t;
  }

  beforeAll(async () => {
    env = await startArenaEnv();
    user = await env.as(2);
    test = createTestClient({ mode: 'anvil', transport: http(env.rpcUrl) });
  }, 120_000);
  afterAll(() => env?.stop());
  afterEach(async () => {
    for (const t of opened.trackers.splice(0)) t.close();
    for (const s of opened.stores.splice(0)) s.close();
    await test.setAutomine(true);
  });

  it('records a confirmed transaction with its block, and keeps it after a reload', async () => {
    factory = new IDBFactory();
    const first = await tracker();
    const ctx = { ...user, send: first.sender(user.wallet) };
    const seen: string[] = [];
    first.subscribe((records) => seen.push(records.map((r) => r.status).join(',')));
    await faucet(ctx, { amount: 5n * WAD });
    const [record] = first.list();
    expect(record).toMatchObject({
      kind: 'faucet',
      status: 'confirmed',
      account: user.wallet.account.address,
      chainId: 31337,
    });
    expect(record!.summary.amount).toBe('5 ARENA');
    expect(typeof record!.blockNumber).toBe('bigint');
    expect(record!.gasUsed! > 0n).toBe(true);
    expect(seen).toEqual(['', 'signing', 'pending', 'pending', 'confirmed']);

    const second = await tracker();
    expect(second.list()).toEqual(first.list());
  });

  it('re-attaches to a pending transaction after a reload and confirms it there', async () => {
    factory = new IDBFactory();
    await test.setAutomine(false);
    const before = await tracker();
    const sending = faucet({ ...user, send: before.sender(user.wallet) }, { amount: 7n * WAD });
    const [pending] = await until(before, (rs) => rs[0]?.status === 'pending' && rs[0].slot !== undefined);
    expect(pending!.hash).toMatch(/^0x[0-9a-f]{64}$/);
    expect(pending!.slot).toMatchObject({
      from: user.wallet.account.address,
      to: getAddress(env.deployment.contracts.token),
    });

    // The page goes away: its watcher stops, the record stays stored as pending.
    before.close();
    const stopped = await sending.catch((e: unknown) => e);
    expect((stopped as TxError).code).toBe('interrupted');

    const after = await tracker();
    expect(after.get(pending!.id)?.status).toBe('pending');
    const balance = await tokenBalance(user);
    await test.mine({ blocks: 1 });
    const settled = await after.settled(pending!.id);
    expect(settled.status).toBe('confirmed');
    expect(settled.hash).toBe(pending!.hash);
    expect(await tokenBalance(user)).toBe(balance + 7n * WAD);
  });

  it('marks a send interrupted while the wallet was asking', async () => {
    factory = new IDBFactory();
    const store = await openTxStore(factory, 'tx');
    await store.put({
      id: 'lost',
      chainId: 31337,
      account: user.wallet.account.address,
      kind: 'delegate',
      label: 'Delegate 1 ARENA',
      summary: {},
      status: 'signing',
      createdAt: 1,
      updatedAt: 1,
    });
    store.close();
    const t = await tracker();
    expect(t.get('lost')).toMatchObject({ status: 'failed', errorCode: 'interrupted' });
    expect(t.get('lost')!.error).toMatch(/^The page closed while the wallet was asking/);
  });

  it('records a transaction replaced by another with the same nonce', async () => {
    factory = new IDBFactory();
    await test.setAutomine(false);
    const t = await tracker();
    const sending = faucet({ ...user, send: t.sender(user.wallet) }, { amount: WAD });
    const [pending] = await until(t, (rs) => rs[0]?.status === 'pending' && rs[0].slot !== undefined);
    // The wallet's "cancel": a zero-value transfer to itself with the same nonce and higher fees.
    const block = await user.publicClient.getBlock();
    const fee = (block.baseFeePerGas ?? 1_000_000_000n) * 4n + 10n ** 10n;
    const cancel = await user.wallet.sendTransaction({
      account: user.wallet.account,
      chain: user.wallet.chain,
      to: user.wallet.account.address,
      value: 0n,
      nonce: pending!.slot!.nonce,
      maxFeePerGas: fee,
      maxPriorityFeePerGas: fee / 2n,
    });
    await test.mine({ blocks: 1 });
    const error = await sending.catch((e: unknown) => e);
    expect(error).toBeInstanceOf(TxError);
    expect((error as TxError).code).toBe('replaced');
    expect(t.get(pending!.id)).toMatchObject({ status: 'replaced', replacedBy: cancel, errorCode: 'replaced' });
    expect(t.get(pending!.id)!.error).toBe('Another transaction with the same nonce was mined instead of this one.');
  });

  it('follows a speed-up: the same call under a new hash keeps the action', async () => {
    factory = new IDBFactory();
    await test.setAutomine(false);
    const t = await tracker();
    const sending = faucet({ ...user, send: t.sender(user.wallet) }, { amount: 3n * WAD });
    const [pending] = await until(t, (rs) => rs[0]?.status === 'pending' && rs[0].slot !== undefined);
    const slot = pending!.slot!;
    // What a wallet's "speed up" sends: the same transaction with higher fees.
    const block = await user.publicClient.getBlock();
    const fee = (block.baseFeePerGas ?? 1_000_000_000n) * 4n + 10n ** 10n;
    const faster = await user.wallet.sendTransaction({
      account: user.wallet.account,
      chain: user.wallet.chain,
      to: slot.to!,
      data: slot.input!,
      value: slot.value ?? 0n,
      nonce: slot.nonce,
      maxFeePerGas: fee,
      maxPriorityFeePerGas: fee / 2n,
    });
    await test.mine({ blocks: 1 });
    const receipt = await sending.then(() => t.get(pending!.id)!);
    expect(receipt).toMatchObject({ status: 'confirmed', hash: faster, replacedBy: faster });
    expect(faster).not.toBe(pending!.hash);
  });

  it('records a transaction that reverts when mined, with the decoded reason', async () => {
    factory = new IDBFactory();
    const t = await tracker();
    const creator = await env.as(1);
    await faucet(creator, { amount: 2_000n * WAD });
    await faucet(user, { amount: 100n * WAD });
    const now = (await user.publicClient.getBlock()).timestamp;
    const { taskId } = await createTask(creator, oneEpochTaskParams(now + 100n, { rewardPerEpoch: 1_000n * WAD }));
    await joinTask(user, { taskId, role: 'trainer', amount: WAD, sigma: 0n, keyCommit: fieldKey('key') });
    await advanceToWindow(user, env.clock, taskId, 'Seal');
    // Simulated and sent inside the seal window, mined after it closed: the contract refuses it.
    await test.setAutomine(false);
    const ctx = { ...user, send: t.sender(user.wallet) };
    const sealing = sealSubmission(ctx, {
      taskId,
      artifactHash: keccak256(toHex('a')),
      wmCommit: keccak256(toHex('w')),
      transcript: TRANSCRIPT,
      salt: randomSalt(),
    });
    await until(t, (rs) => rs[0]?.kind === 'sealSubmission' && rs[0].status === 'pending');
    const schedule = await readSchedule(user, taskId);
    await test.setNextBlockTimestamp({ timestamp: windowTimes(schedule, 0, 'Reveal')!.opens });
    await test.mine({ blocks: 1 });
    const error = await sealing.catch((e: unknown) => e);
    expect((error as TxError).code).toBe('reverted');
    expect((error as TxError).message).toBe(
      'This can be done only in the seal window; the task is in the reveal window now.',
    );
    const [failed] = t.list();
    expect(failed).toMatchObject({
      kind: 'sealSubmission',
      status: 'failed',
      errorCode: 'reverted',
      error: (error as TxError).message,
    });
    expect(typeof failed!.blockNumber).toBe('bigint');
  });

  it('refuses to dismiss a transaction in flight, and forgets a settled one', async () => {
    factory = new IDBFactory();
    const t = await tracker();
    await test.setAutomine(false);
    const sending = faucet({ ...user, send: t.sender(user.wallet) }, { amount: WAD });
    const [pending] = await until(t, (rs) => rs[0]?.status === 'pending');
    await expect(t.dismiss(pending!.id)).rejects.toThrow('a transaction still in flight cannot be dismissed');
    await test.mine({ blocks: 1 });
    await sending;
    const [done] = t.list();
    expect(done!.status).toBe('confirmed');
    await t.dismiss(done!.id);
    expect(t.list()).toEqual([]);
    const again = await tracker();
    expect(again.list()).toEqual([]);
  });
});
