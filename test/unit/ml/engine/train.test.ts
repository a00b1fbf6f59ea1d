import { beforeAll, describe, expect, test, vi } from 'vitest';
import { tf } from '../../../../src/lib/ml/backend/tf.ts';
import {
  RunControl,
  memoryData,
  train,
  type TrainCheckpoint,
  type TrainProgress,
} from '../../../../src/lib/ml/train/index.ts';
import type { ModelSpec } from '../../../../src/lib/ml/spec/types.ts';
import { NODE_BACKENDS, dense, makeSpec, sameArrays, syntheticTask, useBackend } from './helpers.ts';

const FEATURES = 12;
const CLASSES = 4;
const task = syntheticTask(240, FEATURES, CLASSES);
const data = () => memoryData(task.features, task.labels, FEATURES, { seed: 11 });

const mlp: ModelSpec = makeSpec(
  [dense(32, 'hidden', 'relu'), { type: 'dropout', rate: 0.2 }, dense(16, undefined, 'tanh'), dense(CLASSES, 'logits')],
  [FEATURES],
  CLASSES,
  { optimizer: { name: 'adam', learningRate: 0.01, momentum: 0, batchSize: 32, epochs: 20 } },
);

describe.each(NODE_BACKENDS)('training on %s', (backend) => {
  beforeAll(() => useBackend(backend));

  test('loss goes down on a learnable synthetic task', async () => {
    const seen: TrainProgress[] = [];
    const r = await train({ spec: mlp, data: data(), seed: 1, readEvery: 8, onProgress: (p) => seen.push(p) });
    expect(r.status).toBe('completed');
    expect(seen.length).toBeGreaterThan(10);
    const first = seen[0]!;
    const last = seen.at(-1)!;
    expect(last.loss).toBeLessThan(first.loss * 0.5);
    expect(last.accuracy).toBeGreaterThan(0.8);
    expect(last.step).toBe(r.checkpoint.step);
    expect(r.checkpoint.step).toBe(20 * Math.ceil(240 / 32));
    expect(first.samplesPerSec).toBeGreaterThan(0);
    expect(first.etaSec).toBeGreaterThan(last.etaSec);
    expect(last.backend).toBe(backend);
  });

  test('same seed, same backend: bit-identical weights; another seed differs', async () => {
    const a = await train({ spec: mlp, data: data(), seed: 5, maxSteps: 30 });
    const b = await train({ spec: mlp, data: data(), seed: 5, maxSteps: 30 });
    const c = await train({ spec: mlp, data: data(), seed: 6, maxSteps: 30 });
    expect(a.status).toBe('stopped');
    expect(sameArrays(a.weights, b.weights)).toBe(true);
    expect(sameArrays(a.weights, c.weights)).toBe(false);
  });

  test('checkpoints between reads neither inflate nor deflate the reported speed', async () => {
    // A save that takes 5 s on the page's clock (IndexedDB on a slow disk): it is not training
    // time, but the steps before it in the same window are.
    const now = performance.now.bind(performance);
    let saved = 0;
    const clock = vi.spyOn(performance, 'now').mockImplementation(() => now() + saved);
    const reads: { at: bigint; p: TrainProgress }[] = [];
    try {
      await train({
        spec: mlp,
        data: data(),
        seed: 2,
        maxSteps: 48,
        readEvery: 8,
        checkpointEvery: 1,
        onCheckpoint: () => void (saved += 5000),
        onProgress: (p) => void reads.push({ at: process.hrtime.bigint(), p }),
      });
    } finally {
      clock.mockRestore();
    }
    // Each window's real time (checkpoints' own few ms included) against what the trainer said.
    const ratios = reads.slice(1).map(({ at, p }, i) => {
      const seconds = Number(at - reads[i]!.at) / 1e9;
      return p.samplesPerSec / ((8 * 32) / seconds);
    });
    expect(ratios.length).toBe(5);
    for (const r of ratios) {
      expect(r).toBeGreaterThan(0.5);
      expect(r).toBeLessThan(2.5);
    }
  });

  test.each([
    ['adam', { name: 'adam' as const }],
    ['sgd with momentum', { name: 'sgd' as const, momentum: 0.9, learningRate: 0.05 }],
    ['plain sgd', { name: 'sgd' as const, momentum: 0, learningRate: 0.1 }],
  ])('a run resumed from a checkpoint ends bit-identical to an uninterrupted one (%s)', async (_, overrides) => {
    const total = 45; // crosses epoch boundaries (8 steps per epoch)
    const whole = await train({ spec: mlp, data: data(), seed: 3, maxSteps: total, overrides });
    const saved: TrainCheckpoint[] = [];
    const first = await train({
      spec: mlp,
      data: data(),
      seed: 3,
      maxSteps: total,
      overrides,
      checkpointEvery: 7,
      onCheckpoint: (c) => void saved.push(c),
    });
    expect(saved.map((c) => c.step)).toEqual([7, 14, 21, 28, 35, 42, 45]);
    expect(sameArrays(first.weights, whole.weights)).toBe(true);
    // Resume from a checkpoint in the middle of an epoch (step 21 = epoch 2, batch 5).
    const mid = saved[2]!;
    expect(mid.epoch).toBe(2);
    expect(mid.position.offset).toBe(5 * 32);
    const resumed = await train({ spec: mlp, data: data(), seed: 3, maxSteps: total, overrides, resumeFrom: mid });
    expect(resumed.checkpoint.step).toBe(total);
    expect(sameArrays(resumed.weights, whole.weights)).toBe(true);
  });

  test('pause, resume and cancel; a cancelled run resumes to the same weights', async () => {
    const whole = await train({ spec: mlp, data: data(), seed: 4, maxSteps: 40 });
    const control = new RunControl();
    const saved: TrainCheckpoint[] = [];
    let paused = false;
    const run = train({
      spec: mlp,
      data: data(),
      seed: 4,
      maxSteps: 40,
      readEvery: 5,
      control,
      onCheckpoint: (c) => void saved.push(c),
      onProgress: (p) => {
        if (p.step === 10 && !paused) {
          paused = true;
          control.pause();
          // Resumes once the pause checkpoint is written.
          setTimeout(() => control.resume(), 20);
        }
        if (p.step === 25) control.cancel('user');
      },
    });
    const r = await run;
    expect(r.status).toBe('cancelled');
    expect(r.reason).toBe('user');
    expect(saved[0]!.step).toBe(10); // the pause checkpoint
    expect(r.checkpoint.step).toBe(25);
    const resumed = await train({ spec: mlp, data: data(), seed: 4, maxSteps: 40, resumeFrom: r.checkpoint });
    expect(sameArrays(resumed.weights, whole.weights)).toBe(true);
  });

  test('memory stays flat: as many tensors after step 200 as after step 10', async () => {
    const counts = new Map<number, number>();
    const before = tf.memory().numTensors;
    await train({
      spec: mlp,
      data: data(),
      seed: 2,
      maxSteps: 200,
      overrides: { epochs: 30 },
      readEvery: 10,
      checkpointEvery: 50,
      onProgress: (p) => counts.set(p.step, tf.memory().numTensors),
    });
    expect(counts.get(10)).toBeDefined();
    expect(counts.get(200)).toBe(counts.get(10));
    expect(tf.memory().numTensors).toBe(before);
  });

  test('a finished run extended by more epochs equals the longer run from the start', async () => {
    const short = await train({ spec: mlp, data: data(), seed: 8, overrides: { epochs: 2 } });
    expect(short.status).toBe('completed');
    const extended = await train({
      spec: mlp,
      data: data(),
      seed: 8,
      overrides: { epochs: 3 },
      resumeFrom: short.checkpoint,
    });
    const long = await train({ spec: mlp, data: data(), seed: 8, overrides: { epochs: 3 } });
    expect(extended.checkpoint.step).toBe(3 * 8);
    expect(sameArrays(extended.weights, long.weights)).toBe(true);
  });

  test('checkpoints refuse another model or other hyperparameters', async () => {
    const r = await train({ spec: mlp, data: data(), seed: 1, maxSteps: 2 });
    await expect(
      train({ spec: mlp, data: data(), seed: 1, overrides: { batchSize: 16 }, resumeFrom: r.checkpoint }),
    ).rejects.toThrow(/batchSize/);
    const other = makeSpec([dense(8), dense(CLASSES)], [FEATURES], CLASSES);
    await expect(train({ spec: other, data: data(), seed: 1, resumeFrom: r.checkpoint })).rejects.toThrow(/parameters/);
    expect(tf.memory().numTensors).toBe(0);
  });
});

test('our Adam matches tf.train.adam step for step', async () => {
  await useBackend('cpu');
  const { createOptimizer } = await import('../../../../src/lib/ml/train/optimizer.ts');
  const init = tf.tensor([0.5, -1, 2, 0.1]);
  const mine = tf.variable(init.clone());
  const theirs = tf.variable(init.clone());
  const opt = createOptimizer({ name: 'adam', learningRate: 0.05, momentum: 0 }, [mine]);
  const ref = tf.train.adam(0.05, 0.9, 0.999, 1e-7);
  for (let i = 0; i < 20; i++) {
    const f = (v: tf.Variable) => tf.sum(tf.mul(tf.square(tf.sub(v, 0.3)), tf.tensor([1, 2, 3, 4]))) as tf.Scalar;
    tf.tidy(() => {
      const { grads } = tf.variableGrads(() => f(mine), [mine]);
      opt.apply([grads[mine.name]!]);
    });
    ref.minimize(() => f(theirs), false, [theirs]);
  }
  const a = await mine.data();
  const b = await theirs.data();
  a.forEach((v, i) => expect(v).toBeCloseTo(b[i]!, 4));
  opt.dispose();
  ref.dispose();
  tf.dispose([init, mine, theirs]);
});
