// The language-model benchmarks' own helpers: the functional copy used by the similarity bench
// (permuted units and heads), the weights file the runs share, and the bits per byte of the
// model.fit baseline.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { tf } from '../../../src/lib/ml/backend/tf.ts';
import { buildModel, initialWeights } from '../../../src/lib/ml/model/index.ts';
import { memoryData } from '../../../src/lib/ml/train/data.ts';
import { scoreLayersModel } from '../../../scripts/lib/lm/fit-budget.ts';
import { permuteTransformerUnits } from '../../../scripts/lib/lm/permute-block.ts';
import { loadWeights, saveWeights } from '../../../scripts/lib/lm/weights-file.ts';
import { fitModel } from '../../../scripts/lib/fit-lm.ts';
import { useBackend } from '../ml/engine/helpers.ts';
import { tinyLm } from '../ml/lm/helpers.ts';
import { Rng } from '../../../src/lib/ml/rng.ts';

const L = 8;
const spec = tinyLm({ len: L, dim: 16, heads: 4, blocks: 2, mlpDim: 24 });
const tokens = (() => {
  const r = Rng.seeded('bench-helpers');
  return Int32Array.from({ length: 6 * L }, () => Math.floor(r.nextFloat() * 256));
})();

function logits(weights: Float32Array[]): Float32Array {
  const model = buildModel(spec, weights);
  try {
    return tf.tidy(() => model.apply(tf.tensor2d(tokens, [6, L], 'int32')).dataSync() as Float32Array).slice();
  } finally {
    model.dispose();
  }
}

beforeAll(() => useBackend('cpu'));

describe('permuteTransformerUnits', () => {
  const w = initialWeights(spec, 3);
  const p = permuteTransformerUnits(spec, w, 'test');

  test('gives the same logits from other weights', () => {
    const a = logits(w);
    const b = logits(p);
    let worst = 0;
    for (let i = 0; i < a.length; i++) worst = Math.max(worst, Math.abs(a[i]! - b[i]!));
    expect(worst).toBeLessThan(1e-4);
    // Every block's w1, w2 and attention kernels moved (biases start at 0); embeddings did not.
    const moved = w.map((x, i) => x.some((v, j) => v !== p[i]![j])).filter(Boolean).length;
    expect(moved).toBe(2 * 6);
    expect(p[0]).toEqual(w[0]);
  });

  test('is a permutation, not a copy: a wrong head layout would change the logits', () => {
    // Moving only wq's columns (no matching k) changes the function: the check above can fail.
    const broken: Float32Array[] = p.map((x) => new Float32Array(x));
    broken[4] = w[4]!;
    const a = logits(w);
    const b = logits(broken);
    expect(Math.max(...a.map((v, i) => Math.abs(v - b[i]!)))).toBeGreaterThan(1e-3);
  });
});

describe('weights file', () => {
  const dir = mkdtempSync(join(tmpdir(), 'lm-weights-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  test('round-trips the spec weights', () => {
    const w = initialWeights(spec, 5);
    saveWeights(join(dir, 'a.f32'), w);
    expect(loadWeights(join(dir, 'a.f32'), spec)).toEqual(w);
  });

  test('refuses a file of another size, naming both', () => {
    writeFileSync(join(dir, 'b.f32'), new Uint8Array(12));
    expect(() => loadWeights(join(dir, 'b.f32'), spec)).toThrow(/12 bytes, but tiny-lm has \d+ parameters/);
  });
});

test('scoreLayersModel: mean cross-entropy in bits over every target, and arg-max accuracy', async () => {
  const untied = tinyLm({ len: L, dim: 16, heads: 4, tied: false });
  const model = fitModel(untied, 'broadcast');
  try {
    const labels = Int32Array.from(tokens, (t, i) => (i % 3 === 0 ? t : (t + 1) % 256));
    const got = await scoreLayersModel(model, memoryData(tokens, labels, L, { labelSize: L }), L, 4);
    const probs = tf.tidy(() => (model.predict(tf.tensor2d(tokens, [6, L], 'int32')) as tf.Tensor).dataSync()).slice();
    let bits = 0;
    let hits = 0;
    for (let i = 0; i < labels.length; i++) {
      const row = probs.subarray(i * 256, (i + 1) * 256);
      bits -= Math.log2(Math.max(row[labels[i]!]!, 1e-7));
      if (row.indexOf(Math.max(...row)) === labels[i]) hits++;
    }
    expect(got.bitsPerByte).toBeCloseTo(bits / labels.length, 4);
    expect(got.accuracy).toBeCloseTo(hits / labels.length, 6);
    expect(got.bitsPerByte).toBeGreaterThan(7); // an untrained model is near 8 bits
  } finally {
    model.dispose();
  }
});
