// The model spec's `transcript` section (SPEC 8.2, 8.3; docs/ml.md section 1, docs/transcript.md):
// its defaults and limits, and the settings a spec without the section runs with. A parsed spec
// keeps the section absent when the file has none, so a published spec parses as it always did.
import type { ModelSpec, TranscriptSpec } from './types.ts';

/**
 * Defaults chosen by measurement (docs/bench/transcript.md, docs/transcript.md section 9). No
 * tolerance below a grid step passes every honest cpu/wasm replay of the digits task: a hidden
 * unit whose ReLU flips for one sample late in training moves its whole kernel column by up to a
 * few percent (1,000 segments: 4 failed at 3e-4; at 6 bits and 1e-2 some still failed). These
 * settings keep what the band gives a forger near 1% of the distance between independent models
 * at about 0.4% of honest segments failing; docs/transcript.md section 9 proposes the rule change
 * that would fix both. WebGL and WebGPU are measured only on short runs.
 */
export const TRANSCRIPT_DEFAULTS: Readonly<TranscriptSpec> = Object.freeze({
  interval: 50,
  mantissaBits: 8,
  tolerance: 1e-4,
  outlierShare: 0.0025,
  outlierTolerance: 1e-2,
});

export const TRANSCRIPT_LIMITS = {
  /** Steps between rounded checkpoints. */
  interval: { min: 1, max: 100_000 },
  /** Explicit mantissa bits kept of float32's 23; 23 keeps every value as is. */
  mantissaBits: { min: 2, max: 23 },
  /**
   * Share of a state's coordinates a segment may have beyond the tolerance. Above 1% a forger's
   * per-segment freedom would dwarf the band's (docs/transcript.md section 9).
   */
  outlierShare: { min: 0, max: 0.01 },
} as const;

/**
 * Largest tolerance allowed with `mantissaBits` (exclusive): one grid step, relative. At a
 * tolerance of a whole grid step every value would be within tolerance of a neighbouring cell,
 * so a segment could move every coordinate by a grid step at will.
 */
export function maxTolerance(mantissaBits: number): number {
  return 2 ** -mantissaBits;
}

/** The transcript settings of `spec`: its section, or the defaults. */
export function transcriptSettings(spec: Pick<ModelSpec, 'transcript'>): TranscriptSpec {
  return { ...(spec.transcript ?? TRANSCRIPT_DEFAULTS) };
}
