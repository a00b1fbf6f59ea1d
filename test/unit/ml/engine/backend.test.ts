import { afterAll, describe, expect, test } from 'vitest';
import { activateBackend, BackendUnavailableError, resetBackend } from '../../../../src/lib/ml/backend/activate.ts';
import { selectBackend, tier, BackendCannotTrainError } from '../../../../src/lib/ml/backend/select.ts';
import { tf } from '../../../../src/lib/ml/backend/tf.ts';
import { trialTraining } from '../../../../src/lib/ml/backend/trial.ts';
import { probeWebGpuAdapter } from '../../../../src/lib/ml/backend/adapter.ts';
import { watchDeviceLoss } from '../../../../src/lib/ml/backend/device-loss.ts';
import type { ModelSpec } from '../../../../src/lib/ml/spec/types.ts';
import { WASM_DIR, dense, makeSpec, useBackend } from './helpers.ts';

const env = { wasmPaths: WASM_DIR };
const mlp = makeSpec([dense(16, 'h', 'relu'), dense(4, 'logits')], [8], 4);
const conv: ModelSpec = makeSpec(
  [
    { type: 'conv2d', filters: 2, kernelSize: 3, strides: 1, padding: 'same', activation: 'relu' },
    { type: 'flatten' },
    dense(3),
  ],
  [4, 4, 1],
  3,
);
const embed: ModelSpec = makeSpec(
  [{ type: 'embedding', vocabSize: 10, dim: 4 }, { type: 'globalAvgPool1d' }, dense(3)],
  [5],
  3,
);

afterAll(() => useBackend('cpu'));

describe('activation', () => {
  test('cpu and wasm activate and report themselves', async () => {
    await useBackend('cpu');
    const cpu = await activateBackend('cpu', env);
    expect(cpu).toMatchObject({ name: 'cpu', software: false, floatPrecision: 32 });
    const wasm = await activateBackend('wasm', env);
    expect(wasm.name).toBe('wasm');
    expect(tf.getBackend()).toBe('wasm');
  });

  test('webgpu and webgl are unavailable in Node with a reason, and the active backend is untouched', async () => {
    await activateBackend('cpu', env);
    await expect(activateBackend('webgpu', env)).rejects.toThrow(/navigator\.gpu/);
    await expect(activateBackend('webgl', env)).rejects.toBeInstanceOf(BackendUnavailableError);
    expect(tf.getBackend()).toBe('cpu');
  });

  test('a software WebGPU adapter is recognized from its info', async () => {
    const gpu = (info: object, extra: object = {}) => ({ requestAdapter: async () => ({ info, ...extra }) });
    expect(
      (await probeWebGpuAdapter(gpu({ vendor: 'google', architecture: 'swiftshader', description: '' })))!
        .isFallbackAdapter,
    ).toBe(true);
    expect(
      (await probeWebGpuAdapter(gpu({ vendor: 'x', architecture: 'y', isFallbackAdapter: true })))!.isFallbackAdapter,
    ).toBe(true);
    expect((await probeWebGpuAdapter(gpu({ vendor: 'nvidia', architecture: 'ampere' })))!.isFallbackAdapter).toBe(
      false,
    );
    expect(await probeWebGpuAdapter({ requestAdapter: async () => null })).toBeNull();
  });

  test('tiers: GPU and wasm first, cpu and software GPUs next, half-precision WebGL last', () => {
    expect(tier({ name: 'wasm', software: false, floatPrecision: 32 })).toBe(0);
    expect(tier({ name: 'webgpu', software: false, floatPrecision: 32 })).toBe(0);
    expect(tier({ name: 'webgpu', software: true, floatPrecision: 32 })).toBe(1);
    expect(tier({ name: 'cpu', software: false, floatPrecision: 32 })).toBe(1);
    expect(tier({ name: 'webgl', software: true, floatPrecision: 16 })).toBe(2);
  });

  test('resetBackend drops the instance and lets it be built again', async () => {
    await activateBackend('wasm', env);
    resetBackend('wasm');
    expect(tf.engine().registry['wasm']).toBeUndefined();
    await activateBackend('wasm', env);
    expect(tf.getBackend()).toBe('wasm');
  });

  test('device-loss watching is inert off webgpu', async () => {
    await activateBackend('cpu', env);
    const watch = watchDeviceLoss(() => {
      throw new Error('never');
    });
    expect(await watch.lostWithin(10)).toBeNull();
    watch.stop();
  });
});

const gelu = makeSpec([dense(8, 'h', 'gelu'), dense(3, 'logits')], [4], 3);

/** Runs `f` with a kernel unregistered on a backend: a stand-in for a backend that lacks it. */
async function withoutKernel<T>(kernel: string, backend: string, f: () => Promise<T>): Promise<T> {
  const config = tf.getKernel(kernel, backend)!;
  tf.unregisterKernel(kernel, backend);
  try {
    return await f();
  } finally {
    tf.registerKernel(config);
  }
}

describe('what each backend can train (found by trying, not hard-coded)', () => {
  // wasm lacks Conv2DBackpropFilter and UnsortedSegmentSum; the layers build those gradients
  // from forward ops (model/grad-ops.ts), so it trains conv nets and embeddings too.
  test.each([
    ['cpu', 'mlp', mlp],
    ['cpu', 'conv', conv],
    ['cpu', 'embedding', embed],
    ['wasm', 'mlp', mlp],
    ['wasm', 'conv', conv],
    ['wasm', 'embedding', embed],
  ] as const)('%s trains %s', async (backend, _, spec) => {
    await activateBackend(backend, env);
    const r = await trialTraining(spec, { batchSize: 4, steps: 1, warmup: 0 });
    expect(r).toMatchObject({ ok: true });
    expect(tf.memory().numTensors).toBe(0);
  });

  test('a kernel the model needs and the backend lacks makes the trial fail, naming it, without leaking tensors', async () => {
    await activateBackend('wasm', env);
    const r = await withoutKernel('Erf', 'wasm', () => trialTraining(gelu, { batchSize: 4, steps: 1, warmup: 0 }));
    expect(r).toMatchObject({ ok: false, error: expect.stringMatching(/Erf/) });
    expect(tf.memory().numTensors).toBe(0);
  });
});

describe('selection', () => {
  test('picks wasm for an MLP (cpu is only timed when nothing faster in kind trains)', async () => {
    const sel = await selectBackend({ spec: mlp, env, trial: { batchSize: 8, steps: 2 } });
    expect(sel.backend).toBe('wasm');
    expect(tf.getBackend()).toBe('wasm');
    expect(sel.report.find((r) => r.name === 'cpu')?.status).toBe('skipped');
    expect(sel.report.find((r) => r.name === 'webgpu')?.status).toBe('unavailable');
    expect(sel.samplesPerSec).toBeGreaterThan(0);
  });

  test('picks wasm for a conv net and an embedding model too', async () => {
    for (const spec of [conv, embed]) {
      const sel = await selectBackend({ spec, env, trial: { batchSize: 4, steps: 1 } });
      expect(sel.backend).toBe('wasm');
      expect(sel.report.find((r) => r.name === 'wasm')?.status).toBe('calibrated');
    }
  });

  test('falls through to cpu when wasm cannot train the model, saying why', async () => {
    const sel = await withoutKernel('Erf', 'wasm', () =>
      selectBackend({ spec: gelu, env, trial: { batchSize: 4, steps: 1 } }),
    );
    expect(sel.backend).toBe('cpu');
    expect(sel.report.find((r) => r.name === 'wasm')).toMatchObject({
      status: 'cannot-train',
      reason: expect.stringMatching(/Erf/),
    });
  });

  test('an override is honoured, and fails clearly when the backend cannot train', async () => {
    expect((await selectBackend({ spec: mlp, env, force: 'cpu', trial: { batchSize: 4, steps: 1 } })).backend).toBe(
      'cpu',
    );
    await withoutKernel('Erf', 'wasm', () =>
      expect(
        selectBackend({ spec: gelu, env, force: 'wasm', trial: { batchSize: 4, steps: 1 } }),
      ).rejects.toBeInstanceOf(BackendCannotTrainError),
    );
    await expect(selectBackend({ spec: mlp, env, force: 'webgpu' })).rejects.toBeInstanceOf(BackendUnavailableError);
  });
});
