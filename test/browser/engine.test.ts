// The ML engine in a real browser: dedicated workers in headless Chromium, training the digits
// model on WebGPU (SwiftShader adapter) and on wasm, artifacts, evaluation, IndexedDB resume
// after the page is killed, and a restart after the WebGPU device is lost.
import { readFileSync } from 'node:fs';
import { IDBFactory } from 'fake-indexeddb';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { createEvalService } from '../../src/lib/ml/eval/service.ts';
import { createTrainService } from '../../src/lib/ml/train/service.ts';
import type { TrainProgress } from '../../src/lib/ml/train/trainer.ts';
import type { BackendSelection } from '../../src/lib/ml/backend/select.ts';
import type { EvalOutcome, TrainOutcome } from '../../src/lib/ml/client.ts';
import { openCheckpointStore } from '../../src/lib/storage/checkpoints.ts';
import { tf } from '../../src/lib/ml/backend/tf.ts';
import { startHarness, type Harness } from './harness.ts';

const PAGE = '/test/browser/pages/engine.html';
const OWNER = '0x5b38da6a701c568545dcfcddfc4b11fc0a3f9d6e';
const keyBits = Uint8Array.from({ length: 64 * 128 }, (_, i) => (i * 2654435761) >>> 31);
const WASM_DIR = new URL('../../node_modules/@tensorflow/tfjs-backend-wasm/dist/', import.meta.url).pathname;
const publicDir = new URL('../../public/', import.meta.url);
const fileFetch = (async (input: RequestInfo | URL) =>
  new Response(readFileSync(new URL(`.${new URL(String(input)).pathname}`, publicDir)))) as typeof fetch;

type TrainResult = Omit<TrainOutcome, 'artifact'> & { artifactBytes: number };
interface EngineLog {
  progress: TrainProgress[];
  checkpoints: number[];
  backends: string[];
  deviceLost: number[];
}

let h: Harness;
let page: Page;

async function openEngine(): Promise<Page> {
  const p = await h.open(PAGE);
  await p.waitForFunction(() => document.getElementById('log')?.textContent === 'ready', null, { timeout: 120_000 });
  return p;
}

const train = (p: Page, job: Record<string, unknown>) =>
  p.evaluate(
    (j) =>
      (window as unknown as { engine: { train(s: string, j: unknown): Promise<TrainResult> } }).engine.train(
        'digits-mlp',
        j,
      ),
    job,
  );
const engineLog = (p: Page) => p.evaluate(() => (window as unknown as { engine: { log: EngineLog } }).engine.log);
const resetLog = (p: Page) =>
  p.evaluate(() => (window as unknown as { engine: { resetLog(): void } }).engine.resetLog());

function speed(log: EngineLog): string {
  const s = log.progress.slice(1).map((p) => p.samplesPerSec);
  return s.length ? `${Math.round(s.reduce((a, b) => a + b, 0) / s.length)} samples/s` : 'n/a';
}

describe('ML engine in headless Chromium workers', () => {
  const webgpuHashes = new Map<number, string>();

  beforeAll(async () => {
    h = await startHarness();
    page = await openEngine();
  });

  afterAll(async () => {
    await h?.close();
  });

  test('a dedicated worker sees the SwiftShader WebGPU adapter; auto selection trains on wasm and skips it as software', async () => {
    const gpu = await page.evaluate(() =>
      (window as unknown as { engine: { gpuInWorker(): Promise<unknown> } }).engine.gpuInWorker(),
    );
    expect(gpu).toMatchObject({ architecture: 'swiftshader' });
    const sel = await page.evaluate(() =>
      (window as unknown as { engine: { probe(s: string): Promise<BackendSelection> } }).engine.probe('digits-mlp'),
    );
    expect(sel.backend).toBe('wasm');
    const webgpu = sel.report.find((r) => r.name === 'webgpu')!;
    expect(webgpu.status).toBe('skipped');
    expect(webgpu.info).toMatchObject({ software: true, adapter: { isFallbackAdapter: true } });
  });

  test('wasm: loss goes down, the artifact round-trips byte-identical and matches Node wasm bit for bit, evaluation agrees', async () => {
    await resetLog(page);
    const r = await train(page, {
      runId: 'wasm-run',
      backend: 'wasm',
      maxSteps: 60,
      readEvery: 10,
      checkpointEvery: 30,
    });
    const log = await engineLog(page);
    console.log(`browser wasm: ${speed(log)}; loss ${log.progress.map((p) => p.loss.toFixed(3)).join(' ')}`);
    expect(r.backend).toBe('wasm');
    expect(r.step).toBe(60);
    expect(log.progress.at(-1)!.loss).toBeLessThan(log.progress[0]!.loss * 0.4);
    expect(log.checkpoints).toEqual([30, 60]);
    const round = await page.evaluate(() =>
      (
        window as unknown as {
          engine: { artifactRoundTrip(s: string): Promise<{ identical: boolean; bytes: number[] }> };
        }
      ).engine.artifactRoundTrip('digits-mlp'),
    );
    expect(round.identical).toBe(true);

    // The same run in Node on wasm: the same bytes.
    tf.enableProdMode(); // no tfjs-node banner in the test output
    const node = await createTrainService({
      backend: { wasmPaths: WASM_DIR },
      fetch: fileFetch,
      openStore: () => openCheckpointStore(new IDBFactory()),
    }).train({
      runId: 'n',
      specBytes: new Uint8Array(readFileSync(new URL('specs/digits-mlp.json', publicDir))),
      dataUrl: 'http://local/datasets/digits-train',
      seed: 5,
      backend: 'wasm',
      maxSteps: 60,
      watermark: { keyBits, owner: OWNER },
    });
    expect(node.artifactHash).toBe(r.artifactHash);

    const evaluated = await page.evaluate(() =>
      (window as unknown as { engine: { evaluate(s: string, b: string): Promise<EvalOutcome> } }).engine.evaluate(
        'digits-mlp',
        'wasm',
      ),
    );
    const nodeEval = await createEvalService({ backend: { wasmPaths: WASM_DIR }, fetch: fileFetch }).evaluate({
      specBytes: new Uint8Array(readFileSync(new URL('specs/digits-mlp.json', publicDir))),
      artifact: Uint8Array.from(round.bytes),
      dataUrl: 'http://local/datasets/digits-eval',
      backend: 'wasm',
    });
    expect(evaluated.artifactHash).toBe(r.artifactHash);
    expect(evaluated.samples).toBe(250);
    expect(evaluated.accuracy).toBeGreaterThan(0.8);
    expect({ loss: evaluated.loss, accuracy: evaluated.accuracy }).toEqual({
      loss: nodeEval.loss,
      accuracy: nodeEval.accuracy,
    });
  });

  test('webgpu (SwiftShader): loss goes down and the artifact round-trips byte-identical', async () => {
    await resetLog(page);
    const r = await train(page, {
      runId: 'webgpu-run',
      backend: 'webgpu',
      maxSteps: 40,
      readEvery: 10,
      checkpointEvery: 20,
    });
    const log = await engineLog(page);
    console.log(`browser webgpu: ${speed(log)}; loss ${log.progress.map((p) => p.loss.toFixed(3)).join(' ')}`);
    expect(r.backend).toBe('webgpu');
    expect(r.step).toBe(40);
    expect(log.progress.at(-1)!.loss).toBeLessThan(log.progress[0]!.loss * 0.5);
    const round = await page.evaluate(() =>
      (
        window as unknown as { engine: { artifactRoundTrip(s: string): Promise<{ identical: boolean }> } }
      ).engine.artifactRoundTrip('digits-mlp'),
    );
    expect(round.identical).toBe(true);
    webgpuHashes.set(40, r.artifactHash);
  });

  test('killing the page mid-run and reopening it resumes from the IndexedDB checkpoint to the same weights', async () => {
    const victim = await openEngine();
    const run = train(victim, {
      runId: 'killed-run',
      backend: 'webgpu',
      maxSteps: 40,
      readEvery: 5,
      checkpointEvery: 10,
    }).catch(() => null);
    await victim.waitForFunction(
      () => (window as unknown as { engine: { log: EngineLog } }).engine.log.checkpoints.some((s) => s >= 20),
      null,
      { timeout: 120_000, polling: 50 },
    );
    await victim.close();
    expect(await run).toBeNull(); // the run died with its page

    const reopened = await openEngine();
    const runs = await reopened.evaluate(() =>
      (window as unknown as { engine: { runs(): Promise<{ runId: string; step: number }[]> } }).engine.runs(),
    );
    const stored = runs.find((x) => x.runId === 'killed-run')!;
    expect(stored.step).toBeGreaterThanOrEqual(20);
    expect(stored.step).toBeLessThan(40);
    const r = await train(reopened, {
      runId: 'killed-run',
      backend: 'webgpu',
      maxSteps: 40,
      readEvery: 5,
      checkpointEvery: 10,
    });
    expect(r.resumedFrom).toBe(stored.step);
    expect(r.step).toBe(40);
    expect(r.artifactHash).toBe(webgpuHashes.get(40));
    await reopened.close();
  });

  test('a lost WebGPU device restarts the run from its last checkpoint, ending on the same weights', async () => {
    await resetLog(page);
    const r = await train(page, {
      runId: 'lost-device',
      backend: 'webgpu',
      maxSteps: 40,
      readEvery: 5,
      checkpointEvery: 10,
      loseDeviceAtStep: 15,
    });
    const log = await engineLog(page);
    expect(r.deviceLosses).toBe(1);
    expect(log.deviceLost).toEqual([10]);
    expect(log.backends).toEqual(['webgpu', 'webgpu']);
    expect(r.step).toBe(40);
    expect(r.artifactHash).toBe(webgpuHashes.get(40));
  });
});
