// Subset evaluation (SPEC 2.2, revision 2) through the app's evaluation client in headless
// Chromium: a dedicated worker draws the epoch's subset from the seed, scores exactly those
// samples (the same score as Node's eval service on wasm), reports progress over the subset, and
// refuses a 16-bit backend unless told otherwise.
import { readFileSync } from 'node:fs';
import type { Page } from 'playwright-core';
import { keccak256, toBytes } from 'viem';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { serializeArtifact } from '../../src/lib/ml/artifact/serialize.ts';
import { activateBackend } from '../../src/lib/ml/backend/activate.ts';
import { tf } from '../../src/lib/ml/backend/tf.ts';
import { fsSource } from '../../src/lib/ml/data/sources.ts';
import { specHashBytes } from '../../src/lib/ml/eval/evaluate.ts';
import { createEvalService } from '../../src/lib/ml/eval/service.ts';
import { parseModelSpecBytes } from '../../src/lib/ml/spec/parse.ts';
import { specShapes } from '../../src/lib/ml/spec/shapes.ts';
import { datasetData } from '../../src/lib/ml/train/dataset.ts';
import { train } from '../../src/lib/ml/train/trainer.ts';
import { evalSubset } from '../../src/lib/protocol/eval-subset.ts';
import type { PageEvalJob, PageEvalOutcome } from './pages/eval-page.ts';
import { startHarness, type Harness } from './harness.ts';

const root = new URL('../../', import.meta.url);
const WASM_DIR = new URL('node_modules/@tensorflow/tfjs-backend-wasm/dist/', root).pathname;
const publicDir = new URL('public/', root);
const fileFetch = (async (input: RequestInfo | URL) =>
  new Response(readFileSync(new URL(`.${new URL(String(input)).pathname}`, publicDir)))) as typeof fetch;
const specFile = new Uint8Array(readFileSync(new URL('specs/digits-mlp.json', publicDir)));
const SEED = keccak256(toBytes('browser-subset-test'));

let h: Harness;
let page: Page;
let artifact: Uint8Array;

const evaluate = (job: Omit<PageEvalJob, 'spec' | 'artifactBase64' | 'dataUrl'>) =>
  page.evaluate(
    (j) =>
      (window as unknown as { evalPage: { evaluate(j: PageEvalJob): Promise<PageEvalOutcome> } }).evalPage.evaluate(j),
    {
      spec: 'digits-mlp',
      artifactBase64: Buffer.from(artifact).toString('base64'),
      dataUrl: '/datasets/digits-eval',
      ...job,
    },
  );

describe('subset evaluation in a Chromium worker', () => {
  beforeAll(async () => {
    tf.enableProdMode();
    await activateBackend('wasm', { wasmPaths: WASM_DIR });
    const { spec, hash } = await parseModelSpecBytes(specFile);
    const source = fsSource(new URL('datasets/digits-train', publicDir).pathname);
    const r = await train({
      spec,
      data: datasetData((await source.manifest()).manifest, source, { seed: 4 }),
      seed: 4,
      maxSteps: 25,
    });
    artifact = serializeArtifact(specHashBytes(hash), specShapes(spec).params, r.weights);
    h = await startHarness();
    page = await h.open('/test/browser/pages/eval.html');
    await page.waitForFunction(() => document.getElementById('log')?.textContent === 'ready', null, {
      timeout: 120_000,
    });
  });

  afterAll(async () => {
    await h?.close();
  });

  test('wasm: the epoch subset from {seed, size} scores exactly as the Node eval service does, with progress over the subset', async () => {
    const browser = await evaluate({ backend: 'wasm', subset: { seed: SEED, size: 100 } });
    const node = await createEvalService({ backend: { wasmPaths: WASM_DIR }, fetch: fileFetch }).evaluate({
      specBytes: specFile,
      artifact,
      dataUrl: 'http://local/datasets/digits-eval',
      backend: 'wasm',
      indices: evalSubset(SEED, 250, 100),
    });
    expect(browser).toMatchObject({
      backend: 'wasm',
      floatPrecision: 32,
      samples: 100,
      datasetSamples: 250,
      progressTotals: [100],
    });
    expect({ loss: browser.loss, accuracy: browser.accuracy }).toEqual({ loss: node.loss, accuracy: node.accuracy });
    // A model that is right on some and wrong on other samples: a wrong subset would not match.
    expect(browser.accuracy).toBeGreaterThan(0.3);
    expect(browser.accuracy).toBeLessThan(1);
    const whole = await evaluate({ backend: 'wasm' });
    expect(whole.samples).toBe(250);
    expect(whole.loss).not.toBe(browser.loss);
  });

  test('webgpu (SwiftShader): the same subset, per-sample arrays back from the worker, within a sample of wasm', async () => {
    const indices = evalSubset(SEED, 250, 40);
    const gpu = await evaluate({ backend: 'webgpu', indices, perSample: true });
    const cpu = await evaluate({ backend: 'wasm', indices, perSample: true });
    expect(gpu).toMatchObject({ backend: 'webgpu', floatPrecision: 32, samples: 40 });
    const preds = (s: string) => new Int32Array(Uint8Array.from(Buffer.from(s, 'base64')).buffer);
    expect(preds(gpu.perSample!.predictions)).toHaveLength(40);
    const differ = preds(gpu.perSample!.predictions).filter(
      (p, i) => p !== preds(cpu.perSample!.predictions)[i],
    ).length;
    expect(differ).toBeLessThanOrEqual(1);
    expect(Math.abs(gpu.accuracy - cpu.accuracy)).toBeLessThanOrEqual(1 / 40);
  });

  test('webgl renders to float32 textures on SwiftShader and says so (tfjs#6980 reports 16); real 16-bit WebGL is refused unless accepted', async () => {
    const worker = await evaluate({ backend: 'webgl', subset: { seed: SEED, size: 50 }, perSample: true });
    expect(worker).toMatchObject({ backend: 'webgl', floatPrecision: 32, samples: 50 });

    // Half-float textures, as on a device without float32 render targets: the page's own thread.
    type HalfApi = { evalPage: { evaluateHalfFloatWebGl(j: PageEvalJob): Promise<PageEvalOutcome> } };
    const job: PageEvalJob = {
      spec: 'digits-mlp',
      artifactBase64: Buffer.from(artifact).toString('base64'),
      dataUrl: '/datasets/digits-eval',
      backend: 'webgl',
      subset: { seed: SEED, size: 50 },
      perSample: true,
    };
    await expect(
      page.evaluate((j) => (window as unknown as HalfApi).evalPage.evaluateHalfFloatWebGl(j), job),
    ).rejects.toThrow(/computes in 16-bit floats/);
    const half = await page.evaluate((j) => (window as unknown as HalfApi).evalPage.evaluateHalfFloatWebGl(j), {
      ...job,
      allowHalfPrecision: true,
    });
    expect(half).toMatchObject({ backend: 'webgl', floatPrecision: 16, samples: 50 });
    const logits = (s: string) => new Float32Array(Uint8Array.from(Buffer.from(s, 'base64')).buffer);
    const a = logits(worker.perSample!.logits);
    const b = logits(half.perSample!.logits);
    const maxDiff = Math.max(...a.map((x, i) => Math.abs(x - b[i]!)));
    // float16 keeps 11 significant bits: logits of a few units are off by 1e-3 or more.
    expect(maxDiff).toBeGreaterThan(1e-4);
  });
});
