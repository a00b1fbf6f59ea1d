// A small promise wrapper over IndexedDB: open with an upgrade callback, run one transaction,
// turn requests into promises. Works in pages, workers and (with fake-indexeddb) in Node.
import { ArenaError } from '../errors.ts';

export type Upgrade = (db: IDBDatabase, oldVersion: number, tx: IDBTransaction) => void;

export class StorageError extends ArenaError<'storage'> {
  constructor(message: string, options?: { cause?: unknown }) {
    super('storage', message, options);
    this.name = 'StorageError';
  }
}

export function defaultFactory(): IDBFactory {
  const f = (globalThis as { indexedDB?: IDBFactory }).indexedDB;
  if (f === undefined) throw new StorageError('IndexedDB is not available in this context');
  return f;
}

export function requestResult<T>(req: IDBRequest<T>): Promise<T> {
  return new Promise((resolve, reject) => {
    req.onsuccess = () => resolve(req.result);
    req.onerror = () =>
      reject(
        new StorageError(`IndexedDB request failed: ${req.error?.message ?? 'unknown error'}`, { cause: req.error }),
      );
  });
}

export function openDatabase(
  factory: IDBFactory,
  name: string,
  version: number,
  upgrade: Upgrade,
): Promise<IDBDatabase> {
  return new Promise((resolve, reject) => {
    const req = factory.open(name, version);
    req.onupgradeneeded = (e) => upgrade(req.result, e.oldVersion, req.transaction!);
    req.onsuccess = () => {
      const db = req.result;
      // Another tab upgrading the schema must not be blocked by us.
      db.onversionchange = () => db.close();
      resolve(db);
    };
    req.onerror = () =>
      reject(
        new StorageError(`cannot open IndexedDB "${name}": ${req.error?.message ?? 'unknown error'}`, {
          cause: req.error,
        }),
      );
    req.onblocked = () =>
      reject(new StorageError(`IndexedDB "${name}" is held open by an older version in another tab`));
  });
}

/**
 * Runs `work` in one transaction and resolves with its result once the transaction commits
 * (not merely when the last request succeeded), so a resolved write is a stored write.
 */
export function transact<T>(
  db: IDBDatabase,
  stores: string[],
  mode: IDBTransactionMode,
  work: (tx: IDBTransaction) => Promise<T> | T,
): Promise<T> {
  return new Promise((resolve, reject) => {
    const tx = db.transaction(stores, mode);
    let result: T;
    let failed = false;
    tx.oncomplete = () => resolve(result);
    tx.onerror = () =>
      reject(
        new StorageError(`IndexedDB transaction failed: ${tx.error?.message ?? 'unknown error'}`, { cause: tx.error }),
      );
    tx.onabort = () => {
      if (!failed)
        reject(
          new StorageError(`IndexedDB transaction aborted: ${tx.error?.message ?? 'no reason given'}`, {
            cause: tx.error,
          }),
        );
    };
    Promise.resolve()
      .then(() => work(tx))
      .then((r) => (result = r))
      .catch((e: unknown) => {
        failed = true;
        try {
          tx.abort();
        } catch {
          // already finished
        }
        reject(e);
      });
  });
}
