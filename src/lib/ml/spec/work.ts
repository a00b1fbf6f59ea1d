// The arithmetic one sample costs a spec's forward pass: the multiply-accumulates of its dense,
// convolution and attention layers, and one operation per element touched for the others
// (pooling counts its window). Training costs about three times this for every layer (the
// forward pass and the two products of the backward one), so two specs' training speeds compare
// as the inverse of their work where arithmetic, not per-step overhead, bounds them. Pure; the
// speed prior (train/speed-prior.ts) scales the benchmarked specs' speeds with it.
import { elementCount, layerOutputShape } from './shapes.ts';
import type { ModelSpec } from './types.ts';

/** Operations per sample of the forward pass (throws ShapeError on a spec whose shapes do not fit). */
export function specWork(spec: Pick<ModelSpec, 'input' | 'layers'>): number {
  let x = [...spec.input.shape];
  let work = 0;
  spec.layers.forEach((layer, i) => {
    const out = layerOutputShape(layer, x, `layers[${i}]`, spec.layers);
    const last = x[x.length - 1]!;
    switch (layer.type) {
      case 'dense':
        work += elementCount(out) * last;
        break;
      case 'conv2d':
        work += elementCount(out) * layer.kernelSize * layer.kernelSize * last;
        break;
      case 'attention': {
        // Four projections of every position, then scores and their weighted sum over positions.
        const [n, d] = x as [number, number];
        work += 4 * n * d * d + 2 * n * n * d;
        break;
      }
      case 'transformerBlock': {
        // Attention as above (causal masking halves nothing here: the full product is computed),
        // the MLP's two products, and the two layer norms.
        const [n, d] = x as [number, number];
        work += 4 * n * d * d + 2 * n * n * d + 2 * n * d * layer.mlpDim + 2 * n * d;
        break;
      }
      case 'tiedOutput':
        work += elementCount(out) * last;
        break;
      case 'positionEmbedding':
        work += elementCount(out);
        break;
      case 'maxPool2d':
      case 'avgPool2d':
        work += elementCount(out) * layer.poolSize * layer.poolSize;
        break;
      case 'flatten':
        break;
      case 'globalAvgPool1d':
        work += elementCount(x);
        break;
      case 'dropout':
      case 'layerNorm':
      case 'embedding':
        work += elementCount(out);
        break;
    }
    x = out;
  });
  return work;
}
