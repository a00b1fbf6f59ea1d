// Transaction records in IndexedDB, so a reload (or a crashed tab) forgets nothing: pending
// hashes are watched again, and settled ones stay in the history until dismissed.
import { defaultFactory, openDatabase, requestResult, transact } from '../../storage/idb.ts';
import type { TxRecord } from './types.ts';

export const TX_DB_NAME = 'aiarena-tx';
const DB_VERSION = 1;
const RECORDS = 'records';

export interface TxStore {
  put(record: TxRecord): Promise<void>;
  get(id: string): Promise<TxRecord | undefined>;
  all(): Promise<TxRecord[]>;
  delete(id: string): Promise<void>;
  close(): void;
}

function upgrade(db: IDBDatabase, oldVersion: number): void {
  if (oldVersion < 1) db.createObjectStore(RECORDS, { keyPath: 'id' });
}

export async function openTxStore(factory: IDBFactory = defaultFactory(), name = TX_DB_NAME): Promise<TxStore> {
  const db = await openDatabase(factory, name, DB_VERSION, upgrade);
  return {
    async put(record) {
      await transact(db, [RECORDS], 'readwrite', (tx) => {
        tx.objectStore(RECORDS).put(record);
      });
    },
    get(id) {
      return transact(
        db,
        [RECORDS],
        'readonly',
        (tx) => requestResult(tx.objectStore(RECORDS).get(id)) as Promise<TxRecord | undefined>,
      );
    },
    all() {
      return transact(
        db,
        [RECORDS],
        'readonly',
        (tx) => requestResult(tx.objectStore(RECORDS).getAll()) as Promise<TxRecord[]>,
      );
    },
    async delete(id) {
      await transact(db, [RECORDS], 'readwrite', (tx) => {
        tx.objectStore(RECORDS).delete(id);
      });
    },
    close() {
      db.close();
    },
  };
}

/** A store in memory, for contexts without IndexedDB (and tests that do not test persistence). */
export function memoryTxStore(): TxStore {
  const records = new Map<string, TxRecord>();
  return {
    async put(r) {
      records.set(r.id, structuredClone(r));
    },
    async get(id) {
      const r = records.get(id);
      return r && structuredClone(r);
    },
    async all() {
      return [...records.values()].map((r) => structuredClone(r));
    },
    async delete(id) {
      records.delete(id);
    },
    close() {},
  };
}
