// The producer's state and its unrevealed artifacts on disk, one folder per (chain, deployment,
// task): state.json (bigints as {"$bigint": "…"}; written to a temporary file and renamed, so a
// crash never leaves half a file) and artifacts/<artifactHash>.bin. No secret is written here:
// keys and salts are re-derived from the creator secret (src/lib/agents/canary/derive.ts).
import { existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Address, Hex } from 'viem';
import type { CanaryPersistence, CanaryState } from '../../../src/lib/agents/canary/index.ts';

export function canaryStateDir(root: string, scope: { chainId: number; registry: Address; taskId: bigint }): string {
  return join(root, 'canaries', `${scope.chainId}-${scope.registry.toLowerCase()}-task${scope.taskId}`);
}

const replacer = (_key: string, value: unknown) => (typeof value === 'bigint' ? { $bigint: value.toString() } : value);
const reviver = (_key: string, value: unknown) =>
  value !== null &&
  typeof value === 'object' &&
  Object.keys(value).length === 1 &&
  typeof (value as { $bigint?: unknown }).$bigint === 'string'
    ? BigInt((value as { $bigint: string }).$bigint)
    : value;

export function serializeState(state: CanaryState): string {
  return `${JSON.stringify(state, replacer, 1)}\n`;
}

export function parseState(text: string): CanaryState {
  return JSON.parse(text, reviver) as CanaryState;
}

function writeAtomic(file: string, data: string | Uint8Array): void {
  const tmp = `${file}.tmp-${process.pid}`;
  writeFileSync(tmp, data);
  renameSync(tmp, file);
}

export function fileStash(dir: string): CanaryPersistence {
  const stateFile = join(dir, 'state.json');
  const artifacts = join(dir, 'artifacts');
  const artifactFile = (hash: Hex) => {
    if (!/^0x[0-9a-fA-F]{64}$/.test(hash)) throw new Error(`not an artifact hash: ${hash}`);
    return join(artifacts, `${hash.toLowerCase()}.bin`);
  };
  return {
    async load() {
      if (!existsSync(stateFile)) return null;
      try {
        return parseState(readFileSync(stateFile, 'utf8'));
      } catch (e) {
        // A corrupt state is replaced by a fresh one: the chain and the secret hold what matters.
        console.warn(
          `warning: ${stateFile} could not be read (${(e as Error).message}); starting from what the chain shows`,
        );
        return null;
      }
    },
    async save(state) {
      mkdirSync(dir, { recursive: true });
      writeAtomic(stateFile, serializeState(state));
    },
    async putArtifact(hash, bytes) {
      mkdirSync(artifacts, { recursive: true });
      writeAtomic(artifactFile(hash), bytes);
    },
    async getArtifact(hash) {
      const file = artifactFile(hash);
      return existsSync(file) ? new Uint8Array(readFileSync(file)) : null;
    },
  };
}
