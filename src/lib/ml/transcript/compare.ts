// The segment check of SPEC 8.3 (docs/transcript.md section 5), pure: the verifier's unrounded
// replay against the claimed next state. A coordinate passes if the claimed value is what the
// replay rounds to, or if the replayed value lies within `tolerance` of the claimed value's grid
// cell, i.e. of the rounding boundary between the two, relative to that boundary or, for values
// smaller than their tensor's root mean square, to that. Honest cross-backend noise moves a
// value by a tiny amount on that scale, so it can only flip the rounding of a value that was that
// close to a boundary; a value moved by more cannot be explained by noise.
//
// Beyond SPEC 8.3's "every coordinate" (a documented decision, docs/transcript.md section 5):
// a segment may have a small budget of outliers, coordinates beyond `tolerance` but within the
// looser `outlierTolerance`, at most `outlierShare` of the state's coordinates. Measured honest
// cross-backend replays fail only through rare discrete events (a hidden unit whose ReLU flips
// for one sample on one backend moves that unit's kernel column and its moments, by up to ~4e-3
// of their scale at the default grid), which no tolerance small enough to bound a forger absorbs.
// With `outlierScope: 'unit'` the outliers must moreover all lie in one unit (units.ts): that is
// the pattern of such a flip, and it confines what the budget lets a forger move to one unit.
import type { ParamShape, TranscriptSpec } from '../spec/types.ts';
import { gridCell, onGrid, roundToGrid } from './round.ts';
import type { TranscriptState } from './state.ts';
import { paramUnits, unitLabel, unitOf } from './units.ts';

export interface CoordinateFailure {
  /** `weights` or `slot g` (optimizer slot group g), then the tensor, e.g. `weights layers[1].kernel`. */
  tensor: string;
  /** Index of the value within its tensor (row-major). */
  index: number;
  claimed: number;
  /** The verifier's value before rounding. */
  replayed: number;
  /** The verifier's value on the grid. */
  rounded: number;
  /**
   * Distance of `replayed` from the claimed value's grid cell, relative to the boundary or to
   * the claimed tensor's root mean square, whichever is larger; Infinity when off the grid.
   */
  deviation: number;
  /**
   * `outside-tolerance`: beyond `outlierTolerance` (or beyond `tolerance` where the settings give
   * no outlier budget) or not finite; `off-grid`: the claimed value is not on the grid;
   * `over-budget`: beyond `tolerance`, within `outlierTolerance`, but the segment has more such
   * outliers than its budget (listed only then); `other-unit`: an outlier within the budget
   * but outside the unit that holds the most outliers, under `outlierScope: 'unit'` (listed only
   * then).
   */
  reason: 'outside-tolerance' | 'off-grid' | 'over-budget' | 'other-unit';
}

export interface SegmentCheck {
  /**
   * The segment replays: the step counter matches, every coordinate lies within
   * `outlierTolerance` of its cell, and at most `outlierBudget` lie beyond `tolerance`.
   */
  replays: boolean;
  /** Step counter of the claimed state and the one the replay reached. */
  claimedStep: number;
  replayedStep: number;
  coordinates: number;
  /** Coordinates whose claimed value is the replay's rounded value. */
  equal: number;
  /** Coordinates that differ after rounding but lie within the tolerance of the boundary. */
  inBand: number;
  /** Coordinates beyond `tolerance` but within `outlierTolerance` (whether or not within the budget). */
  outliers: number;
  /** Outliers a segment of this state may have: floor(outlierShare x coordinates). */
  outlierBudget: number;
  /**
   * The unit (units.ts) holding the most outliers, e.g. `layers[1] unit 17`; null when there
   * are none or none lies in a unit. Computed whatever the scope, for measurements.
   */
  outlierUnit: string | null;
  /** Outliers outside `outlierUnit` (0: they all lie in one unit). Under scope `unit` any fails the segment. */
  outliersOutsideUnit: number;
  /** Coordinates that fail outright (beyond `outlierTolerance`, off the grid or not finite). */
  failed: number;
  /** The first failing coordinates, in state order (weights, then slot groups), at most `maxFailures`. */
  failures: CoordinateFailure[];
  /** Largest deviation (as in CoordinateFailure) of a replayed value from its claimed cell (0 when all are equal). */
  maxDeviation: number;
  /** Largest |replayed - claimed| / max(|replayed|, |claimed|), for measurements. */
  maxRelativeDifference: number;
}

export interface CompareOptions {
  /** Without `outlierShare` (or with 0) every coordinate must pass `tolerance` (SPEC 8.3 as written). */
  settings: Pick<TranscriptSpec, 'mantissaBits' | 'tolerance'> &
    Partial<Pick<TranscriptSpec, 'outlierShare' | 'outlierTolerance' | 'outlierScope'>>;
  params: readonly ParamShape[];
  /**
   * The spec's optimizer. With Adam, a first moment m_i is measured against sqrt(v_i) of the
   * claimed second moment (docs/transcript.md section 5). Default: Adam when there are two slot
   * groups (only Adam keeps two).
   */
  optimizer?: 'adam' | 'sgd';
  /** Failing coordinates listed (all are counted). Default 10. */
  maxFailures?: number;
}

/**
 * The distance of `u` from the cell of grid value `c` (0 inside it), relative to the boundary
 * crossed, or to `floor` where the boundary is smaller (docs/transcript.md section 5).
 */
export function cellDeviation(u: number, c: number, bits: number, floor = 0): number {
  const { lo, hi } = gridCell(c, bits);
  if (u >= lo && u <= hi) return 0;
  const boundary = u < lo ? lo : hi;
  return Math.abs(u - boundary) / Math.max(Math.abs(boundary), floor);
}

/**
 * Root mean square of a tensor, in float64: the scale below which a coordinate's noise is
 * measured against the tensor rather than against the coordinate. Rounding errors come from
 * sums whose terms have the tensor's scale; a coordinate that is a small difference of such
 * terms (an Adam moment crossing zero) carries their absolute error, which is a large fraction
 * of its own tiny value (measured: docs/bench/transcript-cross-backend.md).
 */
export function tensorScale(values: Float32Array): number {
  let sum = 0;
  for (let i = 0; i < values.length; i++) sum += values[i]! * values[i]!;
  return values.length === 0 ? 0 : Math.sqrt(sum / values.length);
}

/** The replayed value on the grid; NaN where it has none (NaN, infinite, or rounding overflows). */
function roundOrNaN(u: number, bits: number): number {
  if (!Number.isFinite(u)) return NaN;
  try {
    return roundToGrid(u, bits);
  } catch {
    return NaN;
  }
}

function tensorNames(params: readonly ParamShape[], groups: number): string[][] {
  const names = params.map((p) => `layers[${p.layer}].${p.name}`);
  return [
    names.map((n) => `weights ${n}`),
    ...Array.from({ length: groups }, (_, g) => names.map((n) => `slot ${g} ${n}`)),
  ];
}

/** Compares an unrounded replayed state with a claimed (rounded) state of the same shapes. */
export function compareStates(
  replayed: TranscriptState,
  claimed: TranscriptState,
  options: CompareOptions,
): SegmentCheck {
  const { mantissaBits: bits, tolerance } = options.settings;
  const share = options.settings.outlierShare ?? 0;
  const outlierTolerance = share > 0 ? Math.max(tolerance, options.settings.outlierTolerance ?? tolerance) : tolerance;
  const maxFailures = options.maxFailures ?? 10;
  if (replayed.slots.length !== claimed.slots.length)
    throw new RangeError(`replayed state has ${replayed.slots.length} slot groups, the claim ${claimed.slots.length}`);
  const names = tensorNames(options.params, claimed.slots.length);
  const adam = (options.optimizer ?? (claimed.slots.length === 2 ? 'adam' : 'sgd')) === 'adam';
  if (adam && claimed.slots.length !== 2)
    throw new RangeError(`an Adam state has 2 slot groups, the claim has ${claimed.slots.length}`);
  const groupsR = [replayed.weights, ...replayed.slots];
  const groupsC = [claimed.weights, ...claimed.slots];
  const out: SegmentCheck = {
    replays: replayed.step === claimed.step,
    claimedStep: claimed.step,
    replayedStep: replayed.step,
    coordinates: 0,
    equal: 0,
    inBand: 0,
    outliers: 0,
    outlierBudget: 0,
    outlierUnit: null,
    outliersOutsideUnit: 0,
    failed: 0,
    failures: [],
    maxDeviation: 0,
    maxRelativeDifference: 0,
  };
  const outliers: (CoordinateFailure & { units: number[] })[] = [];
  const unitsOf = paramUnits(options.params);
  groupsC.forEach((tensorsC, g) => {
    tensorsC.forEach((c, t) => {
      const r = groupsR[g]![t]!;
      if (r.length !== c.length)
        throw new RangeError(`${names[g]![t]}: ${r.length} replayed values, ${c.length} claimed`);
      out.coordinates += c.length;
      const floor = tensorScale(c);
      // Adam's update is lr * m / (sqrt(v) + eps): an error in m_i matters against sqrt(v_i).
      const secondMoment = adam && g === 1 ? groupsC[2]![t]! : null;
      for (let i = 0; i < c.length; i++) {
        const u = r[i]!;
        const claim = c[i]!;
        if (u !== claim) {
          const scale = Math.max(Math.abs(u), Math.abs(claim));
          const rel = Math.abs(u - claim) / scale;
          if (rel > out.maxRelativeDifference) out.maxRelativeDifference = rel;
        }
        const fail = (reason: CoordinateFailure['reason'], deviation: number, rounded: number) => {
          out.failed += 1;
          if (out.failures.length < maxFailures)
            out.failures.push({
              tensor: names[g]![t]!,
              index: i,
              claimed: claim,
              replayed: u,
              rounded,
              deviation,
              reason,
            });
        };
        const rounded = roundOrNaN(u, bits);
        if (!onGrid(claim, bits) || Number.isNaN(rounded)) {
          out.maxDeviation = Infinity;
          fail(onGrid(claim, bits) ? 'outside-tolerance' : 'off-grid', Infinity, rounded);
          continue;
        }
        if (rounded === claim) {
          out.equal += 1;
          continue;
        }
        const deviation = cellDeviation(
          u,
          claim,
          bits,
          secondMoment === null ? floor : Math.max(floor, Math.sqrt(Math.max(0, secondMoment[i]!))),
        );
        if (deviation > out.maxDeviation) out.maxDeviation = deviation;
        if (deviation <= tolerance) out.inBand += 1;
        else if (deviation <= outlierTolerance) {
          out.outliers += 1;
          outliers.push({
            tensor: names[g]![t]!,
            index: i,
            claimed: claim,
            replayed: u,
            rounded,
            deviation,
            reason: 'over-budget',
            units: unitsOf[t]!(i),
          });
        } else fail('outside-tolerance', deviation, rounded);
      }
    });
  });
  out.outlierBudget = Math.floor(share * out.coordinates);
  // The unit holding the most outliers (the first such in state order on a tie).
  const perUnit = new Map<number, number>();
  for (const o of outliers) for (const k of o.units) perUnit.set(k, (perUnit.get(k) ?? 0) + 1);
  let best: number | null = null;
  for (const [k, n] of perUnit) if (best === null || n > perUnit.get(best)!) best = k;
  out.outlierUnit = best === null ? null : unitLabel(unitOf(best));
  const outside = outliers.filter((o) => best === null || !o.units.includes(best));
  out.outliersOutsideUnit = outside.length;
  const overBudget = out.outliers > out.outlierBudget;
  const otherUnit = options.settings.outlierScope === 'unit' && share > 0 && outside.length > 0;
  const room = () => Math.max(0, maxFailures - out.failures.length);
  const listed = ({ units: _, ...o }: (typeof outliers)[number]): CoordinateFailure => o;
  if (overBudget) out.failures.push(...outliers.slice(0, room()).map(listed));
  else if (otherUnit)
    out.failures.push(...outside.slice(0, room()).map((o) => ({ ...listed(o), reason: 'other-unit' as const })));
  out.replays = out.replays && out.failed === 0 && !overBudget && !otherUnit;
  return out;
}
