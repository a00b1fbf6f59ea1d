// A next-token model through the existing trainer and evaluator on wasm (the reference backend):
// it learns a task that needs attention, resumes bit-identically, trains a watermark in, round-
// trips as an artifact, and is scored in bits per byte, per sample and on subsets.
import { beforeAll, describe, expect, test } from 'vitest';
import { serializeArtifact, deserializeArtifact } from '../../../../src/lib/ml/artifact/index.ts';
import { evaluateArtifact } from '../../../../src/lib/ml/eval/evaluate.ts';
import { specShapes } from '../../../../src/lib/ml/spec/shapes.ts';
import { memoryData, train, type TrainCheckpoint, type TrainProgress } from '../../../../src/lib/ml/train/index.ts';
import { decode } from '../../../../src/lib/ml/watermark/decode.ts';
import { extractV, watermarkKernelIndex } from '../../../../src/lib/ml/watermark/extract.ts';
import { quantize } from '../../../../src/lib/ml/watermark/quantize.ts';
import { ownerBits } from '../../../../src/lib/ml/watermark/bits.ts';
import { Rng } from '../../../../src/lib/ml/rng.ts';
import { sameArrays, useBackend } from '../engine/helpers.ts';
import { countingSequences, tinyLm } from './helpers.ts';

const L = 8;
const SAMPLES = 1024;
const task = countingSequences(SAMPLES, L, 256, 1);
const data = () => memoryData(task.features, task.labels, L, { seed: 2, labelSize: L });
const heldOut = countingSequences(64, L, 256, 99);
const evalData = () => memoryData(heldOut.features, heldOut.labels, L, { labelSize: L });
const spec = tinyLm({ len: L, dim: 32, heads: 4, batchSize: 16, learningRate: 0.01, epochs: 50 });
const hash = new Uint8Array(32).fill(3);
const OWNER = '0x70997970c51812dc3a010c7d01b50e0d17dc79c8';

let trained: Awaited<ReturnType<typeof train>>;
const seen: TrainProgress[] = [];

beforeAll(async () => {
  await useBackend('wasm');
  trained = await train({ spec, data: data(), seed: 1, maxSteps: 240, readEvery: 12, onProgress: (p) => seen.push(p) });
});

describe('training a next-token model on wasm', () => {
  test('learns a task that needs the previous position: loss and next-token accuracy', () => {
    expect(trained.status).toBe('stopped');
    expect(trained.checkpoint.step).toBe(240);
    const first = seen[0]!;
    const last = seen.at(-1)!;
    // Uniform over bytes is ln 256 = 5.55 nats; a model that knows start and step is right on 7
    // of 8 positions and pays ~ln(768) on the first: (ln 768) / 8 = 0.83 nats.
    expect(first.loss).toBeGreaterThan(4);
    expect(last.loss).toBeLessThan(1.6);
    expect(last.accuracy).toBeGreaterThan(0.6);
  });

  test('a run resumed from a mid-epoch checkpoint ends bit-identical to an uninterrupted one', async () => {
    const saved: TrainCheckpoint[] = [];
    const whole = await train({
      spec,
      data: data(),
      seed: 4,
      maxSteps: 20,
      checkpointEvery: 7,
      onCheckpoint: (c) => void saved.push(c),
    });
    const mid = saved[1]!;
    expect(mid.step).toBe(14);
    expect(mid.position.offset).toBe(14 * 16); // 64 steps per epoch
    const resumed = await train({ spec, data: data(), seed: 4, maxSteps: 20, resumeFrom: mid });
    expect(sameArrays(resumed.weights, whole.weights)).toBe(true);
  });

  test('the artifact round-trips and is scored in bits per byte: mean per-sample cross-entropy / ln 2', async () => {
    const params = specShapes(spec).params;
    const bytes = serializeArtifact(hash, params, trained.weights);
    expect(sameArrays(deserializeArtifact(bytes, { specHash: hash, params }), trained.weights)).toBe(true);
    const all = await evaluateArtifact(spec, hash, bytes, evalData(), { perSample: true, batchSize: 10 });
    const per = all.perSample!;
    expect(all.samples).toBe(64);
    expect(per.losses).toHaveLength(64);
    // No class per sample: no predictions, flags or logits kept; the accuracy terms are shares.
    expect([per.predictions.length, per.correct.length, per.logits.length]).toEqual([0, 0, 0]);
    expect(per.accuracy).toHaveLength(64);
    const mean = (xs: ArrayLike<number>, idx?: number[]) => {
      const at = idx ?? Array.from({ length: xs.length }, (_, i) => i);
      return at.reduce((a, i) => a + xs[i]!, 0) / at.length;
    };
    expect(all.loss).toBeCloseTo(mean(per.losses), 5);
    expect(all.accuracy).toBeCloseTo(mean(per.accuracy!), 5);
    expect(all.bitsPerByte).toBeCloseTo(all.loss / Math.LN2, 10);
    expect(all.score).toBeCloseTo(1 - all.bitsPerByte! / 8, 10);
    expect(all.bitsPerByte!).toBeLessThan(2);
    expect(all.accuracy).toBeGreaterThan(0.6);
    // A subset's bpb is the mean of its samples' losses in bits, whatever the batch size.
    const subset = [1, 5, 6, 20, 33, 63];
    const sub = await evaluateArtifact(spec, hash, bytes, evalData(), { indices: subset, batchSize: 4 });
    expect(sub.samples).toBe(subset.length);
    expect(sub.bitsPerByte!).toBeCloseTo(mean(per.losses, subset) / Math.LN2, 5);
    expect(sub.accuracy).toBeCloseTo(mean(per.accuracy!, subset), 5);
  });

  test('the mlp-column-mean watermark trains in within the sealing margin, at a small loss cost', async () => {
    const wmSpec = tinyLm({
      len: L,
      dim: 32,
      heads: 4,
      batchSize: 16,
      learningRate: 0.01,
      epochs: 50,
      watermark: true,
    });
    const rng = Rng.seeded('lm-test/key');
    const keyBits = Uint8Array.from({ length: 64 * 128 }, () => rng.nextU32() & 1);
    const bits = ownerBits(OWNER, 64);
    const marked = await train({
      spec: wmSpec,
      data: data(),
      seed: 1,
      maxSteps: 240,
      watermark: { keyBits, ownerBits: bits },
    });
    const params = specShapes(wmSpec).params;
    const k = watermarkKernelIndex(wmSpec, params);
    expect(params[k]).toMatchObject({ name: 'w1', shape: [32, 128] });
    const wm = wmSpec.watermark!;
    const wrongOf = (weights: Float32Array[]) =>
      decode(
        keyBits,
        quantize(
          extractV(wm.rule, weights[k]!, params[k]!.shape, wm.length),
          wm.quantization.scale,
          wm.quantization.bits,
        ),
        bits,
      ).wrong;
    expect(2 * wrongOf(marked.weights)).toBeLessThanOrEqual(wm.maxErr);
    // Without the regularizer the owner's bits are a coin toss.
    expect(wrongOf(trained.weights)).toBeGreaterThan(16);
    const score = async (w: Float32Array[]) =>
      (await evaluateArtifact(wmSpec, hash, serializeArtifact(hash, params, w), evalData())).bitsPerByte!;
    const plain = await score(trained.weights);
    const withMark = await score(marked.weights);
    expect(withMark).toBeLessThan(plain * 1.1);
  });
});
