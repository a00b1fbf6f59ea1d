// Test helpers: backends in Node and small specs.
import { fileURLToPath } from 'node:url';
import { expect } from 'vitest';
import { activateBackend } from '../../../../src/lib/ml/backend/activate.ts';
import { tf, type Tensor } from '../../../../src/lib/ml/backend/tf.ts';
import type { Model } from '../../../../src/lib/ml/model/model.ts';
import { crossEntropyPerSample } from '../../../../src/lib/ml/train/loss.ts';
import type { BackendName } from '../../../../src/lib/ml/backend/types.ts';
import type { LayerSpec, ModelSpec, ParamShape } from '../../../../src/lib/ml/spec/types.ts';

export const WASM_DIR = fileURLToPath(
  new URL('../../../../node_modules/@tensorflow/tfjs-backend-wasm/dist/', import.meta.url),
);

/** Backends the Node tests run on. */
export const NODE_BACKENDS: BackendName[] = ['cpu', 'wasm'];

let prod = false;
export async function useBackend(name: BackendName): Promise<void> {
  if (!prod) {
    // Silences the "install tfjs-node" banner and skips per-op debug checks.
    tf.enableProdMode();
    prod = true;
  }
  await activateBackend(name, { wasmPaths: WASM_DIR });
}

export function makeSpec(
  layers: LayerSpec[],
  input: number[],
  classes: number,
  extra: Partial<ModelSpec> = {},
): ModelSpec {
  return {
    format: 'aiarena-model-spec',
    version: 1,
    name: 'test-model',
    description: '',
    input: { shape: input },
    output: { classes },
    layers,
    loss: 'sparse-categorical-crossentropy',
    metric: { name: 'accuracy' },
    optimizer: { name: 'adam', learningRate: 0.01, momentum: 0, batchSize: 16, epochs: 2 },
    ...extra,
  };
}

export const dense = (
  units: number,
  id?: string,
  activation: 'linear' | 'relu' | 'gelu' | 'tanh' | 'sigmoid' = 'linear',
): LayerSpec => ({
  type: 'dense',
  units,
  activation,
  ...(id ? { id } : {}),
});

/** A learnable synthetic task: the label is the arg-max of a fixed random projection. */
export function syntheticTask(
  samples: number,
  featureSize: number,
  classes: number,
  seed = 7,
): { features: Float32Array; labels: Int32Array } {
  let s = seed >>> 0;
  const rand = () => {
    s = (Math.imul(s ^ (s >>> 15), 0x2c1b3c6d) + 0x9e3779b9) >>> 0;
    return s / 2 ** 32;
  };
  const proj = Array.from({ length: classes * featureSize }, () => rand() * 2 - 1);
  const features = new Float32Array(samples * featureSize);
  const labels = new Int32Array(samples);
  for (let i = 0; i < samples; i++) {
    let best = -Infinity;
    for (let f = 0; f < featureSize; f++) features[i * featureSize + f] = rand();
    for (let c = 0; c < classes; c++) {
      let dot = 0;
      for (let f = 0; f < featureSize; f++) dot += proj[c * featureSize + f]! * (features[i * featureSize + f]! - 0.5);
      if (dot > best) {
        best = dot;
        labels[i] = c;
      }
    }
  }
  return { features, labels };
}

export function sameArrays(a: readonly Float32Array[], b: readonly Float32Array[]): boolean {
  if (a.length !== b.length) return false;
  return a.every((x, i) => {
    const y = b[i]!;
    if (x.length !== y.length) return false;
    const xu = new Uint32Array(x.buffer, x.byteOffset, x.length);
    const yu = new Uint32Array(y.buffer, y.byteOffset, y.length);
    return xu.every((v, j) => v === yu[j]);
  });
}

/**
 * Checks the model's analytic gradients of the mean cross-entropy on (x, y) against central
 * differences at three entries of every weight tensor (`at` picks them; default: first, middle,
 * last). Leaves the weights as they were and returns the analytic gradients.
 */
export function expectGradientsMatchCentralDifferences(
  model: Model,
  weights: Float32Array[],
  x: Tensor,
  y: Tensor,
  at: (p: ParamShape, w: Float32Array) => number[] = (_, w) => [0, Math.floor(w.length / 2), w.length - 1],
): Float32Array[] {
  const lossOf = () => tf.tidy(() => tf.mean(crossEntropyPerSample(model.apply(x), y)).dataSync()[0]!);
  const analytic = tf.tidy(() => {
    const { grads } = tf.variableGrads(
      () => tf.mean(crossEntropyPerSample(model.apply(x), y)) as tf.Scalar,
      model.variables as tf.Variable[],
    );
    return model.variables.map((v) => grads[v.name]!.dataSync().slice() as Float32Array);
  });
  const h = 2e-3;
  let checked = 0;
  model.params.forEach((p, i) => {
    const w = weights[i]!;
    for (const j of at(p, w)) {
      const orig = w[j]!;
      w[j] = orig + h;
      model.writeWeights(weights);
      const up = lossOf();
      w[j] = orig - h;
      model.writeWeights(weights);
      const down = lossOf();
      w[j] = orig;
      const numeric = (up - down) / (2 * h);
      const a = analytic[i]![j]!;
      expect(
        Math.abs(numeric - a),
        `layers[${p.layer}].${p.name}[${j}]: numeric ${numeric}, analytic ${a}`,
      ).toBeLessThan(2e-3 + 0.03 * Math.abs(a));
      checked++;
    }
  });
  model.writeWeights(weights);
  expect(checked).toBe(model.params.length * 3);
  return analytic;
}
