// The agents' persistence (agents/store.ts AgentStore) in a folder, for the headless agents
// (Node only). One folder per scope (chain, deployment, task, account, role):
//
//   <dir>/<scope>/state.bin           the state record (fingerprint, savedAt, state)
//   <dir>/<scope>/artifacts/<hash>.bin  artifacts the trainer sealed or may seal, raw bytes
//   <dir>/<scope>/samples/<digest>.bin  a validator's per-sample results, by evaluation key
//
// Every write is atomic and durable (records-fs.ts), as IndexedDB's committed transactions are
// in the app: the runner's store-before-send order holds across a crash or a restart.
import { createHash } from 'node:crypto';
import { join } from 'node:path';
import type { Hex } from 'viem';
import type { AgentScope } from '../agents/common.ts';
import type { AgentStore, StoredSamples, StoredState } from '../agents/store.ts';
import { listDir, readFileIfExists, readRecord, removeFile, writeFileAtomic, writeRecord } from './records-fs.ts';

interface StateFile<S> {
  scope: AgentScope;
  fingerprint: string;
  savedAt: number;
  state: S;
}

/** The scope's folder name: readable and safe on every filesystem. */
export function scopeFolder(s: AgentScope): string {
  return `${s.chainId}-${s.registry.toLowerCase()}-task${s.taskId}-${s.account.toLowerCase()}-${s.role}`;
}

const HASH = /^0x[0-9a-f]{64}$/;

function artifactFile(hash: Hex): string {
  const h = hash.toLowerCase();
  // The hash becomes a file name: it must be exactly a hash.
  if (!HASH.test(h)) throw new TypeError(`not an artifact hash: ${JSON.stringify(hash)}`);
  return `${h}.bin`;
}

const samplesFile = (key: string) => `${createHash('sha256').update(key).digest('hex')}.bin`;

export function agentStoreInDir(dir: string): AgentStore {
  const folder = (s: AgentScope) => join(dir, scopeFolder(s));
  const stateFile = (s: AgentScope) => join(folder(s), 'state.bin');
  return {
    async loadState<S>(scope: AgentScope): Promise<StoredState<S> | undefined> {
      const rec = await readRecord<StateFile<S>>(stateFile(scope));
      return rec ? { state: rec.state, fingerprint: rec.fingerprint, savedAt: rec.savedAt } : undefined;
    },
    async saveState<S>(scope: AgentScope, state: S, fingerprint: string) {
      const rec: StateFile<S> = { scope, fingerprint, savedAt: Date.now(), state };
      await writeRecord(stateFile(scope), rec);
    },
    async deleteState(scope) {
      await removeFile(stateFile(scope));
    },
    async listScopes() {
      const scopes: AgentScope[] = [];
      for (const name of await listDir(dir)) {
        const rec = await readRecord<StateFile<unknown>>(join(dir, name, 'state.bin'));
        if (rec) scopes.push(rec.scope);
      }
      return scopes;
    },
    async putArtifact(scope, hash, bytes) {
      await writeFileAtomic(join(folder(scope), 'artifacts', artifactFile(hash)), bytes);
    },
    async getArtifact(scope, hash) {
      return readFileIfExists(join(folder(scope), 'artifacts', artifactFile(hash)));
    },
    async pruneArtifacts(scope, keep) {
      const kept = new Set(keep.map(artifactFile));
      const artifacts = join(folder(scope), 'artifacts');
      let removed = 0;
      for (const name of await listDir(artifacts)) {
        if (kept.has(name)) continue;
        await removeFile(join(artifacts, name));
        removed += 1;
      }
      return removed;
    },
    async putSamples(scope, key, samples) {
      const rec: StoredSamples = {
        samples: samples.samples,
        correct: samples.correct,
        losses: samples.losses,
        ...(samples.predictions ? { predictions: samples.predictions } : {}),
        ...(samples.probePredictions ? { probePredictions: samples.probePredictions } : {}),
      };
      await writeRecord(join(folder(scope), 'samples', samplesFile(key)), rec);
    },
    async getSamples(scope, key) {
      return readRecord<StoredSamples>(join(folder(scope), 'samples', samplesFile(key)));
    },
    async clearSamples(scope) {
      const samples = join(folder(scope), 'samples');
      const names = await listDir(samples);
      for (const name of names) await removeFile(join(samples, name));
      return names.length;
    },
    close() {},
  };
}
