// The model spec's `transcript` section (SPEC 8.2, 8.3; docs/ml.md section 1, docs/transcript.md):
// its defaults and limits, and the settings a spec without the section runs with. A parsed spec
// keeps the section absent when the file has none, so a published spec parses as it always did.
import type { ModelSpec, TranscriptSpec } from './types.ts';

/**
 * Defaults chosen by measurement (docs/bench/transcript.md, docs/transcript.md section 9). Honest
 * cpu/wasm replays of the digits task agree to ~1e-5 of a coordinate's scale, except segments
 * where a hidden unit's ReLU flips for one sample on one backend: up to 46 coordinates beyond
 * 1e-4, deviations up to 3.7e-3. The tight tolerance bounds a forger's walk; the outlier budget
 * (0.25% of the coordinates within 1e-2) passes the flips. 20 runs per backend pair: no honest
 * segment fails.
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
