import { describe, expect, test, beforeAll } from 'vitest';
import { tf } from '../../../../src/lib/ml/backend/tf.ts';
import { applyLayer } from '../../../../src/lib/ml/model/layers.ts';
import { buildModel, initialWeights, dropoutMask } from '../../../../src/lib/ml/model/index.ts';
import { specShapes } from '../../../../src/lib/ml/spec/shapes.ts';
import type { ModelSpec } from '../../../../src/lib/ml/spec/types.ts';
import { NODE_BACKENDS, dense, makeSpec, sameArrays, useBackend } from './helpers.ts';

const cnn: ModelSpec = makeSpec(
  [
    { type: 'conv2d', id: 'conv1', filters: 4, kernelSize: 3, strides: 1, padding: 'same', activation: 'relu' },
    { type: 'maxPool2d', poolSize: 2, strides: 2, padding: 'valid' },
    { type: 'conv2d', filters: 6, kernelSize: 3, strides: 1, padding: 'valid', activation: 'tanh' },
    { type: 'avgPool2d', poolSize: 2, strides: 2, padding: 'valid' },
    { type: 'flatten' },
    { type: 'dropout', rate: 0.5 },
    dense(10, 'logits'),
  ],
  [8, 8, 1],
  10,
);

const transformer: ModelSpec = makeSpec(
  [
    { type: 'embedding', vocabSize: 20, dim: 8 },
    { type: 'layerNorm', epsilon: 1e-5 },
    { type: 'attention', heads: 2, dim: 8 },
    dense(8, 'ff', 'gelu'),
    { type: 'globalAvgPool1d' },
    dense(3, 'logits', 'sigmoid'),
  ],
  [6],
  3,
);

function inputFor(spec: ModelSpec, batch: number): tf.Tensor {
  const shape = [batch, ...spec.input.shape];
  if (spec.layers[0]!.type === 'embedding')
    return tf.tensor(
      Array.from({ length: batch * spec.input.shape[0]! }, (_, i) => (i * 7) % 20),
      shape,
      'int32',
    );
  return tf.randomUniform(shape, 0, 1, 'float32', 3);
}

describe.each(NODE_BACKENDS)('model on %s', (backend) => {
  beforeAll(() => useBackend(backend));

  test.each([
    ['cnn', cnn],
    ['transformer', transformer],
  ])('every layer of the %s produces the shape specShapes infers', (_, spec) => {
    const shapes = specShapes(spec);
    const weights = initialWeights(spec, 1);
    const model = buildModel(spec, weights);
    tf.tidy(() => {
      let x = inputFor(spec, 3);
      spec.layers.forEach((layer, i) => {
        const ws = model.variables.filter((_, j) => shapes.params[j]!.layer === i);
        x = applyLayer(layer, x, ws, {
          index: i,
          dropout: (l, shape, rate) =>
            tf.tensor(
              dropoutMask(
                1,
                0,
                l,
                shape.reduce((a, b) => a * b, 1),
                rate,
              ),
              shape,
            ),
        });
        expect(x.shape).toEqual([3, ...shapes.outputs[i]!]);
      });
      expect(model.apply(inputFor(spec, 5)).shape).toEqual([5, spec.output.classes]);
    });
    model.dispose();
  });

  test('weights round-trip through the variables', async () => {
    const w = initialWeights(cnn, 9);
    const model = buildModel(cnn, w);
    expect(sameArrays(await model.readWeights(), w)).toBe(true);
    const w2 = initialWeights(cnn, 10);
    model.writeWeights(w2);
    expect(sameArrays(await model.readWeights(), w2)).toBe(true);
    expect(() => model.writeWeights(w2.slice(1))).toThrow(/weight tensors/);
    model.dispose();
  });
});

test('initialization: seeded, Glorot-uniform kernels, zero biases, unit gamma, embeddings in +-0.05', () => {
  const a = initialWeights(transformer, 5);
  expect(sameArrays(a, initialWeights(transformer, 5))).toBe(true);
  expect(sameArrays(a, initialWeights(transformer, 6))).toBe(false);
  const params = specShapes(transformer).params;
  params.forEach((p, i) => {
    const w = a[i]!;
    if (p.name === 'embeddings') expect(Math.max(...w.map(Math.abs))).toBeLessThanOrEqual(0.05);
    else if (p.name === 'gamma') expect(w.every((v) => v === 1)).toBe(true);
    else if (p.shape.length === 1) expect(w.every((v) => v === 0)).toBe(true);
    else {
      const limit = Math.sqrt(6 / (p.shape[0]! + p.shape[1]!));
      expect(Math.max(...w.map(Math.abs))).toBeLessThanOrEqual(limit);
      expect(Math.max(...w.map(Math.abs))).toBeGreaterThan(limit * 0.8);
    }
  });
  // conv fans count the receptive field: [3,3,1,4] -> fanIn 9, fanOut 36
  const conv = initialWeights(cnn, 1)[0]!;
  expect(Math.max(...conv.map(Math.abs))).toBeLessThanOrEqual(Math.sqrt(6 / 45));
});

test('dropout masks: rate respected, scaled, and a pure function of (seed, step, layer)', () => {
  const m = dropoutMask(3, 17, 2, 10000, 0.25);
  const kept = m.filter((v) => v !== 0);
  expect(kept.every((v) => Math.abs(v - 1 / 0.75) < 1e-6)).toBe(true);
  expect(Math.abs(kept.length / 10000 - 0.75)).toBeLessThan(0.03);
  expect(dropoutMask(3, 17, 2, 100, 0.25)).toEqual(m.subarray(0, 100));
  expect(dropoutMask(3, 18, 2, 100, 0.25)).not.toEqual(m.subarray(0, 100));
});
