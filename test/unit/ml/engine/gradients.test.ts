// Analytic gradients of every trainable layer type against central differences, on cpu (the
// reference backend: float32 everywhere, every backward kernel) and on wasm (where conv, pooling,
// embedding and matMul gradients are built from forward ops: model/grad-ops.ts).
import { beforeAll, describe, test } from 'vitest';
import { tf } from '../../../../src/lib/ml/backend/tf.ts';
import { buildModel, initialWeights } from '../../../../src/lib/ml/model/index.ts';
import type { ModelSpec } from '../../../../src/lib/ml/spec/types.ts';
import { NODE_BACKENDS, dense, expectGradientsMatchCentralDifferences, makeSpec, useBackend } from './helpers.ts';

const sequence: ModelSpec = makeSpec(
  [
    { type: 'embedding', vocabSize: 6, dim: 4 },
    { type: 'layerNorm', epsilon: 1e-5 },
    { type: 'attention', heads: 2, dim: 4 },
    dense(4, undefined, 'gelu'),
    { type: 'globalAvgPool1d' },
    dense(3, undefined, 'tanh'),
  ],
  [5],
  3,
);

const image: ModelSpec = makeSpec(
  [
    { type: 'conv2d', filters: 3, kernelSize: 3, strides: 1, padding: 'same', activation: 'sigmoid' },
    { type: 'avgPool2d', poolSize: 2, strides: 2, padding: 'valid' },
    { type: 'conv2d', filters: 2, kernelSize: 2, strides: 1, padding: 'valid', activation: 'linear' },
    { type: 'flatten' },
    dense(3),
  ],
  [4, 4, 2],
  3,
);

const pooled: ModelSpec = makeSpec(
  [
    { type: 'conv2d', filters: 3, kernelSize: 2, strides: 1, padding: 'same', activation: 'tanh' },
    { type: 'maxPool2d', poolSize: 2, strides: 2, padding: 'valid' },
    { type: 'conv2d', filters: 2, kernelSize: 3, strides: 2, padding: 'same', activation: 'sigmoid' },
    { type: 'flatten' },
    dense(3),
  ],
  [5, 6, 2],
  3,
);

function batchFor(spec: ModelSpec): { x: tf.Tensor; y: tf.Tensor } {
  if (spec.layers[0]!.type === 'embedding') {
    return {
      x: tf.tensor([0, 1, 2, 3, 4, 5, 4, 3, 2, 1, 1, 1, 0, 5, 2], [3, 5], 'int32'),
      y: tf.tensor1d([0, 2, 1], 'int32'),
    };
  }
  return { x: tf.randomUniform([3, ...spec.input.shape], -1, 1, 'float32', 9), y: tf.tensor1d([2, 0, 1], 'int32') };
}

describe.each(NODE_BACKENDS)('on %s', (backend) => {
  beforeAll(() => useBackend(backend));

  test.each([
    ['embedding, layerNorm, attention, gelu, globalAvgPool1d, dense', sequence],
    ['conv2d, avgPool2d, flatten, dense', image],
    ['conv2d (strided), maxPool2d, flatten, dense', pooled],
  ])('gradients of %s match central differences', async (_, spec) => {
    const weights = initialWeights(spec, 4);
    // Non-zero biases and gamma != 1 so their gradients are exercised away from the symmetric start.
    weights.forEach((w) => {
      if (w.length < 8) w.forEach((_, i) => (w[i] = w[i]! + 0.1 * Math.sin(i + 1)));
    });
    const model = buildModel(spec, weights);
    const { x, y } = batchFor(spec);
    expectGradientsMatchCentralDifferences(model, weights, x, y);
    tf.dispose([x, y]);
    model.dispose();
  });
});
