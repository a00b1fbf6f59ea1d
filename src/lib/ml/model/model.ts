// A model built from a spec: its weights as tf.Variables in canonical order and a forward pass
// over our own layer code (tfjs-layers is avoided: its name counters and initializers are
// per-session state, so two sessions would not build the same model).
import { tf, type Tensor, type Variable } from '../backend/tf.ts';
import type { SeedPart } from '../rng.ts';
import { elementCount, specShapes } from '../spec/shapes.ts';
import type { ModelSpec, ParamShape } from '../spec/types.ts';
import { dropoutMask } from './dropout.ts';
import { applyLayer } from './layers.ts';
import { WeightShapeError } from '../errors.ts';

export { WeightShapeError };

export interface ForwardOptions {
  /** Training forward pass: dropout draws its mask from (seed, step, layer). */
  dropout?: { seed: SeedPart; step: number };
}

export interface Model {
  readonly spec: ModelSpec;
  readonly params: readonly ParamShape[];
  /** One variable per parameter, in canonical order. */
  readonly variables: readonly Variable[];
  /** Logits `[batch, classes]` (`[batch, len, tokens]` for a next-token model) for a batch `[batch, ...input.shape]`. */
  apply(x: Tensor, options?: ForwardOptions): Tensor;
  /** The weights as fresh Float32Arrays, in canonical order. */
  readWeights(): Promise<Float32Array[]>;
  /** Overwrites every weight; shapes must match the spec. */
  writeWeights(weights: readonly Float32Array[]): void;
  dispose(): void;
}

function checkWeights(params: readonly ParamShape[], weights: readonly Float32Array[]): void {
  if (weights.length !== params.length) {
    throw new WeightShapeError(`the model has ${params.length} weight tensors, got ${weights.length}`);
  }
  params.forEach((p, i) => {
    const n = elementCount(p.shape);
    if (weights[i]!.length !== n) {
      throw new WeightShapeError(
        `layers[${p.layer}].${p.name}: expected ${n} values for [${p.shape.join(', ')}], got ${weights[i]!.length}`,
      );
    }
  });
}

export function buildModel(spec: ModelSpec, weights: readonly Float32Array[]): Model {
  const { params } = specShapes(spec);
  checkWeights(params, weights);
  // Variables are unnamed: tfjs names must be unique per session, and we address them by index.
  // The tidy disposes the initial tensors; the variables keep their data.
  const variables = tf.tidy(() => params.map((p, i) => tf.variable(tf.tensor(weights[i]!, p.shape, 'float32'), true)));
  // Layer i's weights are the contiguous run of params with layer === i.
  const byLayer: Variable[][] = spec.layers.map(() => []);
  params.forEach((p, i) => byLayer[p.layer]!.push(variables[i]!));
  // A tied output reads the table of the embedding layer it names (its first weight).
  const tied = spec.layers.map((l) =>
    l.type === 'tiedOutput' ? byLayer[spec.layers.findIndex((e) => e.id === l.embedding)]![0] : undefined,
  );

  const inputShape = spec.input.shape;
  return {
    spec,
    params,
    variables,
    apply(x, options = {}) {
      if (x.rank !== inputShape.length + 1 || inputShape.some((d, i) => x.shape[i + 1] !== d)) {
        throw new WeightShapeError(
          `input batch must be [batch, ${inputShape.join(', ')}], got [${x.shape.join(', ')}]`,
        );
      }
      const drop = options.dropout;
      const dropout = drop
        ? (layer: number, shape: number[], rate: number) =>
            tf.tensor(dropoutMask(drop.seed, drop.step, layer, elementCount(shape), rate), shape, 'float32')
        : undefined;
      let y = x;
      spec.layers.forEach((layer, index) => {
        const inputGrad = params.some((p) => p.layer < index);
        const table = tied[index];
        y = applyLayer(layer, y, byLayer[index]!, {
          index,
          inputGrad,
          ...(dropout ? { dropout } : {}),
          ...(table ? { tied: table } : {}),
        });
      });
      return y;
    },
    async readWeights() {
      const out: Float32Array[] = [];
      for (const v of variables) out.push(new Float32Array(await v.data<'float32'>()));
      return out;
    },
    writeWeights(next) {
      checkWeights(params, next);
      tf.tidy(() => variables.forEach((v, i) => v.assign(tf.tensor(next[i]!, params[i]!.shape, 'float32'))));
    },
    dispose() {
      for (const v of variables) v.dispose();
    },
  };
}
