// A model spec in words, for people deciding whether to train or validate a task. Pure.
import type { SpecShapes } from '../../../lib/ml/spec/shapes.ts';
import type { LayerSpec, Metric, ModelSpec } from '../../../lib/ml/spec/types.ts';

export function describeLayer(l: LayerSpec): string {
  switch (l.type) {
    case 'dense':
      return `dense, ${l.units} units, ${l.activation}`;
    case 'conv2d':
      return `conv2d, ${l.filters} filters ${l.kernelSize}×${l.kernelSize}, stride ${l.strides}, ${l.padding} padding, ${l.activation}`;
    case 'maxPool2d':
    case 'avgPool2d':
      return `${l.type === 'maxPool2d' ? 'max' : 'average'} pool ${l.poolSize}×${l.poolSize}, stride ${l.strides}, ${l.padding} padding`;
    case 'flatten':
      return 'flatten';
    case 'dropout':
      return `dropout ${l.rate}`;
    case 'embedding':
      return `embedding, vocabulary ${l.vocabSize}, ${l.dim} dimensions`;
    case 'layerNorm':
      return `layer norm (ε ${l.epsilon})`;
    case 'attention':
      return `self-attention, ${l.heads} heads, ${l.dim} dimensions`;
    case 'globalAvgPool1d':
      return 'global average pool';
    case 'positionEmbedding':
      return `${l.kind} position embedding`;
    case 'transformerBlock':
      return `${l.causal ? 'causal ' : ''}transformer block, ${l.heads} heads, ${l.dim} dimensions, MLP ${l.mlpDim} ${l.activation}`;
    case 'tiedOutput':
      return `output tied to embedding ${l.embedding}${l.bias ? ', with bias' : ''}`;
  }
}

export function describeMetric(m: Metric): string {
  if (m.name === 'accuracy') return 'accuracy (higher is better)';
  if (m.name === 'bitsPerByte') return `bits per byte, score = max(0, 1 − bpb / ${m.cap})`;
  return `loss, score = max(0, 1 − loss / ${m.cap})`;
}

/** "10 classes", or "next token of 256 at each of 128 positions". */
export function describeOutput(spec: Pick<ModelSpec, 'input' | 'output'>): string {
  return spec.output.tokens === undefined
    ? `${spec.output.classes} classes`
    : `next token of ${spec.output.tokens} at each of ${spec.input.shape[0]} positions`;
}

export const shapeText = (shape: readonly number[]): string => `[${shape.join(' × ')}]`;

export interface LayerRow {
  index: number;
  id: string | undefined;
  text: string;
  output: string;
  params: number;
}

export function layerRows(spec: ModelSpec, shapes: SpecShapes): LayerRow[] {
  const params = new Map<number, number>();
  for (const p of shapes.params) params.set(p.layer, (params.get(p.layer) ?? 0) + p.shape.reduce((a, b) => a * b, 1));
  return spec.layers.map((layer, index) => ({
    index,
    id: layer.id,
    text: describeLayer(layer),
    output: shapeText(shapes.outputs[index] ?? []),
    params: params.get(index) ?? 0,
  }));
}
