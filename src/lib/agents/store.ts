// Agent persistence in IndexedDB: one state record per (chain, deployment, task, account, role),
// the artifacts a trainer has sealed or may seal (the reveal window may come after a reload), and
// watermark keys (see keys.ts). A write resolves only once its transaction has committed, which
// is what lets the runner store a salt before it sends the commitment built from it.
import type { Hex } from 'viem';
import { defaultFactory, openDatabase, requestResult, transact } from '../storage/idb.ts';
import type { AgentScope } from './common.ts';

export const AGENT_DB_NAME = 'aiarena-agents';
const DB_VERSION = 1;
export const STATES = 'states';
export const ARTIFACTS = 'artifacts';
export const KEYS = 'keys';
export const DEVICE = 'device';

export function scopeKey(s: AgentScope): string {
  return `${s.chainId}:${s.registry.toLowerCase()}:${s.taskId}:${s.account.toLowerCase()}:${s.role}`;
}

interface StateRecord<S> {
  key: string;
  scope: AgentScope;
  /** What the task looked like when the state began (a reset local chain reuses task ids). */
  fingerprint: string;
  savedAt: number;
  state: S;
}

export interface StoredState<S> {
  state: S;
  fingerprint: string;
  savedAt: number;
}

export interface AgentStore {
  readonly db: IDBDatabase;
  loadState<S>(scope: AgentScope): Promise<StoredState<S> | undefined>;
  saveState<S>(scope: AgentScope, state: S, fingerprint: string): Promise<void>;
  deleteState(scope: AgentScope): Promise<void>;
  listScopes(): Promise<AgentScope[]>;
  putArtifact(scope: AgentScope, hash: Hex, bytes: Uint8Array): Promise<void>;
  getArtifact(scope: AgentScope, hash: Hex): Promise<Uint8Array | undefined>;
  /** Deletes the scope's artifacts except `keep`. */
  pruneArtifacts(scope: AgentScope, keep: readonly Hex[]): Promise<number>;
  close(): void;
}

function upgrade(db: IDBDatabase, oldVersion: number): void {
  if (oldVersion < 1) {
    db.createObjectStore(STATES, { keyPath: 'key' });
    db.createObjectStore(ARTIFACTS);
    db.createObjectStore(KEYS);
    db.createObjectStore(DEVICE);
  }
}

export async function openAgentDatabase(factory: IDBFactory = defaultFactory(), name = AGENT_DB_NAME): Promise<IDBDatabase> {
  return openDatabase(factory, name, DB_VERSION, upgrade);
}

const artifactKey = (scope: AgentScope, hash: Hex) => `${scopeKey(scope)}|${hash.toLowerCase()}`;

export async function openAgentStore(factory: IDBFactory = defaultFactory(), name = AGENT_DB_NAME): Promise<AgentStore> {
  const db = await openAgentDatabase(factory, name);
  return agentStoreOn(db);
}

export function agentStoreOn(db: IDBDatabase): AgentStore {
  return {
    db,
    async loadState<S>(scope: AgentScope) {
      const rec = (await transact(db, [STATES], 'readonly', (tx) => requestResult(tx.objectStore(STATES).get(scopeKey(scope))))) as StateRecord<S> | undefined;
      return rec ? { state: rec.state, fingerprint: rec.fingerprint, savedAt: rec.savedAt } : undefined;
    },
    async saveState<S>(scope: AgentScope, state: S, fingerprint: string) {
      const rec: StateRecord<S> = { key: scopeKey(scope), scope, fingerprint, savedAt: Date.now(), state };
      await transact(db, [STATES], 'readwrite', (tx) => {
        tx.objectStore(STATES).put(rec);
      });
    },
    async deleteState(scope) {
      await transact(db, [STATES], 'readwrite', (tx) => {
        tx.objectStore(STATES).delete(scopeKey(scope));
      });
    },
    async listScopes() {
      const all = (await transact(db, [STATES], 'readonly', (tx) => requestResult(tx.objectStore(STATES).getAll()))) as StateRecord<unknown>[];
      return all.map((r) => r.scope);
    },
    async putArtifact(scope, hash, bytes) {
      await transact(db, [ARTIFACTS], 'readwrite', (tx) => {
        tx.objectStore(ARTIFACTS).put(bytes, artifactKey(scope, hash));
      });
    },
    async getArtifact(scope, hash) {
      return (await transact(db, [ARTIFACTS], 'readonly', (tx) => requestResult(tx.objectStore(ARTIFACTS).get(artifactKey(scope, hash))))) as
        | Uint8Array
        | undefined;
    },
    async pruneArtifacts(scope, keep) {
      const prefix = `${scopeKey(scope)}|`;
      const kept = new Set(keep.map((h) => artifactKey(scope, h)));
      return transact(db, [ARTIFACTS], 'readwrite', async (tx) => {
        const store = tx.objectStore(ARTIFACTS);
        // A scope holds a handful of artifacts; no key range (IDBKeyRange is a global that not
        // every IndexedDB implementation passed in as a factory provides).
        const keys = ((await requestResult(store.getAllKeys())) as string[]).filter((k) => k.startsWith(prefix));
        let removed = 0;
        for (const k of keys) {
          if (!kept.has(k)) {
            store.delete(k);
            removed += 1;
          }
        }
        return removed;
      });
    },
    close() {
      db.close();
    },
  };
}
