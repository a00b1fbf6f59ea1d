// The generation service the eval worker exposes (the Train page's "try the model" box): a prompt
// completed from spec bytes and artifact bytes on wasm, streamed byte by byte, the same bytes as
// the library's generate() on the same weights, the model kept for the next prompt, cancelled
// before its next byte, and clear refusals.
import { beforeAll, describe, expect, test } from 'vitest';
import { serializeArtifact } from '../../../../src/lib/ml/artifact/index.ts';
import { ArtifactError } from '../../../../src/lib/ml/artifact/format.ts';
import { createGenerateService, generate, GenerateError } from '../../../../src/lib/ml/generate/index.ts';
import { sha256Hex } from '../../../../src/lib/ml/hash.ts';
import { buildModel, initialWeights } from '../../../../src/lib/ml/model/index.ts';
import { parseModelSpecBytes } from '../../../../src/lib/ml/spec/parse.ts';
import { specShapes } from '../../../../src/lib/ml/spec/shapes.ts';
import { useBackend, WASM_DIR } from '../engine/helpers.ts';
import { tinyLmDoc } from './helpers.ts';

const enc = (doc: unknown) => new TextEncoder().encode(JSON.stringify(doc));
const specBytes = enc(tinyLmDoc({ len: 16, dim: 16, heads: 2 }));
const classifierBytes = enc({
  format: 'aiarena-model-spec',
  version: 1,
  name: 'tiny-classifier',
  input: { shape: [4] },
  output: { classes: 3 },
  layers: [{ type: 'dense', units: 3 }],
  loss: 'sparse-categorical-crossentropy',
  metric: { name: 'accuracy' },
  optimizer: { name: 'adam', learningRate: 0.01, batchSize: 4, epochs: 1 },
});
const prompt = new TextEncoder().encode('pragma solidity ^0.8.20;\ncontract A {');

async function artifactOf(bytes: Uint8Array, seed: number): Promise<{ artifact: Uint8Array; weights: Float32Array[] }> {
  const { spec, hash } = await parseModelSpecBytes(bytes);
  const weights = initialWeights(spec, seed);
  const hashBytes = Uint8Array.from(hash.match(/../g)!.map((h) => parseInt(h, 16)));
  return { artifact: serializeArtifact(hashBytes, specShapes(spec).params, weights), weights };
}

describe('the generation service on wasm', () => {
  const service = createGenerateService({ backend: { wasmPaths: WASM_DIR } });
  let artifact: Uint8Array;
  let weights: Float32Array[];

  beforeAll(async () => {
    await useBackend('wasm');
    ({ artifact, weights } = await artifactOf(specBytes, 7));
  });

  test('streams each byte as it is chosen, the same bytes as generate() on the same weights', async () => {
    const streamed: number[] = [];
    const counts: number[] = [];
    const out = await service.generate(
      { specBytes, artifact, prompt, maxNewBytes: 24, backend: 'wasm' },
      { onByte: (b, n) => (streamed.push(b), counts.push(n)) },
    );
    expect(out.stop).toBe('length');
    expect(out.backend).toBe('wasm');
    expect(out.artifactHash).toBe(`0x${await sha256Hex(artifact)}`);
    expect(Array.from(out.bytes)).toEqual(streamed);
    expect(counts).toEqual(Array.from({ length: 24 }, (_, i) => i + 1));
    const { spec } = await parseModelSpecBytes(specBytes);
    const model = buildModel(spec, weights);
    try {
      const direct = await generate(model, prompt, { maxNewBytes: 24 });
      expect(Array.from(out.bytes)).toEqual(Array.from(direct.bytes));
      // Sampled with a seed: reproducible, and the same as the library's.
      const sampled = { maxNewBytes: 24, temperature: 1.5, topK: 40, seed: 'try' };
      const a = await service.generate({ specBytes, artifact, prompt, backend: 'wasm', ...sampled });
      const b = await generate(model, prompt, sampled);
      expect(Array.from(a.bytes)).toEqual(Array.from(b.bytes));
      expect(Array.from(a.bytes)).not.toEqual(Array.from(out.bytes));
    } finally {
      model.dispose();
    }
  });

  test('keeps the model for the next prompt, and builds another for another artifact', async () => {
    const first = await service.generate({ specBytes, artifact, prompt, maxNewBytes: 8, backend: 'wasm' });
    const again = await service.generate({ specBytes, artifact, prompt, maxNewBytes: 8, backend: 'wasm' });
    expect(Array.from(again.bytes)).toEqual(Array.from(first.bytes));
    const other = await artifactOf(specBytes, 8);
    const changed = await service.generate({
      specBytes,
      artifact: other.artifact,
      prompt,
      maxNewBytes: 8,
      backend: 'wasm',
    });
    expect(changed.artifactHash).toBe(`0x${await sha256Hex(other.artifact)}`);
    expect(Array.from(changed.bytes)).not.toEqual(Array.from(first.bytes));
  });

  test('cancel stops before the next byte: the bytes so far come back, and the service takes the next prompt', async () => {
    const seen: number[] = [];
    const run = service.generate(
      { specBytes, artifact, prompt, maxNewBytes: 4096, backend: 'wasm' },
      {
        onByte: (b, n) => {
          seen.push(b);
          if (n === 5) service.cancel();
        },
      },
    );
    // One at a time: a second completion while one runs is refused.
    await expect(service.generate({ specBytes, artifact, prompt, maxNewBytes: 1 })).rejects.toThrow(
      'a completion is already running in this worker',
    );
    const out = await run;
    expect(out.stop).toBe('aborted');
    expect(out.bytes.length).toBe(5);
    expect(Array.from(out.bytes)).toEqual(seen);
    expect(
      (await service.generate({ specBytes, artifact, prompt, maxNewBytes: 2, backend: 'wasm' })).bytes.length,
    ).toBe(2);
  });

  test('stops after the stop byte when the model chooses it', async () => {
    const free = await service.generate({ specBytes, artifact, prompt, maxNewBytes: 12, backend: 'wasm' });
    const stopByte = free.bytes[3]!;
    const first = free.bytes.indexOf(stopByte);
    const out = await service.generate({ specBytes, artifact, prompt, maxNewBytes: 12, stopByte, backend: 'wasm' });
    expect(out.stop).toBe('stopByte');
    expect(Array.from(out.bytes)).toEqual(Array.from(free.bytes.slice(0, first + 1)));
  });

  test('refuses what it cannot complete, with a sentence', async () => {
    const classifier = await artifactOf(classifierBytes, 1);
    await expect(
      service.generate({ specBytes: classifierBytes, artifact: classifier.artifact, prompt, maxNewBytes: 4 }),
    ).rejects.toThrow(
      new GenerateError(
        'generation completes bytes: it needs a next-token model over 256 tokens, "tiny-classifier" has classes',
      ),
    );
    // Another spec's artifact is refused by the strict reader before any model is built.
    await expect(
      service.generate({ specBytes, artifact: classifier.artifact, prompt, maxNewBytes: 4 }),
    ).rejects.toBeInstanceOf(ArtifactError);
    await expect(
      service.generate({ specBytes, artifact, prompt, maxNewBytes: 4, expectedSpecHash: '0x' + '1'.repeat(64) }),
    ).rejects.toThrow(/^the model spec hashes to [0-9a-f]{64}, expected 0x1{64}$/);
    await expect(service.generate({ specBytes, artifact, prompt, maxNewBytes: 0 })).rejects.toThrow(
      'maxNewBytes must be an integer in 1..65536, got 0',
    );
    await expect(
      service.generate({ specBytes, artifact, prompt: new Uint8Array(65537), maxNewBytes: 1 }),
    ).rejects.toThrow('the prompt must be at most 65536 bytes');
    await expect(service.generate({ specBytes, artifact, prompt, maxNewBytes: 4, temperature: -1 })).rejects.toThrow(
      'temperature must be in [0, 10] (0 is greedy), got -1',
    );
  });
});
