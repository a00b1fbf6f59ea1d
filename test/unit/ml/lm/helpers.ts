// Small next-token specs and a learnable token task for the LM tests.
import { parseModelSpec } from '../../../../src/lib/ml/spec/parse.ts';
import type { ModelSpec } from '../../../../src/lib/ml/spec/types.ts';
import { Rng } from '../../../../src/lib/ml/rng.ts';

export interface TinyLm {
  vocab?: number;
  len?: number;
  dim?: number;
  blocks?: number;
  heads?: number;
  mlpDim?: number;
  positions?: 'learned' | 'sinusoidal';
  tied?: boolean;
  causal?: boolean;
  batchSize?: number;
  learningRate?: number;
  epochs?: number;
  watermark?: boolean;
}

/** A next-token spec file's JSON: embedding, positions, blocks, a final norm, a tied or dense head. */
export function tinyLmDoc(o: TinyLm = {}): Record<string, unknown> {
  const vocab = o.vocab ?? 256;
  const dim = o.dim ?? 16;
  const mlpDim = o.mlpDim ?? 4 * dim;
  const blocks = Array.from({ length: o.blocks ?? 1 }, (_, i) => ({
    type: 'transformerBlock',
    id: `block${i + 1}`,
    heads: o.heads ?? 2,
    dim,
    mlpDim,
  }));
  const doc = {
    format: 'aiarena-model-spec',
    version: 1,
    name: 'tiny-lm',
    input: { shape: [o.len ?? 8] },
    output: { tokens: vocab },
    layers: [
      { type: 'embedding', id: 'tokens', vocabSize: vocab, dim },
      { type: 'positionEmbedding', kind: o.positions ?? 'learned' },
      ...blocks,
      { type: 'layerNorm' },
      o.tied === false ? { type: 'dense', units: vocab } : { type: 'tiedOutput', embedding: 'tokens' },
    ],
    loss: 'sparse-categorical-crossentropy',
    metric: vocab === 256 ? { name: 'bitsPerByte', cap: 8 } : { name: 'loss', cap: Math.log(vocab) },
    optimizer: {
      name: 'adam',
      learningRate: o.learningRate ?? 0.01,
      batchSize: o.batchSize ?? 8,
      epochs: o.epochs ?? 1,
    },
    ...(o.watermark
      ? {
          watermark: {
            layer: 'block1',
            rule: 'mlp-column-mean',
            bits: 64,
            length: 128,
            quantization: { bits: 16, scale: 65536 },
            maxErr: 8,
            strength: 0.05,
            margin: 8000,
          },
        }
      : {}),
  };
  return doc;
}

/** tinyLmDoc parsed. */
export function tinyLm(o: TinyLm = {}): ModelSpec {
  const spec = parseModelSpec(tinyLmDoc(o));
  // The parser refuses a non-causal block in a next-token model; the test that shows the causality
  // check can fail builds one past it.
  if (o.causal !== false) return spec;
  return { ...spec, layers: spec.layers.map((l) => (l.type === 'transformerBlock' ? { ...l, causal: false } : l)) };
}

/**
 * `samples` sequences of `len + 1` tokens counting from a random start by a random step in 1..maxStep
 * (mod vocab): the next token follows from the last two, so only a model that attends to the
 * previous position can predict it. Inputs are tokens [0, len), targets [1, len + 1), as a token
 * dataset decodes them.
 */
export function countingSequences(
  samples: number,
  len: number,
  vocab: number,
  seed = 1,
  maxStep = 3,
): { features: Int32Array; labels: Int32Array } {
  const rng = Rng.seeded('lm-test/counting', seed);
  const features = new Int32Array(samples * len);
  const labels = new Int32Array(samples * len);
  for (let s = 0; s < samples; s++) {
    const start = rng.nextU32() % vocab;
    const step = 1 + (rng.nextU32() % maxStep);
    for (let i = 0; i < len; i++) {
      features[s * len + i] = (start + i * step) % vocab;
      labels[s * len + i] = (start + (i + 1) * step) % vocab;
    }
  }
  return { features, labels };
}
