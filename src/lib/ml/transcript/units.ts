// The units of a model's parameters, for the one-unit outlier rule (docs/transcript.md section 5),
// pure and from the parameter list alone (spec/shapes.ts `layerParams`: a dense layer's `kernel`
// is [inputs, units], a conv2d layer's [k, k, channels in, filters], each with a `bias` of
// [units]). A unit is one output of a dense layer (units) or one output channel of a conv2d
// layer (filters): its incoming kernel column (all of a filter's kernel values), its bias, and
// its outgoing slice of the next layer with parameters when that layer is dense or conv2d (the
// kernel rows, or input-channel slice, that read this unit). Every layer without parameters
// (flatten, dropout, pooling, globalAvgPool1d) keeps the channel as the last axis, so after a
// flatten the dense rows that read channel f are those with row % channels == f. Parameters of
// other layers (embedding, layerNorm, attention) belong to no unit. The optimizer moments of a
// coordinate belong to the coordinate's units (callers index them like the weights).
import type { ParamShape } from '../spec/types.ts';

/** A unit: layer index in the spec's `layers`, and the output (unit or filter) index. */
export interface Unit {
  layer: number;
  index: number;
}

export const unitLabel = (u: Unit): string => `layers[${u.layer}] unit ${u.index}`;

/** Dense (rank 2) or conv2d (rank 4) kernel: its output count, else null. */
function outputsOf(p: ParamShape): number | null {
  if (p.name !== 'kernel' || (p.shape.length !== 2 && p.shape.length !== 4)) return null;
  return p.shape[p.shape.length - 1]!;
}

/**
 * For each parameter tensor, a function giving the units a coordinate (flat row-major index)
 * belongs to: none, one, or two (a kernel value of a layer that reads another unit layer is both
 * in its own unit's column and in the previous unit's outgoing slice). Unit keys are
 * `layer * 2^20 + index`, which `unitOf` turns back.
 */
export function paramUnits(params: readonly ParamShape[]): ((i: number) => number[])[] {
  const kernelOf = new Map<number, number>();
  params.forEach((p, t) => {
    if (outputsOf(p) !== null) kernelOf.set(p.layer, t);
  });
  const layers = [...new Set(params.map((p) => p.layer))];
  const none = () => [];
  return params.map((p) => {
    const k = kernelOf.get(p.layer);
    if (k === undefined) return none;
    const units = outputsOf(params[k]!)!;
    const key = (layer: number, index: number) => layer * 2 ** 20 + index;
    if (p.name === 'bias' && p.shape.length === 1 && p.shape[0] === units) return (i) => [key(p.layer, i)];
    if (p.name !== 'kernel') return none;
    // The unit layer feeding this one: the previous layer with parameters, if it has units.
    const prevLayer = layers[layers.indexOf(p.layer) - 1];
    const prevKernel = prevLayer === undefined ? undefined : kernelOf.get(prevLayer);
    const channels = prevKernel === undefined ? 0 : outputsOf(params[prevKernel]!)!;
    const inputs = p.shape.length === 2 ? p.shape[0]! : p.shape[2]!;
    const feeds = channels > 0 && (p.shape.length === 2 ? inputs % channels === 0 : inputs === channels);
    return (i) => {
      const own = key(p.layer, i % units);
      return feeds ? [own, key(prevLayer!, Math.floor(i / units) % channels)] : [own];
    };
  });
}

export const unitOf = (key: number): Unit => ({ layer: Math.floor(key / 2 ** 20), index: key % 2 ** 20 });
