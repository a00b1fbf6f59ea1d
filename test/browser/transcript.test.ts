// Transcripts in headless Chromium (docs/transcript.md sections 6 to 8): the training worker
// keeps every rounded state in IndexedDB, a page closed in the middle of a segment resumes to the
// transcript an uninterrupted run writes, Node on wasm computes the same root, and the eval
// worker replays segments with progress and cancel (on wasm, and on SwiftShader's WebGPU).
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, expect, test } from 'vitest';
import { activateBackend } from '../../src/lib/ml/backend/activate.ts';
import { tf } from '../../src/lib/ml/backend/tf.ts';
import { fsSource } from '../../src/lib/ml/data/sources.ts';
import { parseModelSpecBytes } from '../../src/lib/ml/spec/parse.ts';
import { datasetData } from '../../src/lib/ml/train/dataset.ts';
import type { SegmentCheck } from '../../src/lib/ml/transcript/compare.ts';
import { runTranscript } from '../../src/lib/ml/transcript/run.ts';
import { openTranscriptDir } from '../../src/lib/storage/transcripts-fs.ts';
import { startHarness, type Harness } from './harness.ts';

const PAGE = '/test/browser/pages/transcript.html';
const WASM_DIR = new URL('../../node_modules/@tensorflow/tfjs-backend-wasm/dist/', import.meta.url).pathname;
const keyBits = Uint8Array.from({ length: 64 * 128 }, (_, i) => (i * 2654435761) >>> 31);
const identity = { chainId: 31337, task: 1, trainer: '0x5b38da6a701c568545dcfcddfc4b11fc0a3f9d6e' as const };

interface RunOut {
  status: string;
  resumedFrom: number;
  leaves: string[];
  root?: string;
  artifactHash?: string;
}
interface ReplayOut {
  status: string;
  backend: string;
  check?: SegmentCheck;
  progress: number[];
}
type Api = {
  state: { lastStep: number };
  run(id: string, segments: number): Promise<RunOut>;
  list(): Promise<{ id: string; leaves: number }[]>;
  replay(id: string, index: number, backend: string, cancelAtStep?: number): Promise<ReplayOut>;
};

let h: Harness;
async function open(): Promise<Page> {
  const p = await h.open(PAGE);
  await p.waitForFunction(() => document.getElementById('log')?.textContent === 'ready', null, { timeout: 120_000 });
  return p;
}
type W = { transcript: Api };
const run = (p: Page, id: string, segments: number) =>
  p.evaluate(([i, k]) => (window as unknown as W).transcript.run(i, k), [id, segments] as const);
const list = (p: Page) => p.evaluate(() => (window as unknown as W).transcript.list());
const replay = (p: Page, id: string, index: number, backend: string, cancelAtStep?: number) =>
  p.evaluate(([a, b, c, d]) => (window as unknown as W).transcript.replay(a, b, c, d), [
    id,
    index,
    backend,
    cancelAtStep,
  ] as const);

beforeAll(async () => {
  h = await startHarness();
});
afterAll(async () => {
  await h?.close();
});

test('a page closed mid-segment resumes from IndexedDB to the uninterrupted transcript, which Node computes too', async () => {
  const whole = await run(await open(), 'whole', 3);
  expect(whole.status).toBe('completed');
  expect(whole.leaves).toHaveLength(4);

  // Closed during its second segment or soon after: the worker dies with the page.
  const page = await open();
  void run(page, 'closed', 3).catch(() => undefined);
  await page.waitForFunction(() => (window as unknown as W).transcript.state.lastStep >= 12, null, {
    timeout: 120_000,
  });
  await page.close();
  const again = await open();
  const stored = (await list(again)).find((t) => t.id === 'closed')!.leaves;
  expect(stored).toBeGreaterThanOrEqual(2);
  expect(stored).toBeLessThan(4);
  const resumed = await run(again, 'closed', 3);
  expect(resumed).toMatchObject({
    status: 'completed',
    resumedFrom: stored - 1,
    root: whole.root,
    artifactHash: whole.artifactHash,
  });

  // Node on wasm: the same program, the same bytes, the same root.
  tf.enableProdMode();
  await activateBackend('wasm', { wasmPaths: WASM_DIR });
  const doc = JSON.parse(
    readFileSync(new URL('../../public/specs/digits-mlp.json', import.meta.url), 'utf8'),
  ) as object;
  const { spec, hash } = await parseModelSpecBytes(
    new TextEncoder().encode(JSON.stringify({ ...doc, transcript: { interval: 10 } }, null, 2)),
  );
  const source = fsSource(new URL('../../public/datasets/digits-train', import.meta.url).pathname);
  const { manifest } = await source.manifest();
  const dir = mkdtempSync(join(tmpdir(), 'aiarena-browser-transcript-'));
  try {
    const node = await runTranscript({
      spec,
      specHash: hash,
      identity,
      openData: (seed) => datasetData(manifest, source, { seed }),
      keyBits,
      id: 'node',
      store: await openTranscriptDir(dir),
      segments: 3,
    });
    expect(node.root).toBe(whole.root);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('the eval worker replays segments with progress, on wasm bit for bit and on WebGPU, and cancels', async () => {
  const page = await open();
  const wasm = await replay(page, 'whole', 1, 'wasm');
  expect(wasm).toMatchObject({ status: 'done', backend: 'wasm' });
  expect(wasm.check).toMatchObject({ replays: true, inBand: 0, failed: 0 });
  expect(wasm.progress).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9, 10]);
  const cancelled = await replay(page, 'whole', 2, 'wasm', 4);
  expect(cancelled.status).toBe('cancelled');
  expect(cancelled.check).toBeUndefined();
  // SwiftShader's WebGPU: measured, not required (docs/bench/transcript-browser.md); it must run and compare.
  for (const i of [0, 1, 2]) {
    const gpu = await replay(page, 'whole', i, 'webgpu');
    const c = gpu.check!;
    console.log(
      `webgpu (SwiftShader) replay of a wasm segment ${i}: replays ${c.replays}, ${c.equal}/${c.coordinates} equal, ${c.inBand} in band, ${c.failed} failed, max deviation ${c.maxDeviation.toExponential(2)}`,
    );
    expect(gpu.backend).toBe('webgpu');
    expect(c.coordinates).toBe(3 * 9610);
    expect(c.equal).toBeGreaterThan(c.coordinates * 0.99);
  }
});
