// Gradients built from forward ops (model/grad-ops.ts) against tfjs's own backward kernels on
// cpu, the reference: conv2d (input and filter), maxPool (ties, all-negative windows, padding),
// embedding lookup with repeated ids, matMul; and small models that learn on wasm.
import { afterEach, beforeAll, describe, expect, test } from 'vitest';
import { tf } from '../../../../src/lib/ml/backend/tf.ts';
import type { BackendName } from '../../../../src/lib/ml/backend/types.ts';
import {
  conv2d,
  embeddingLookup,
  gradPath,
  matMul,
  maxPool,
  setGradMode,
  type GradMode,
} from '../../../../src/lib/ml/model/grad-ops.ts';
import type { ModelSpec } from '../../../../src/lib/ml/spec/types.ts';
import { memoryData, train, type TrainProgress } from '../../../../src/lib/ml/train/index.ts';
import { dense, makeSpec, syntheticTask, useBackend } from './helpers.ts';

/** Deterministic values in [-1, 1); `levels` > 0 rounds them to force ties. */
function values(n: number, seed: number, levels = 0): Float32Array {
  let s = seed * 2654435761;
  return Float32Array.from({ length: n }, () => {
    s = (Math.imul(s ^ (s >>> 15), 0x2c1b3c6d) + 0x9e3779b9) >>> 0;
    const v = (s / 2 ** 32) * 2 - 1;
    return levels > 0 ? Math.round(v * levels) / levels : v;
  });
}

const size = (shape: readonly number[]) => shape.reduce((a, b) => a * b, 1);

/**
 * Output and gradients (w.r.t. every input) of sum(f(inputs) * r) for a fixed random r, on a
 * backend and gradient mode. The inputs are given as plain arrays so every backend sees the same.
 */
async function run(
  backend: BackendName,
  mode: GradMode,
  inputs: { values: Float32Array | Int32Array; shape: number[]; constant?: boolean }[],
  f: (...xs: tf.Tensor[]) => tf.Tensor,
): Promise<Float32Array[]> {
  await useBackend(backend);
  setGradMode(mode);
  const xs = inputs.map((i) => tf.tensor(i.values, i.shape, i.values instanceof Int32Array ? 'int32' : 'float32'));
  try {
    const outs = tf.tidy(() => {
      const y = f(...xs);
      const r = tf.tensor(values(y.size, 99), y.shape);
      const vary = xs.filter((_, i) => !inputs[i]!.constant);
      const grads = tf.grads((...v: tf.Tensor[]) => {
        let k = 0;
        return tf.sum(tf.mul(f(...xs.map((x, i) => (inputs[i]!.constant ? x : v[k++]!))), r));
      })(vary);
      return [y, ...grads];
    });
    const result = await Promise.all(outs.map(async (t) => new Float32Array(await t.data<'float32'>())));
    tf.dispose(outs);
    return result;
  } finally {
    tf.dispose(xs);
    setGradMode('auto');
  }
}

function expectClose(actual: Float32Array[], expected: Float32Array[], rel: number, what: string): void {
  expect(actual.length).toBe(expected.length);
  actual.forEach((a, i) => {
    const e = expected[i]!;
    let worst = 0;
    a.forEach((v, j) => (worst = Math.max(worst, Math.abs(v - e[j]!) / (1e-3 + Math.abs(e[j]!)))));
    expect(worst, `${what}, output ${i}`).toBeLessThan(rel);
  });
}

afterEach(() => setGradMode('auto'));

describe.each(['cpu', 'wasm'] as const)('gradients from forward ops on %s match tfjs cpu kernels', (backend) => {
  test.each([
    { x: [2, 7, 6, 3], filters: 4, k: 3, s: 1, padding: 'same' },
    { x: [2, 7, 6, 3], filters: 4, k: 3, s: 2, padding: 'same' },
    { x: [2, 7, 6, 3], filters: 2, k: 2, s: 2, padding: 'valid' },
    { x: [2, 8, 8, 2], filters: 3, k: 4, s: 1, padding: 'same' },
    { x: [2, 9, 7, 2], filters: 3, k: 4, s: 3, padding: 'same' },
  ] as const)('conv2d $k x $k stride $s $padding', async ({ x, filters, k, s, padding }) => {
    const inputs = [
      { values: values(size(x), 1), shape: [...x] },
      { values: values(k * k * x[3] * filters, 2), shape: [k, k, x[3], filters] },
    ];
    const ref = await run('cpu', 'tfjs', inputs, (a, w) => tf.conv2d(a as tf.Tensor4D, w as tf.Tensor4D, s, padding));
    const ours = await run(backend, 'ops', inputs, (a, w) => conv2d(a!, w!, s, padding, true));
    expectClose(ours, ref, 5e-4, 'conv2d');
    // The first layer's form: no input gradient, the same filter gradient.
    const filterOnly = await run(backend, 'ops', [{ ...inputs[0]!, constant: true }, inputs[1]!], (a, w) =>
      conv2d(a!, w!, s, padding, false),
    );
    expectClose(filterOnly, [ref[0]!, ref[2]!], 5e-4, 'conv2d without input gradient');
  });

  test.each([
    { k: 2, s: 2, padding: 'valid', levels: 0 },
    { k: 2, s: 2, padding: 'valid', levels: 2 },
    { k: 2, s: 2, padding: 'same', levels: 2 },
    { k: 3, s: 2, padding: 'same', levels: 2 },
    { k: 3, s: 1, padding: 'same', levels: 0 },
    { k: 2, s: 3, padding: 'valid', levels: 2 },
    { k: 1, s: 2, padding: 'valid', levels: 0 },
  ] as const)('maxPool $k x $k stride $s $padding, ties: $levels', async ({ k, s, padding, levels }) => {
    // Mostly negative values: all-negative windows are where wasm's own MaxPoolGrad fails.
    const x = values(2 * 7 * 7 * 3, 3, levels).map((v) => v - 0.5);
    const inputs = [{ values: x, shape: [2, 7, 7, 3] }];
    const ref = await run('cpu', 'tfjs', inputs, (a) => tf.maxPool(a as tf.Tensor4D, k, s, padding));
    const ours = await run(backend, 'ops', inputs, (a) => maxPool(a!, k, s, padding));
    // A gradient routed to another input of a tie would be off by O(1); overlapping windows sum
    // in another order, hence not bit-exact.
    expectClose(ours, ref, 1e-4, 'maxPool');
  });

  test('embedding lookup with repeated ids sums their gradients', async () => {
    const ids = Int32Array.from([0, 3, 3, 5, 1, 3, 0, 5, 2, 2, 4, 3]);
    const inputs = [
      { values: values(6 * 4, 4), shape: [6, 4] },
      { values: ids, shape: [3, 4], constant: true },
    ];
    const ref = await run('cpu', 'tfjs', inputs, (t, i) => tf.gather(t!, i!));
    const ours = await run(backend, 'ops', inputs, (t, i) => embeddingLookup(t!, i!));
    expectClose(ours, ref, 1e-6, 'embedding');
  });

  test.each([
    { a: [5, 7], b: [7, 3], transposeB: false },
    { a: [2, 3, 5, 4], b: [2, 3, 6, 4], transposeB: true },
    { a: [2, 3, 5, 4], b: [2, 3, 4, 6], transposeB: false },
  ])('matMul $a x $b (transposeB $transposeB)', async ({ a, b, transposeB }) => {
    const inputs = [
      { values: values(size(a), 5), shape: a },
      { values: values(size(b), 6), shape: b },
    ];
    const ref = await run('cpu', 'tfjs', inputs, (x, y) => tf.matMul(x!, y!, false, transposeB));
    const ours = await run(backend, 'ops', inputs, (x, y) => matMul(x!, y!, transposeB));
    expectClose(ours, ref, 1e-4, 'matMul');
  });
});

describe('which path each backend takes', () => {
  const OPS = ['matMul', 'convFilter', 'convInput', 'maxPool', 'gather'] as const;

  test('wasm takes ours for everything, cpu only for the conv filter; a missing kernel means ours', async () => {
    await useBackend('wasm');
    expect(OPS.map(gradPath)).toEqual(['ops', 'ops', 'ops', 'ops', 'ops']);
    await useBackend('cpu');
    expect(OPS.map(gradPath)).toEqual(['native', 'ops', 'native', 'native', 'native']);
    const config = tf.getKernel('MaxPoolGrad', 'cpu')!;
    tf.unregisterKernel('MaxPoolGrad', 'cpu');
    try {
      expect(gradPath('maxPool')).toBe('ops');
    } finally {
      tf.registerKernel(config);
    }
  });

  test("with tfjs's own gradients wasm cannot train a conv net (the state before grad-ops)", async () => {
    const inputs = [
      { values: values(2 * 5 * 5 * 1, 1), shape: [2, 5, 5, 1] },
      { values: values(3 * 3 * 2, 2), shape: [3, 3, 1, 2] },
    ];
    await expect(run('wasm', 'tfjs', inputs, (a, w) => conv2d(a!, w!, 1, 'same', false))).rejects.toThrow(
      /Conv2DBackpropFilter/,
    );
  });

  test("canary: wasm's own MaxPoolGrad drops the gradient of an all-negative window (why maxPool takes ours there)", async () => {
    // If this starts failing, tfjs fixed the kernel and wasm could use it again (grad-ops.ts).
    const x = {
      values: Float32Array.from([
        -0.39, -0.79, 0.98, 0.87, -0.95, 0.69, 0.42, 0.08, -0.95, -0.85, -0.97, 0.71, -0.41, -0.85, 0.77, -0.11,
      ]),
      shape: [1, 4, 4, 1],
    };
    const pool = (a: tf.Tensor) => tf.maxPool(a as tf.Tensor4D, 2, 2, 'valid');
    const [, cpu] = await run('cpu', 'tfjs', [x], pool);
    const [, wasm] = await run('wasm', 'tfjs', [x], pool);
    expect(cpu![12]).not.toBe(0); // -0.41 is the maximum of the bottom-left window
    expect(wasm![12]).toBe(0);
  });
});

describe('small models learn on wasm', () => {
  beforeAll(() => useBackend('wasm'));

  const image: ModelSpec = makeSpec(
    [
      { type: 'conv2d', filters: 4, kernelSize: 3, strides: 1, padding: 'same', activation: 'relu' },
      { type: 'maxPool2d', poolSize: 2, strides: 2, padding: 'valid' },
      { type: 'conv2d', filters: 4, kernelSize: 2, strides: 1, padding: 'valid', activation: 'relu' },
      { type: 'avgPool2d', poolSize: 2, strides: 1, padding: 'same' },
      { type: 'flatten' },
      dense(3, 'logits'),
    ],
    [6, 6, 1],
    3,
    { optimizer: { name: 'adam', learningRate: 0.02, momentum: 0, batchSize: 16, epochs: 6 } },
  );
  const tokens: ModelSpec = makeSpec(
    [
      { type: 'embedding', vocabSize: 8, dim: 6 },
      { type: 'layerNorm', epsilon: 1e-5 },
      { type: 'attention', heads: 2, dim: 6 },
      { type: 'globalAvgPool1d' },
      dense(3, 'logits'),
    ],
    [4],
    3,
    { optimizer: { name: 'adam', learningRate: 0.02, momentum: 0, batchSize: 16, epochs: 6 } },
  );

  /** 6x6 noise with one bright 2x2 patch; the label is the third of the image the patch is in. */
  function patches(samples: number): { features: Float32Array; labels: Int32Array } {
    const noise = values(samples * 36, 8);
    const features = Float32Array.from(noise, (v) => 0.15 * (v + 1));
    const labels = new Int32Array(samples);
    for (let i = 0; i < samples; i++) {
      const row = i % 5;
      const col = (i * 7) % 5;
      for (const [dr, dc] of [
        [0, 0],
        [0, 1],
        [1, 0],
        [1, 1],
      ] as const)
        features[i * 36 + (row + dr) * 6 + col + dc] = 1;
      labels[i] = row < 2 ? 0 : row < 3 ? 1 : 2;
    }
    return { features, labels };
  }

  test.each([
    ['conv, max-pool, avg-pool', image],
    ['embedding, layerNorm, attention', tokens],
  ])('%s: the loss goes down', async (_, spec) => {
    const featureSize = size(spec.input.shape);
    // Token ids for the embedding model: a learnable synthetic task's features quantized.
    const task = spec.layers[0]!.type === 'embedding' ? syntheticTask(96, featureSize, 3) : patches(96);
    const features =
      spec.layers[0]!.type === 'embedding' ? Int32Array.from(task.features, (v) => Math.floor(v * 8)) : task.features;
    const seen: TrainProgress[] = [];
    const before = tf.memory().numTensors;
    const r = await train({
      spec,
      data: memoryData(features, task.labels, featureSize, { seed: 2 }),
      seed: 1,
      readEvery: 6,
      onProgress: (p) => seen.push(p),
    });
    expect(r.status).toBe('completed');
    expect(seen.at(-1)!.loss).toBeLessThan(seen[0]!.loss * 0.85);
    expect(tf.memory().numTensors).toBe(before);
  });
});
