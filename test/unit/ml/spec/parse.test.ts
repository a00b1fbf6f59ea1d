import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { sha256Hex } from '../../../../src/lib/ml/hash.ts';
import { MAX_PARAMS, parseModelSpec, parseModelSpecBytes, SpecError } from '../../../../src/lib/ml/spec/parse.ts';
import { specShapes } from '../../../../src/lib/ml/spec/shapes.ts';

type Json = Record<string, unknown>;

/** The docs/ml.md example (fashion-mlp) with one layer of every other kind checked separately. */
function base(): Json {
  return {
    format: 'aiarena-model-spec',
    version: 1,
    name: 'fashion-mlp',
    description: '784-256-128-10 MLP for Fashion-MNIST',
    input: { shape: [28, 28, 1] },
    output: { classes: 10 },
    layers: [
      { type: 'flatten' },
      { type: 'dense', id: 'hidden1', units: 256, activation: 'relu' },
      { type: 'dropout', rate: 0.2 },
      { type: 'dense', id: 'hidden2', units: 128, activation: 'relu' },
      { type: 'dense', id: 'logits', units: 10 },
    ],
    loss: 'sparse-categorical-crossentropy',
    metric: { name: 'accuracy' },
    optimizer: { name: 'adam', learningRate: 0.001, batchSize: 64, epochs: 8 },
    watermark: {
      layer: 'hidden1',
      rule: 'dense-column-mean',
      bits: 64,
      length: 128,
      quantization: { bits: 16, scale: 65536 },
      maxErr: 8,
      strength: 0.05,
      margin: 2000,
    },
  };
}

function cnn(): Json {
  return {
    ...base(),
    layers: [
      { type: 'conv2d', id: 'conv1', filters: 16, kernelSize: 3, activation: 'relu' },
      { type: 'maxPool2d', poolSize: 2 },
      { type: 'conv2d', id: 'conv2', filters: 32, kernelSize: 3, activation: 'relu' },
      { type: 'avgPool2d', poolSize: 2 },
      { type: 'flatten' },
      { type: 'dense', id: 'logits', units: 10 },
    ],
    watermark: { ...(base().watermark as Json), layer: 'conv2', rule: 'conv-filter-mean' },
  };
}

function tokens(): Json {
  return {
    ...base(),
    input: { shape: [16] },
    output: { classes: 4 },
    layers: [
      { type: 'embedding', vocabSize: 100, dim: 32 },
      { type: 'attention', heads: 4, dim: 32 },
      { type: 'layerNorm' },
      { type: 'globalAvgPool1d' },
      { type: 'dense', id: 'head', units: 128, activation: 'gelu' },
      { type: 'dense', units: 4 },
    ],
    watermark: { ...(base().watermark as Json), layer: 'head' },
  };
}

/** Sets (or with `undefined` deletes) the value at a dotted path with [i] indices. */
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

// [what, the document, the field the error must name, a phrase the message must contain]
const BAD: [string, () => unknown, string, RegExp][] = [
  ['not an object', () => [], '', /must be an object/],
  ['null', () => null, '', /must be an object/],
  ['unknown top-level field', () => set(base(), 'extra', 1), 'extra', /unknown field/],
  ['wrong format', () => set(base(), 'format', 'aiarena-model-spec/0'), 'format', /"aiarena-model-spec"/],
  ['missing format', () => set(base(), 'format', undefined), 'format', /must be/],
  ['version 2', () => set(base(), 'version', 2), 'version', /must be 1/],
  ['version as string', () => set(base(), 'version', '1'), 'version', /must be 1/],
  ['missing name', () => set(base(), 'name', undefined), 'name', /missing/],
  ['empty name', () => set(base(), 'name', ''), 'name', /name matching/],
  ['name with spaces', () => set(base(), 'name', 'my model'), 'name', /name matching/],
  ['description not a string', () => set(base(), 'description', 5), 'description', /string/],
  ['description too long', () => set(base(), 'description', 'x'.repeat(1025)), 'description', /0\.\.1024/],
  ['input not an object', () => set(base(), 'input', [28, 28, 1]), 'input', /must be an object/],
  ['input unknown field', () => set(base(), 'input.dtype', 'float32'), 'input.dtype', /unknown field/],
  ['input shape empty', () => set(base(), 'input.shape', []), 'input.shape', /1\.\.3 entries/],
  ['input shape rank 4', () => set(base(), 'input.shape', [1, 28, 28, 1]), 'input.shape', /1\.\.3 entries/],
  ['input dim 0', () => set(base(), 'input.shape[1]', 0), 'input.shape[1]', /integer in 1\.\.4096/],
  ['input dim fractional', () => set(base(), 'input.shape[0]', 2.5), 'input.shape[0]', /integer/],
  ['input dim too large', () => set(base(), 'input.shape[0]', 4097), 'input.shape[0]', /1\.\.4096/],
  ['input too many values', () => set(base(), 'input.shape', [2048, 2048]), 'input.shape', /at most 1048576/],
  ['classes 1', () => set(base(), 'output.classes', 1), 'output.classes', /2\.\.1000/],
  ['classes 1001', () => set(base(), 'output.classes', 1001), 'output.classes', /2\.\.1000/],
  ['output shape (old format)', () => set(base(), 'output.shape', [10]), 'output.shape', /unknown field/],
  ['layers empty', () => set(base(), 'layers', []), 'layers', /1\.\.32 entries/],
  [
    '33 layers',
    () =>
      set(base(), 'layers', [...Array.from({ length: 32 }, () => ({ type: 'flatten' })), { type: 'dense', units: 10 }]),
    'layers',
    /1\.\.32/,
  ],
  ['layer not an object', () => set(base(), 'layers[1]', 'dense'), 'layers[1]', /must be an object/],
  ['unknown layer type', () => set(base(), 'layers[1].type', 'lstm'), 'layers[1].type', /one of/],
  ['layer unknown field', () => set(base(), 'layers[3].name', 'h2'), 'layers[3].name', /unknown field/],
  ['param of another layer type', () => set(base(), 'layers[3].filters', 4), 'layers[3].filters', /unknown field/],
  ['units 0', () => set(base(), 'layers[3].units', 0), 'layers[3].units', /must be an integer in 1\.\.4096/],
  ['units 4097', () => set(base(), 'layers[3].units', 4097), 'layers[3].units', /1\.\.4096/],
  [
    'units missing',
    () => set(base(), 'layers[3].units', undefined),
    'layers[3].units',
    /missing, must be an integer in 1\.\.4096/,
  ],
  ['units as string', () => set(base(), 'layers[3].units', '128'), 'layers[3].units', /integer/],
  ['bad activation', () => set(base(), 'layers[3].activation', 'softmax'), 'layers[3].activation', /one of "linear"/],
  ['id with uppercase', () => set(base(), 'layers[3].id', 'Hidden2'), 'layers[3].id', /\[a-z\]/],
  ['id too long', () => set(base(), 'layers[3].id', `h${'x'.repeat(32)}`), 'layers[3].id', /id matching/],
  ['duplicate id', () => set(base(), 'layers[3].id', 'hidden1'), 'layers[3].id', /already the id of layers\[1\]/],
  ['dropout rate 0.9', () => set(base(), 'layers[2].rate', 0.9), 'layers[2].rate', /\[0, 0\.9\)/],
  ['dropout rate negative', () => set(base(), 'layers[2].rate', -0.1), 'layers[2].rate', /\[0, 0\.9\)/],
  ['dropout rate missing', () => set(base(), 'layers[2].rate', undefined), 'layers[2].rate', /missing/],
  ['dropout rate NaN-ish string', () => set(base(), 'layers[2].rate', 'NaN'), 'layers[2].rate', /number/],
  ['last layer too wide', () => set(base(), 'layers[4].units', 11), 'layers', /must output \[10\]/],
  [
    'dense on an image with no flatten',
    () => set(base(), 'layers', [{ type: 'dense', units: 10 }]),
    'layers',
    /must output \[10\]/,
  ],
  ['conv filters 0', () => set(cnn(), 'layers[0].filters', 0), 'layers[0].filters', /1\.\.512/],
  ['conv filters 513', () => set(cnn(), 'layers[0].filters', 513), 'layers[0].filters', /1\.\.512/],
  ['conv kernel 8', () => set(cnn(), 'layers[0].kernelSize', 8), 'layers[0].kernelSize', /1\.\.7/],
  ['conv strides 5', () => set(cnn(), 'layers[0].strides', 5), 'layers[0].strides', /1\.\.4/],
  ['conv padding', () => set(cnn(), 'layers[0].padding', 'causal'), 'layers[0].padding', /"same", "valid"/],
  ['conv after flatten', () => set(cnn(), 'layers[1]', { type: 'flatten' }), 'layers[2]', /rank-3 input/],
  [
    'valid conv larger than input',
    () =>
      set(set(cnn(), 'input.shape', [4, 4, 1]), 'layers[0]', {
        type: 'conv2d',
        filters: 2,
        kernelSize: 5,
        padding: 'valid',
      }),
    'layers[0]',
    /does not fit/,
  ],
  ['pool size 5', () => set(cnn(), 'layers[1].poolSize', 5), 'layers[1].poolSize', /1\.\.4/],
  ['pool size missing', () => set(cnn(), 'layers[1].poolSize', undefined), 'layers[1].poolSize', /missing/],
  ['pool activation', () => set(cnn(), 'layers[1].activation', 'relu'), 'layers[1].activation', /unknown field/],
  ['pool strides 0', () => set(cnn(), 'layers[1].strides', 0), 'layers[1].strides', /1\.\.4/],
  ['flatten with a param', () => set(base(), 'layers[0].units', 3), 'layers[0].units', /unknown field/],
  [
    'embedding not first',
    () => set(tokens(), 'layers[1]', { type: 'embedding', vocabSize: 10, dim: 32 }),
    'layers[1].type',
    /first layer/,
  ],
  ['embedding vocab 1', () => set(tokens(), 'layers[0].vocabSize', 1), 'layers[0].vocabSize', /2\.\.65536/],
  ['embedding vocab too big', () => set(tokens(), 'layers[0].vocabSize', 65537), 'layers[0].vocabSize', /2\.\.65536/],
  ['embedding dim 1025', () => set(tokens(), 'layers[0].dim', 1025), 'layers[0].dim', /1\.\.1024/],
  ['embedding on an image', () => set(tokens(), 'input.shape', [4, 4]), 'layers[0]', /rank-1 input/],
  [
    'attention dim not divisible',
    () => set(set(tokens(), 'layers[1].heads', 3), 'layers[1].dim', 32),
    'layers[1].dim',
    /divisible by heads \(3\)/,
  ],
  ['attention heads 17', () => set(tokens(), 'layers[1].heads', 17), 'layers[1].heads', /1\.\.16/],
  [
    'attention width mismatch',
    () => set(tokens(), 'layers[1]', { type: 'attention', heads: 4, dim: 64 }),
    'layers[1]',
    /does not match its input width 32/,
  ],
  ['layerNorm epsilon 0', () => set(tokens(), 'layers[2].epsilon', 0), 'layers[2].epsilon', /\(0, 1\]/],
  [
    'globalAvgPool1d on rank 1',
    () => set(base(), 'layers[2]', { type: 'globalAvgPool1d' }),
    'layers[2]',
    /rank-2 input/,
  ],
  ['loss', () => set(base(), 'loss', 'mse'), 'loss', /"sparse-categorical-crossentropy"/],
  ['loss missing', () => set(base(), 'loss', undefined), 'loss', /missing/],
  ['metric name', () => set(base(), 'metric.name', 'f1'), 'metric.name', /"accuracy", "loss"/],
  ['accuracy with a cap', () => set(base(), 'metric.cap', 2), 'metric.cap', /unknown field/],
  ['loss metric without cap', () => set(base(), 'metric', { name: 'loss' }), 'metric.cap', /missing/],
  [
    'loss metric cap 0',
    () => set(base(), 'metric', { name: 'loss', cap: 0 }),
    'metric.cap',
    /must be a finite number > 0, got number/,
  ],
  [
    'loss metric cap negative',
    () => set(base(), 'metric', { name: 'loss', cap: -1 }),
    'metric.cap',
    /must be a finite number > 0, got number/,
  ],
  [
    'metric extra',
    () => set(base(), 'metric', { name: 'loss', cap: 1, higherIsBetter: true }),
    'metric.higherIsBetter',
    /unknown field/,
  ],
  ['optimizer name', () => set(base(), 'optimizer.name', 'rmsprop'), 'optimizer.name', /"adam", "sgd"/],
  ['learningRate 0', () => set(base(), 'optimizer.learningRate', 0), 'optimizer.learningRate', /\(0, 1\]/],
  ['learningRate 1.5', () => set(base(), 'optimizer.learningRate', 1.5), 'optimizer.learningRate', /\(0, 1\]/],
  ['batchSize 0', () => set(base(), 'optimizer.batchSize', 0), 'optimizer.batchSize', /1\.\.4096/],
  ['batchSize 4097', () => set(base(), 'optimizer.batchSize', 4097), 'optimizer.batchSize', /1\.\.4096/],
  ['epochs 0', () => set(base(), 'optimizer.epochs', 0), 'optimizer.epochs', /1\.\.1000/],
  ['epochs 1001', () => set(base(), 'optimizer.epochs', 1001), 'optimizer.epochs', /1\.\.1000/],
  ['momentum for adam', () => set(base(), 'optimizer.momentum', 0.9), 'optimizer.momentum', /only applies to "sgd"/],
  [
    'sgd momentum 1',
    () => set(set(base(), 'optimizer.name', 'sgd'), 'optimizer.momentum', 1),
    'optimizer.momentum',
    /\[0, 1\)/,
  ],
  ['optimizer extra', () => set(base(), 'optimizer.weightDecay', 0.1), 'optimizer.weightDecay', /unknown field/],
  ['watermark not an object', () => set(base(), 'watermark', true), 'watermark', /must be an object/],
  ['watermark extra', () => set(base(), 'watermark.tensor', 'kernel'), 'watermark.tensor', /unknown field/],
  [
    'watermark layer missing',
    () => set(base(), 'watermark.layer', 'hidden9'),
    'watermark.layer',
    /no layer has id "hidden9"/,
  ],
  ['watermark rule unknown', () => set(base(), 'watermark.rule', 'first-n-row-major'), 'watermark.rule', /one of/],
  [
    'dense rule on a conv',
    () => set(cnn(), 'watermark.rule', 'dense-column-mean'),
    'watermark.rule',
    /needs a dense layer/,
  ],
  [
    'conv rule on a dense',
    () => set(base(), 'watermark.rule', 'conv-filter-mean'),
    'watermark.rule',
    /needs a conv2d layer/,
  ],
  ['dense layer narrower than N', () => set(base(), 'watermark.layer', 'logits'), 'watermark.length', /only 10 units/],
  ['conv kernel smaller than N', () => set(cnn(), 'watermark.layer', 'conv1'), 'watermark.length', /3x3x1 = 9/],
  ['bits 0', () => set(base(), 'watermark.bits', 0), 'watermark.bits', /1\.\.160/],
  ['bits 161', () => set(base(), 'watermark.bits', 161), 'watermark.bits', /1\.\.160/],
  ['length 0', () => set(base(), 'watermark.length', 0), 'watermark.length', /1\.\.240/],
  ['length 241', () => set(base(), 'watermark.length', 241), 'watermark.length', /1\.\.240/],
  ['key bits not a multiple of 128', () => set(base(), 'watermark.length', 99), 'watermark.length', /multiple of 128/],
  [
    'key bits over 32768',
    () => set(set(base(), 'watermark.bits', 160), 'watermark.length', 240),
    'watermark.length',
    /at most 32768/,
  ],
  [
    'too many commitment limbs',
    () => set(set(base(), 'watermark.quantization.bits', 32), 'watermark.length', 240),
    'watermark.length',
    /needs 35 field elements/,
  ],
  [
    'quantization bits 1',
    () => set(base(), 'watermark.quantization.bits', 1),
    'watermark.quantization.bits',
    /2\.\.32/,
  ],
  [
    'quantization bits 33',
    () => set(base(), 'watermark.quantization.bits', 33),
    'watermark.quantization.bits',
    /2\.\.32/,
  ],
  [
    'scale not a power of two',
    () => set(base(), 'watermark.quantization.scale', 4000),
    'watermark.quantization.scale',
    /power of two/,
  ],
  ['scale 0', () => set(base(), 'watermark.quantization.scale', 0), 'watermark.quantization.scale', /must be/],
  [
    'scale negative',
    () => set(base(), 'watermark.quantization.scale', -65536),
    'watermark.quantization.scale',
    /must be/,
  ],
  [
    'quantization extra',
    () => set(base(), 'watermark.quantization.signed', true),
    'watermark.quantization.signed',
    /unknown field/,
  ],
  ['maxErr = bits', () => set(base(), 'watermark.maxErr', 64), 'watermark.maxErr', /0\.\.63/],
  ['maxErr negative', () => set(base(), 'watermark.maxErr', -1), 'watermark.maxErr', /0\.\.63/],
  [
    'strength negative',
    () => set(base(), 'watermark.strength', -0.01),
    'watermark.strength',
    /must be a finite number >= 0, got number -0.01/,
  ],
  ['margin 0', () => set(base(), 'watermark.margin', 0), 'watermark.margin', /must be a finite number > 0/],
  ['margin missing', () => set(base(), 'watermark.margin', undefined), 'watermark.margin', /missing/],
  [
    'over the parameter budget',
    () => set(set(base(), 'input.shape', [1024, 1024]), 'layers[1].units', 4096),
    'layers',
    /more than the budget of 20000000/,
  ],
];

describe('parseModelSpec: malformed specs', () => {
  it('has a large table', () => expect(BAD.length).toBeGreaterThanOrEqual(40));

  it.each(BAD)('%s', (_what, doc, field, message) => {
    const e = specError(doc());
    expect(e.field).toBe(field);
    expect(e.message).toMatch(message);
    expect(e.message.startsWith(field === '' ? 'model spec: ' : `${field}: `)).toBe(true);
  });
});

describe('parseModelSpec: valid specs', () => {
  it('accepts the docs example and returns a fresh object equal to it', () => {
    const doc = base();
    const spec = parseModelSpec(doc);
    expect(spec).toEqual({
      ...doc,
      layers: (doc.layers as Json[]).map((l) => (l.type === 'dense' ? { activation: 'linear', ...l } : l)),
      optimizer: { ...(doc.optimizer as Json), momentum: 0 },
    });
    expect(spec.layers).not.toBe(doc.layers);
    expect(spec.input.shape).not.toBe((doc.input as Json).shape);
  });

  it('fills defaults: activation, strides, padding, epsilon, momentum, description', () => {
    const doc = set(set(cnn(), 'description', undefined), 'optimizer', {
      name: 'sgd',
      learningRate: 0.1,
      batchSize: 8,
      epochs: 1,
    });
    const spec = parseModelSpec(doc);
    expect(spec.description).toBe('');
    expect(spec.layers[0]).toEqual({
      type: 'conv2d',
      id: 'conv1',
      filters: 16,
      kernelSize: 3,
      strides: 1,
      padding: 'same',
      activation: 'relu',
    });
    expect(spec.layers[1]).toEqual({ type: 'maxPool2d', poolSize: 2, strides: 2, padding: 'valid' });
    expect(spec.layers[5]).toEqual({ type: 'dense', id: 'logits', units: 10, activation: 'linear' });
    expect(spec.optimizer.momentum).toBe(0);
    const t = parseModelSpec(tokens());
    expect(t.layers[2]).toEqual({ type: 'layerNorm', epsilon: 1e-5 });
  });

  it('accepts token models, a loss metric, sgd with momentum, and no watermark', () => {
    const doc = set(
      set(set(tokens(), 'metric', { name: 'loss', cap: 2.5 }), 'optimizer.name', 'sgd'),
      'optimizer.momentum',
      0.9,
    );
    const spec = parseModelSpec(set(doc, 'watermark', undefined));
    expect(spec.metric).toEqual({ name: 'loss', cap: 2.5 });
    expect(spec.optimizer).toMatchObject({ name: 'sgd', momentum: 0.9 });
    expect(spec.watermark).toBeUndefined();
    expect('watermark' in spec).toBe(false);
    // embedding 100x32, attention 4x(32x32 + 32), layerNorm 2x32, dense 32x128+128, dense 128x4+4
    expect(specShapes(spec).paramCount).toBe(3200 + 4 * (1024 + 32) + 64 + 4224 + 516);
  });

  it('accepts the extreme watermark settings the limits allow', () => {
    // 2-bit values: 126 per field element; 240 values need 2 limbs. 128 x 240 = 30720 key bits.
    const w = {
      layer: 'head',
      rule: 'dense-column-mean',
      bits: 128,
      length: 240,
      quantization: { bits: 2, scale: 1 },
      maxErr: 127,
      strength: 0,
      margin: 1e-9,
    };
    const doc = set(tokens(), 'watermark', w);
    set(doc, 'layers[4].units', 240);
    expect(parseModelSpec(doc).watermark).toEqual(w);
    expect(parseModelSpec(set(base(), 'watermark.quantization.scale', 2 ** 30)).watermark?.quantization.scale).toBe(
      2 ** 30,
    );
  });

  it('stays under the parameter budget at exactly the limit', () => {
    // flatten [4000] -> dense 4096 -> dense 10: 4000*4096 + 4096 + 4096*10 + 10
    const doc = set(
      set(set(base(), 'input.shape', [4000]), 'layers', [
        { type: 'dense', id: 'h', units: 4096 },
        { type: 'dense', units: 10 },
      ]),
      'watermark.layer',
      'h',
    );
    expect(specShapes(parseModelSpec(doc)).paramCount).toBeLessThanOrEqual(MAX_PARAMS);
  });
});

describe('parseModelSpecBytes', () => {
  it('hashes the bytes and parses them', async () => {
    const bytes = new TextEncoder().encode(JSON.stringify(base()));
    const { spec, hash } = await parseModelSpecBytes(bytes);
    expect(spec.name).toBe('fashion-mlp');
    expect(hash).toBe(await sha256Hex(bytes));
    expect(hash).toMatch(/^[0-9a-f]{64}$/);
  });

  it('rejects bytes that are not UTF-8 JSON', async () => {
    await expect(parseModelSpecBytes(new Uint8Array([0xff, 0xfe, 0x7b]))).rejects.toThrow(
      /model spec: is not valid UTF-8/,
    );
    await expect(parseModelSpecBytes(new TextEncoder().encode('{"format": '))).rejects.toThrow(
      /model spec: is not valid JSON/,
    );
    await expect(parseModelSpecBytes(new TextEncoder().encode('{"format": "x"}'))).rejects.toBeInstanceOf(SpecError);
  });
});

describe('shipped specs (public/specs)', () => {
  const dir = join(import.meta.dirname, '..', '..', '..', '..', 'public', 'specs');
  // Hand counts: a dense layer has in x units + units weights, a conv k x k x cin x filters + filters.
  const expected: Record<string, { params: number; watermark: string }> = {
    // 784x256+256 + 256x128+128 + 128x10+10
    'fashion-mlp': { params: 200_960 + 32_896 + 1_290, watermark: 'hidden1' },
    // conv 3x3x1x16+16, conv 3x3x16x32+32, dense (7x7x32=1568)x128+128, dense 128x10+10
    'fashion-cnn': { params: 160 + 4_640 + 200_832 + 1_290, watermark: 'hidden' },
    // 64x128+128 + 128x10+10
    'digits-mlp': { params: 8_320 + 1_290, watermark: 'hidden' },
  };

  it.each(Object.entries(expected))('%s parses with the hand-counted parameters', async (name, want) => {
    const bytes = readFileSync(join(dir, `${name}.json`));
    const { spec, hash } = await parseModelSpecBytes(bytes);
    expect(spec.name).toBe(name);
    expect(hash).toBe(await sha256Hex(bytes));
    const shapes = specShapes(spec);
    expect(shapes.paramCount).toBe(want.params);
    expect(spec.watermark?.layer).toBe(want.watermark);
    expect(spec.watermark).toMatchObject({
      bits: 64,
      length: 128,
      quantization: { bits: 16, scale: 65536 },
      maxErr: 8,
    });
  });

  it('fashion-cnn watermarks its dense layer, whose 128 units give v its 128 entries', async () => {
    // conv-filter-mean on conv2 lost the owner's bits after 2 epochs of fine-tuning
    // (docs/bench/watermark.md); the dense layer's column means keep them.
    const { spec } = await parseModelSpecBytes(readFileSync(join(dir, 'fashion-cnn.json')));
    const hidden = specShapes(spec).params.find((p) => p.layer === 5 && p.name === 'kernel');
    expect(hidden?.shape).toEqual([7 * 7 * 32, 128]);
    expect(spec.watermark).toMatchObject({ rule: 'dense-column-mean', length: 128, margin: 8000 });
  });
});
