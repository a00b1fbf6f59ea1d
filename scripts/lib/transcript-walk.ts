// The tolerance walk (issue 11 attack (b)): a forger that replays each segment honestly and then
// claims, for every weight it may, the grid value closest to a target model (another, independently
// trained model) that the segment rule still accepts: within `tolerance` of the replay's cell for
// every coordinate (the band), and within `outlierTolerance` for the `outlierShare` budget of
// coordinates where that gains the most. Pure functions over states; the benchmark
// (scripts/bench-transcript.ts) and the unit tests drive it.
import type { ParamShape, TranscriptSpec } from '../../src/lib/ml/spec/types.ts';
import { cellDeviation, compareStates, tensorScale } from '../../src/lib/ml/transcript/compare.ts';
import { roundArray } from '../../src/lib/ml/transcript/round.ts';
import type { TranscriptState } from '../../src/lib/ml/transcript/state.ts';

const scratch = new Float32Array(1);
const bits32 = new Uint32Array(scratch.buffer);

/** The next value of the `bits`-mantissa grid after grid value `c` in direction `dir` (+1 / -1). */
export function nextGridValue(c: number, dir: 1 | -1, bits: number): number {
  const unit = 1 << (23 - bits);
  scratch[0] = c;
  const sign = bits32[0]! & 0x8000_0000;
  const mag = bits32[0]! & 0x7fff_ffff;
  if (mag === 0) bits32[0] = (dir > 0 ? 0 : 0x8000_0000) | unit;
  else if (c > 0 === dir > 0) bits32[0] = sign | (mag + unit);
  else bits32[0] = mag - unit === 0 ? 0 : sign | (mag - unit);
  return scratch[0];
}

export interface WalkSettings extends Pick<TranscriptSpec, 'mantissaBits' | 'tolerance'> {
  /** 0 for a walk inside the band only. */
  outlierShare: number;
  outlierTolerance: number;
}

export interface NudgeResult {
  claimed: TranscriptState;
  /** Weights moved off the replay's rounding, inside the band and as outliers. */
  inBand: number;
  outliers: number;
}

/**
 * The claimed state a forger submits for a segment whose honest (unrounded) end is `replayed`:
 * the replay rounded, with weights nudged towards `target` as far as the rule allows (optimizer
 * moments as the replay has them). `safety` (< 1) keeps every choice a little inside the limits,
 * so that the verifier's own backend, whose replay differs by noise, still accepts it.
 */
export function nudgeTowards(
  replayed: TranscriptState,
  target: readonly Float32Array[],
  settings: WalkSettings,
  params: readonly ParamShape[],
  safety = 0.9,
): NudgeResult {
  const bits = settings.mantissaBits;
  const base: TranscriptState = {
    step: replayed.step,
    weights: replayed.weights.map((t) => roundArray(t, bits)),
    slots: replayed.slots.map((g) => g.map((t) => roundArray(t, bits))),
  };
  const coordinates = [base.weights, ...base.slots].reduce((a, g) => a + g.reduce((b, t) => b + t.length, 0), 0);
  const budget = Math.floor(settings.outlierShare * coordinates);
  const candidates: { t: number; i: number; value: number; gain: number }[] = [];
  let inBand = 0;
  const weights = base.weights.map((claimedT, t) => {
    const out = new Float32Array(claimedT);
    const u = replayed.weights[t]!;
    const goal = target[t]!;
    const floor = tensorScale(claimedT);
    const furthest = (from: number, dir: 1 | -1, limit: number, aim: number, x: number) => {
      let c = from;
      for (let k = 0; k < 64; k++) {
        const next = nextGridValue(c, dir, bits);
        if (Math.abs(next - aim) >= Math.abs(c - aim)) break;
        if (cellDeviation(x, next, bits, floor) > limit) break;
        c = next;
      }
      return c;
    };
    for (let i = 0; i < out.length; i++) {
      const c0 = out[i]!;
      const aim = goal[i]!;
      if (c0 === aim) continue;
      const dir: 1 | -1 = aim > c0 ? 1 : -1;
      const band = furthest(c0, dir, safety * settings.tolerance, aim, u[i]!);
      if (band !== c0) inBand++;
      out[i] = band;
      if (budget > 0) {
        const far = furthest(band, dir, safety * settings.outlierTolerance, aim, u[i]!);
        const gain = (band - aim) ** 2 - (far - aim) ** 2;
        if (far !== band && gain > 0) candidates.push({ t, i, value: far, gain });
      }
    }
    return out;
  });
  candidates.sort((a, b) => b.gain - a.gain);
  const chosen = candidates.slice(0, budget);
  for (const c of chosen) weights[c.t]![c.i] = c.value;
  const claimed: TranscriptState = { step: base.step, weights, slots: base.slots };
  const check = compareStates(replayed, claimed, { settings, params });
  if (!check.replays)
    throw new Error(
      `the walk's own claim does not replay (${check.failed} failed, ${check.outliers} outliers of ${check.outlierBudget}): lower the safety factor`,
    );
  return { claimed, inBand, outliers: chosen.length };
}

/** Euclidean distance between two weight lists. */
export function distance(a: readonly Float32Array[], b: readonly Float32Array[]): number {
  let s = 0;
  a.forEach((x, t) => {
    const y = b[t]!;
    for (let i = 0; i < x.length; i++) s += (x[i]! - y[i]!) ** 2;
  });
  return Math.sqrt(s);
}

/**
 * First-order bounds on how far one transcript of K segments can move the weights towards
 * `target` from `from` (the forger's honest end), as a share of their distance D: a move of
 * delta_i towards the target shortens the distance by about delta_i |d_i| / D.
 * - band: each coordinate is near enough a boundary to flip one grid step with probability about
 *   2 tolerance / step, so it moves 2 tolerance x scale_i per segment in expectation;
 *   `bandWorst` is the Cauchy-Schwarz bound sqrt(2) tolerance K of docs/transcript.md section 9;
 * - outliers: each segment moves at most B = floor(outlierShare x coordinates) weights by
 *   (outlierTolerance + one grid step) x scale_i; the forger picks those with the most gain.
 * scale_i = max(|w_i|, RMS of its tensor), the scale the rule measures deviations on.
 */
export function walkBounds(
  from: readonly Float32Array[],
  target: readonly Float32Array[],
  settings: WalkSettings,
  K: number,
  coordinates: number,
  params?: readonly ParamShape[],
): { band: number; bandWorst: number; outliers: number; unitOutliers: number; budget: number; distance: number } {
  const D = distance(from, target);
  const step = 2 ** -settings.mantissaBits;
  const budget = Math.floor(settings.outlierShare * coordinates);
  let band = 0;
  const gains: number[] = [];
  from.forEach((w, t) => {
    const rms = tensorScale(w);
    for (let i = 0; i < w.length; i++) {
      const scale = Math.max(Math.abs(w[i]!), rms);
      const d = Math.abs(target[t]![i]! - w[i]!);
      band += 2 * settings.tolerance * scale * d;
      gains.push((settings.outlierTolerance + step) * scale * d);
    }
  });
  const unitTop = params ? bestUnitGain(from, target, settings, params, budget) : NaN;
  gains.sort((a, b) => b - a);
  const top = gains.slice(0, budget).reduce((a, x) => a + x, 0);
  return {
    band: (K * band) / D ** 2,
    bandWorst: Math.SQRT2 * settings.tolerance * K,
    outliers: (K * top) / D ** 2,
    unitOutliers: (K * unitTop) / D ** 2,
    budget,
    distance: D,
  };
}

/**
 * The outlier term if a segment's outliers had to lie in one hidden unit of a dense layer (its
 * incoming kernel column, its bias and its row of the next dense kernel), the pattern every
 * measured honest outlier followed: the best unit's top `budget` gains. A proposal, not the
 * rule (docs/transcript.md section 9). NaN for specs with other than dense kernels.
 */
function bestUnitGain(
  from: readonly Float32Array[],
  target: readonly Float32Array[],
  settings: WalkSettings,
  params: readonly ParamShape[],
  budget: number,
): number {
  if (params.some((p) => p.name === 'kernel' && p.shape.length !== 2)) return NaN;
  const step = 2 ** -settings.mantissaBits;
  const rms = from.map((w) => tensorScale(w));
  const gain = (t: number, i: number) =>
    (settings.outlierTolerance + step) *
    Math.max(Math.abs(from[t]![i]!), rms[t]!) *
    Math.abs(target[t]![i]! - from[t]![i]!);
  const kernels = params.flatMap((p, t) => (p.name === 'kernel' ? [t] : []));
  let best = 0;
  kernels.forEach((k, n) => {
    const [rows, units] = params[k]!.shape as [number, number];
    const bias = params.findIndex((p) => p.layer === params[k]!.layer && p.name === 'bias');
    const next = kernels[n + 1];
    const nextCols = next === undefined ? 0 : params[next]!.shape[1]!;
    for (let u = 0; u < units; u++) {
      const gains: number[] = [];
      for (let r = 0; r < rows; r++) gains.push(gain(k, r * units + u));
      if (bias >= 0) gains.push(gain(bias, u));
      if (next !== undefined && params[next]!.shape[0] === units)
        for (let c = 0; c < nextCols; c++) gains.push(gain(next, u * nextCols + c));
      gains.sort((a, b) => b - a);
      best = Math.max(
        best,
        gains.slice(0, budget).reduce((a, x) => a + x, 0),
      );
    }
  });
  return best;
}
