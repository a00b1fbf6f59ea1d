// Shape inference over a spec's layers and its parameter list in canonical order (docs/ml.md
// section 1). Pure; the parser, the model builder, artifacts and the watermark all use it, so
// they can never disagree about what a model's weights are.
import { outputShape } from './output.ts';
import type { LayerSpec, ModelSpec, ParamShape, TiedOutputLayer } from './types.ts';
import { ArenaError } from '../../errors.ts';

export class ShapeError extends ArenaError<'shape'> {
  constructor(
    readonly field: string,
    message: string,
  ) {
    super('shape', `${field}: ${message}`);
    this.name = 'ShapeError';
  }
}

function convOut(size: number, k: number, stride: number, padding: 'same' | 'valid'): number {
  return padding === 'same' ? Math.ceil(size / stride) : Math.floor((size - k) / stride) + 1;
}

/** The embedding layer a tied output reuses, found among `layers` by id. */
export function tiedEmbedding(
  layer: TiedOutputLayer,
  layers: readonly LayerSpec[],
  field: string,
): { vocabSize: number; dim: number } {
  const e = layers.find((l) => l.id === layer.embedding);
  if (e?.type !== 'embedding')
    throw new ShapeError(field, `tiedOutput names "${layer.embedding}", which is not the id of an embedding layer`);
  return e;
}

/**
 * Output shape (no batch dimension) of one layer for input shape `x`; throws ShapeError.
 * `layers`: the spec's layers, for a layer that refers to another by id (tiedOutput).
 */
export function layerOutputShape(
  layer: LayerSpec,
  x: readonly number[],
  field: string,
  layers: readonly LayerSpec[] = [],
): number[] {
  const rank = (r: number) => {
    if (x.length !== r) throw new ShapeError(field, `${layer.type} needs a rank-${r} input, got [${x.join(', ')}]`);
  };
  switch (layer.type) {
    case 'dense':
      return [...x.slice(0, -1), layer.units];
    case 'conv2d': {
      rank(3);
      const [h, w] = x as [number, number, number];
      const oh = convOut(h, layer.kernelSize, layer.strides, layer.padding);
      const ow = convOut(w, layer.kernelSize, layer.strides, layer.padding);
      if (oh < 1 || ow < 1) throw new ShapeError(field, `kernel ${layer.kernelSize} does not fit a ${h}x${w} input`);
      return [oh, ow, layer.filters];
    }
    case 'maxPool2d':
    case 'avgPool2d': {
      rank(3);
      const [h, w, c] = x as [number, number, number];
      const oh = convOut(h, layer.poolSize, layer.strides, layer.padding);
      const ow = convOut(w, layer.poolSize, layer.strides, layer.padding);
      if (oh < 1 || ow < 1) throw new ShapeError(field, `pool ${layer.poolSize} does not fit a ${h}x${w} input`);
      return [oh, ow, c];
    }
    case 'flatten':
      return [x.reduce((a, b) => a * b, 1)];
    case 'dropout':
    case 'layerNorm':
      return [...x];
    case 'embedding':
      rank(1);
      return [x[0]!, layer.dim];
    case 'attention':
      rank(2);
      if (x[1] !== layer.dim)
        throw new ShapeError(field, `attention dim ${layer.dim} does not match its input width ${x[1]}`);
      return [...x];
    case 'globalAvgPool1d':
      rank(2);
      return [x[1]!];
    case 'positionEmbedding':
      rank(2);
      return [...x];
    case 'transformerBlock':
      rank(2);
      if (x[1] !== layer.dim)
        throw new ShapeError(field, `transformerBlock dim ${layer.dim} does not match its input width ${x[1]}`);
      return [...x];
    case 'tiedOutput': {
      const e = tiedEmbedding(layer, layers, field);
      if (x[x.length - 1] !== e.dim)
        throw new ShapeError(
          field,
          `tiedOutput reuses embedding "${layer.embedding}" of dim ${e.dim}, its input width is ${x[x.length - 1]}`,
        );
      return [...x.slice(0, -1), e.vocabSize];
    }
  }
}

/** The layer's weights in canonical order, for input shape `x` (`layers` as for layerOutputShape). */
export function layerParams(
  layer: LayerSpec,
  x: readonly number[],
  layers: readonly LayerSpec[] = [],
): { name: string; shape: number[] }[] {
  const last = x[x.length - 1]!;
  switch (layer.type) {
    case 'dense':
      return [
        { name: 'kernel', shape: [last, layer.units] },
        { name: 'bias', shape: [layer.units] },
      ];
    case 'conv2d':
      return [
        { name: 'kernel', shape: [layer.kernelSize, layer.kernelSize, last, layer.filters] },
        { name: 'bias', shape: [layer.filters] },
      ];
    case 'embedding':
      return [{ name: 'embeddings', shape: [layer.vocabSize, layer.dim] }];
    case 'layerNorm':
      return [
        { name: 'gamma', shape: [last] },
        { name: 'beta', shape: [last] },
      ];
    case 'attention': {
      const d = layer.dim;
      return ['q', 'k', 'v', 'o'].flatMap((p) => [
        { name: `w${p}`, shape: [d, d] },
        { name: `b${p}`, shape: [d] },
      ]);
    }
    case 'positionEmbedding':
      // One learned vector per position of the [len, d] input; sinusoids are computed, not stored.
      return layer.kind === 'learned' ? [{ name: 'embeddings', shape: [x[0]!, last] }] : [];
    case 'transformerBlock': {
      const d = layer.dim;
      const m = layer.mlpDim;
      return [
        { name: 'ln1Gamma', shape: [d] },
        { name: 'ln1Beta', shape: [d] },
        ...['q', 'k', 'v', 'o'].flatMap((p) => [
          { name: `w${p}`, shape: [d, d] },
          { name: `b${p}`, shape: [d] },
        ]),
        { name: 'ln2Gamma', shape: [d] },
        { name: 'ln2Beta', shape: [d] },
        { name: 'w1', shape: [d, m] },
        { name: 'b1', shape: [m] },
        { name: 'w2', shape: [m, d] },
        { name: 'b2', shape: [d] },
      ];
    }
    case 'tiedOutput':
      // The kernel is the embedding table; only the optional bias is this layer's own.
      return layer.bias ? [{ name: 'bias', shape: [tiedEmbedding(layer, layers, '').vocabSize] }] : [];
    default:
      return [];
  }
}

export interface SpecShapes {
  /** Output shape of every layer, in order. */
  outputs: number[][];
  params: ParamShape[];
  paramCount: number;
}

/** Infers every layer's output and the parameter list; throws ShapeError naming the layer. */
export function specShapes(spec: Pick<ModelSpec, 'input' | 'layers' | 'output'>): SpecShapes {
  let x = [...spec.input.shape];
  const outputs: number[][] = [];
  const params: ParamShape[] = [];
  spec.layers.forEach((layer, i) => {
    const field = `layers[${i}]`;
    const prev = x;
    x = layerOutputShape(layer, x, field, spec.layers);
    // After the output shape: it has checked what the parameters' shapes are read from.
    for (const p of layerParams(layer, prev, spec.layers)) params.push({ layer: i, ...p });
    outputs.push(x);
  });
  const want = outputShape(spec);
  if (x.length !== want.length || want.some((d, i) => x[i] !== d)) {
    const field = spec.output.tokens === undefined ? 'output.classes' : 'input.shape and output.tokens';
    throw new ShapeError('layers', `the last layer must output [${want.join(', ')}] (${field}), got [${x.join(', ')}]`);
  }
  const paramCount = params.reduce((n, p) => n + p.shape.reduce((a, b) => a * b, 1), 0);
  return { outputs, params, paramCount };
}

export const elementCount = (shape: readonly number[]): number => shape.reduce((a, b) => a * b, 1);
