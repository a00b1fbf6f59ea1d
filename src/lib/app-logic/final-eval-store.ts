// The creator's final-eval secrets in IndexedDB (`aiarena-create`): the salt and hash, and the
// set's files, stored the moment the salt is made (before the task is sent), so a closed tab or a
// reload between creating the task and the final phase still finds them. Keyed by commitment.
import { defaultFactory, openDatabase, requestResult, transact } from '../storage/idb.ts';
import type { FinalEvalSecret } from './final-eval-secret.ts';

export const CREATE_DB_NAME = 'aiarena-create';
const VERSION = 1;
const SECRETS = 'final-eval';

export interface SecretFiles {
  manifest: Uint8Array;
  shards: { sha256: string; bytes: Uint8Array }[];
}

export interface StoredSecret {
  secret: FinalEvalSecret;
  /** The set's files, or null for a secret imported from a backup (files picked at reveal). */
  files: SecretFiles | null;
}

export interface SecretStore {
  all(): Promise<StoredSecret[]>;
  put(record: StoredSecret): Promise<void>;
  delete(commit: string): Promise<void>;
}

export async function openSecretStore(factory: IDBFactory = defaultFactory()): Promise<SecretStore> {
  const db = await openDatabase(factory, CREATE_DB_NAME, VERSION, (d, old) => {
    if (old < 1) d.createObjectStore(SECRETS);
  });
  return {
    all: () =>
      transact(db, [SECRETS], 'readonly', (tx) =>
        requestResult(tx.objectStore(SECRETS).getAll() as IDBRequest<StoredSecret[]>),
      ),
    put: (record) =>
      // $state proxies cannot be cloned: callers hand plain objects; copy the top level to be sure.
      transact(db, [SECRETS], 'readwrite', (tx) =>
        requestResult(
          tx
            .objectStore(SECRETS)
            .put({ secret: { ...record.secret }, files: record.files }, record.secret.commit.toLowerCase()),
        ),
      ).then(() => undefined),
    delete: (commit) =>
      transact(db, [SECRETS], 'readwrite', (tx) =>
        requestResult(tx.objectStore(SECRETS).delete(commit.toLowerCase())),
      ).then(() => undefined),
  };
}
