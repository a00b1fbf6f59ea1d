// A next-token spec with a dense head in place of its tied one: the architecture tfjs-layers can
// build (it cannot share a weight between an embedding and a head), and the benches' untied row.
import type { ModelSpec } from '../../../src/lib/ml/spec/types.ts';

/** `spec` with its tiedOutput replaced by a dense layer over the vocabulary; `keepWatermark: false` drops the watermark. */
export function untiedSpec(spec: ModelSpec, keepWatermark = true): ModelSpec {
  const layers = spec.layers.map((l) =>
    l.type === 'tiedOutput' ? { type: 'dense' as const, units: spec.output.tokens!, activation: 'linear' as const } : l,
  );
  const { watermark, ...rest } = spec;
  return { ...rest, ...(keepWatermark && watermark ? { watermark } : {}), name: `${spec.name}-untied`, layers };
}
