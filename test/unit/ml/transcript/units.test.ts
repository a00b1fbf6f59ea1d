// The units of the one-unit outlier rule (src/lib/ml/transcript/units.ts), on the bundled specs'
// parameter lists.
import { describe, expect, it } from 'vitest';
import { specShapes } from '../../../../src/lib/ml/spec/shapes.ts';
import type { ModelSpec } from '../../../../src/lib/ml/spec/types.ts';
import { paramUnits, unitLabel, unitOf } from '../../../../src/lib/ml/transcript/units.ts';

const shapes = (input: number[], layers: ModelSpec['layers'], classes = 10) =>
  specShapes({ input: { shape: input }, layers, output: { classes } }).params;
const labels = (keys: number[]) => keys.map((k) => unitLabel(unitOf(k)));

describe('paramUnits', () => {
  it("digits-mlp: a hidden unit is its kernel column, its bias and its row of the logits' kernel", () => {
    const params = shapes(
      [8, 8, 1],
      [
        { type: 'flatten' },
        { type: 'dense', units: 128, activation: 'relu' },
        { type: 'dense', units: 10, activation: 'linear' },
      ],
    );
    const u = paramUnits(params);
    expect(params.map((p) => `${p.layer}.${p.name}`)).toEqual(['1.kernel', '1.bias', '2.kernel', '2.bias']);
    // hidden kernel [64, 128]: index r * 128 + j is in unit j only (flatten has no units).
    expect(labels(u[0]!(5 * 128 + 17))).toEqual(['layers[1] unit 17']);
    expect(labels(u[1]!(17))).toEqual(['layers[1] unit 17']);
    // logits kernel [128, 10]: index j * 10 + k is in output unit k and in hidden unit j's row.
    expect(labels(u[2]!(17 * 10 + 3))).toEqual(['layers[2] unit 3', 'layers[1] unit 17']);
    expect(labels(u[3]!(3))).toEqual(['layers[2] unit 3']);
  });

  it('fashion-cnn: a filter is its kernel slice and bias, and the next layer reads it by channel', () => {
    const params = shapes(
      [28, 28, 1],
      [
        { type: 'conv2d', filters: 16, kernelSize: 3, strides: 1, padding: 'same', activation: 'relu' },
        { type: 'maxPool2d', poolSize: 2, strides: 2, padding: 'valid' },
        { type: 'conv2d', filters: 32, kernelSize: 3, strides: 1, padding: 'same', activation: 'relu' },
        { type: 'maxPool2d', poolSize: 2, strides: 2, padding: 'valid' },
        { type: 'flatten' },
        { type: 'dense', units: 128, activation: 'relu' },
        { type: 'dropout', rate: 0.3 },
        { type: 'dense', units: 10, activation: 'linear' },
      ],
    );
    const u = paramUnits(params);
    // conv1 kernel [3, 3, 1, 16]: ((a * 3 + b) * 1 + 0) * 16 + f.
    expect(labels(u[0]!(4 * 16 + 9))).toEqual(['layers[0] unit 9']);
    // conv2 kernel [3, 3, 16, 32]: ((a * 3 + b) * 16 + c) * 32 + f is in filter f and conv1's filter c.
    expect(labels(u[2]!((7 * 16 + 5) * 32 + 30))).toEqual(['layers[2] unit 30', 'layers[0] unit 5']);
    // hidden kernel [7 * 7 * 32, 128] after flatten: row (i * 7 + j) * 32 + c reads conv2's filter c.
    expect(labels(u[4]!(((3 * 7 + 2) * 32 + 11) * 128 + 40))).toEqual(['layers[5] unit 40', 'layers[2] unit 11']);
    // logits after dropout read the hidden units directly.
    expect(labels(u[6]!(40 * 10 + 2))).toEqual(['layers[7] unit 2', 'layers[5] unit 40']);
  });

  it('puts the parameters of other layers in no unit, and does not link across them', () => {
    const params = shapes(
      [6],
      [
        { type: 'embedding', vocabSize: 20, dim: 4 },
        { type: 'layerNorm', epsilon: 1e-5 },
        { type: 'dense', units: 4, activation: 'relu' },
        { type: 'layerNorm', epsilon: 1e-5 },
        { type: 'globalAvgPool1d' },
        { type: 'dense', units: 3, activation: 'linear' },
      ],
      3,
    );
    const u = paramUnits(params);
    const names = params.map((p) => `${p.layer}.${p.name}`);
    expect(names).toEqual([
      '0.embeddings',
      '1.gamma',
      '1.beta',
      '2.kernel',
      '2.bias',
      '3.gamma',
      '3.beta',
      '5.kernel',
      '5.bias',
    ]);
    expect(u[0]!(7)).toEqual([]);
    expect(u[1]!(2)).toEqual([]);
    expect(labels(u[3]!(2 * 4 + 1))).toEqual(['layers[2] unit 1']);
    // The last dense layer reads a layerNorm, which mixes units: only its own unit.
    expect(labels(u[7]!(1 * 3 + 2))).toEqual(['layers[5] unit 2']);
  });
});
