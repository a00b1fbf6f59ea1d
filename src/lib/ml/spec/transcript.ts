// The model spec's `transcript` section (SPEC 8.2, 8.3; docs/ml.md section 1, docs/transcript.md):
// its defaults and limits, and the settings a spec without the section runs with. A parsed spec
// keeps the section absent when the file has none, so a published spec parses as it always did.
import type { ModelSpec, TranscriptSpec } from './types.ts';

/**
 * Defaults chosen by measurement (docs/bench/transcript.md): honest cpu/wasm replays of the
 * digits task deviate from the claimed cell by at most a few 1e-6 of the tensor's scale, so 5e-5
 * passes them with a wide margin while the drift a forger gains from the band stays far below
 * the distance between independently trained models. WebGL and WebGPU are not measured yet.
 */
export const TRANSCRIPT_DEFAULTS: Readonly<TranscriptSpec> = Object.freeze({
  interval: 50,
  mantissaBits: 8,
  tolerance: 5e-5,
});

export const TRANSCRIPT_LIMITS = {
  /** Steps between rounded checkpoints. */
  interval: { min: 1, max: 100_000 },
  /** Explicit mantissa bits kept of float32's 23; 23 keeps every value as is. */
  mantissaBits: { min: 2, max: 23 },
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
