// The last good snapshot per chain, in IndexedDB, so a reload without network (or with the RPC
// down) still shows every task, marked stale, and the event scan resumes where it stopped.
// IndexedDB's structured clone keeps bigints as they are.
import { defaultFactory, openDatabase, requestResult, transact } from '../lib/storage/idb.ts';
import type { OkSnapshot } from './snapshot.ts';

export const APP_DB_NAME = 'aiarena-app';
const DB_VERSION = 1;
const SNAPSHOTS = 'snapshots';

export interface SavedSnapshot extends OkSnapshot {
  savedAtMs: number;
}

export interface SnapshotStore {
  load(chainId: number): Promise<SavedSnapshot | undefined>;
  save(snapshot: OkSnapshot, savedAtMs?: number): Promise<void>;
  close(): void;
}

export async function openSnapshotStore(factory: IDBFactory = defaultFactory()): Promise<SnapshotStore> {
  const db = await openDatabase(factory, APP_DB_NAME, DB_VERSION, (d, old) => {
    if (old < 1) d.createObjectStore(SNAPSHOTS);
  });
  return {
    async load(chainId) {
      const found = await transact(db, [SNAPSHOTS], 'readonly', (tx) =>
        requestResult(tx.objectStore(SNAPSHOTS).get(chainId) as IDBRequest<SavedSnapshot | undefined>),
      );
      return found?.kind === 'ok' ? found : undefined;
    },
    async save(snapshot, savedAtMs = Date.now()) {
      const record: SavedSnapshot = { ...snapshot, savedAtMs };
      // Plain data only: a Svelte $state proxy cannot be cloned into IndexedDB (the app keeps
      // snapshots in $state.raw).
      await transact(db, [SNAPSHOTS], 'readwrite', (tx) =>
        requestResult(tx.objectStore(SNAPSHOTS).put(record, snapshot.clock.chainId)),
      );
    },
    close: () => db.close(),
  };
}
