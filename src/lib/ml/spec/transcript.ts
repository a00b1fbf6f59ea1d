// The model spec's `transcript` section (SPEC 8.2, 8.3; docs/ml.md section 1, docs/transcript.md):
// its defaults and limits, and the settings a spec without the section runs with. A parsed spec
// keeps the section absent when the file has none, so a published spec parses as it always did.
import type { ModelSpec, TranscriptSpec } from './types.ts';

/**
 * The reference backend of transcript runs and of the replays that judge them (docs/transcript.md
 * section 5, "The reference backend"): every transcript trains on it and every juror replays on
 * it. wasm computes the same bits in Node and in Chromium (measured: every coordinate of 125 of
 * 125 segments), while replays across backends are not exact: a ReLU that flips on one backend
 * moves a whole unit (digits), or every unit of a deeper model (fashion-mlp: 6 of 64 cpu/wasm
 * segments fail), and the GPU kernels differ more (2 of 575 digits segments failed on webgl and
 * webgpu by thousands of coordinates).
 */
export const TRANSCRIPT_BACKEND = 'wasm' as const;

/**
 * Defaults chosen by measurement (docs/bench/transcript.md, docs/transcript.md section 9). On the
 * reference backend an honest replay is exact, so SPEC 8.3's rule as written holds with no
 * outlier budget; the tolerance 1e-4 is margin, and bounds what a forger gains to 0.37% of the
 * distance between two independently trained models. `outlierShare` stays available for specs
 * whose jurors replay across backends (the state-wide budget of 0.25% passed every one of 1,500
 * digits cpu/wasm segments, but widens the forger's bound to 2.3%).
 */
export const TRANSCRIPT_DEFAULTS: Readonly<TranscriptSpec> = Object.freeze({
  interval: 50,
  mantissaBits: 8,
  tolerance: 1e-4,
  outlierShare: 0,
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
