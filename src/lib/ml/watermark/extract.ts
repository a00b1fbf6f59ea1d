// The vector v read from the watermark layer (docs/ml.md section 4). Trainer and challenger
// compute it from the same artifact, so it is defined down to the rounding: each mean is summed
// in float64 in increasing index order, divided by the count in float64, and rounded to float32
// once at the end. The result is bit-identical on every JS engine (IEEE double arithmetic).
import type { LayerSpec, ModelSpec, ParamShape, WatermarkRule } from '../spec/types.ts';
import { WatermarkError } from './types.ts';

/**
 * `dense-column-mean`: weight is a kernel [in, units]; v_k = mean of column k, k < N.
 * `mlp-column-mean`: the same on a transformer block's MLP kernel w1 [dim, mlpDim].
 * `conv-filter-mean`: weight is a kernel [kh, kw, cin, filters]; v_r = mean over filters of
 * row r of the kernel viewed as [kh*kw*cin, filters] (row-major over kh, kw, cin), r < N.
 * Both are row means or column means of a row-major matrix; the weight is row-major as tfjs and
 * the artifact store it.
 */
export function extractV(rule: WatermarkRule, weight: Float32Array, shape: readonly number[], N: number): Float32Array {
  const count = shape.reduce((a, b) => a * b, 1);
  if (weight.length !== count)
    throw new WatermarkError(
      `the watermark kernel has ${weight.length} values, its shape [${shape.join(', ')}] needs ${count}`,
    );
  if (!Number.isInteger(N) || N < 1) throw new WatermarkError(`N must be a positive integer, got ${N}`);
  const v = new Float32Array(N);
  if (rule === 'dense-column-mean' || rule === 'mlp-column-mean') {
    if (shape.length !== 2)
      throw new WatermarkError(`${rule} needs a kernel [in, units], got shape [${shape.join(', ')}]`);
    const [rows, cols] = shape as [number, number];
    if (cols < N) throw new WatermarkError(`${rule} needs units >= N = ${N}, the kernel has ${cols} columns`);
    for (let k = 0; k < N; k++) {
      let sum = 0;
      for (let i = 0; i < rows; i++) sum += weight[i * cols + k]!;
      v[k] = sum / rows;
    }
  } else if (rule === 'conv-filter-mean') {
    if (shape.length !== 4)
      throw new WatermarkError(
        `conv-filter-mean needs a conv kernel [kh, kw, cin, filters], got shape [${shape.join(', ')}]`,
      );
    const filters = shape[3]!;
    const rows = count / filters;
    if (rows < N) throw new WatermarkError(`conv-filter-mean needs kh*kw*cin >= N = ${N}, the kernel has ${rows}`);
    for (let r = 0; r < N; r++) {
      let sum = 0;
      for (let f = 0; f < filters; f++) sum += weight[r * filters + f]!;
      v[r] = sum / filters;
    }
  } else {
    throw new WatermarkError(`unknown watermark rule ${JSON.stringify(rule)}`);
  }
  // Float32Array assignment is the single float64 -> float32 rounding.
  return v;
}

/** The layer type each rule reads, and which of its weights. */
const WATERMARK_TARGET: Record<WatermarkRule, { layer: LayerSpec['type']; weight: string }> = {
  'dense-column-mean': { layer: 'dense', weight: 'kernel' },
  'conv-filter-mean': { layer: 'conv2d', weight: 'kernel' },
  'mlp-column-mean': { layer: 'transformerBlock', weight: 'w1' },
};

/**
 * Index in `params` (specShapes(spec).params) of the kernel the spec's watermark reads; checks
 * that the layer exists and has the kind the rule needs.
 */
export function watermarkKernelIndex(
  spec: Pick<ModelSpec, 'layers' | 'watermark'>,
  params: readonly ParamShape[],
): number {
  const wm = spec.watermark;
  if (!wm) throw new WatermarkError('the model spec has no watermark');
  const layer = spec.layers.findIndex((l) => l.id === wm.layer);
  if (layer < 0) throw new WatermarkError(`watermark.layer: no layer has id "${wm.layer}"`);
  const type = spec.layers[layer]!.type;
  const wanted = WATERMARK_TARGET[wm.rule];
  if (type !== wanted.layer)
    throw new WatermarkError(`watermark.rule ${wm.rule} needs a ${wanted.layer} layer, "${wm.layer}" is ${type}`);
  const index = params.findIndex((p) => p.layer === layer && p.name === wanted.weight);
  if (index < 0) throw new WatermarkError(`layer "${wm.layer}" has no ${wanted.weight} in the parameter list`);
  return index;
}
