// Agent persistence in IndexedDB: one state record per (chain, deployment, task, account, role),
// the artifacts a trainer has sealed or may seal (the reveal window may come after a reload), a
// validator's per-sample evaluation results (scored on each epoch's subset once its seed is
// drawn, possibly after a reload), and watermark keys (see keys.ts). A write resolves only once its transaction has committed, which
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

/** What the agents persist through; IndexedDB here, files for the headless agents (storage/agent-store-fs.ts). */
export interface AgentStore {
  loadState<S>(scope: AgentScope): Promise<StoredState<S> | undefined>;
  saveState<S>(scope: AgentScope, state: S, fingerprint: string): Promise<void>;
  deleteState(scope: AgentScope): Promise<void>;
  listScopes(): Promise<AgentScope[]>;
  putArtifact(scope: AgentScope, hash: Hex, bytes: Uint8Array): Promise<void>;
  getArtifact(scope: AgentScope, hash: Hex): Promise<Uint8Array | undefined>;
  /** Deletes the scope's artifacts except `keep`. */
  pruneArtifacts(scope: AgentScope, keep: readonly Hex[]): Promise<number>;
  /** A validator's per-sample results of one evaluation (by its evaluation key). */
  putSamples(scope: AgentScope, key: string, samples: StoredSamples): Promise<void>;
  getSamples(scope: AgentScope, key: string): Promise<StoredSamples | undefined>;
  /** Deletes all of the scope's per-sample results (once the task has nothing left to score). */
  clearSamples(scope: AgentScope): Promise<number>;
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

export async function openAgentDatabase(
  factory: IDBFactory = defaultFactory(),
  name = AGENT_DB_NAME,
): Promise<IDBDatabase> {
  return openDatabase(factory, name, DB_VERSION, upgrade);
}

const artifactKey = (scope: AgentScope, hash: Hex) => `${scopeKey(scope)}|${hash.toLowerCase()}`;
// In the artifacts store too (no schema change), under a separator pruneArtifacts never matches.
const samplesPrefix = (scope: AgentScope) => `${scopeKey(scope)}#samples|`;

/** What each sample of an eval set contributed to one model's score (validator/subset-score.ts). */
export interface StoredSamples {
  samples: number;
  correct: Uint8Array;
  losses: Float32Array;
  /** Arg-max class per sample and per seeded probe input: the similarity hint's (validator/similarity.ts). */
  predictions?: Int32Array;
  probePredictions?: Int32Array;
}

export async function openAgentStore(
  factory: IDBFactory = defaultFactory(),
  name = AGENT_DB_NAME,
): Promise<AgentStore & { readonly db: IDBDatabase }> {
  const db = await openAgentDatabase(factory, name);
  return agentStoreOn(db);
}

export function agentStoreOn(db: IDBDatabase): AgentStore & { readonly db: IDBDatabase } {
  return {
    db,
    async loadState<S>(scope: AgentScope) {
      const rec = (await transact(db, [STATES], 'readonly', (tx) =>
        requestResult(tx.objectStore(STATES).get(scopeKey(scope))),
      )) as StateRecord<S> | undefined;
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
      const all = (await transact(db, [STATES], 'readonly', (tx) =>
        requestResult(tx.objectStore(STATES).getAll()),
      )) as StateRecord<unknown>[];
      return all.map((r) => r.scope);
    },
    async putArtifact(scope, hash, bytes) {
      await transact(db, [ARTIFACTS], 'readwrite', (tx) => {
        tx.objectStore(ARTIFACTS).put(bytes, artifactKey(scope, hash));
      });
    },
    async getArtifact(scope, hash) {
      return (await transact(db, [ARTIFACTS], 'readonly', (tx) =>
        requestResult(tx.objectStore(ARTIFACTS).get(artifactKey(scope, hash))),
      )) as Uint8Array | undefined;
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
    async putSamples(scope, key, samples) {
      await transact(db, [ARTIFACTS], 'readwrite', (tx) => {
        tx.objectStore(ARTIFACTS).put(
          {
            samples: samples.samples,
            correct: samples.correct,
            losses: samples.losses,
            ...(samples.predictions ? { predictions: samples.predictions } : {}),
            ...(samples.probePredictions ? { probePredictions: samples.probePredictions } : {}),
          },
          samplesPrefix(scope) + key,
        );
      });
    },
    async getSamples(scope, key) {
      return (await transact(db, [ARTIFACTS], 'readonly', (tx) =>
        requestResult(tx.objectStore(ARTIFACTS).get(samplesPrefix(scope) + key)),
      )) as StoredSamples | undefined;
    },
    async clearSamples(scope) {
      const prefix = samplesPrefix(scope);
      return transact(db, [ARTIFACTS], 'readwrite', async (tx) => {
        const store = tx.objectStore(ARTIFACTS);
        const keys = ((await requestResult(store.getAllKeys())) as string[]).filter((k) => k.startsWith(prefix));
        for (const k of keys) store.delete(k);
        return keys.length;
      });
    },
    close() {
      db.close();
    },
  };
}
