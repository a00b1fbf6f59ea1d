// The app's public/ folder read from Node, for tests that run the ML services, the prover or the
// contracts against the real datasets, specs and zk artifacts.
import { readFileSync } from 'node:fs';
import type { Hex } from 'viem';
import { sha256Hex } from '../../../src/lib/ml/hash.ts';

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
