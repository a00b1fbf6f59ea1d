// Evaluation on a subset (SPEC 2.2, revision 2): exactly the chosen samples, ascending, batched as
// a dataset of their own; the score is the one computed directly on those samples, on cpu and wasm.
import { readFileSync } from 'node:fs';
import { keccak256, toBytes, type Hex } from 'viem';
import { beforeAll, describe, expect, test } from 'vitest';
import { serializeArtifact } from '../../../../src/lib/ml/artifact/serialize.ts';
import { fsSource } from '../../../../src/lib/ml/data/sources.ts';
import {
  evaluateModel,
  metricScore,
  selectSamples,
  sortedIndices,
  specHashBytes,
} from '../../../../src/lib/ml/eval/index.ts';
import { createEvalService, EvalJobError } from '../../../../src/lib/ml/eval/service.ts';
import { buildModel } from '../../../../src/lib/ml/model/index.ts';
import { tf } from '../../../../src/lib/ml/backend/tf.ts';
import { parseModelSpecBytes } from '../../../../src/lib/ml/spec/parse.ts';
import { specShapes } from '../../../../src/lib/ml/spec/shapes.ts';
import type { ModelSpec } from '../../../../src/lib/ml/spec/types.ts';
import { datasetData, memoryData, train, type TrainingData } from '../../../../src/lib/ml/train/index.ts';
import { evalSubset } from '../../../../src/lib/protocol/eval-subset.ts';
import { makeDataset, recordingSource } from '../data/fixtures.ts';
import { NODE_BACKENDS, WASM_DIR, useBackend } from '../engine/helpers.ts';

const root = new URL('../../../../', import.meta.url);
const publicDir = new URL('public/', root);
const fileFetch = (async (input: RequestInfo | URL) =>
  new Response(readFileSync(new URL(`.${new URL(String(input)).pathname}`, publicDir)))) as typeof fetch;
const specFile = new Uint8Array(readFileSync(new URL('specs/digits-mlp.json', publicDir)));
const SEED: Hex = keccak256(toBytes('subset-test'));

/** Every sample of `data`, in file order, as arrays. */
async function readAll(data: TrainingData): Promise<{ x: Float32Array; y: Int32Array; f: number }> {
  const r = await data.openEpoch(0, data.samples);
  const b = (await r.next())!;
  r.close();
  return { x: b.features as Float32Array, y: b.labels, f: b.features.length / b.size };
}

/** The samples at `idx` copied out by hand: the direct computation the subset must equal. */
function pick(all: { x: Float32Array; y: Int32Array; f: number }, idx: readonly number[]): TrainingData {
  const x = new Float32Array(idx.length * all.f);
  const y = new Int32Array(idx.length);
  idx.forEach((s, i) => {
    x.set(all.x.subarray(s * all.f, (s + 1) * all.f), i * all.f);
    y[i] = all.y[s]!;
  });
  return memoryData(x, y, all.f);
}

describe('selectSamples over a streamed multi-shard dataset', () => {
  test("hands out exactly the chosen samples, ascending, in batches of the caller's size, across shards and read chunks", async () => {
    // Feature 0 of every fixture sample is its global index.
    const { manifest, blobs } = await makeDataset([700, 900, 1500, 400]);
    const source = recordingSource(blobs);
    const data = datasetData(manifest, source, { seed: 0, shuffle: false });
    const chosen = [3499, 0, 699, 700, 1023, 1024, 1599, 1600, 2047, 2048, 3000];
    const sub = selectSamples(data, chosen);
    expect(sub.samples).toBe(chosen.length);
    const reader = await sub.openEpoch(0, 4);
    const seen: number[] = [];
    const labels: number[] = [];
    const sizes: number[] = [];
    for (let b = await reader.next(); b !== null; b = await reader.next()) {
      sizes.push(b.size);
      for (let i = 0; i < b.size; i++) {
        seen.push(b.features[i * 3]!);
        labels.push(b.labels[i]!);
      }
    }
    reader.close();
    const sorted = [...chosen].sort((a, b) => a - b);
    expect(seen).toEqual(sorted);
    expect(labels).toEqual(sorted.map((s) => s % 10));
    expect(sizes).toEqual([4, 4, 3]);
  });

  test('stops reading after the last chosen sample', async () => {
    const { manifest, blobs } = await makeDataset([1000, 1000, 1000, 1000]);
    const source = recordingSource(blobs);
    const reader = await selectSamples(datasetData(manifest, source, { seed: 0, shuffle: false }), [5, 420]).openEpoch(
      0,
      8,
    );
    while ((await reader.next()) !== null);
    reader.close();
    // One read chunk (1,024 samples) reaches into the second shard, whose loading prefetches the
    // third; the fourth is never asked for.
    expect(source.gets).toContain(manifest.shards[0]!.sha256);
    expect(source.gets).not.toContain(manifest.shards[3]!.sha256);
  });

  test('bad indices are refused before anything is read', () => {
    expect(() => sortedIndices([], 10)).toThrow(/empty/);
    expect(() => sortedIndices([1, 10], 10)).toThrow(/indices\[1\] = 10/);
    expect(() => sortedIndices([1, -1], 10)).toThrow(/indices\[1\] = -1/);
    expect(() => sortedIndices([1.5], 10)).toThrow(/indices\[0\] = 1.5/);
    expect(() => sortedIndices([4, 2, 4], 10)).toThrow(/sample 4 is listed twice/);
    expect(Array.from(sortedIndices([9, 2, 5], 10))).toEqual([2, 5, 9]);
  });
});

describe.each(NODE_BACKENDS)('subset scores on %s', (backend) => {
  let spec: ModelSpec;
  let hash: string;
  let weights: Float32Array[];
  let evalData: TrainingData;
  let all: Awaited<ReturnType<typeof readAll>>;

  beforeAll(async () => {
    await useBackend('wasm');
    ({ spec, hash } = await parseModelSpecBytes(specFile));
    const trainDir = fsSource(new URL('public/datasets/digits-train', root).pathname);
    const evalDir = fsSource(new URL('public/datasets/digits-eval', root).pathname);
    // A briefly trained model: right on most samples, unsure on some (losses vary).
    const r = await train({
      spec,
      data: datasetData((await trainDir.manifest()).manifest, trainDir, { seed: 3 }),
      seed: 3,
      maxSteps: 25,
    });
    weights = r.weights;
    evalData = datasetData((await evalDir.manifest()).manifest, evalDir, { seed: 0, shuffle: false });
    all = await readAll(evalData);
    await useBackend(backend);
  });

  test('evaluateModel with indices equals evaluating the picked samples directly, for accuracy and capped-loss metrics', async () => {
    const idx = evalSubset(SEED, 250, 100);
    for (const metric of [{ name: 'accuracy' } as const, { name: 'loss', cap: 2 } as const]) {
      const model = buildModel({ ...spec, metric }, weights);
      const progress: [number, number][] = [];
      const sub = await evaluateModel(model, evalData, {
        indices: [...idx].reverse(),
        onProgress: (d, t) => progress.push([d, t]),
      });
      const direct = await evaluateModel(model, pick(all, idx));
      model.dispose();
      expect(sub).toEqual(direct);
      expect(sub.samples).toBe(100);
      expect(sub.score).toBe(metricScore(metric, direct.loss, direct.accuracy));
      // 100 samples in batches of the spec's 32: progress as for a 100-sample dataset.
      expect(progress).toEqual([
        [32, 100],
        [64, 100],
        [96, 100],
        [100, 100],
      ]);
    }
    // Sanity: the model is neither perfect nor useless on the subset, so a wrong pick would show.
    const model = buildModel(spec, weights);
    const full = await evaluateModel(model, evalData);
    const sub = await evaluateModel(model, evalData, { indices: idx });
    model.dispose();
    expect(sub.accuracy).toBeGreaterThan(0.3);
    expect(sub.accuracy).toBeLessThan(1);
    expect(sub.loss).not.toBe(full.loss);
  });

  test('perSample: predictions and losses match the score, and asking for them does not change it', async () => {
    const idx = evalSubset(SEED, 250, 77);
    const model = buildModel(spec, weights);
    const plain = await evaluateModel(model, evalData, { indices: idx });
    const live = tf.memory().numTensors;
    const withPer = await evaluateModel(model, evalData, { indices: idx, perSample: true });
    expect(tf.memory().numTensors).toBe(live); // per-batch outputs are disposed once read
    model.dispose();
    const { perSample, ...rest } = withPer;
    expect(rest).toEqual(plain);
    const p = perSample!;
    expect(p.predictions).toHaveLength(77);
    expect(p.logits).toHaveLength(770);
    const correct = idx.filter((s, i) => p.predictions[i] === all.y[s]).length;
    expect(correct / 77).toBe(plain.accuracy);
    expect(Array.from(p.correct)).toEqual(idx.map((s, i) => (p.predictions[i] === all.y[s] ? 1 : 0)));
    const meanLoss = p.losses.reduce((a, b) => a + b, 0) / 77;
    expect(Math.abs(meanLoss - plain.loss)).toBeLessThan(1e-5);
    // Each prediction is the arg-max of its logits.
    for (let i = 0; i < 77; i++) {
      const row = Array.from(p.logits.subarray(i * 10, i * 10 + 10));
      expect(p.predictions[i]).toBe(row.indexOf(Math.max(...row)));
    }
  });

  test('eval service: subset {seed, size} draws evalSubset over the manifest and scores exactly those samples', async () => {
    const service = createEvalService({ backend: { wasmPaths: WASM_DIR }, fetch: fileFetch });
    const artifact = serializeArtifact(specHashBytes(hash), specShapes(spec).params, weights);
    const job = { specBytes: specFile, artifact, dataUrl: 'http://local/datasets/digits-eval', backend };
    const totals = new Set<number>();
    const out = await service.evaluate(
      { ...job, subset: { seed: SEED, size: 120 } },
      { onProgress: (_d, t) => totals.add(t) },
    );
    const model = buildModel(spec, weights);
    const direct = await evaluateModel(model, pick(all, evalSubset(SEED, 250, 120)));
    const whole = await evaluateModel(model, evalData);
    model.dispose();
    expect({ score: out.score, loss: out.loss, accuracy: out.accuracy, samples: out.samples }).toEqual(direct);
    expect(out).toMatchObject({ backend, floatPrecision: 32, datasetSamples: 250, samples: 120 });
    expect([...totals]).toEqual([120]);

    const byIndices = await service.evaluate({ ...job, indices: evalSubset(SEED, 250, 120) });
    expect(byIndices.score).toBe(out.score);
    // A subset at least as large as the set is the whole set.
    const everything = await service.evaluate({ ...job, subset: { seed: SEED, size: 250 } });
    expect({ loss: everything.loss, accuracy: everything.accuracy, samples: everything.samples }).toEqual({
      loss: whole.loss,
      accuracy: whole.accuracy,
      samples: 250,
    });

    await expect(service.evaluate({ ...job, subset: { seed: `0x${'0'.repeat(64)}`, size: 10 } })).rejects.toThrow(
      /seed: is zero/,
    );
    await expect(service.evaluate({ ...job, subset: { seed: SEED, size: 0 } })).rejects.toThrow(EvalJobError);
    await expect(service.evaluate({ ...job, indices: [3, 250] })).rejects.toThrow(/indices\[1\] = 250/);
    await expect(service.evaluate({ ...job, indices: [1], subset: { seed: SEED, size: 3 } })).rejects.toThrow(
      /either subset or indices/,
    );
  });
});
