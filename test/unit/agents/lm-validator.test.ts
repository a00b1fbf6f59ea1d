// The validator's path for a next-token (language-model) task, which was built for classifiers:
// per-sample vectors without correct flags, subset scores in bits per byte equal to a direct
// evaluation of the subset, the similarity hint's probes as random byte sequences predicted at
// every position, the ML port handing all of it over, and a disclosed transcript's segments
// replayed through the port as the challenge check does. Real eval service on wasm, over the real
// Solidity eval set, with briefly trained tiny byte models.
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { keccak256, toBytes, type Hex } from 'viem';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { mlPort } from '../../../src/lib/agents/adapters/ml.ts';
import {
  PROBE_COUNT,
  PROBE_RANGE,
  TOKEN_PROBE_POSITIONS,
  closestMatch,
  probeSettings,
} from '../../../src/lib/agents/validator/similarity.ts';
import { subsetIndices, subsetScore } from '../../../src/lib/agents/validator/subset-score.ts';
import { metricValue } from '../../../src/lib/app-logic/metric-view.ts';
import { serializeArtifact } from '../../../src/lib/ml/artifact/serialize.ts';
import { fsSource } from '../../../src/lib/ml/data/sources.ts';
import { probeTokens, tokenPredictions } from '../../../src/lib/ml/eval/agreement.ts';
import { specHashBytes } from '../../../src/lib/ml/eval/evaluate.ts';
import { createEvalService } from '../../../src/lib/ml/eval/service.ts';
import { sha256Hex } from '../../../src/lib/ml/hash.ts';
import { buildModel } from '../../../src/lib/ml/model/model.ts';
import { parseModelSpecBytes } from '../../../src/lib/ml/spec/parse.ts';
import { specShapes } from '../../../src/lib/ml/spec/shapes.ts';
import type { ModelSpec } from '../../../src/lib/ml/spec/types.ts';
import { datasetData, train } from '../../../src/lib/ml/train/index.ts';
import { runTranscript } from '../../../src/lib/ml/transcript/run.ts';
import { openTranscriptDir } from '../../../src/lib/storage/transcripts-fs.ts';
import { WASM_DIR, useBackend } from '../ml/engine/helpers.ts';
import { ALICE, keyFor } from '../ml/transcript/fixture.ts';
import { tinyLmDoc } from '../ml/lm/helpers.ts';

const root = new URL('../../../', import.meta.url);
const publicDir = new URL('public/', root);
const fileFetch = (async (input: RequestInfo | URL) =>
  new Response(readFileSync(new URL(`.${new URL(String(input)).pathname}`, publicDir)))) as typeof fetch;
const EVAL_URL = 'http://local/datasets/solidity-eval';
// A tiny byte model of the Solidity sets' length (128), watermarked as the template is.
const specBytes = new TextEncoder().encode(
  JSON.stringify(tinyLmDoc({ len: 128, dim: 16, heads: 2, mlpDim: 128, batchSize: 32, learningRate: 0.01 })),
);

describe('subset scores of a next-token model (pure)', () => {
  const v = { samples: 3, correct: new Uint8Array(0), losses: Float32Array.of(Math.LN2, 2 * Math.LN2, 4 * Math.LN2) };
  test('read the losses only: bits per byte through the cap', () => {
    expect(subsetScore({ name: 'bitsPerByte', cap: 8 }, v, [0, 1])).toBeCloseTo(1 - 1.5 / 8, 6);
    expect(
      metricValue({ name: 'bitsPerByte', cap: 8 }, subsetScore({ name: 'bitsPerByte', cap: 8 }, v, [2])),
    ).toBeCloseTo(4, 5);
  });
  test('accuracy needs the flags; flags of another length are refused', () => {
    expect(() => subsetScore({ name: 'accuracy' }, v, [0])).toThrow(
      'per-sample vectors of 0 and 3 entries for a set of 3 samples',
    );
    expect(() => subsetScore({ name: 'loss', cap: 2 }, { ...v, correct: Uint8Array.of(1) }, [0])).toThrow(RangeError);
  });
});

describe('probes of a next-token model', () => {
  test('random byte sequences of the model’s length, about 2,048 positions; classifiers keep theirs', async () => {
    const { spec } = await parseModelSpecBytes(specBytes);
    expect(probeSettings(spec)).toEqual({ count: TOKEN_PROBE_POSITIONS / 128, lo: 0, hi: 256 });
    const digits = (await parseModelSpecBytes(readFileSync(new URL('specs/digits-mlp.json', publicDir)))).spec;
    expect(probeSettings(digits)).toEqual({ count: PROBE_COUNT, lo: PROBE_RANGE[0], hi: PROBE_RANGE[1] });
    const a = probeTokens('task-a', 16, 128, 0, 256);
    expect(a).toHaveLength(2048);
    expect(probeTokens('task-a', 16, 128, 0, 256)).toEqual(a);
    expect(probeTokens('task-b', 16, 128, 0, 256)).not.toEqual(a);
    expect(Math.min(...a)).toBe(0);
    expect(Math.max(...a)).toBe(255);
    // Every byte value about equally often: 2048 / 256 = 8 each, none wildly off.
    const counts = new Array<number>(256).fill(0);
    for (const t of a) counts[t]!++;
    expect(Math.max(...counts)).toBeLessThan(24);
    expect(() => probeTokens('x', 1, 4, 0.5, 3)).toThrow('probe token ids [0.5, 3) must be a non-empty integer range');
  });
});

describe('a trained byte model through the eval service and the ML port (wasm, solidity-eval)', () => {
  let spec: ModelSpec;
  let specHash: string;
  let artifact: Uint8Array;
  let weights: Float32Array[];
  const service = createEvalService({ backend: { wasmPaths: WASM_DIR }, fetch: fileFetch });

  beforeAll(async () => {
    await useBackend('wasm');
    ({ spec, hash: specHash } = await parseModelSpecBytes(specBytes));
    const dir = fsSource(new URL('datasets/solidity-train', publicDir).pathname);
    const { manifest } = await dir.manifest();
    weights = (await train({ spec, data: datasetData(manifest, dir, { seed: 1 }), seed: 1, maxSteps: 40 })).weights;
    artifact = serializeArtifact(specHashBytes(specHash), specShapes(spec).params, weights);
  }, 120_000);

  test('per-sample losses of every sequence, no flags; subset scores equal a direct evaluation, in bits per byte', async () => {
    const dataHash =
      `0x${await sha256Hex(readFileSync(new URL('datasets/solidity-eval/manifest.json', publicDir)))}` as Hex;
    const ml = mlPort({
      trainer: { train: () => Promise.reject(new Error('not here')), pause() {}, resume() {}, cancel() {} },
      evaluator: service,
      specBytes,
      trainData: dataHash,
      dataUrl: () => EVAL_URL,
      evalBackend: 'wasm',
    });
    const probes = { seed: 'task-a', ...probeSettings(spec) };
    const r = await ml.evaluateSamples({ artifact, artifactHash: `0x${await sha256Hex(artifact)}`, dataHash, probes });
    expect(r.samples).toBe(3457);
    expect(r.losses).toHaveLength(3457);
    expect(r.correct).toHaveLength(0);
    expect(r.predictions).toBeUndefined();
    expect(r.probePredictions).toHaveLength(16 * 128);
    // The probes' predictions are the model's arg-max at every position of the seeded sequences.
    const model = buildModel(spec, weights);
    try {
      const direct = await tokenPredictions(model, probeTokens('task-a', 16, 128, 0, 256));
      expect(Array.from(r.probePredictions!)).toEqual(Array.from(direct));
    } finally {
      model.dispose();
    }
    // After 40 steps the model is far from the cap but no compressor yet.
    const wholeBpb = metricValue(spec.metric, r.score)!;
    expect(wholeBpb).toBeGreaterThan(2.5);
    expect(wholeBpb).toBeLessThan(6);
    const seed = keccak256(toBytes('epoch 0')) as Hex;
    const idx = subsetIndices({ seed, size: 500 }, r.samples);
    const fromVectors = subsetScore(spec.metric, r, idx);
    const direct = await service.evaluate({
      specBytes,
      artifact,
      dataUrl: EVAL_URL,
      backend: 'wasm',
      subset: { seed, size: 500 },
    });
    expect(direct.samples).toBe(500);
    // Committed as units of 1/10,000: both give the same integer.
    expect(Math.round(fromVectors * 10_000)).toBe(Math.round(direct.score * 10_000));
    expect(metricValue(spec.metric, fromVectors)).toBeCloseTo(direct.bitsPerByte!, 4);
  }, 120_000);

  test('the hint compares next-token models on the probes alone (no eval-set predictions)', () => {
    const probes = (n: number, same: number) =>
      Int32Array.from({ length: n }, (_, i) => (i < same ? 32 : 100 + (i % 50)));
    const model = { eval: null, evalSet: 'e', probes: probes(2048, 2048) };
    const match = closestMatch(model, [
      {
        submissionId: 0,
        trainer: '0x0000000000000000000000000000000000000001',
        predictions: { eval: null, evalSet: 'e', probes: probes(2048, 1024) },
      },
    ]);
    expect(match).toEqual({
      submissionId: 0,
      trainer: '0x0000000000000000000000000000000000000001',
      probes: 0.5,
      eval: null,
    });
  });

  test('refuses probe ids outside the vocabulary', async () => {
    await expect(
      service.evaluate({
        specBytes,
        artifact,
        dataUrl: EVAL_URL,
        indices: [0],
        probes: { seed: 's', count: 1, lo: 0, hi: 300 },
      }),
    ).rejects.toThrow(
      "probes: a next-token model's probes are token ids in [lo, hi) within its vocabulary 0..255, got [0, 300)",
    );
  });
});

describe('a disclosed next-token transcript through the ML port (the challenge check’s replays)', () => {
  const K = 2;
  let dir: string;
  let states: Uint8Array[];
  let ml: ReturnType<typeof mlPort>;
  let lm: { spec: ModelSpec; hash: string; bytes: Uint8Array };

  beforeAll(async () => {
    await useBackend('wasm');
    dir = mkdtempSync(join(tmpdir(), 'aiarena-lm-check-'));
    const store = await openTranscriptDir(dir);
    const doc = tinyLmDoc({ len: 128, dim: 16, heads: 2, mlpDim: 128, batchSize: 8, watermark: true });
    const bytes = new TextEncoder().encode(JSON.stringify({ ...doc, transcript: { interval: 5 } }));
    lm = { ...(await parseModelSpecBytes(bytes)), bytes };
    // Trained on the bundled solidity-eval split standing in for a task's training set.
    const source = fsSource(new URL('datasets/solidity-eval', publicDir).pathname);
    const { manifest, hash: dataHash } = await source.manifest();
    await runTranscript({
      spec: lm.spec,
      specHash: lm.hash,
      identity: ALICE,
      openData: (seed) => datasetData(manifest, source, { seed }),
      keyBits: keyFor(ALICE.trainer),
      id: 'lm',
      store,
      segments: K,
      backend: 'wasm',
    });
    states = await Promise.all(Array.from({ length: K + 1 }, (_, i) => store.state('lm', i).then((b) => b!)));
    ml = mlPort({
      trainer: { train: () => Promise.reject(new Error('not here')), pause() {}, resume() {}, cancel() {} },
      evaluator: createEvalService({ backend: { wasmPaths: WASM_DIR }, fetch: fileFetch }),
      specBytes: lm.bytes,
      trainData: `0x${dataHash}`,
      dataUrl: () => EVAL_URL,
      evalBackend: 'wasm',
    });
  }, 120_000);
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  test('each segment replays from the seeded start; a forged state does not', async () => {
    const identity = { chainId: ALICE.chainId as number, task: BigInt(ALICE.task), trainer: ALICE.trainer };
    const keyBits = keyFor(ALICE.trainer);
    for (let i = 0; i < K; i++) {
      const r = await ml.replaySegment!({
        identity,
        keyBits,
        start: states[i]!,
        claimed: states[i + 1]!,
        ...(i === 0 ? { checkSeededStart: true } : {}),
        backend: 'wasm',
      });
      expect(r).toMatchObject({ status: 'done', replays: true, failing: 0, maxDeviation: 0 });
      if (i === 0) expect(r.seededStart).toBe(true);
    }
    // The first segment's claimed state put in place of the second's: it is not what replaying gives.
    const forged = await ml.replaySegment!({
      identity,
      keyBits,
      start: states[1]!,
      claimed: states[1]!,
      backend: 'wasm',
    });
    expect(forged.replays).toBe(false);
    expect(forged.failing).toBeGreaterThan(0);
    // Another trainer's identity draws other batches and another seeded start.
    const bob = await ml.replaySegment!({
      identity: { ...identity, trainer: '0x3c44cdddb6a900fa2b585dd299e03d12fa4293bc' },
      keyBits,
      start: states[0]!,
      claimed: states[1]!,
      checkSeededStart: true,
      backend: 'wasm',
    });
    expect(bob.seededStart).toBe(false);
  }, 120_000);
});
