// Forward pass of one layer on a batch. Inputs carry a leading batch dimension; weights come in
// the canonical order of layerParams (spec/shapes.ts).
import { tf, type Tensor } from '../backend/tf.ts';
import type { AttentionLayer, LayerSpec } from '../spec/types.ts';
import { activate } from './activations.ts';
import { conv2d, embeddingLookup, matMul, maxPool } from './grad-ops.ts';

export interface LayerContext {
  /** Index of the layer in the spec; names its dropout stream. */
  index: number;
  /** Whether an earlier layer has weights, i.e. whether this layer's input gradient is used. Default true. */
  inputGrad?: boolean;
  /** Present while training; dropout is the identity without it. */
  dropout?: (layer: number, shape: number[], rate: number) => Tensor;
}

function w(weights: readonly Tensor[], i: number): Tensor {
  const t = weights[i];
  if (t === undefined) throw new Error(`missing weight ${i}`);
  return t;
}

// tfjs matMul wants rank 2 here; dense layers after an embedding see [batch, len, in].
function linear(x: Tensor, kernel: Tensor, bias: Tensor, inputGrad = true): Tensor {
  const inDim = kernel.shape[0]!;
  const outDim = kernel.shape[1]!;
  if (x.rank === 2) return tf.add(matMul(x, kernel, false, inputGrad), bias);
  const lead = x.shape.slice(0, -1);
  const flat = tf.reshape(x, [-1, inDim]);
  return tf.reshape(tf.add(matMul(flat, kernel, false, inputGrad), bias), [...lead, outDim]);
}

function attention(layer: AttentionLayer, x: Tensor, ws: readonly Tensor[]): Tensor {
  const [b, len, d] = x.shape as [number, number, number];
  const h = layer.heads;
  const dh = d / h;
  const heads = (t: Tensor) => tf.transpose(tf.reshape(t, [b, len, h, dh]), [0, 2, 1, 3]);
  const q = heads(linear(x, w(ws, 0), w(ws, 1)));
  const k = heads(linear(x, w(ws, 2), w(ws, 3)));
  const v = heads(linear(x, w(ws, 4), w(ws, 5)));
  const scores = tf.mul(matMul(q, k, true), 1 / Math.sqrt(dh));
  const context = matMul(tf.softmax(scores), v);
  const merged = tf.reshape(tf.transpose(context, [0, 2, 1, 3]), [b, len, d]);
  return tf.add(x, linear(merged, w(ws, 6), w(ws, 7)));
}

function layerNorm(x: Tensor, gamma: Tensor, beta: Tensor, epsilon: number): Tensor {
  const axis = x.rank - 1;
  const mean = tf.mean(x, axis, true);
  const centered = tf.sub(x, mean);
  const variance = tf.mean(tf.square(centered), axis, true);
  return tf.add(tf.mul(tf.mul(centered, tf.rsqrt(tf.add(variance, epsilon))), gamma), beta);
}

export function applyLayer(layer: LayerSpec, x: Tensor, weights: readonly Tensor[], ctx: LayerContext): Tensor {
  switch (layer.type) {
    case 'dense':
      return activate(linear(x, w(weights, 0), w(weights, 1), ctx.inputGrad ?? true), layer.activation);
    case 'conv2d': {
      const y = conv2d(x, w(weights, 0), layer.strides, layer.padding, ctx.inputGrad ?? true);
      return activate(tf.add(y, w(weights, 1)), layer.activation);
    }
    case 'maxPool2d':
      return maxPool(x, layer.poolSize, layer.strides, layer.padding);
    case 'avgPool2d':
      return tf.avgPool(x as tf.Tensor4D, layer.poolSize, layer.strides, layer.padding);
    case 'flatten':
      return tf.reshape(x, [x.shape[0]!, -1]);
    case 'dropout':
      if (ctx.dropout === undefined || layer.rate === 0) return x;
      return tf.mul(x, ctx.dropout(ctx.index, x.shape, layer.rate));
    case 'embedding':
      return embeddingLookup(w(weights, 0), tf.cast(x, 'int32'));
    case 'layerNorm':
      return layerNorm(x, w(weights, 0), w(weights, 1), layer.epsilon);
    case 'attention':
      return attention(layer, x, weights);
    case 'globalAvgPool1d':
      return tf.mean(x, 1);
  }
}
