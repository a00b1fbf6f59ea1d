import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { describeLayer, describeMetric, layerRows } from '../../../src/app/pages/task/spec-text.ts';
import { parseModelSpecBytes } from '../../../src/lib/ml/spec/parse.ts';
import { specShapes } from '../../../src/lib/ml/spec/shapes.ts';

describe('spec text', () => {
  it('describes every layer type', () => {
    expect(describeLayer({ type: 'dense', units: 10, activation: 'relu' })).toBe('dense, 10 units, relu');
    expect(
      describeLayer({ type: 'conv2d', filters: 8, kernelSize: 3, strides: 1, padding: 'same', activation: 'relu' }),
    ).toBe('conv2d, 8 filters 3×3, stride 1, same padding, relu');
    expect(describeLayer({ type: 'maxPool2d', poolSize: 2, strides: 2, padding: 'valid' })).toBe(
      'max pool 2×2, stride 2, valid padding',
    );
    expect(describeLayer({ type: 'avgPool2d', poolSize: 2, strides: 2, padding: 'valid' })).toMatch(/^average pool/);
    expect(describeLayer({ type: 'flatten' })).toBe('flatten');
    expect(describeLayer({ type: 'dropout', rate: 0.25 })).toBe('dropout 0.25');
    expect(describeLayer({ type: 'embedding', vocabSize: 100, dim: 16 })).toBe(
      'embedding, vocabulary 100, 16 dimensions',
    );
    expect(describeLayer({ type: 'layerNorm', epsilon: 1e-5 })).toBe('layer norm (ε 0.00001)');
    expect(describeLayer({ type: 'attention', heads: 2, dim: 16 })).toBe('self-attention, 2 heads, 16 dimensions');
    expect(describeLayer({ type: 'globalAvgPool1d' })).toBe('global average pool');
    expect(describeMetric({ name: 'accuracy' })).toBe('accuracy (higher is better)');
    expect(describeMetric({ name: 'loss', cap: 2 })).toBe('loss, score = max(0, 1 − loss / 2)');
  });

  it('lists the shipped CNN spec with output shapes and parameters that add up', async () => {
    const { spec } = await parseModelSpecBytes(
      readFileSync(new URL('../../../public/specs/fashion-cnn.json', import.meta.url)),
    );
    const shapes = specShapes(spec);
    const rows = layerRows(spec, shapes);
    expect(rows).toHaveLength(spec.layers.length);
    expect(rows.reduce((n, r) => n + r.params, 0)).toBe(shapes.paramCount);
    expect(rows.at(-1)!.output).toBe('[10]');
    expect(rows[0]!.text).toMatch(/^conv2d/);
  });
});
