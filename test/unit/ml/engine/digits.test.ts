// The shipped digits task end to end in Node: the real spec and dataset, training with the
// watermark regularizer, evaluation, and an artifact that evaluates exactly like the model.
import { readFileSync } from 'node:fs';
import { describe, expect, test, beforeAll } from 'vitest';
import { serializeArtifact } from '../../../../src/lib/ml/artifact/serialize.ts';
import { deserializeArtifact } from '../../../../src/lib/ml/artifact/deserialize.ts';
import { fsSource } from '../../../../src/lib/ml/data/sources.ts';
import { evaluateArtifact, evaluateModel, metricScore, specHashBytes } from '../../../../src/lib/ml/eval/index.ts';
import { buildModel } from '../../../../src/lib/ml/model/index.ts';
import { Rng } from '../../../../src/lib/ml/rng.ts';
import { parseModelSpecBytes } from '../../../../src/lib/ml/spec/parse.ts';
import { specShapes } from '../../../../src/lib/ml/spec/shapes.ts';
import { datasetData, train, watermarkVector, type TrainProgress } from '../../../../src/lib/ml/train/index.ts';
import { checkWatermark, extractV, generateKey, watermarkKernelIndex } from '../../../../src/lib/ml/watermark/index.ts';
import { tf } from '../../../../src/lib/ml/backend/tf.ts';
import { NODE_BACKENDS, sameArrays, useBackend } from './helpers.ts';

const root = new URL('../../../../', import.meta.url);
const specFile = new Uint8Array(readFileSync(new URL('public/specs/digits-mlp.json', root)));
const trainDir = fsSource(new URL('public/datasets/digits-train', root).pathname);
const evalDir = fsSource(new URL('public/datasets/digits-eval', root).pathname);
const OWNER = '0x5b38da6a701c568545dcfcddfc4b11fc0a3f9d6e';

describe.each(NODE_BACKENDS)('digits on %s', (backend) => {
  beforeAll(() => useBackend(backend));

  test('trains with the watermark, evaluates, and its artifact evaluates identically', async () => {
    const { spec, hash } = await parseModelSpecBytes(specFile);
    const wm = spec.watermark!;
    const { manifest } = await trainDir.manifest();
    const { manifest: evalManifest } = await evalDir.manifest();
    const rng = Rng.seeded('test-key');
    const key = generateKey(wm.bits, wm.length, (b) => {
      for (let i = 0; i < b.length; i++) b[i] = rng.nextU32() & 0xff;
    });
    const { ownerBits } = await import('../../../../src/lib/ml/watermark/bits.ts');
    const progress: TrainProgress[] = [];
    const t0 = performance.now();
    const result = await train({
      spec,
      data: datasetData(manifest, trainDir, { seed: 42 }),
      seed: 42,
      overrides: { epochs: 4 },
      watermark: { keyBits: key.bits, ownerBits: ownerBits(OWNER, wm.bits) },
      readEvery: 20,
      onProgress: (p) => progress.push(p),
    });
    const seconds = (performance.now() - t0) / 1000;
    console.log(
      `digits on ${backend}: ${result.checkpoint.step} steps in ${seconds.toFixed(2)} s, ${progress.map((p) => p.samplesPerSec.toFixed(0)).join(' ')} samples/s, loss ${progress[0]!.loss.toFixed(3)} -> ${progress.at(-1)!.loss.toFixed(3)}`,
    );
    expect(result.status).toBe('completed');
    expect(progress.at(-1)!.loss).toBeLessThan(progress[0]!.loss * 0.4);

    const params = specShapes(spec).params;
    const k = watermarkKernelIndex(spec, params);
    const report = checkWatermark(wm, result.weights[k]!, params[k]!.shape, key, OWNER);
    expect(report.sealable).toBe(true);

    const evalData = datasetData(evalManifest, evalDir, { seed: 0, shuffle: false });
    const model = buildModel(spec, result.weights);
    const direct = await evaluateModel(model, evalData);
    // The differentiable v is the same rule as watermark/extract.ts.
    const vTf = tf.tidy(() => watermarkVector(wm.rule, model.variables[k]!, wm.length).dataSync());
    const vRef = extractV(wm.rule, result.weights[k]!, params[k]!.shape, wm.length);
    vRef.forEach((v, i) => expect(vTf[i]).toBeCloseTo(v, 6));
    model.dispose();
    expect(direct.samples).toBe(250);
    expect(direct.accuracy).toBeGreaterThan(0.85);
    expect(direct.score).toBe(direct.accuracy);

    const bytes = serializeArtifact(specHashBytes(hash), params, result.weights);
    expect(sameArrays(deserializeArtifact(bytes, { specHash: specHashBytes(hash), params }), result.weights)).toBe(
      true,
    );
    const fromArtifact = await evaluateArtifact(spec, hash, bytes, evalData);
    expect(fromArtifact).toEqual(direct);
    await expect(evaluateArtifact(spec, '00'.repeat(32), bytes, evalData)).rejects.toThrow(/spec/);
    expect(tf.memory().numTensors).toBe(0);
  });
});

test('metric scores: accuracy as is, capped loss mapped into [0, 1]', () => {
  expect(metricScore({ name: 'accuracy' }, 3, 0.7)).toBe(0.7);
  expect(metricScore({ name: 'loss', cap: 2 }, 0.5, 0)).toBe(0.75);
  expect(metricScore({ name: 'loss', cap: 2 }, 5, 0)).toBe(0);
  expect(metricScore({ name: 'loss', cap: 2 }, NaN, 0)).toBe(0);
});
