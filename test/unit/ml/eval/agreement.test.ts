// The functional-similarity measures (src/lib/ml/eval/agreement.ts): the pure parts here, and the
// model part on a real digits-mlp whose hidden units are permuted and rescaled (the same function
// with other weights: the weights' cosine moves, these do not).
import { beforeAll, describe, expect, it } from 'vitest';
import {
  blendProbes,
  functionalAgreement,
  logitCorrelation,
  predictionAgreement,
  probeData,
  probeInputs,
} from '../../../../src/lib/ml/eval/agreement.ts';
import { cosineSimilarity } from '../../../../src/lib/ml/similarity.ts';
import { specShapes } from '../../../../src/lib/ml/spec/shapes.ts';
import { watermarkKernelIndex } from '../../../../src/lib/ml/watermark/extract.ts';
import { benchKey, symmetryLayers, transformUnits, unitCount } from '../../../../scripts/lib/watermark-attacks.ts';
import { loadDigits, trainHonest } from '../../../integration/support/thieves.ts';
import { useBackend } from '../engine/helpers.ts';

beforeAll(() => useBackend('cpu'));

describe('pure measures', () => {
  it('counts the same classes', () => {
    expect(predictionAgreement([1, 2, 3, 4], [1, 2, 0, 4])).toBe(0.75);
    expect(() => predictionAgreement([1], [1, 2])).toThrow(RangeError);
    expect(() => predictionAgreement([], [])).toThrow(/no predictions/);
  });

  it('correlates centred logits: a shift per sample and a common scale change nothing, a reversal gives -1', () => {
    const a = Float32Array.from([1, 2, 3, 0, 5, 1]);
    const shifted = Float32Array.from([11, 12, 13, -4, 1, -3]);
    expect(logitCorrelation(a, shifted, 3)).toBeCloseTo(1, 12);
    expect(
      logitCorrelation(
        a,
        a.map((x) => 2 * x),
        3,
      ),
    ).toBeCloseTo(1, 12);
    expect(
      logitCorrelation(
        a,
        a.map((x) => -x),
        3,
      ),
    ).toBeCloseTo(-1, 12);
    expect(() => logitCorrelation(a, Float32Array.from([1, 1, 1, 2, 2, 2]), 3)).toThrow(/same logit/);
  });

  it('draws the same probes from the same seed and other probes from another, in range', () => {
    const p = probeInputs('s', 10, 4, 0, 1);
    expect(p).toEqual(probeInputs('s', 10, 4, 0, 1));
    expect(p).not.toEqual(probeInputs('t', 10, 4, 0, 1));
    expect(Math.min(...p)).toBeGreaterThanOrEqual(0);
    expect(Math.max(...p)).toBeLessThan(1);
    const data = Float32Array.from([0, 0, 1, 1]);
    const b = blendProbes('s', 20, data, 2);
    // Blends of (0,0) and (1,1) stay on the diagonal, inside the segment.
    for (let i = 0; i < 20; i++) {
      expect(b[2 * i]).toBe(b[2 * i + 1]);
      expect(b[2 * i]).toBeGreaterThanOrEqual(0);
      expect(b[2 * i]).toBeLessThanOrEqual(1);
    }
  });
});

describe('on a trained digits model', () => {
  it('a permuted and rescaled copy is the same function: the cosine falls, agreement and logit correlation stay 1', async () => {
    const d = await loadDigits();
    const w = await trainHonest(d, benchKey(64, 128, 'agreement'), `0x${'1'.padStart(40, '0')}`, 3, 5);
    const params = specShapes(d.spec).params;
    const ctx = { spec: d.spec, wm: d.spec.watermark!, params, kernel: watermarkKernelIndex(d.spec, params) };
    let moved: Float32Array[] = w.map((x) => new Float32Array(x));
    for (const s of symmetryLayers(ctx)) {
      const U = unitCount(ctx, s.layer);
      const perm = Uint32Array.from({ length: U }, (_, k) => (k * 7 + 3) % U);
      moved = transformUnits(
        ctx,
        moved,
        s.layer,
        perm,
        Float64Array.from({ length: U }, (_, k) => 0.5 + (k % 5)),
      );
    }
    expect(cosineSimilarity(w, moved)).toBeLessThan(0.5);
    const probes = probeData(probeInputs('unit', 200, 64, 0, 1), 64);
    const f = await functionalAgreement(d.spec, w, moved, { eval: d.eval, probes });
    expect(f.eval).toBe(1);
    expect(f.probes).toBe(1);
    expect(f.probeLogits).toBeGreaterThan(0.9999);
    expect(f.evalLogits).toBeGreaterThan(0.9999);
  });
});
