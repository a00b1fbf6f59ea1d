// The vector v read from the watermark layer (docs/ml.md section 4). Trainer and challenger
// compute it from the same artifact, so it is defined down to the rounding: each mean is summed
// in float64 in increasing index order, divided by the count in float64, and rounded to float32
// once at the end. The result is bit-identical on every JS engine (IEEE double arithmetic).
import type { ModelSpec, ParamShape, WatermarkRule } from '../spec/types.ts';
import { WatermarkError } from './types.ts';

/**
 * `dense-column-mean`: weight is a kernel [in, units]; v_k = mean of column k, k < N.
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
  if (rule === 'dense-column-mean') {
    if (shape.length !== 2)
      throw new WatermarkError(`dense-column-mean needs a dense kernel [in, units], got shape [${shape.join(', ')}]`);
    const [rows, cols] = shape as [number, number];
    if (cols < N) throw new WatermarkError(`dense-column-mean needs units >= N = ${N}, the layer has ${cols} units`);
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
  const wanted = wm.rule === 'dense-column-mean' ? 'dense' : 'conv2d';
  if (type !== wanted)
    throw new WatermarkError(`watermark.rule ${wm.rule} needs a ${wanted} layer, "${wm.layer}" is ${type}`);
  const index = params.findIndex((p) => p.layer === layer && p.name === 'kernel');
  if (index < 0) throw new WatermarkError(`layer "${wm.layer}" has no kernel in the parameter list`);
  return index;
}
