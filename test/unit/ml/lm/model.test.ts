// The next-token layers' forward and backward passes on the Node backends (cpu, and wasm where
// matMul and the embedding take the gradients of model/grad-ops.ts): shapes, causality (position t
// never sees t + 1), sinusoids, and gradients against central differences.
import { beforeAll, describe, expect, test } from 'vitest';
import { tf } from '../../../../src/lib/ml/backend/tf.ts';
import { buildModel, initialWeights } from '../../../../src/lib/ml/model/index.ts';
import { causalMask, sinusoids } from '../../../../src/lib/ml/model/layers.ts';
import { crossEntropyPerSample, correctCount } from '../../../../src/lib/ml/train/loss.ts';
import { batchTensors } from '../../../../src/lib/ml/train/trainer.ts';
import { trialTraining } from '../../../../src/lib/ml/backend/trial.ts';
import type { ModelSpec } from '../../../../src/lib/ml/spec/types.ts';
import { specShapes } from '../../../../src/lib/ml/spec/shapes.ts';
import { NODE_BACKENDS, expectGradientsMatchCentralDifferences, useBackend } from '../engine/helpers.ts';
import { countingSequences, tinyLm } from './helpers.ts';

const L = 8;

function logitsOf(spec: ModelSpec, weights: Float32Array[], tokens: Int32Array): Float32Array {
  const model = buildModel(spec, weights);
  try {
    return tf
      .tidy(() => model.apply(tf.tensor(tokens, [tokens.length / L, L], 'int32')).dataSync() as Float32Array)
      .slice();
  } finally {
    model.dispose();
  }
}

test('sinusoids: sin at even dims, cos at odd dims, of t / 10000^(i/d)', () => {
  const s = sinusoids(4, 6);
  expect(Array.from(s.slice(0, 6))).toEqual([0, 1, 0, 1, 0, 1]);
  expect(s[3 * 6 + 0]).toBeCloseTo(Math.sin(3), 6);
  expect(s[3 * 6 + 1]).toBeCloseTo(Math.cos(3), 6);
  expect(s[3 * 6 + 2]).toBeCloseTo(Math.sin(3 / Math.pow(10000, 2 / 6)), 6);
  expect(s[3 * 6 + 5]).toBeCloseTo(Math.cos(3 / Math.pow(10000, 4 / 6)), 6);
});

describe.each(NODE_BACKENDS)('on %s', (backend) => {
  beforeAll(() => useBackend(backend));

  test('the causal mask blocks exactly the later positions', () => {
    const m = tf.tidy(() => causalMask(3).arraySync());
    expect(m).toEqual([
      [0, -1e9, -1e9],
      [0, 0, -1e9],
      [0, 0, 0],
    ]);
  });

  test('logits are [batch, len, vocab]', () => {
    const spec = tinyLm({ len: L, blocks: 2 });
    const model = buildModel(spec, initialWeights(spec, 1));
    const shape = tf.tidy(() => model.apply(tf.zeros([3, L], 'int32')).shape);
    model.dispose();
    expect(shape).toEqual([3, L, 256]);
  });

  test.each([
    ['learned positions, tied head', { positions: 'learned' as const, tied: true }],
    ['sinusoidal positions, dense head', { positions: 'sinusoidal' as const, tied: false }],
  ])('changing tokens after position t leaves the logits at positions <= t bit-identical (%s)', (_, o) => {
    const spec = tinyLm({ len: L, blocks: 2, ...o });
    const weights = initialWeights(spec, 3);
    const { features } = countingSequences(4, L, 256, 5);
    for (const t of [0, 3, L - 2]) {
      const changed = features.slice();
      for (let s = 0; s < 4; s++)
        for (let i = t + 1; i < L; i++) changed[s * L + i] = (changed[s * L + i]! * 31 + 7) % 256;
      const a = logitsOf(spec, weights, features);
      const b = logitsOf(spec, weights, changed);
      for (let s = 0; s < 4; s++) {
        const upTo = (i: Float32Array) => i.slice(s * L * 256, (s * L + t + 1) * 256);
        const after = (i: Float32Array) => i.slice((s * L + t + 1) * 256, (s + 1) * L * 256);
        expect(Buffer.from(upTo(a).buffer).equals(Buffer.from(upTo(b).buffer)), `sample ${s}, t ${t}`).toBe(true);
        // The later positions do see their own (changed) tokens.
        expect(Buffer.from(after(a).buffer).equals(Buffer.from(after(b).buffer))).toBe(false);
      }
    }
  });

  test('the same check catches a block without the mask', () => {
    const spec = tinyLm({ len: L, causal: false });
    const weights = initialWeights(spec, 3);
    const { features } = countingSequences(2, L, 256, 5);
    const changed = features.slice();
    changed[L - 1] = (changed[L - 1]! + 1) % 256;
    const a = logitsOf(spec, weights, features);
    const b = logitsOf(spec, weights, changed);
    expect(Buffer.from(a.slice(0, 256).buffer).equals(Buffer.from(b.slice(0, 256).buffer))).toBe(false);
  });

  test('gradients of embedding, learned positions, two blocks, layer norm and a tied head match central differences', () => {
    const spec = tinyLm({ len: 5, dim: 8, heads: 2, blocks: 2, vocab: 12 });
    const weights = initialWeights(spec, 4);
    // Gammas, betas and biases off their symmetric start so their gradients are exercised.
    specShapes(spec).params.forEach((p, i) => {
      const w = weights[i]!;
      if (p.shape.length === 1) w.forEach((_, j) => (w[j] = w[j]! + 0.1 * Math.sin(i + j + 1)));
    });
    const model = buildModel(spec, weights);
    const x = tf.tensor([0, 1, 2, 3, 4, 5, 4, 3, 11, 1, 7, 1, 0, 9, 2], [3, 5], 'int32');
    const y = tf.tensor([1, 2, 3, 4, 5, 4, 3, 11, 1, 7, 1, 0, 9, 2, 10], [3, 5], 'int32');
    // Embedding rows of tokens in the batch (0, 1, 11) and a spread of the other tensors.
    const analytic = expectGradientsMatchCentralDifferences(model, weights, x, y, (p, w) =>
      p.name === 'embeddings' && p.layer === 0 ? [0, 8 + 3, 11 * 8 + 7] : [0, Math.floor(w.length / 2), w.length - 1],
    );
    // The tied table gets gradient from both ends: a token's row moves even with the input frozen.
    expect(analytic[0]!.some((g, k) => k >= 2 * 8 && k < 3 * 8 && g !== 0)).toBe(true);
    tf.dispose([x, y]);
    model.dispose();
  });

  test('per-token loss and accuracy: the mean over positions, and the share of right positions', () => {
    const logits = tf.tensor3d(
      [
        [
          [2, 0, 0],
          [0, 3, 0],
        ],
        [
          [0, 0, 1],
          [1, 0, 0],
        ],
      ],
      [2, 2, 3],
    );
    const labels = tf.tensor2d([0, 1, 2, 1], [2, 2], 'int32');
    const ce = tf.tidy(() => Array.from(crossEntropyPerSample(logits, labels).dataSync()));
    const nll = (z: number[], k: number) => Math.log(z.reduce((a, v) => a + Math.exp(v), 0)) - z[k]!;
    expect(ce[0]).toBeCloseTo((nll([2, 0, 0], 0) + nll([0, 3, 0], 1)) / 2, 5);
    expect(ce[1]).toBeCloseTo((nll([0, 0, 1], 2) + nll([1, 0, 0], 1)) / 2, 5);
    // Three of four positions right: 1 + 0.5 sample-equivalents.
    expect(tf.tidy(() => correctCount(logits, labels).dataSync()[0])).toBe(1.5);
    tf.dispose([logits, labels]);
  });
});

test('a batch of a next-token model needs len labels per sample', () => {
  const spec = tinyLm({ len: 4 });
  const ok = batchTensors(spec, { size: 2, features: new Int32Array(8), labels: new Int32Array(8) });
  expect(ok.y.shape).toEqual([2, 4]);
  tf.dispose([ok.x, ok.y]);
  expect(() => batchTensors(spec, { size: 2, features: new Int32Array(8), labels: new Int32Array(2) })).toThrow(
    /needs 4 values and 4 labels per sample/,
  );
});

test('the backend trial trains a next-token model (what backend selection runs first)', async () => {
  await useBackend('wasm');
  const r = await trialTraining(tinyLm({ len: 8, blocks: 2 }), { batchSize: 4, warmup: 1, steps: 2 });
  expect(r).toMatchObject({ ok: true });
  expect(r.ok && r.samplesPerSec).toBeGreaterThan(0);
});
