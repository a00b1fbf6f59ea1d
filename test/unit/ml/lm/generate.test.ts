// Completing prompts with a next-token model (src/lib/ml/generate): the pure token pickers, and a
// tiny model trained on counting sequences continuing a count greedily, reproducibly when
// sampled with a seed, stopping on a byte, on an abort, and refusing what it cannot do.
import { beforeAll, describe, expect, test } from 'vitest';
import { buildModel, initialWeights, type Model } from '../../../../src/lib/ml/model/index.ts';
import { argMax, generate, GenerateError, pickToken, topKIds } from '../../../../src/lib/ml/generate/index.ts';
import { Rng } from '../../../../src/lib/ml/rng.ts';
import { memoryData, train } from '../../../../src/lib/ml/train/index.ts';
import { dense, makeSpec, useBackend } from '../engine/helpers.ts';
import { countingSequences, tinyLm } from './helpers.ts';

describe('picking a token', () => {
  test('greedy takes the first largest logit', () => {
    expect(argMax([0.1, 3, -2, 3])).toBe(1);
    expect(pickToken([0.1, 3, -2, 3], { temperature: 0 }, Rng.seeded(1))).toBe(1);
  });

  test('top-k keeps the k largest, ties to the lower id, in id order', () => {
    expect(topKIds([1, 5, 5, 0, 7], 3)).toEqual([1, 2, 4]);
    expect(topKIds([1, 5, 5, 0, 7], 2)).toEqual([1, 4]);
    // Top-1 sampling is greedy at any temperature.
    const rng = Rng.seeded(3);
    for (let i = 0; i < 20; i++) expect(pickToken([1, 5, 5, 0, 7], { temperature: 5, topK: 1 }, rng)).toBe(4);
  });

  test('sampling follows softmax(logits / temperature) and only picks from the top k', () => {
    const logits = [Math.log(1), Math.log(2), Math.log(3), Math.log(4)];
    const draws = 20000;
    const counts = [0, 0, 0, 0];
    const rng = Rng.seeded('sampling');
    for (let i = 0; i < draws; i++) counts[pickToken(logits, { temperature: 1 }, rng)]!++;
    // Expected 0.1, 0.2, 0.3, 0.4; 4 standard deviations of a share of 20,000 is under 0.015.
    counts.forEach((c, k) => expect(Math.abs(c / draws - (k + 1) / 10)).toBeLessThan(0.015));
    // Temperature 2: weights sqrt(1..4).
    const hot = [0, 0, 0, 0];
    for (let i = 0; i < draws; i++) hot[pickToken(logits, { temperature: 2 }, rng)]!++;
    const z = [1, 2, 3, 4].map(Math.sqrt).reduce((a, b) => a + b, 0);
    hot.forEach((c, k) => expect(Math.abs(c / draws - Math.sqrt(k + 1) / z)).toBeLessThan(0.015));
    const top2 = [0, 0, 0, 0];
    for (let i = 0; i < draws; i++) top2[pickToken(logits, { temperature: 1, topK: 2 }, rng)]!++;
    expect(top2.slice(0, 2)).toEqual([0, 0]);
    expect(Math.abs(top2[3]! / draws - 4 / 7)).toBeLessThan(0.015);
  });
});

describe('generating on wasm', () => {
  const L = 8;
  const spec = tinyLm({ len: L, dim: 32, heads: 4, batchSize: 16, learningRate: 0.01, epochs: 50 });
  let model: Model;
  const text = (bytes: ArrayLike<number>) => Array.from(bytes);

  beforeAll(async () => {
    await useBackend('wasm');
    // Steps of 1 or 2: learned well enough in a few hundred steps to continue a count.
    const task = countingSequences(2048, L, 256, 1, 2);
    const r = await train({
      spec,
      data: memoryData(task.features, task.labels, L, { seed: 2, labelSize: L }),
      seed: 1,
      maxSteps: 400,
    });
    model = buildModel(spec, r.weights);
    return () => model.dispose();
  });

  test('greedy continues a count, past the context length, the same every time', async () => {
    const prompt = Uint8Array.from([100, 102, 104]);
    const a = await generate(model, prompt, { maxNewBytes: 12 });
    const b = await generate(model, prompt, { maxNewBytes: 12 });
    expect(a.stop).toBe('length');
    expect(text(a.bytes)).toEqual(text(b.bytes));
    // 3 + 12 bytes is more than L = 8: the last bytes are predicted from a sliding window.
    const want = Array.from({ length: 12 }, (_, i) => 106 + 2 * i);
    const right = text(a.bytes).filter((v, i) => v === want[i]).length;
    expect(right).toBeGreaterThanOrEqual(10);
  });

  test('sampling with a seed is reproducible; another seed gives other bytes', async () => {
    const prompt = Uint8Array.from([7, 8]);
    const opts = { maxNewBytes: 24, temperature: 1.5 };
    const a = await generate(model, prompt, { ...opts, seed: 11 });
    const b = await generate(model, prompt, { ...opts, seed: 11 });
    const c = await generate(model, prompt, { ...opts, seed: 12 });
    expect(text(a.bytes)).toEqual(text(b.bytes));
    expect(text(a.bytes)).not.toEqual(text(c.bytes));
    expect(a.bytes).toHaveLength(24);
  });

  test('stops on the stop byte (included), and on an abort with the bytes so far', async () => {
    const counted = await generate(model, Uint8Array.from([1, 2, 3]), { maxNewBytes: 10, stopByte: 6 });
    expect(counted.stop).toBe('stopByte');
    expect(counted.bytes.at(-1)).toBe(6);
    const controller = new AbortController();
    const seen: number[] = [];
    const aborted = await generate(model, Uint8Array.from([1, 2, 3]), {
      maxNewBytes: 50,
      signal: controller.signal,
      onByte: (b) => {
        seen.push(b);
        if (seen.length === 3) controller.abort();
      },
    });
    expect(aborted.stop).toBe('aborted');
    expect(text(aborted.bytes)).toEqual(seen);
    expect(aborted.bytes).toHaveLength(3);
    // An empty prompt starts from the file separator.
    expect((await generate(model, new Uint8Array(0), { maxNewBytes: 2 })).bytes).toHaveLength(2);
  });

  test('refuses a classifier, a token model that is not over bytes, and settings out of range', async () => {
    const classifier = makeSpec([dense(3)], [4], 3);
    const m = buildModel(classifier, initialWeights(classifier, 1));
    const small = tinyLm({ vocab: 32, len: 4 });
    const s = buildModel(small, initialWeights(small, 1));
    try {
      await expect(generate(m, Uint8Array.of(1), { maxNewBytes: 1 })).rejects.toThrow(/over 256 tokens.*has classes/);
      await expect(generate(s, Uint8Array.of(1), { maxNewBytes: 1 })).rejects.toThrow(/has 32 tokens/);
      await expect(generate(model, Uint8Array.of(1), { maxNewBytes: 0 })).rejects.toBeInstanceOf(GenerateError);
      await expect(generate(model, Uint8Array.of(1), { maxNewBytes: 1, temperature: -1 })).rejects.toThrow(
        /temperature/,
      );
      await expect(generate(model, Uint8Array.of(1), { maxNewBytes: 1, topK: 0 })).rejects.toThrow(/topK/);
      await expect(generate(model, Uint8Array.of(1), { maxNewBytes: 1, stopByte: 256 })).rejects.toThrow(/stopByte/);
    } finally {
      m.dispose();
      s.dispose();
    }
  });
});
