// Initial weights are drawn in JavaScript from the run's seeded generator, never by tfjs: tfjs
// initializers treat seed 0 as "random" and draw on the backend, so the same run would start
// from different weights on webgpu and wasm. Here every backend starts from the same bits.
import { Rng, type SeedPart } from '../rng.ts';
import { elementCount, specShapes } from '../spec/shapes.ts';
import type { LayerSpec, ModelSpec, ParamShape } from '../spec/types.ts';

const EMBEDDING_LIMIT = 0.05;

// Keras's convention: a conv kernel's receptive field counts in both fans.
function fans(shape: readonly number[]): { fanIn: number; fanOut: number } {
  if (shape.length === 2) return { fanIn: shape[0]!, fanOut: shape[1]! };
  const receptive = elementCount(shape.slice(0, -2));
  return { fanIn: receptive * shape[shape.length - 2]!, fanOut: receptive * shape[shape.length - 1]! };
}

type Init = { kind: 'uniform'; limit: number } | { kind: 'constant'; value: number };

function initFor(layer: LayerSpec, p: ParamShape): Init {
  if (layer.type === 'embedding' || layer.type === 'positionEmbedding')
    return { kind: 'uniform', limit: EMBEDDING_LIMIT };
  if (p.name === 'gamma' || p.name.endsWith('Gamma')) return { kind: 'constant', value: 1 };
  if (p.shape.length === 1) return { kind: 'constant', value: 0 }; // biases and beta
  const { fanIn, fanOut } = fans(p.shape);
  return { kind: 'uniform', limit: Math.sqrt(6 / (fanIn + fanOut)) };
}

/**
 * The initial weights of `spec` in canonical order. Draws come from one stream, parameter by
 * parameter in row-major order, so adding a layer at the end never changes earlier tensors.
 */
export function initialWeights(spec: ModelSpec, seed: SeedPart): Float32Array[] {
  const rng = Rng.seeded(seed, 'init');
  return specShapes(spec).params.map((p) => {
    const out = new Float32Array(elementCount(p.shape));
    const init = initFor(spec.layers[p.layer]!, p);
    if (init.kind === 'constant') {
      out.fill(init.value);
    } else {
      for (let i = 0; i < out.length; i++) out[i] = init.limit * (2 * rng.nextFloat() - 1);
    }
    return out;
  });
}
