// The app's public/ folder read from Node, for tests that run the ML services, the prover or the
// contracts against the real datasets, specs and zk artifacts, and the agents' ML port over it.
import { readFileSync } from 'node:fs';
import type { Hex } from 'viem';
import { IDBFactory } from 'fake-indexeddb';
import { mlPort, type EvaluatorHandle } from '../../../src/lib/agents/index.ts';
import { createEvalService } from '../../../src/lib/ml/eval/service.ts';
import { sha256Hex } from '../../../src/lib/ml/hash.ts';
import { createTrainService } from '../../../src/lib/ml/train/service.ts';
import { openCheckpointStore } from '../../../src/lib/storage/checkpoints.ts';
import { WASM_DIR } from '../../unit/ml/engine/helpers.ts';

const root = new URL('../../../public/', import.meta.url);

/** The bytes of public/`path`. */
export const publicFile = (path: string): Uint8Array => new Uint8Array(readFileSync(new URL(path, root)));

/** Serves public/ by URL path as Vite serves it to the workers (404 for what is not there). */
export const publicFetch = (async (input: RequestInfo | URL) => {
  const url = new URL(String(input));
  try {
    return new Response(readFileSync(new URL(`.${url.pathname}`, root)));
  } catch {
    return new Response('not found', { status: 404, statusText: 'Not Found' });
  }
}) as typeof fetch;

/** The digits datasets' manifest hashes, as a task records them in trainData and evalData. */
export async function digitsDataHashes(): Promise<{ trainData: Hex; evalData: Hex }> {
  return {
    trainData: `0x${await sha256Hex(publicFile('datasets/digits-train/manifest.json'))}`,
    evalData: `0x${await sha256Hex(publicFile('datasets/digits-eval/manifest.json'))}`,
  };
}

/**
 * The agents' ML port in Node: train and eval services on the wasm backend over public/, a
 * fresh checkpoint store, and the digits datasets served from their bundled folders by hash.
 * `evaluator` replaces the eval service (a test that records the jobs wraps a real one).
 */
export function digitsMlPort(
  specBytes: Uint8Array,
  hashes: { trainData: Hex; evalData: Hex },
  evaluator?: EvaluatorHandle,
) {
  return mlPort({
    trainer: createTrainService({
      backend: { wasmPaths: WASM_DIR },
      fetch: publicFetch,
      openStore: () => openCheckpointStore(new IDBFactory()),
    }),
    evaluator: evaluator ?? createEvalService({ backend: { wasmPaths: WASM_DIR }, fetch: publicFetch }),
    specBytes,
    trainData: hashes.trainData,
    dataUrl: (hash) => {
      const folder = hash === hashes.trainData ? 'digits-train' : hash === hashes.evalData ? 'digits-eval' : null;
      if (folder === null) throw new Error(`no dataset ${hash} here`);
      return `http://local/datasets/${folder}`;
    },
    evalBackend: 'wasm',
  });
}
