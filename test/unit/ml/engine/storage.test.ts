import { IDBFactory } from 'fake-indexeddb';
import { beforeAll, expect, test } from 'vitest';
import { openCheckpointStore } from '../../../../src/lib/storage/index.ts';
import { memoryData, RunControl, train, type TrainCheckpoint } from '../../../../src/lib/ml/train/index.ts';
import { dense, makeSpec, sameArrays, syntheticTask, useBackend } from './helpers.ts';

const task = syntheticTask(96, 6, 3);
const spec = makeSpec([dense(12, 'h', 'relu'), { type: 'dropout', rate: 0.1 }, dense(3)], [6], 3, {
  optimizer: { name: 'adam', learningRate: 0.02, momentum: 0, batchSize: 16, epochs: 5 },
});
const data = () => memoryData(task.features, task.labels, 6, { seed: 1 });

beforeAll(() => useBackend('cpu'));

test('checkpoints round-trip through IndexedDB with their typed arrays', async () => {
  const factory = new IDBFactory();
  const store = await openCheckpointStore(factory);
  const r = await train({ spec, data: data(), seed: 1, maxSteps: 7 });
  await store.save('run-a', r.checkpoint, { task: 3 });
  const back = (await store.load('run-a'))!;
  expect(back.weights[0]).toBeInstanceOf(Float32Array);
  expect(sameArrays(back.weights, r.checkpoint.weights)).toBe(true);
  expect(sameArrays(back.optimizer.slots.flat(), r.checkpoint.optimizer.slots.flat())).toBe(true);
  expect(back).toEqual(r.checkpoint);
  const summary = (await store.summary('run-a'))!;
  expect(summary).toMatchObject({ runId: 'run-a', step: 7, epoch: 1, epochs: 5, backend: 'cpu', meta: { task: 3 } });
  // A later save keeps the meta unless given a new one.
  await store.save('run-a', { ...r.checkpoint, step: 8, savedAt: r.checkpoint.savedAt + 1 });
  expect((await store.summary('run-a'))!.meta).toEqual({ task: 3 });
  await store.save('run-b', { ...r.checkpoint, savedAt: r.checkpoint.savedAt + 5 });
  expect((await store.list()).map((s) => s.runId)).toEqual(['run-b', 'run-a']);
  await store.delete('run-a');
  expect(await store.load('run-a')).toBeUndefined();
  expect((await store.list()).map((s) => s.runId)).toEqual(['run-b']);
  store.close();
});

test('a run killed mid-way resumes from its last stored checkpoint to the same weights', async () => {
  const factory = new IDBFactory();
  const whole = await train({ spec, data: data(), seed: 9 });

  // "Tab 1": trains, checkpointing every 4 steps, and dies at step 18 (no final save).
  const tab1 = await openCheckpointStore(factory);
  const control = new RunControl();
  const dead = train({
    spec,
    data: data(),
    seed: 9,
    checkpointEvery: 4,
    readEvery: 1,
    control,
    onCheckpoint: (c) => (control.state === 'cancelled' ? undefined : tab1.save('run', c)),
    onProgress: (p) => {
      if (p.step === 18) control.cancel('tab closed');
    },
  });
  await dead;
  tab1.close();

  // "Tab 2": finds the run and resumes it.
  const tab2 = await openCheckpointStore(factory);
  const [summary] = await tab2.list();
  expect(summary!.step).toBe(16);
  const checkpoint = (await tab2.load('run')) as TrainCheckpoint;
  const resumed = await train({ spec, data: data(), seed: checkpoint.seed, resumeFrom: checkpoint });
  expect(resumed.status).toBe('completed');
  expect(sameArrays(resumed.weights, whole.weights)).toBe(true);
  tab2.close();
});
