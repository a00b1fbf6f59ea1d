// The next-token spec built with tfjs's own layers API, for comparing our training loop with
// `model.fit` on the same architecture and sizes (scripts/bench-lm-train.ts). Only what
// tfjs-layers lacks is written here as small custom layers: positions added to a sequence, and
// causal multi-head attention over projected q, k, v. The embedding is a one-hot followed by a
// bias-free Dense: tfjs's Embedding layer cannot train on wasm (its gradient needs the
// UnsortedSegmentSum kernel, which tfjs-backend-wasm 4.22 does not register), and one-hot times a
// [vocab, dim] kernel is the same function with the same parameters.
import * as tfl from '@tensorflow/tfjs-layers';
import { tf, type Tensor } from '../../src/lib/ml/backend/tf.ts';
import { Rng } from '../../src/lib/ml/rng.ts';
import type { ModelSpec } from '../../src/lib/ml/spec/types.ts';

type Shape = (number | null)[];

// tfjs-layers' random initializers draw through seedrandom, whose CommonJS export the ES build of
// tfjs-core cannot call under Node's module hooks; layers start at zero and fitModel writes
// seeded Glorot-uniform weights after building.
const dense = (args: Parameters<typeof tfl.layers.dense>[0]) =>
  tfl.layers.dense({ ...args, kernelInitializer: 'zeros' });

class OneHot extends tfl.layers.Layer {
  static className = 'AiaOneHot';
  constructor(private readonly depth: number) {
    super({});
  }
  override computeOutputShape(s: Shape): Shape {
    return [...s, this.depth];
  }
  override call(inputs: Tensor | Tensor[]): Tensor {
    const x = Array.isArray(inputs) ? inputs[0]! : inputs;
    return tf.oneHot(tf.cast(x, 'int32'), this.depth);
  }
}

class Positions extends tfl.layers.Layer {
  static className = 'AiaPositions';
  private table: tfl.LayerVariable | null = null;
  override build(s: Shape): void {
    this.table = this.addWeight('positions', [s[1]!, s[2]!], 'float32', tfl.initializers.zeros());
    this.built = true;
  }
  override computeOutputShape(s: Shape): Shape {
    return s;
  }
  override call(inputs: Tensor | Tensor[]): Tensor {
    const x = Array.isArray(inputs) ? inputs[0]! : inputs;
    return tf.add(x, this.table!.read());
  }
}

/**
 * Layer normalization over the last axis with gamma and beta broadcast, as our engine computes it.
 * tf.layers.layerNormalization tiles gamma and beta to the input's shape, and tfjs's Tile gradient
 * is one Slice per repetition (batch x positions of them here), which dominates a step on wasm;
 * this layer shows what model.fit does without that.
 */
class BroadcastLayerNorm extends tfl.layers.Layer {
  static className = 'AiaLayerNorm';
  private gamma: tfl.LayerVariable | null = null;
  private beta: tfl.LayerVariable | null = null;
  constructor(private readonly epsilon: number) {
    super({});
  }
  override build(s: Shape): void {
    const d = s[s.length - 1]!;
    this.gamma = this.addWeight('gamma', [d], 'float32', tfl.initializers.ones());
    this.beta = this.addWeight('beta', [d], 'float32', tfl.initializers.zeros());
    this.built = true;
  }
  override computeOutputShape(s: Shape): Shape {
    return s;
  }
  override call(inputs: Tensor | Tensor[]): Tensor {
    const x = Array.isArray(inputs) ? inputs[0]! : inputs;
    return tf.tidy(() => {
      const axis = x.rank - 1;
      const centered = tf.sub(x, tf.mean(x, axis, true));
      const variance = tf.mean(tf.square(centered), axis, true);
      const normed = tf.mul(centered, tf.rsqrt(tf.add(variance, this.epsilon)));
      return tf.add(tf.mul(normed, this.gamma!.read()), this.beta!.read());
    });
  }
}

class CausalAttention extends tfl.layers.Layer {
  static className = 'AiaCausalAttention';
  constructor(private readonly heads: number) {
    super({});
  }
  override computeOutputShape(s: Shape | Shape[]): Shape {
    return (s as Shape[])[0]!;
  }
  override call(inputs: Tensor | Tensor[]): Tensor {
    const [q, k, v] = inputs as Tensor[];
    return tf.tidy(() => {
      const [b, len, d] = q!.shape as [number, number, number];
      const dh = d / this.heads;
      const split = (t: Tensor) => tf.transpose(tf.reshape(t, [b, len, this.heads, dh]), [0, 2, 1, 3]);
      const mask = tf.linalg.bandPart(tf.ones([len, len]), -1, 0);
      const scores = tf.add(
        tf.mul(tf.matMul(split(q!), split(k!), false, true), 1 / Math.sqrt(dh)),
        tf.mul(tf.sub(1, mask), -1e9),
      );
      const context = tf.matMul(tf.softmax(scores), split(v!));
      return tf.reshape(tf.transpose(context, [0, 2, 1, 3]), [b, len, d]);
    });
  }
}

/**
 * A compiled LayersModel with the spec's layers (embedding, learned positions, transformer
 * blocks, layer norm, a dense head over the vocabulary with softmax: tfjs's sparse categorical
 * crossentropy takes probabilities) and the spec's Adam. Tied heads are built untied. `layerNorm`:
 * tfjs's own layer, or BroadcastLayerNorm above.
 */
export function fitModel(spec: ModelSpec, layerNorm: 'tfjs' | 'broadcast' = 'tfjs'): tfl.LayersModel {
  const norm = (epsilon: number) =>
    layerNorm === 'tfjs' ? tfl.layers.layerNormalization({ epsilon }) : new BroadcastLayerNorm(epsilon);
  const L = spec.input.shape[0]!;
  const V = spec.output.tokens!;
  const input = tfl.input({ shape: [L], dtype: 'int32' });
  let x: tfl.SymbolicTensor = input;
  for (const layer of spec.layers) {
    switch (layer.type) {
      case 'embedding':
        x = dense({ units: layer.dim, useBias: false }).apply(
          new OneHot(layer.vocabSize).apply(x),
        ) as tfl.SymbolicTensor;
        break;
      case 'positionEmbedding':
        if (layer.kind !== 'learned') throw new Error('the model.fit comparison builds learned positions only');
        x = new Positions({}).apply(x) as tfl.SymbolicTensor;
        break;
      case 'transformerBlock': {
        const d = layer.dim;
        const norm1 = norm(layer.epsilon).apply(x) as tfl.SymbolicTensor;
        const proj = () => dense({ units: d }).apply(norm1) as tfl.SymbolicTensor;
        const attended = new CausalAttention(layer.heads).apply([proj(), proj(), proj()]) as tfl.SymbolicTensor;
        const h = tfl.layers.add().apply([x, dense({ units: d }).apply(attended) as tfl.SymbolicTensor]);
        const norm2 = norm(layer.epsilon).apply(h) as tfl.SymbolicTensor;
        const hidden = dense({ units: layer.mlpDim, activation: layer.activation }).apply(norm2) as tfl.SymbolicTensor;
        const mlp = dense({ units: d }).apply(hidden) as tfl.SymbolicTensor;
        x = tfl.layers.add().apply([h as tfl.SymbolicTensor, mlp]) as tfl.SymbolicTensor;
        break;
      }
      case 'layerNorm':
        x = norm(layer.epsilon).apply(x) as tfl.SymbolicTensor;
        break;
      case 'dense':
      case 'tiedOutput':
        x = dense({ units: V, activation: 'softmax' }).apply(x) as tfl.SymbolicTensor;
        break;
      default:
        throw new Error(`the model.fit comparison does not build ${layer.type} layers`);
    }
  }
  const model = tfl.model({ inputs: input, outputs: x });
  const rng = Rng.seeded('fit-lm/init');
  model.setWeights(
    model.getWeights().map((w) => {
      // Kernels (rank 2) Glorot-uniform, the rest (biases, norms) as built.
      if (w.rank !== 2) return w;
      const [fanIn, fanOut] = w.shape as [number, number];
      const limit = Math.sqrt(6 / (fanIn + fanOut));
      return tf.tensor2d(
        Float32Array.from({ length: fanIn * fanOut }, () => limit * (2 * rng.nextFloat() - 1)),
        [fanIn, fanOut],
      );
    }),
  );
  model.compile({
    optimizer: tf.train.adam(spec.optimizer.learningRate),
    loss: 'sparseCategoricalCrossentropy',
  });
  return model;
}
