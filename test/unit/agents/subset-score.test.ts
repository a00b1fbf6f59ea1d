// Subset scores from per-sample vectors (the validator's design, SPEC 2.2): a model evaluated
// once on the whole eval set, then scored on any epoch's subset, must commit what evaluating that
// subset directly gives. Checked against the real eval service on wasm with a briefly trained
// digits model, for the accuracy metric and a capped-loss metric.
import { readFileSync } from 'node:fs';
import { keccak256, toBytes, type Hex } from 'viem';
import { beforeAll, describe, expect, test } from 'vitest';
import { scoreToUnits } from '../../../src/lib/chain/commitments.ts';
import { serializeArtifact } from '../../../src/lib/ml/artifact/serialize.ts';
import { fsSource } from '../../../src/lib/ml/data/sources.ts';
import { specHashBytes } from '../../../src/lib/ml/eval/evaluate.ts';
import { createEvalService } from '../../../src/lib/ml/eval/service.ts';
import { parseModelSpecBytes } from '../../../src/lib/ml/spec/parse.ts';
import { specShapes } from '../../../src/lib/ml/spec/shapes.ts';
import type { ModelSpec } from '../../../src/lib/ml/spec/types.ts';
import { datasetData, train } from '../../../src/lib/ml/train/index.ts';
import { subsetIndices, subsetScore, type SampleVectors } from '../../../src/lib/agents/validator/subset-score.ts';
import { WASM_DIR, useBackend } from '../ml/engine/helpers.ts';

const root = new URL('../../../', import.meta.url);
const publicDir = new URL('public/', root);
const fileFetch = (async (input: RequestInfo | URL) =>
  new Response(readFileSync(new URL(`.${new URL(String(input)).pathname}`, publicDir)))) as typeof fetch;
const seed = (label: string): Hex => keccak256(toBytes(label));

describe('subsetScore (pure)', () => {
  const v: SampleVectors = {
    samples: 4,
    correct: Uint8Array.of(1, 0, 1, 1),
    losses: Float32Array.of(0.5, 3, 0.25, 0.25),
  };
  test("accuracy is the mean of the subset's correct flags; a loss metric maps the mean loss through its cap", () => {
    expect(subsetScore({ name: 'accuracy' }, v, [0, 1])).toBe(0.5);
    expect(subsetScore({ name: 'accuracy' }, v, [0, 2, 3])).toBe(1);
    expect(subsetScore({ name: 'loss', cap: 2 }, v, [2, 3])).toBe(1 - 0.25 / 2);
    expect(subsetScore({ name: 'loss', cap: 2 }, v, [1])).toBe(0);
  });
  test('refuses vectors of the wrong length, an empty subset and indices outside the set', () => {
    expect(() => subsetScore({ name: 'accuracy' }, { ...v, samples: 5 }, [0])).toThrow(/for a set of 5 samples/);
    expect(() => subsetScore({ name: 'accuracy' }, v, [])).toThrow(/at least one sample/);
    expect(() => subsetScore({ name: 'accuracy' }, v, [4])).toThrow(/sample 4 is outside a set of 4 samples/);
  });
  test('the subset is evalSubset of the seed, the set size and evalSubsetSize; at least the set size is every sample', () => {
    const idx = subsetIndices({ seed: seed('a'), size: 100 }, 250);
    expect(idx).toHaveLength(100);
    expect(new Set(idx).size).toBe(100);
    expect(subsetIndices({ seed: seed('a'), size: 100 }, 250)).toEqual(idx);
    expect(subsetIndices({ seed: seed('b'), size: 100 }, 250)).not.toEqual(idx);
    expect(subsetIndices({ seed: seed('a'), size: 1000 }, 250)).toEqual(Array.from({ length: 250 }, (_, i) => i));
  });
});

describe('vectors from one whole-set evaluation score every subset as a direct evaluation of it does (wasm)', () => {
  let spec: ModelSpec;
  let weights: Float32Array[];

  beforeAll(async () => {
    await useBackend('wasm');
    ({ spec } = await parseModelSpecBytes(readFileSync(new URL('specs/digits-mlp.json', publicDir))));
    const trainDir = fsSource(new URL('datasets/digits-train', publicDir).pathname);
    // A briefly trained model: right on many samples, wrong on some, losses spread out.
    weights = (
      await train({
        spec,
        data: datasetData((await trainDir.manifest()).manifest, trainDir, { seed: 5 }),
        seed: 5,
        maxSteps: 25,
      })
    ).weights;
  }, 120_000);

  for (const metric of [{ name: 'accuracy' } as const, { name: 'loss', cap: 2 } as const]) {
    test(`${metric.name} metric`, async () => {
      const specBytes = new TextEncoder().encode(
        JSON.stringify({ ...JSON.parse(readFileSync(new URL('specs/digits-mlp.json', publicDir), 'utf8')), metric }),
      );
      const { hash: specHash } = await parseModelSpecBytes(specBytes);
      const artifact = serializeArtifact(specHashBytes(specHash), specShapes(spec).params, weights);
      const service = createEvalService({ backend: { wasmPaths: WASM_DIR }, fetch: fileFetch });
      const job = { specBytes, artifact, dataUrl: 'http://local/datasets/digits-eval', backend: 'wasm' as const };
      const whole = await service.evaluate({ ...job, perSample: true });
      const p = whole.perSample!;
      expect(p.correct).toHaveLength(250);
      // The correct flags are the accuracy's terms.
      expect(p.correct.reduce((a, c) => a + c, 0) / 250).toBe(whole.accuracy);
      const v: SampleVectors = { samples: whole.datasetSamples, correct: p.correct, losses: p.losses };
      const units: number[] = [];
      for (const label of ['epoch 0', 'epoch 1', 'epoch 2']) {
        const subset = { seed: seed(label), size: 100 };
        const direct = await service.evaluate({ ...job, subset });
        const fromVectors = subsetScore({ ...metric }, v, subsetIndices(subset, 250));
        if (metric.name === 'accuracy') expect(fromVectors).toBe(direct.score);
        else expect(Math.abs(fromVectors - direct.score)).toBeLessThan(1e-6);
        expect(scoreToUnits(fromVectors)).toBe(scoreToUnits(direct.score));
        units.push(scoreToUnits(fromVectors));
      }
      // Sanity: the model is neither perfect nor useless, so the subsets' scores differ.
      expect(whole.accuracy).toBeGreaterThan(0.2);
      expect(whole.accuracy).toBeLessThan(1);
      expect(new Set(units).size).toBeGreaterThan(1);
    }, 60_000);
  }
});
