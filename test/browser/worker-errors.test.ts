// Typed errors across the ML worker boundary (issue 10, section 1): a job that fails in the train
// or eval worker rejects in the page with an instance of the library's class, its code, retryable
// flag and own fields, not a plain Error that only carries the name. Headless Chromium, the
// app's ML client and workers.
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { parseModelSpecBytes, SpecError } from '../../src/lib/ml/spec/parse.ts';
import type { RejectionView } from './pages/worker-errors-page.ts';
import { startHarness, type Harness } from './harness.ts';

const WRONG_HASH = `0x${'ab'.repeat(32)}`;
// A spec that is JSON but not a model spec: Node's parser says what the worker's must say.
const BAD_SPEC = '{"version":1,"layers":"none"}';

type Api = {
  workerErrors: {
    evaluateRejection(j: unknown): Promise<RejectionView | null>;
    trainRejection(j: unknown): Promise<RejectionView | null>;
  };
};

let h: Harness;
let page: Page;

const evaluateRejection = (job: Record<string, unknown>) =>
  page.evaluate((j) => (window as unknown as Api).workerErrors.evaluateRejection(j), job);
const trainRejection = (job: Record<string, unknown>) =>
  page.evaluate((j) => (window as unknown as Api).workerErrors.trainRejection(j), job);

describe('typed errors from the ML workers, in Chromium', () => {
  beforeAll(async () => {
    h = await startHarness();
    page = await h.open('/test/browser/pages/worker-errors.html');
    await page.waitForFunction(() => document.getElementById('log')?.textContent === 'ready', null, {
      timeout: 120_000,
    });
  });

  afterAll(async () => {
    await h?.close();
  });

  test('eval worker: a wrong expected spec hash rejects with an EvalJobError, its code and retryable flag', async () => {
    const r = await evaluateRejection({
      spec: 'digits-mlp',
      expectedSpecHash: WRONG_HASH,
      dataUrl: '/datasets/digits-eval',
      backend: 'wasm',
    });
    expect(r).toMatchObject({
      instanceOf: ['Error', 'ArenaError', 'EvalJobError'],
      name: 'EvalJobError',
      code: 'eval-job',
      retryable: false,
    });
    expect(r!.message).toMatch(new RegExp(`^the model spec hashes to [0-9a-f]{64}, expected ${WRONG_HASH}$`));
  });

  test('eval worker: a malformed spec rejects with the SpecError Node raises, its field included', async () => {
    const node = await parseModelSpecBytes(new TextEncoder().encode(BAD_SPEC)).then(
      () => null,
      (e: unknown) => e,
    );
    expect(node).toBeInstanceOf(SpecError);
    const want = node as SpecError;
    const r = await evaluateRejection({ spec: { text: BAD_SPEC }, dataUrl: '/datasets/digits-eval' });
    expect(r).toEqual({
      instanceOf: ['Error', 'ArenaError', 'SpecError'],
      name: 'SpecError',
      message: want.message,
      code: 'spec',
      retryable: false,
      details: null,
      field: want.field,
    });
  });

  test('train worker: a wrong expected spec hash rejects with a TrainJobError', async () => {
    const r = await trainRejection({
      runId: 'wrong-spec',
      spec: 'digits-mlp',
      expectedSpecHash: WRONG_HASH,
      dataUrl: '/datasets/digits-train',
      seed: 1,
      backend: 'wasm',
      maxSteps: 1,
    });
    expect(r).toMatchObject({
      instanceOf: ['Error', 'ArenaError', 'TrainJobError'],
      name: 'TrainJobError',
      code: 'train-job',
      retryable: false,
    });
    expect(r!.message).toMatch(/^the model spec hashes to [0-9a-f]{64}, the task names 0x(ab){32}$/);
  });

  test('an error that is not a library error stays a plain Error with its message', async () => {
    // Nothing listens on port 9 (discard): the dataset fetch fails in the worker with a plain Error.
    const r = await evaluateRejection({ spec: 'digits-mlp', dataUrl: 'http://127.0.0.1:9/datasets/digits-eval' });
    expect(r).toMatchObject({ instanceOf: ['Error'], name: 'Error', code: null, retryable: null });
    expect(r!.message).toMatch(/^GET http:\/\/127\.0\.0\.1:9\/datasets\/digits-eval\/manifest\.json failed: /);
  });
});
