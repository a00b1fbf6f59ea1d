// The transaction tracker: every write the app sends is recorded in IndexedDB from the moment the
// wallet is asked until it is mined, failed or replaced. After a reload, pending hashes are
// watched again; a send interrupted while the wallet was asking is marked as such. The UI reads
// the records through `subscribe` (Svelte's store contract).
import type { Hex, TransactionReceipt } from 'viem';
import { AbortedError } from './backoff.ts';
import { genericSentence, toTxError } from './decode.ts';
import { TxError, type TxErrorCode } from './errors.ts';
import {
  explainRevert,
  readNonceSlot,
  sendCall,
  simulate,
  waitForOutcome,
  type ReadClient,
  type WaitOptions,
} from './send.ts';
import type { TxStore } from './store.ts';
import { isSettled, type AccountWallet, type Sender, type TxRecord, type TxRequest } from './types.ts';

export interface TxTrackerOptions {
  store: TxStore;
  client: ReadClient;
  /** The chain `client` reads; records of other chains are kept but not watched. */
  chainId: number;
  wait?: Omit<WaitOptions, 'signal'>;
  now?: () => number;
}

export interface TxTracker {
  /** Sends `request` from `wallet`, recording every step; resolves with the receipt or throws a TxError. */
  send(wallet: AccountWallet, request: TxRequest): Promise<TransactionReceipt>;
  /** A Sender bound to `wallet`, to put in an action context. */
  sender(wallet: AccountWallet): Sender;
  /** Every record, newest first. */
  list(): TxRecord[];
  get(id: string): TxRecord | undefined;
  /** Svelte store contract: called now and on every change; returns the unsubscribe function. */
  subscribe(listener: (records: TxRecord[]) => void): () => void;
  /** Resolves once the record has settled (confirmed, failed or replaced). */
  settled(id: string): Promise<TxRecord>;
  /** Forgets a settled record. */
  dismiss(id: string): Promise<void>;
  /** Stops watching (the records stay stored and are resumed by the next tracker). */
  close(): void;
}

const functionNameOf = (r: TxRecord) => r.summary.function;

function newId(): string {
  const bytes = new Uint8Array(12);
  crypto.getRandomValues(bytes);
  return Array.from(bytes, (b) => b.toString(16).padStart(2, '0')).join('');
}

/** Opens the tracker and resumes the pending records it finds. */
export async function createTxTracker(options: TxTrackerOptions): Promise<TxTracker> {
  const { store, client, chainId } = options;
  const now = options.now ?? Date.now;
  const records = new Map<string, TxRecord>();
  const listeners = new Set<(records: TxRecord[]) => void>();
  const waiters = new Map<string, Set<(r: TxRecord) => void>>();
  const abort = new AbortController();
  let closed = false;

  for (const r of await store.all()) records.set(r.id, r);

  const list = () => [...records.values()].sort((a, b) => b.createdAt - a.createdAt || (a.id < b.id ? 1 : -1));

  function notify(r: TxRecord): void {
    const snapshot = list();
    for (const l of listeners) l(snapshot);
    if (isSettled(r)) {
      for (const w of waiters.get(r.id) ?? []) w(r);
      waiters.delete(r.id);
    }
  }

  async function update(id: string, patch: Partial<TxRecord>): Promise<TxRecord> {
    const current = records.get(id);
    if (!current) throw new Error(`unknown transaction record ${id}`);
    const next: TxRecord = { ...current, ...patch, updatedAt: now() };
    records.set(id, next);
    // Persist before telling anyone: a record the UI shows is a record a reload finds.
    if (!closed) await store.put(next);
    notify(next);
    return next;
  }

  async function settleFailed(id: string, error: TxError): Promise<TxRecord> {
    return update(id, { status: 'failed', error: error.message, errorCode: error.code, settledAt: now() });
  }

  async function settleFromReceipt(id: string, receipt: TransactionReceipt, functionName?: string, repricedFrom?: Hex) {
    const base = {
      blockNumber: receipt.blockNumber,
      gasUsed: receipt.gasUsed,
      settledAt: now(),
      // A speed-up: the same call under a new hash. The record follows the hash that was mined.
      ...(repricedFrom ? { hash: receipt.transactionHash, replacedBy: receipt.transactionHash } : {}),
    };
    if (receipt.status === 'success') return update(id, { ...base, status: 'confirmed' });
    const why = await explainRevert(client, receipt, functionName);
    return update(id, { ...base, status: 'failed', error: why.message, errorCode: why.code });
  }

  /** Watches a pending record until it settles, or until the tracker closes (then it stays pending). */
  async function watch(id: string, functionName?: string): Promise<{ record: TxRecord; receipt?: TransactionReceipt }> {
    const record = records.get(id)!;
    try {
      const outcome = await waitForOutcome(
        client,
        record.hash!,
        { ...options.wait, signal: abort.signal },
        record.slot,
      );
      if (outcome.kind === 'replaced') {
        const settled = await update(id, {
          status: 'replaced',
          replacedBy: outcome.receipt.transactionHash,
          blockNumber: outcome.receipt.blockNumber,
          error: genericSentence('replaced'),
          errorCode: 'replaced',
          settledAt: now(),
        });
        return { record: settled };
      }
      const settled = await settleFromReceipt(
        id,
        outcome.receipt,
        functionName ?? functionNameOf(record),
        outcome.repricedFrom,
      );
      return { record: settled, receipt: outcome.receipt };
    } catch (error) {
      if (error instanceof AbortedError || abort.signal.aborted) return { record: records.get(id)! };
      throw error;
    }
  }

  async function send(wallet: AccountWallet, request: TxRequest): Promise<TransactionReceipt> {
    if (closed) throw new Error('the transaction tracker is closed');
    // A revert is told before the wallet asks, and leaves no record: nothing was attempted.
    await simulate(client, wallet, request.call);
    const id = newId();
    const created = now();
    const record: TxRecord = {
      id,
      chainId,
      account: wallet.account.address,
      kind: request.kind,
      label: request.label,
      summary: { ...request.summary, function: request.call.functionName },
      status: 'signing',
      createdAt: created,
      updatedAt: created,
    };
    records.set(id, record);
    await store.put(record);
    notify(record);

    let hash: Hex;
    try {
      hash = await sendCall(wallet, request.call, client);
    } catch (error) {
      const e = toTxError(error);
      await settleFailed(id, e);
      throw e;
    }
    await update(id, { status: 'pending', hash, sentAt: now() });
    const slot = await readNonceSlot(client, hash);
    if (slot) await update(id, { slot });

    const { record: settled, receipt } = await watch(id, request.call.functionName);
    if (settled.status === 'confirmed' && receipt) return receipt;
    if (!isSettled(settled)) {
      throw new TxError(
        'interrupted',
        'Stopped watching this transaction because the tracker closed; it stays recorded as pending.',
      );
    }
    throw new TxError(
      (settled.errorCode as TxErrorCode | undefined) ?? 'unknown',
      settled.error ?? genericSentence('unknown'),
    );
  }

  async function resume(): Promise<void> {
    for (const r of records.values()) {
      if (r.chainId !== chainId) continue;
      if (r.status === 'signing') {
        await settleFailed(r.id, new TxError('interrupted', genericSentence('interrupted')));
      } else if (r.status === 'pending' && r.hash) {
        void watch(r.id).catch(() => {
          // waitForOutcome retries until aborted, so only an abort ends here: nothing to report.
        });
      }
    }
  }

  await resume();

  return {
    send,
    sender: (wallet) => (request) => send(wallet, request),
    list,
    get: (id) => records.get(id),
    subscribe(listener) {
      listeners.add(listener);
      listener(list());
      return () => listeners.delete(listener);
    },
    settled(id) {
      const r = records.get(id);
      if (!r) return Promise.reject(new Error(`unknown transaction record ${id}`));
      if (isSettled(r)) return Promise.resolve(r);
      return new Promise((resolve) => {
        const set = waiters.get(id) ?? new Set();
        set.add(resolve);
        waiters.set(id, set);
      });
    },
    async dismiss(id) {
      const r = records.get(id);
      if (!r) return;
      if (!isSettled(r)) throw new Error('a transaction still in flight cannot be dismissed');
      records.delete(id);
      await store.delete(id);
      const snapshot = list();
      for (const l of listeners) l(snapshot);
    },
    close() {
      closed = true;
      abort.abort();
      listeners.clear();
    },
  };
}
