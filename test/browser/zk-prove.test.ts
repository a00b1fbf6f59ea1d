// The production WatermarkOwnership proof in a real browser: headless Chromium, the app's
// prover client and its module worker (snarkjs, with its own thread pool), artifacts fetched
// from the Vite server and hash-checked. The proof is verified again in Node.
import { readFileSync } from 'node:fs';
import type { Page } from 'playwright-core';
import * as snarkjs from 'snarkjs';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { startHarness, type Harness } from './harness.ts';

const PAGE = '/test/browser/pages/zk.html';
const vectors = JSON.parse(readFileSync(new URL('../vectors/watermark.json', import.meta.url), 'utf8')) as {
  vectors: { name: string; wmCommit: string; keyCommit: string; owner: string }[];
};
const vector = vectors.vectors.find((v) => v.name === 'production-64x128-five-wrong')!;
const vkey = JSON.parse(
  readFileSync(new URL('../../public/zk/watermark_ownership.vkey.json', import.meta.url), 'utf8'),
) as unknown;

interface BrowserProof {
  proof: snarkjs.Proof;
  publicSignals: Record<string, string>;
  wrong: number;
  timings: { witnessMs: number; proveMs: number; verifyMs: number };
  wallMs: number;
  progress: { stage: string; loadedBytes?: number; totalBytes?: number; elapsedMs: number }[];
  hardwareConcurrency: number;
}

let h: Harness;
let page: Page;

const call = <T>(fn: string, arg?: unknown) =>
  page.evaluate(
    ([f, a]) => (window as unknown as { zk: Record<string, (x: unknown) => Promise<unknown>> }).zk[f as string]!(a),
    [fn, arg] as const,
  ) as Promise<T>;

describe('ownership proof in a Chromium worker', () => {
  beforeAll(async () => {
    h = await startHarness();
    page = await h.open(PAGE);
    await page.waitForFunction(() => document.getElementById('log')?.textContent === 'ready', null, {
      timeout: 120_000,
    });
  });

  afterAll(async () => {
    await h?.close();
  });

  test('a claim that cannot be proven is refused in the worker with the typed error (the Node service test shows it comes before any download)', async () => {
    const r = await call<{ error: { name: string; code: string; wrong: number } | null; ms: number }>('undecodable');
    expect(r.error).toMatchObject({ name: 'WatermarkDoesNotDecodeError', code: 'does_not_decode' });
    expect(r.error!.wrong).toBeGreaterThan(8);
  });

  test('proves the production circuit from an artifact in under 30 s; Node verifies the proof', async () => {
    const r = await call<BrowserProof>('prove', 'artifact');
    const stages = r.progress.map((p) => p.stage).filter((s, i, all) => s !== all[i - 1]);
    expect(stages).toEqual(['loading', 'witness', 'proving', 'verifying', 'done']);
    const last = r.progress.filter((p) => p.totalBytes !== undefined).at(-1)!;
    expect(last.loadedBytes).toBe(last.totalBytes);
    expect(r.publicSignals).toEqual({
      wmCommit: vector.wmCommit,
      keyCommit: vector.keyCommit,
      owner: BigInt(vector.owner).toString(),
      maxErr: '8',
    });
    expect(r.wrong).toBe(5);
    const ok = await snarkjs.groth16.verify(
      vkey,
      [r.publicSignals.wmCommit!, r.publicSignals.keyCommit!, r.publicSignals.owner!, r.publicSignals.maxErr!],
      r.proof,
    );
    expect(ok).toBe(true);
    const t = r.timings;
    console.log(
      `browser worker (${r.hardwareConcurrency} threads): first proof ${(r.wallMs / 1000).toFixed(1)} s in all, witness ${(t.witnessMs / 1000).toFixed(2)} s, prove ${(t.proveMs / 1000).toFixed(2)} s, verify ${(t.verifyMs / 1000).toFixed(2)} s`,
    );
    expect(t.witnessMs + t.proveMs).toBeLessThan(30_000);
  });

  test('a second proof reuses the loaded artifacts; cancel stops a running proof and the prover works again', async () => {
    const r = await call<BrowserProof>('prove', 'claim');
    expect(r.progress.filter((p) => p.totalBytes !== undefined)).toEqual([]);
    console.log(
      `browser worker: warm proof ${(r.wallMs / 1000).toFixed(1)} s (prove ${(r.timings.proveMs / 1000).toFixed(2)} s)`,
    );
    const c = await call<{
      outcome: { name: string; code: string } | null;
      stagesAtCancel: string[];
      againKeyCommit: string;
    }>('cancelThenProve');
    expect(c.outcome).toEqual({ name: 'ProofCancelledError', code: 'cancelled' });
    expect(c.stagesAtCancel).toEqual(['loading', 'witness', 'proving']);
    expect(c.againKeyCommit).toBe(vector.keyCommit);
  });
});
