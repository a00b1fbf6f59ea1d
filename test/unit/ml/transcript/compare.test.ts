// The tolerance rule of SPEC 8.3 (docs/transcript.md section 5) on hand-placed values.
import { describe, expect, it } from 'vitest';
import type { ParamShape } from '../../../../src/lib/ml/spec/types.ts';
import { cellDeviation, compareStates, tensorScale } from '../../../../src/lib/ml/transcript/compare.ts';
import { gridCell, roundArray } from '../../../../src/lib/ml/transcript/round.ts';
import type { TranscriptState } from '../../../../src/lib/ml/transcript/state.ts';

const BITS = 8;
const STEP = 2 ** -BITS; // grid step in [1, 2)
const settings = { mantissaBits: BITS, tolerance: 1e-3 };
const params: ParamShape[] = [
  { layer: 0, name: 'kernel', shape: [4] },
  { layer: 0, name: 'bias', shape: [2] },
];
const f = (xs: number[]) => Float32Array.from(xs);
const st = (w: number[], b: number[], m: number[], step = 50): TranscriptState => ({
  step,
  weights: [f(w), f(b)],
  slots: [[f(m), f([0, 0])]],
});
const rounded = (s: TranscriptState): TranscriptState => ({
  step: s.step,
  weights: s.weights.map((t) => roundArray(t, BITS)),
  slots: s.slots.map((g) => g.map((t) => roundArray(t, BITS))),
});
const base = () => st([0.3, -1.7, 1e-30, 5], [0.01, -0.02], [1e-6, 2e-8, -3e-5, 0.5]);

describe('compareStates', () => {
  it("measures a value far below its tensor's scale against that scale", () => {
    // An Adam moment that crosses zero: 2e-8 replayed as 2.3e-8 (15% of itself) in a tensor whose
    // RMS is about 0.5: noise of 3e-9 on that scale, well inside the tolerance.
    const claim = st([0, 0, 0, 0], [0, 0], [roundArray(f([2e-8]), BITS)[0]!, 0.5, -0.5, 0.5]);
    const replay = st([0, 0, 0, 0], [0, 0], [2.3e-8, 0.5, -0.5, 0.5]);
    const ok = compareStates(replay, claim, { settings, params });
    expect(ok).toMatchObject({ replays: true, inBand: 1 });
    expect(ok.maxDeviation).toBeLessThan(1e-8);
    // The same noise in a tensor of values that small is 15% of its scale: it fails.
    const small = st([0, 0, 0, 0], [0, 0], [claim.slots[0]![0]![0]!, 2e-8, 2e-8, 2e-8]);
    const bad = compareStates(st([0, 0, 0, 0], [0, 0], [2.3e-8, 2e-8, 2e-8, 2e-8]), rounded(small), {
      settings,
      params,
    });
    expect(bad.replays).toBe(false);
    expect(bad.failures[0]).toMatchObject({ tensor: 'slot 0 layers[0].kernel', index: 0 });
    expect(bad.failures[0]!.deviation).toBeGreaterThan(0.05);
    expect(tensorScale(f([3, 4]))).toBeCloseTo(Math.sqrt(12.5), 12);
    expect(tensorScale(new Float32Array(0))).toBe(0);
  });

  it("passes the replay's own rounding, counting every coordinate", () => {
    const r = base();
    const check = compareStates(r, rounded(r), { settings, params });
    expect(check).toMatchObject({ replays: true, coordinates: 12, equal: 12, inBand: 0, failed: 0, failures: [] });
    expect(check.maxDeviation).toBe(0);
    expect(check.maxRelativeDifference).toBeGreaterThan(0);
    expect(check.maxRelativeDifference).toBeLessThanOrEqual(STEP / 2);
  });

  it('accepts the neighbouring grid value when the replay is within tolerance of the boundary, and not beyond', () => {
    const boundary = 1 + STEP / 2;
    const near = boundary * (1 + 4e-4); // rounds up to 1 + STEP; the claim 1 is 4e-4 away
    const far = boundary * (1 + 2e-3);
    const claim = st([1, 1, 1, 1], [0, 0], [0, 0, 0, 0]);
    const replay = st([near, far, 1, boundary * (1 - 1e-4)], [0, 0], [0, 0, 0, 0]);
    const check = compareStates(replay, claim, { settings, params });
    expect(check.replays).toBe(false);
    expect(check).toMatchObject({ equal: 10, inBand: 1, failed: 1 });
    expect(check.failures).toHaveLength(1);
    const [fail] = check.failures;
    expect(fail).toMatchObject({ tensor: 'weights layers[0].kernel', index: 1, claimed: 1, rounded: 1 + STEP });
    expect(fail!.reason).toBe('outside-tolerance');
    expect(fail!.deviation).toBeCloseTo(2e-3, 6);
    expect(check.maxDeviation).toBeCloseTo(2e-3, 6);
    // The same replay with a tolerance above the far value's deviation passes.
    expect(compareStates(replay, claim, { settings: { ...settings, tolerance: 2.1e-3 }, params }).replays).toBe(true);
    // With a zero tolerance, only exact rounding passes.
    const strict = compareStates(replay, claim, { settings: { ...settings, tolerance: 0 }, params });
    expect(strict.failed).toBe(2);
  });

  it('measures the boundary below a power of two on the finer grid, and works for negative values', () => {
    const boundary = 2 - STEP / 2; // below 2 the step is STEP, so the boundary is STEP/2 away
    expect(cellDeviation(boundary * (1 - 3e-4), 2, BITS)).toBeCloseTo(3e-4, 8);
    expect(cellDeviation(-boundary * (1 - 3e-4), -2, BITS)).toBeCloseTo(3e-4, 8);
    // Above 2 the step is 2 STEP: the cell ends at 2 + STEP.
    expect(cellDeviation(2 + STEP, 2, BITS)).toBe(0);
    expect(cellDeviation(2 + 2 * STEP, 2, BITS)).toBeCloseTo(STEP / (2 + STEP), 8);
    expect(cellDeviation(2.001, 2, BITS)).toBe(0);
  });

  it('measures an Adam first moment against the square root of its second moment', () => {
    // m_0 = 1e-6 replayed as 1.1e-6, in an m tensor of values that small: 10% of the tensor's scale,
    // but 1e-4 of sqrt(v_0) = 1e-3, which is what the update m / sqrt(v) feels.
    const m = [roundArray(f([1e-6]), BITS)[0]!, 1e-6, 1e-6, 1e-6];
    const claim = rounded({
      step: 50,
      weights: [f([0, 0, 0, 0]), f([0, 0])],
      slots: [
        [f(m), f([0, 0])],
        [f([1e-6, 1e-6, 1e-6, 1e-6]), f([0, 0])],
      ],
    });
    const replay: TranscriptState = {
      ...claim,
      slots: [[f([m[0]! * 1.1, ...claim.slots[0]![0]!.slice(1)]), claim.slots[0]![1]!], claim.slots[1]!],
    };
    const adam = compareStates(replay, claim, { settings, params, optimizer: 'adam' });
    expect(adam).toMatchObject({ replays: true, inBand: 1 });
    expect(adam.maxDeviation).toBeLessThan(2e-4);
    expect(compareStates(replay, claim, { settings, params }).replays).toBe(true); // two slot groups: Adam
    // Without that rule (a momentum slot is measured on its tensor's scale) it fails.
    const plain = compareStates(replay, claim, { settings, params, optimizer: 'sgd' });
    expect(plain.replays).toBe(false);
    expect(plain.failures[0]).toMatchObject({ tensor: 'slot 0 layers[0].kernel', index: 0 });
    expect(() =>
      compareStates(
        { ...replay, slots: [replay.slots[0]!] },
        { ...claim, slots: [claim.slots[0]!] },
        { settings, params, optimizer: 'adam' },
      ),
    ).toThrow(/Adam state has 2 slot groups/);
  });

  it('fails claims off the grid, non-finite replays, a wrong step counter; lists at most maxFailures', () => {
    const r = base();
    const claim = rounded(r);
    claim.weights[0]![0] = Math.fround(0.3); // not on the 8-bit grid
    claim.slots[0]![1]![1] = -0; // -0 is not canonical
    const check = compareStates(r, claim, { settings, params });
    expect(check.failures.map((x) => [x.tensor, x.index, x.reason])).toEqual([
      ['weights layers[0].kernel', 0, 'off-grid'],
      ['slot 0 layers[0].bias', 1, 'off-grid'],
    ]);
    expect(check.maxDeviation).toBe(Infinity);

    const nan = base();
    nan.weights[1]![0] = NaN;
    const n = compareStates(nan, rounded(base()), { settings, params });
    expect(n.failures[0]).toMatchObject({ tensor: 'weights layers[0].bias', index: 0, reason: 'outside-tolerance' });

    const wrongStep = compareStates({ ...r, step: 49 }, rounded(r), { settings, params });
    expect(wrongStep).toMatchObject({ replays: false, failed: 0, claimedStep: 50, replayedStep: 49 });

    const moved = rounded(r);
    moved.weights[0] = moved.weights[0]!.map((x) => x * 4);
    moved.slots[0]![0] = moved.slots[0]![0]!.map((x) => x * 4);
    const many = compareStates(r, moved, { settings, params, maxFailures: 3 });
    // Every coordinate at its tensor's scale; 1e-30 (weights) and 1e-6, 2e-8 (moments) moved by
    // 3x their value are still far below their tensor's RMS times the tolerance.
    expect(many.failed).toBe(4);
    expect(many.failures.map((x) => x.index)).toEqual([0, 1, 3]);
    expect(many.failures).toHaveLength(3);
  });

  describe('outlier budget (docs/transcript.md section 5)', () => {
    // A hidden unit's kernel column: 64 inputs x 8 units, as in the digits model's first layer.
    const colParams: ParamShape[] = [
      { layer: 1, name: 'kernel', shape: [64, 8] },
      { layer: 1, name: 'bias', shape: [8] },
    ];
    const honest = (): TranscriptState => {
      const w = Float32Array.from({ length: 512 }, (_, i) => 0.05 + 0.9 * (((i * 37) % 101) / 101) * (i % 2 ? 1 : -1));
      const b = Float32Array.from({ length: 8 }, (_, i) => 0.01 * (i + 1));
      return { step: 50, weights: [w, b], slots: [] };
    };
    // The replay of a segment in which unit 3's ReLU flipped for one sample on the other backend:
    // `count` values of its column moved by `rel` of the tensor's scale.
    const flipped = (claim: TranscriptState, count: number, rel: number): TranscriptState => {
      const r: TranscriptState = { step: 50, weights: claim.weights.map((t) => t.slice()), slots: [] };
      const scale = tensorScale(claim.weights[0]!);
      for (let k = 0; k < count; k++) {
        const i = k * 8 + 3;
        // Past the claimed cell's upper boundary by `rel` of the scale.
        const { hi } = gridCell(claim.weights[0]![i]!, BITS);
        r.weights[0]![i] = hi + rel * Math.max(scale, Math.abs(hi));
      }
      return r;
    };
    const spec = { mantissaBits: BITS, tolerance: 1e-4, outlierShare: 0.05, outlierTolerance: 1e-2 };

    it('passes a ReLU flip that SPEC 8.3 as written fails (the measured honest false failure)', () => {
      const claim = rounded(honest());
      const replay = flipped(claim, 20, 3.7e-3); // measured: up to 46 coordinates at up to 3.66e-3
      // Every coordinate within the tolerance: fails.
      const strict = compareStates(replay, claim, {
        settings: { mantissaBits: BITS, tolerance: 1e-4 },
        params: colParams,
      });
      expect(strict).toMatchObject({ replays: false, failed: 20, outliers: 0, outlierBudget: 0 });
      const ok = compareStates(replay, claim, { settings: spec, params: colParams });
      expect(ok).toMatchObject({ replays: true, failed: 0, outliers: 20, outlierBudget: 26, failures: [] });
      expect(ok.maxDeviation).toBeGreaterThan(3.6e-3);
      expect(ok.maxDeviation).toBeLessThan(1e-2);
    });

    it('fails a segment with more outliers than its budget, listing them as over-budget', () => {
      const claim = rounded(honest());
      const replay = flipped(claim, 27, 3e-3);
      const check = compareStates(replay, claim, { settings: spec, params: colParams, maxFailures: 5 });
      expect(check).toMatchObject({ replays: false, failed: 0, outliers: 27, outlierBudget: 26 });
      expect(check.failures).toHaveLength(5);
      expect(check.failures.every((f) => f.reason === 'over-budget' && f.tensor === 'weights layers[1].kernel')).toBe(
        true,
      );
      expect(check.failures.map((f) => f.index)).toEqual([3, 11, 19, 27, 35]);
      // One fewer fits.
      expect(compareStates(flipped(claim, 26, 3e-3), claim, { settings: spec, params: colParams }).replays).toBe(true);
    });

    it('fails any coordinate beyond the outlier tolerance, whatever the budget', () => {
      const claim = rounded(honest());
      const replay = flipped(claim, 1, 1.2e-2);
      const check = compareStates(replay, claim, { settings: spec, params: colParams });
      expect(check).toMatchObject({ replays: false, failed: 1, outliers: 0 });
      expect(check.failures[0]).toMatchObject({ index: 3, reason: 'outside-tolerance' });
      expect(check.failures[0]!.deviation).toBeCloseTo(1.2e-2, 5);
      // An outlier tolerance below the tolerance is taken as the tolerance (no outliers at all).
      const narrow = compareStates(flipped(claim, 1, 5e-5), claim, {
        settings: { ...spec, tolerance: 1e-4, outlierTolerance: 0 },
        params: colParams,
      });
      expect(narrow).toMatchObject({ replays: true, inBand: 1, outliers: 0 });
    });
  });
});
