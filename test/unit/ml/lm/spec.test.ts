// The next-token model spec (docs/ml.md section 1): the demo spec's shapes and parameter order, and
// every rule that keeps a next-token model causal and its score in bits per byte, each an error
// naming its field.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { parseModelSpec, parseModelSpecBytes, SpecError } from '../../../../src/lib/ml/spec/parse.ts';
import { specShapes } from '../../../../src/lib/ml/spec/shapes.ts';
import { specWork } from '../../../../src/lib/ml/spec/work.ts';
import { initialWeights } from '../../../../src/lib/ml/model/init.ts';
import { labelsPerSample, outputShape } from '../../../../src/lib/ml/spec/output.ts';

type Json = Record<string, unknown>;

const DEMO = new URL('../../../../public/specs/solidity-gpt.json', import.meta.url);

function lm(): Json {
  return {
    format: 'aiarena-model-spec',
    version: 1,
    name: 'tiny-gpt',
    input: { shape: [16] },
    output: { tokens: 256 },
    layers: [
      { type: 'embedding', id: 'bytes', vocabSize: 256, dim: 32 },
      { type: 'positionEmbedding', kind: 'sinusoidal' },
      { type: 'transformerBlock', id: 'block', heads: 4, dim: 32, mlpDim: 128 },
      { type: 'layerNorm' },
      { type: 'tiedOutput', embedding: 'bytes' },
    ],
    loss: 'sparse-categorical-crossentropy',
    metric: { name: 'bitsPerByte', cap: 8 },
    optimizer: { name: 'adam', learningRate: 0.001, batchSize: 8, epochs: 1 },
    watermark: {
      layer: 'block',
      rule: 'mlp-column-mean',
      bits: 64,
      length: 128,
      quantization: { bits: 16, scale: 65536 },
      maxErr: 8,
      strength: 0.05,
      margin: 8000,
    },
  };
}

function set(doc: Json, path: string, value: unknown): Json {
  const keys = path.replace(/\[(\d+)\]/g, '.$1').split('.');
  let at: Record<string, unknown> = doc;
  for (const k of keys.slice(0, -1)) at = at[k] as Record<string, unknown>;
  const last = keys[keys.length - 1]!;
  if (value === undefined) delete at[last];
  else at[last] = value;
  return doc;
}

function specError(doc: unknown): SpecError {
  try {
    parseModelSpec(doc);
  } catch (e) {
    if (e instanceof SpecError) return e;
    throw e;
  }
  throw new Error('parsed, expected a SpecError');
}

describe('the demo spec public/specs/solidity-gpt.json', () => {
  it('parses with its defaults filled in, and names its task', async () => {
    const { spec } = await parseModelSpecBytes(readFileSync(DEMO));
    expect(spec.task?.name).toBe('Solidity code co-creation');
    expect(spec.output).toEqual({ tokens: 256 });
    expect(spec.metric).toEqual({ name: 'bitsPerByte', cap: 8 });
    expect(spec.layers[2]).toEqual({
      type: 'transformerBlock',
      id: 'block1',
      heads: 4,
      dim: 128,
      mlpDim: 512,
      activation: 'gelu',
      causal: true,
      epsilon: 1e-5,
    });
    expect(spec.layers[5]).toEqual({ type: 'tiedOutput', embedding: 'bytes', bias: true });
    expect(outputShape(spec)).toEqual([128, 256]);
    expect(labelsPerSample(spec)).toBe(128);
  });

  it('has the documented parameters in the documented order', async () => {
    const { spec } = await parseModelSpecBytes(readFileSync(DEMO));
    const { params, paramCount, outputs } = specShapes(spec);
    const block = (layer: number) => [
      [layer, 'ln1Gamma', [128]],
      [layer, 'ln1Beta', [128]],
      [layer, 'wq', [128, 128]],
      [layer, 'bq', [128]],
      [layer, 'wk', [128, 128]],
      [layer, 'bk', [128]],
      [layer, 'wv', [128, 128]],
      [layer, 'bv', [128]],
      [layer, 'wo', [128, 128]],
      [layer, 'bo', [128]],
      [layer, 'ln2Gamma', [128]],
      [layer, 'ln2Beta', [128]],
      [layer, 'w1', [128, 512]],
      [layer, 'b1', [512]],
      [layer, 'w2', [512, 128]],
      [layer, 'b2', [128]],
    ];
    expect(params.map((p) => [p.layer, p.name, p.shape])).toEqual([
      [0, 'embeddings', [256, 128]],
      [1, 'embeddings', [128, 128]],
      ...block(2),
      ...block(3),
      [4, 'gamma', [128]],
      [4, 'beta', [128]],
      [5, 'bias', [256]],
    ]);
    // 256*128 + 128*128 + 2 * (4*128 + 4*(128*128+128) + 128*512+512 + 512*128+128) + 2*128 + 256
    expect(paramCount).toBe(32768 + 16384 + 2 * 198272 + 256 + 256);
    expect(outputs.at(-1)).toEqual([128, 256]);
    // Two blocks of 4nd^2 + 2n^2d + 2ndm + 2nd, the tied output's n*d*V, the embeddings' outputs.
    const n = 128;
    const d = 128;
    const blockWork = 4 * n * d * d + 2 * n * n * d + 2 * n * d * 512 + 2 * n * d;
    expect(specWork(spec)).toBe(2 * n * d + 2 * blockWork + n * d + n * d * 256);
  });

  it('initializes gammas to one, biases and betas to zero, embeddings within 0.05', async () => {
    const { spec } = await parseModelSpecBytes(readFileSync(DEMO));
    const { params } = specShapes(spec);
    const w = initialWeights(spec, 1);
    params.forEach((p, i) => {
      const values = Array.from(w[i]!);
      if (p.name.endsWith('amma')) expect(new Set(values)).toEqual(new Set([1]));
      else if (p.shape.length === 1) expect(new Set(values)).toEqual(new Set([0]));
      else if (p.name === 'embeddings') expect(Math.max(...values.map(Math.abs))).toBeLessThanOrEqual(0.05);
      else {
        // Glorot-uniform: within sqrt(6 / (fanIn + fanOut)), and not all zero.
        const limit = Math.sqrt(6 / (p.shape[0]! + p.shape[1]!));
        expect(Math.max(...values.map(Math.abs))).toBeLessThanOrEqual(limit);
        expect(Math.max(...values.map(Math.abs))).toBeGreaterThan(limit * 0.9);
      }
    });
  });
});

describe('next-token specs', () => {
  it('parses the small spec; sinusoidal positions and an untied head have no extra weights', () => {
    const spec = parseModelSpec(lm());
    expect(specShapes(spec).params.filter((p) => p.layer === 1)).toEqual([]);
    const untied = parseModelSpec(
      set(set(lm(), 'layers[4]', { type: 'dense', units: 256 }), 'layers[1].kind', 'learned'),
    );
    expect(
      specShapes(untied)
        .params.filter((p) => p.layer !== 2)
        .map((p) => [p.layer, p.name, p.shape]),
    ).toEqual([
      [0, 'embeddings', [256, 32]],
      [1, 'embeddings', [16, 32]],
      [3, 'gamma', [32]],
      [3, 'beta', [32]],
      [4, 'kernel', [32, 256]],
      [4, 'bias', [256]],
    ]);
    const noBias = parseModelSpec(set(lm(), 'layers[4].bias', false));
    expect(specShapes(noBias).params.filter((p) => p.layer === 4)).toEqual([]);
  });

  it('a classifier may use the new layers (non-causal blocks too)', () => {
    const doc = set(
      set(set(lm(), 'output', { classes: 4 }), 'layers', [
        { type: 'embedding', vocabSize: 50, dim: 32 },
        { type: 'positionEmbedding', kind: 'learned' },
        { type: 'transformerBlock', heads: 2, dim: 32, mlpDim: 64, causal: false, activation: 'relu' },
        { type: 'globalAvgPool1d' },
        { type: 'dense', units: 4 },
      ]),
      'metric',
      { name: 'accuracy' },
    );
    delete doc.watermark;
    const spec = parseModelSpec(doc);
    expect(spec.layers[2]).toMatchObject({ causal: false, activation: 'relu' });
    expect(outputShape(spec)).toEqual([4]);
    expect(labelsPerSample(spec)).toBe(1);
  });

  const BAD: [string, () => unknown, string, RegExp][] = [
    ['both outputs', () => set(lm(), 'output', { classes: 4, tokens: 256 }), 'output', /exactly one/],
    ['no output', () => set(lm(), 'output', {}), 'output', /exactly one/],
    ['tokens 1', () => set(lm(), 'output.tokens', 1), 'output.tokens', /2\.\.65536/],
    ['input rank 2', () => set(lm(), 'input.shape', [16, 2]), 'input.shape', /\[sequenceLength\]/],
    [
      'no embedding first',
      () => set(lm(), 'layers[0]', { type: 'dense', units: 32 }),
      'layers[0].type',
      /starts with an embedding/,
    ],
    ['vocab differs', () => set(lm(), 'layers[0].vocabSize', 300), 'layers[0].vocabSize', /must equal output.tokens/],
    ['a non-causal block', () => set(lm(), 'layers[2].causal', false), 'layers[2].causal', /may not attend to t \+ 1/],
    [
      'plain attention (sees every position)',
      () => set(lm(), 'layers[3]', { type: 'attention', heads: 4, dim: 32 }),
      'layers[3].type',
      /mixes positions/,
    ],
    ['flatten', () => set(lm(), 'layers[3]', { type: 'flatten' }), 'layers[3].type', /mixes positions/],
    ['accuracy metric', () => set(lm(), 'metric', { name: 'accuracy' }), 'metric.name', /"bitsPerByte" or "loss"/],
    [
      'bitsPerByte over 512 tokens',
      () => set(set(lm(), 'output.tokens', 512), 'layers[0].vocabSize', 512),
      'metric.name',
      /needs byte tokens/,
    ],
    [
      'bitsPerByte for a classifier',
      () => set(set(lm(), 'output', { classes: 4 }), 'layers[4]', { type: 'dense', units: 4 }),
      'metric.name',
      /scores next-token models/,
    ],
    ['bitsPerByte without cap', () => set(lm(), 'metric', { name: 'bitsPerByte' }), 'metric.cap', /missing/],
    ['position kind', () => set(lm(), 'layers[1].kind', 'rotary'), 'layers[1].kind', /"learned", "sinusoidal"/],
    ['position kind missing', () => set(lm(), 'layers[1].kind', undefined), 'layers[1].kind', /missing/],
    ['block heads 0', () => set(lm(), 'layers[2].heads', 0), 'layers[2].heads', /1\.\.16/],
    ['block dim not divisible', () => set(lm(), 'layers[2].heads', 3), 'layers[2].dim', /divisible by heads \(3\)/],
    ['block mlpDim missing', () => set(lm(), 'layers[2].mlpDim', undefined), 'layers[2].mlpDim', /missing/],
    ['block causal a string', () => set(lm(), 'layers[2].causal', 'yes'), 'layers[2].causal', /true or false/],
    ['block epsilon 0', () => set(lm(), 'layers[2].epsilon', 0), 'layers[2].epsilon', /\(0, 1\]/],
    ['block unknown field', () => set(lm(), 'layers[2].rotary', true), 'layers[2].rotary', /unknown field/],
    [
      'block width mismatch',
      () => set(set(lm(), 'layers[2].dim', 64), 'layers[2].heads', 4),
      'layers[2]',
      /dim 64 does not match its input width 32/,
    ],
    [
      'tied to a missing layer',
      () => set(lm(), 'layers[4].embedding', 'nope'),
      'layers[4].embedding',
      /not the id of an embedding layer/,
    ],
    [
      'tied to a block',
      () => set(lm(), 'layers[4].embedding', 'block'),
      'layers[4].embedding',
      /not the id of an embedding layer/,
    ],
    ['tied bias a number', () => set(lm(), 'layers[4].bias', 1), 'layers[4].bias', /true or false/],
    [
      'tied output of the wrong width',
      () => set(lm(), 'layers[3]', { type: 'dense', units: 16 }),
      'layers[4]',
      /dim 32, its input width is 16/,
    ],
    [
      'last layer not [L, V]',
      () => set(lm(), 'layers[4]', { type: 'dense', units: 255 }),
      'layers',
      /must output \[16, 256\]/,
    ],
    [
      'mlp-column-mean on a dense layer',
      () => set(set(lm(), 'layers[3]', { type: 'dense', id: 'proj', units: 32 }), 'watermark.layer', 'proj'),
      'watermark.rule',
      /needs a transformerBlock layer/,
    ],
    [
      'mlp-column-mean with mlpDim < length',
      () => set(lm(), 'layers[2].mlpDim', 64),
      'watermark.length',
      /only 64 MLP units/,
    ],
    [
      'dense-column-mean on a block',
      () => set(lm(), 'watermark.rule', 'dense-column-mean'),
      'watermark.rule',
      /needs a dense layer, "block" is transformerBlock/,
    ],
  ];

  it.each(BAD)('%s', (_what, doc, field, message) => {
    const e = specError(doc());
    expect(e.field).toBe(field);
    expect(e.message).toMatch(message);
    expect(e.message.startsWith(field === '' ? 'model spec' : `${field}: `)).toBe(true);
  });
});
