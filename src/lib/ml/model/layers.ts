// Forward pass of one layer on a batch. Inputs carry a leading batch dimension; weights come in
// the canonical order of layerParams (spec/shapes.ts).
import { tf, type Tensor } from '../backend/tf.ts';
import type { LayerSpec, TransformerBlockLayer } from '../spec/types.ts';
import { activate } from './activations.ts';
import { conv2d, embeddingLookup, matMul, maxPool } from './grad-ops.ts';

export interface LayerContext {
  /** Index of the layer in the spec; names its dropout stream. */
  index: number;
  /** Whether an earlier layer has weights, i.e. whether this layer's input gradient is used. Default true. */
  inputGrad?: boolean;
  /** Present while training; dropout is the identity without it. */
  dropout?: (layer: number, shape: number[], rate: number) => Tensor;
  /** For a tiedOutput layer: the embedding table `[vocab, dim]` it reuses. */
  tied?: Tensor;
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

/**
 * Multi-head self-attention of `x` [b, len, d] with weights wq bq wk bk wv bv wo bo at `ws[at..]`:
 * softmax(Q K^T / sqrt(d / heads)) V Wo + bo, no residual. `causal`: position t attends only to
 * positions <= t. The mask adds -1e9 (not -Infinity: finite on every backend) to later positions,
 * whose weights then underflow to exactly 0, so their values cannot move an earlier output.
 */
function selfAttention(x: Tensor, ws: readonly Tensor[], at: number, heads: number, causal: boolean): Tensor {
  const [b, len, d] = x.shape as [number, number, number];
  const h = heads;
  const dh = d / h;
  const split = (t: Tensor) => tf.transpose(tf.reshape(t, [b, len, h, dh]), [0, 2, 1, 3]);
  const q = split(linear(x, w(ws, at), w(ws, at + 1)));
  const k = split(linear(x, w(ws, at + 2), w(ws, at + 3)));
  const v = split(linear(x, w(ws, at + 4), w(ws, at + 5)));
  let scores = tf.mul(matMul(q, k, true), 1 / Math.sqrt(dh));
  if (causal) scores = tf.add(scores, causalMask(len));
  const context = matMul(tf.softmax(scores), v);
  const merged = tf.reshape(tf.transpose(context, [0, 2, 1, 3]), [b, len, d]);
  return linear(merged, w(ws, at + 6), w(ws, at + 7));
}

/** [len, len]: 0 where a query may attend (key <= query), -1e9 where it may not. */
export function causalMask(len: number): Tensor {
  const m = new Float32Array(len * len);
  for (let i = 0; i < len; i++) m.fill(-1e9, i * len + i + 1, (i + 1) * len);
  return tf.tensor2d(m, [len, len]);
}

/**
 * Sinusoidal position codes [len, d] (Vaswani et al. 2017): even dims sin(t / 10000^(i/d)), odd
 * dims cos of the same angle (i the even index). Computed in float64 in JavaScript and rounded
 * once, so every backend adds the same float32 values.
 */
export function sinusoids(len: number, d: number): Float32Array {
  const out = new Float32Array(len * d);
  for (let t = 0; t < len; t++) {
    for (let i = 0; i < d; i += 2) {
      const angle = t / Math.pow(10000, i / d);
      out[t * d + i] = Math.sin(angle);
      if (i + 1 < d) out[t * d + i + 1] = Math.cos(angle);
    }
  }
  return out;
}

function transformerBlock(layer: TransformerBlockLayer, x: Tensor, ws: readonly Tensor[]): Tensor {
  // Weight order (spec/shapes.ts): ln1 gamma beta, wq bq wk bk wv bv wo bo, ln2 gamma beta, w1 b1 w2 b2.
  const h = tf.add(x, selfAttention(layerNorm(x, w(ws, 0), w(ws, 1), layer.epsilon), ws, 2, layer.heads, layer.causal));
  const n = layerNorm(h, w(ws, 10), w(ws, 11), layer.epsilon);
  const mlp = linear(activate(linear(n, w(ws, 12), w(ws, 13)), layer.activation), w(ws, 14), w(ws, 15));
  return tf.add(h, mlp);
}

// x [..., d] times table^T for a table [v, d]: [..., v].
function linearT(x: Tensor, table: Tensor): Tensor {
  const [v, d] = table.shape as [number, number];
  const lead = x.shape.slice(0, -1);
  return tf.reshape(matMul(tf.reshape(x, [-1, d]), table, true), [...lead, v]);
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
      return tf.add(x, selfAttention(x, weights, 0, layer.heads, false));
    case 'globalAvgPool1d':
      return tf.mean(x, 1);
    case 'positionEmbedding': {
      const [, len, d] = x.shape as [number, number, number];
      return tf.add(x, layer.kind === 'learned' ? w(weights, 0) : tf.tensor2d(sinusoids(len, d), [len, d]));
    }
    case 'transformerBlock':
      return transformerBlock(layer, x, weights);
    case 'tiedOutput': {
      if (ctx.tied === undefined) throw new Error(`layers[${ctx.index}]: the tied embedding table is missing`);
      const logits = linearT(x, ctx.tied);
      return layer.bias ? tf.add(logits, w(weights, 0)) : logits;
    }
  }
}
