// Model spec parser (docs/ml.md section 1). A spec is content-addressed and every trainer,
// validator and challenge circuit builds the same model from it, so the parser accepts only
// what the doc allows: unknown fields, wrong types, out-of-range values, shapes that do not
// chain, budgets and watermark constraints are all errors naming the field. The result is a
// fresh object with every default filled in; the input is never aliased.
import { sha256Hex } from '../hash.ts';
import { child, FieldReader, item, parseJsonBytes, readShape, type Fail, type JsonObject } from '../fields.ts';
import { ShapeError, specShapes, type SpecShapes } from './shapes.ts';
import { maxTolerance, TRANSCRIPT_DEFAULTS, TRANSCRIPT_LIMITS } from './transcript.ts';
import type {
  Activation,
  LayerSpec,
  Metric,
  ModelOutput,
  ModelSpec,
  OptimizerSpec,
  Padding,
  TranscriptSpec,
  WatermarkSpec,
} from './types.ts';
import { ArenaError } from '../../errors.ts';

export class SpecError extends ArenaError<'spec'> {
  constructor(
    /** Path of the offending field, e.g. `layers[3].units`; '' for the document itself. */
    readonly field: string,
    readonly reason: string,
    options?: { cause?: unknown },
  ) {
    super('spec', `${field === '' ? 'model spec' : field}: ${reason}`, options);
    this.name = 'SpecError';
  }
}

export const SPEC_FORMAT = 'aiarena-model-spec';
export const SPEC_VERSION = 1;
export const MAX_LAYERS = 32;
export const MAX_PARAMS = 20_000_000;
/** Watermark constraints shared with the challenge circuit (docs/ml.md section 4). */
export const WATERMARK_LIMITS = {
  maxBits: 160, // the owner's address has 160 bits
  maxLength: 240,
  maxLimbs: 16, // PoseidonE takes at most 16 inputs
  maxKeyBits: 32768, // 16 groups of 16 limbs of 128 bits
  keyLimbBits: 128,
  fieldBits: 253,
} as const;

const ACTIVATIONS: readonly Activation[] = ['linear', 'relu', 'gelu', 'tanh', 'sigmoid'];
const PADDINGS: readonly Padding[] = ['same', 'valid'];
const LAYER_TYPES: readonly LayerSpec['type'][] = [
  'dense',
  'conv2d',
  'maxPool2d',
  'avgPool2d',
  'flatten',
  'dropout',
  'embedding',
  'layerNorm',
  'attention',
  'globalAvgPool1d',
  'positionEmbedding',
  'transformerBlock',
  'tiedOutput',
];
/**
 * Layers a next-token model may use: each works position by position, or (a causal block) reads
 * only earlier positions, so the logits at position t never depend on a token after t.
 */
const TOKEN_MODEL_LAYERS: readonly LayerSpec['type'][] = [
  'embedding',
  'positionEmbedding',
  'transformerBlock',
  'layerNorm',
  'dense',
  'dropout',
  'tiedOutput',
];
const ID_PATTERN = /^[a-z][a-z0-9-]{0,31}$/;
const NAME_PATTERN = /^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/;

const fail: Fail = (field, message) => {
  throw new SpecError(field, message);
};
const r = new FieldReader(fail);

function optional<T>(obj: JsonObject, key: string, fallback: T, read: (v: unknown) => T): T {
  return obj[key] === undefined ? fallback : read(obj[key]);
}

function readLayer(value: unknown, path: string, index: number): LayerSpec {
  const head = r.record(value, path);
  const type = r.oneOf(head.type, child(path, 'type'), LAYER_TYPES);
  const keys = (extra: string[]) => r.object(value, path, ['type', 'id', ...extra]);
  const id =
    head.id === undefined
      ? undefined
      : r.string(head.id, child(path, 'id'), {
          max: 32,
          pattern: ID_PATTERN,
          patternText: 'an id matching [a-z][a-z0-9-]{0,31}',
        });
  const withId = <L extends LayerSpec>(layer: L): L => (id === undefined ? layer : { ...layer, id });
  const f = (key: string) => child(path, key);
  const activation = (o: JsonObject) =>
    optional<Activation>(o, 'activation', 'linear', (v) => r.oneOf(v, f('activation'), ACTIVATIONS));
  switch (type) {
    case 'dense': {
      const o = keys(['units', 'activation']);
      return withId({ type, units: r.integer(o.units, f('units'), 1, 4096), activation: activation(o) });
    }
    case 'conv2d': {
      const o = keys(['filters', 'kernelSize', 'strides', 'padding', 'activation']);
      return withId({
        type,
        filters: r.integer(o.filters, f('filters'), 1, 512),
        kernelSize: r.integer(o.kernelSize, f('kernelSize'), 1, 7),
        strides: optional(o, 'strides', 1, (v) => r.integer(v, f('strides'), 1, 4)),
        padding: optional<Padding>(o, 'padding', 'same', (v) => r.oneOf(v, f('padding'), PADDINGS)),
        activation: activation(o),
      });
    }
    case 'maxPool2d':
    case 'avgPool2d': {
      const o = keys(['poolSize', 'strides', 'padding']);
      const poolSize = r.integer(o.poolSize, f('poolSize'), 1, 4);
      return withId({
        type,
        poolSize,
        strides: optional(o, 'strides', poolSize, (v) => r.integer(v, f('strides'), 1, 4)),
        padding: optional<Padding>(o, 'padding', 'valid', (v) => r.oneOf(v, f('padding'), PADDINGS)),
      });
    }
    case 'flatten':
    case 'globalAvgPool1d':
      keys([]);
      return withId({ type });
    case 'dropout': {
      const o = keys(['rate']);
      return withId({ type, rate: r.number(o.rate, f('rate'), 0, 0.9, { max: true }) });
    }
    case 'embedding': {
      const o = keys(['vocabSize', 'dim']);
      // Token ids are integers; only the input can carry them, so an embedding must come first.
      if (index !== 0)
        fail(f('type'), 'an embedding must be the first layer (it reads integer token ids from the input)');
      return withId({
        type,
        vocabSize: r.integer(o.vocabSize, f('vocabSize'), 2, 65536),
        dim: r.integer(o.dim, f('dim'), 1, 1024),
      });
    }
    case 'layerNorm': {
      const o = keys(['epsilon']);
      return withId({
        type,
        epsilon: optional(o, 'epsilon', 1e-5, (v) => r.number(v, f('epsilon'), 0, 1, { min: true })),
      });
    }
    case 'attention': {
      const o = keys(['heads', 'dim']);
      const heads = r.integer(o.heads, f('heads'), 1, 16);
      const dim = r.integer(o.dim, f('dim'), 1, 4096);
      if (dim % heads !== 0) fail(f('dim'), `must be divisible by heads (${heads}), got ${dim}`);
      return withId({ type, heads, dim });
    }
    case 'positionEmbedding': {
      const o = keys(['kind']);
      return withId({ type, kind: r.oneOf(o.kind, f('kind'), ['learned', 'sinusoidal'] as const) });
    }
    case 'transformerBlock': {
      const o = keys(['heads', 'dim', 'mlpDim', 'activation', 'causal', 'epsilon']);
      const heads = r.integer(o.heads, f('heads'), 1, 16);
      const dim = r.integer(o.dim, f('dim'), 1, 4096);
      if (dim % heads !== 0) fail(f('dim'), `must be divisible by heads (${heads}), got ${dim}`);
      return withId({
        type,
        heads,
        dim,
        mlpDim: r.integer(o.mlpDim, f('mlpDim'), 1, 16384),
        activation: optional<Activation>(o, 'activation', 'gelu', (v) => r.oneOf(v, f('activation'), ACTIVATIONS)),
        causal: optional(o, 'causal', true, (v) => r.boolean(v, f('causal'))),
        epsilon: optional(o, 'epsilon', 1e-5, (v) => r.number(v, f('epsilon'), 0, 1, { min: true })),
      });
    }
    case 'tiedOutput': {
      const o = keys(['embedding', 'bias']);
      return withId({
        type,
        embedding: r.string(o.embedding, f('embedding'), {
          max: 32,
          pattern: ID_PATTERN,
          patternText: 'the id of an embedding layer',
        }),
        bias: optional(o, 'bias', true, (v) => r.boolean(v, f('bias'))),
      });
    }
  }
}

/** A tied output must name an embedding layer before it. */
function checkTiedOutputs(layers: readonly LayerSpec[]): void {
  layers.forEach((l, i) => {
    if (l.type !== 'tiedOutput') return;
    const target = layers.findIndex((e) => e.id === l.embedding);
    if (target < 0 || target >= i || layers[target]!.type !== 'embedding')
      fail(`${item('layers', i)}.embedding`, `"${l.embedding}" is not the id of an embedding layer before this one`);
  });
}

/**
 * A next-token model (`output.tokens`): one sequence of token ids in, the first layer an
 * embedding of the whole vocabulary, only layers that keep positions apart or causal, and a
 * metric on the per-token loss.
 */
function checkTokenModel(tokens: number, shape: readonly number[], layers: readonly LayerSpec[], metric: Metric): void {
  if (shape.length !== 1)
    fail(
      'input.shape',
      `a next-token model reads one sequence of token ids, [sequenceLength]; got [${shape.join(', ')}]`,
    );
  const first = layers[0]!;
  if (first.type !== 'embedding')
    fail('layers[0].type', `a next-token model starts with an embedding of its ${tokens} tokens, got ${first.type}`);
  if (first.vocabSize !== tokens)
    fail('layers[0].vocabSize', `must equal output.tokens (${tokens}), got ${first.vocabSize}`);
  layers.forEach((l, i) => {
    if (!TOKEN_MODEL_LAYERS.includes(l.type))
      fail(
        `${item('layers', i)}.type`,
        `${l.type} mixes positions, so a token could see later ones; a next-token model allows ${TOKEN_MODEL_LAYERS.join(', ')}`,
      );
    if (l.type === 'transformerBlock' && !l.causal)
      fail(`${item('layers', i)}.causal`, 'must be true in a next-token model: position t may not attend to t + 1');
  });
  if (metric.name === 'accuracy')
    fail('metric.name', 'a next-token model is scored by "bitsPerByte" or "loss", not "accuracy"');
  if (metric.name === 'bitsPerByte' && tokens !== 256)
    fail(
      'metric.name',
      `"bitsPerByte" needs byte tokens (output.tokens 256), got ${tokens}: with other tokens bits per token are not bits per byte`,
    );
}

function readMetric(value: unknown): Metric {
  const head = r.record(value, 'metric');
  const name = r.oneOf(head.name, 'metric.name', ['accuracy', 'loss', 'bitsPerByte'] as const);
  if (name === 'accuracy') {
    r.object(value, 'metric', ['name']);
    return { name };
  }
  r.object(value, 'metric', ['name', 'cap']);
  // A cap bounds the mapped score to [0, 1]: score = max(0, 1 - loss / cap) (bits for bitsPerByte).
  return { name, cap: r.number(head.cap, 'metric.cap', 0, Number.MAX_VALUE, { min: true }) };
}

function readOptimizer(value: unknown): OptimizerSpec {
  const head = r.object(value, 'optimizer', ['name', 'learningRate', 'momentum', 'batchSize', 'epochs']);
  const name = r.oneOf(head.name, 'optimizer.name', ['adam', 'sgd'] as const);
  if (name === 'adam' && head.momentum !== undefined) fail('optimizer.momentum', 'only applies to "sgd"');
  return {
    name,
    learningRate: r.number(head.learningRate, 'optimizer.learningRate', 0, 1, { min: true }),
    momentum: optional(head, 'momentum', 0, (v) => r.number(v, 'optimizer.momentum', 0, 1, { max: true })),
    batchSize: r.integer(head.batchSize, 'optimizer.batchSize', 1, 4096),
    epochs: r.integer(head.epochs, 'optimizer.epochs', 1, 1000),
  };
}

function isPowerOfTwo(x: number): boolean {
  if (!(x > 0) || !Number.isFinite(x)) return false;
  const e = Math.round(Math.log2(x));
  return 2 ** e === x;
}

function readWatermark(value: unknown, layers: readonly LayerSpec[], shapes: SpecShapes): WatermarkSpec {
  const p = 'watermark';
  const o = r.object(value, p, ['layer', 'rule', 'bits', 'length', 'quantization', 'maxErr', 'strength', 'margin']);
  const layerId = r.string(o.layer, `${p}.layer`, { max: 32, pattern: ID_PATTERN, patternText: 'a layer id' });
  const rule = r.oneOf(o.rule, `${p}.rule`, ['dense-column-mean', 'conv-filter-mean', 'mlp-column-mean'] as const);
  const bits = r.integer(o.bits, `${p}.bits`, 1, WATERMARK_LIMITS.maxBits);
  const length = r.integer(o.length, `${p}.length`, 1, WATERMARK_LIMITS.maxLength);
  const q = r.object(o.quantization, `${p}.quantization`, ['bits', 'scale']);
  const qbits = r.integer(q.bits, `${p}.quantization.bits`, 2, 32);
  const scale = r.number(q.scale, `${p}.quantization.scale`, 0, 2 ** 52, { min: true });
  if (!isPowerOfTwo(scale))
    fail(`${p}.quantization.scale`, `must be a power of two (so quantization is exact), got ${scale}`);
  const maxErr = r.integer(o.maxErr, `${p}.maxErr`, 0, bits - 1);
  const strength = r.number(o.strength, `${p}.strength`, 0, Number.MAX_VALUE);
  const margin = r.number(o.margin, `${p}.margin`, 0, Number.MAX_VALUE, { min: true });

  const keyBits = bits * length;
  if (keyBits > WATERMARK_LIMITS.maxKeyBits || keyBits % WATERMARK_LIMITS.keyLimbBits !== 0) {
    fail(
      `${p}.length`,
      `bits x length must be a multiple of 128 and at most 32768 (the key commitment packs 128-bit limbs in 16 groups of 16), got ${bits} x ${length} = ${keyBits}`,
    );
  }
  const perLimb = Math.floor(WATERMARK_LIMITS.fieldBits / qbits);
  const limbs = Math.ceil(length / perLimb);
  if (limbs > WATERMARK_LIMITS.maxLimbs) {
    fail(
      `${p}.length`,
      `needs ${limbs} field elements of ${perLimb} ${qbits}-bit values for the weight commitment, at most 16 allowed`,
    );
  }

  const index = layers.findIndex((l) => l.id === layerId);
  const layer = layers[index];
  if (layer === undefined) fail(`${p}.layer`, `no layer has id "${layerId}"`);
  if (rule === 'dense-column-mean') {
    if (layer.type !== 'dense')
      fail(`${p}.rule`, `"dense-column-mean" needs a dense layer, "${layerId}" is ${layer.type}`);
    if (layer.units < length)
      fail(`${p}.length`, `is ${length} but layer "${layerId}" has only ${layer.units} units (columns)`);
  } else if (rule === 'mlp-column-mean') {
    if (layer.type !== 'transformerBlock')
      fail(`${p}.rule`, `"mlp-column-mean" needs a transformerBlock layer, "${layerId}" is ${layer.type}`);
    if (layer.mlpDim < length)
      fail(`${p}.length`, `is ${length} but block "${layerId}" has only ${layer.mlpDim} MLP units (w1 columns)`);
  } else {
    if (layer.type !== 'conv2d')
      fail(`${p}.rule`, `"conv-filter-mean" needs a conv2d layer, "${layerId}" is ${layer.type}`);
    const kernel = shapes.params.find((w) => w.layer === index && w.name === 'kernel');
    const [kh = 0, kw = 0, cin = 0] = kernel?.shape ?? [];
    if (kh * kw * cin < length) {
      fail(
        `${p}.length`,
        `is ${length} but layer "${layerId}" has only ${kh}x${kw}x${cin} = ${kh * kw * cin} kernel values per filter`,
      );
    }
  }
  return { layer: layerId, rule, bits, length, quantization: { bits: qbits, scale }, maxErr, strength, margin };
}

function readTranscript(value: unknown): TranscriptSpec {
  const p = 'transcript';
  const o = r.object(value, p, [
    'interval',
    'mantissaBits',
    'tolerance',
    'outlierShare',
    'outlierTolerance',
    'outlierScope',
  ]);
  const { interval: iv, mantissaBits: mb } = TRANSCRIPT_LIMITS;
  const interval = optional(o, 'interval', TRANSCRIPT_DEFAULTS.interval, (v) =>
    r.integer(v, `${p}.interval`, iv.min, iv.max),
  );
  const mantissaBits = optional(o, 'mantissaBits', TRANSCRIPT_DEFAULTS.mantissaBits, (v) =>
    r.integer(v, `${p}.mantissaBits`, mb.min, mb.max),
  );
  const tolerance = optional(o, 'tolerance', TRANSCRIPT_DEFAULTS.tolerance, (v) =>
    r.number(v, `${p}.tolerance`, 0, 1, { max: true }),
  );
  const limit = maxTolerance(mantissaBits);
  if (tolerance >= limit) {
    fail(
      `${p}.tolerance`,
      `must be below one grid step of ${mantissaBits} mantissa bits (2^-${mantissaBits} = ${limit}), got ${tolerance}: a whole step would accept a neighbour of every value`,
    );
  }
  const { outlierShare: os } = TRANSCRIPT_LIMITS;
  const outlierShare = optional(o, 'outlierShare', TRANSCRIPT_DEFAULTS.outlierShare, (v) =>
    r.number(v, `${p}.outlierShare`, os.min, os.max),
  );
  // Without the field the outlier tolerance is the default, but never below the tolerance.
  const outlierTolerance = optional(
    o,
    'outlierTolerance',
    Math.max(TRANSCRIPT_DEFAULTS.outlierTolerance, tolerance),
    (v) => r.number(v, `${p}.outlierTolerance`, 0, 1, { max: true }),
  );
  if (outlierTolerance < tolerance) {
    fail(
      `${p}.outlierTolerance`,
      `must be at least the tolerance (${tolerance}), got ${outlierTolerance}: an outlier lies beyond the tolerance`,
    );
  }
  // Absent in the file and in the defaults: the state-wide budget, and no field (so sections
  // written before the scope existed parse to the same settings).
  const outlierScope = optional<TranscriptSpec['outlierScope']>(
    o,
    'outlierScope',
    TRANSCRIPT_DEFAULTS.outlierScope,
    (v) => r.oneOf(v, `${p}.outlierScope`, ['state', 'unit'] as const),
  );
  return {
    interval,
    mantissaBits,
    tolerance,
    outlierShare,
    outlierTolerance,
    ...(outlierScope === undefined ? {} : { outlierScope }),
  };
}

/** A task name is one line of visible text: no control characters, not blank at either end. */
const TASK_NAME_PATTERN = /^\S(?:[^\p{Cc}]*\S)?$/u;

const TOP_FIELDS = [
  'format',
  'version',
  'name',
  'description',
  'task',
  'input',
  'output',
  'layers',
  'loss',
  'metric',
  'optimizer',
  'watermark',
  'transcript',
];

/** Validates a parsed JSON value as a model spec; throws SpecError naming the field. */
export function parseModelSpec(json: unknown): ModelSpec {
  const o = r.object(json, '', TOP_FIELDS);
  const format = r.constant(o.format, 'format', SPEC_FORMAT);
  const version = r.constant(o.version, 'version', SPEC_VERSION);
  const name = r.string(o.name, 'name', {
    max: 64,
    pattern: NAME_PATTERN,
    patternText: 'a name matching [A-Za-z0-9][A-Za-z0-9._-]{0,63}',
  });
  const description = optional(o, 'description', '', (v) => r.string(v, 'description', { max: 1024 }));
  // The task's own name and description (docs/ml.md section 1), shown in the app's lists; the
  // model's `name` above is an identifier, this one is for people.
  const task = optional(o, 'task', undefined, (v) => {
    const t = r.object(v, 'task', ['name', 'description']);
    return {
      name: r.string(t.name, 'task.name', {
        min: 1,
        max: 80,
        pattern: TASK_NAME_PATTERN,
        patternText: 'a name of 1..80 characters with no line breaks',
      }),
      description: optional(t, 'description', '', (d) => r.string(d, 'task.description', { max: 1024 })),
    };
  });
  const input = r.object(o.input, 'input', ['shape']);
  const shape = readShape(r, fail, input.shape, 'input.shape', 3);
  const out = r.object(o.output, 'output', ['classes', 'tokens']);
  if ((out.classes === undefined) === (out.tokens === undefined))
    fail('output', 'must have exactly one of "classes" (one class per sample) and "tokens" (next-token model)');
  const output: ModelOutput =
    out.classes !== undefined
      ? { classes: r.integer(out.classes, 'output.classes', 2, 1000) }
      : { tokens: r.integer(out.tokens, 'output.tokens', 2, 65536) };
  const layers = r.array(o.layers, 'layers', 1, MAX_LAYERS).map((l, i) => readLayer(l, item('layers', i), i));
  const seen = new Map<string, number>();
  layers.forEach((l, i) => {
    if (l.id === undefined) return;
    const first = seen.get(l.id);
    if (first !== undefined) fail(`${item('layers', i)}.id`, `"${l.id}" is already the id of layers[${first}]`);
    seen.set(l.id, i);
  });
  const loss = r.oneOf(o.loss, 'loss', ['sparse-categorical-crossentropy'] as const);
  const metric = readMetric(o.metric);
  if (output.tokens !== undefined) checkTokenModel(output.tokens, shape, layers, metric);
  else if (metric.name === 'bitsPerByte')
    fail('metric.name', '"bitsPerByte" scores next-token models (output.tokens), this one has output.classes');
  checkTiedOutputs(layers);
  const optimizer = readOptimizer(o.optimizer);

  let shapes: SpecShapes;
  try {
    shapes = specShapes({ input: { shape }, output, layers });
  } catch (e) {
    if (e instanceof ShapeError) throw new SpecError(e.field, e.message.slice(e.field.length + 2), { cause: e });
    throw e;
  }
  if (shapes.paramCount > MAX_PARAMS) {
    fail('layers', `the model has ${shapes.paramCount} parameters, more than the budget of ${MAX_PARAMS}`);
  }
  const watermark = o.watermark === undefined ? undefined : readWatermark(o.watermark, layers, shapes);
  const transcript = o.transcript === undefined ? undefined : readTranscript(o.transcript);

  const spec: ModelSpec = {
    format,
    version,
    name,
    description,
    input: { shape },
    output,
    layers,
    loss,
    metric,
    optimizer,
  };
  if (watermark !== undefined) spec.watermark = watermark;
  if (transcript !== undefined) spec.transcript = transcript;
  if (task !== undefined) spec.task = task;
  return spec;
}

/** Parses a spec file; `hash` (sha256 hex of the bytes) is the spec's content address. */
export async function parseModelSpecBytes(bytes: Uint8Array): Promise<{ spec: ModelSpec; hash: string }> {
  const spec = parseModelSpec(parseJsonBytes(bytes, fail));
  return { spec, hash: await sha256Hex(bytes) };
}
