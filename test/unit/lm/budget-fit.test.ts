import { describe, expect, it } from 'vitest';
import { fitLogTokens, tokensFor, trendToBar } from '../../../scripts/lib/lm/budget-fit.ts';

describe('fitLogTokens', () => {
  it('recovers a line in ln(tokens) and inverts it', () => {
    const line = (t: number) => 3 - 0.5 * Math.log(t / 1e6);
    const pts = [0.25e6, 0.6e6, 1.2e6, 2.5e6].map((tokens) => ({ tokens, bpb: line(tokens) }));
    const fit = fitLogTokens(pts);
    expect(fit.a).toBeCloseTo(3, 10);
    expect(fit.b).toBeCloseTo(-0.5, 10);
    expect(fit.maxResidual).toBeLessThan(1e-12);
    // 3 - 0.5 ln(x) = 2  =>  x = e^2 million tokens.
    expect(tokensFor(fit, 2)! / 1e6).toBeCloseTo(Math.exp(2), 8);
  });

  it('reports the largest residual of noisy points', () => {
    const fit = fitLogTokens([
      { tokens: 1e6, bpb: 3.1 },
      { tokens: Math.E * 1e6, bpb: 2.4 },
      { tokens: Math.E ** 2 * 1e6, bpb: 2.1 },
    ]);
    // Least squares through x = 0, 1, 2: b = -0.5, a = 3.0333...
    expect(fit.b).toBeCloseTo(-0.5, 10);
    expect(fit.a).toBeCloseTo(7.6 / 3 + 0.5, 10);
    // Fitted 3.0333, 2.5333, 2.0333: residuals 0.0667, -0.1333, 0.0667.
    expect(fit.maxResidual).toBeCloseTo(0.4 / 3, 10);
  });

  it('says never when bits per byte do not fall, and rejects degenerate input', () => {
    expect(
      tokensFor(
        fitLogTokens([
          { tokens: 1e6, bpb: 3 },
          { tokens: 2e6, bpb: 3.2 },
        ]),
        2,
      ),
    ).toBeNull();
    expect(() => fitLogTokens([{ tokens: 1e6, bpb: 3 }])).toThrow(RangeError);
    expect(() =>
      fitLogTokens([
        { tokens: 1e6, bpb: 3 },
        { tokens: 1e6, bpb: 2 },
      ]),
    ).toThrow(/distinct/);
    expect(() =>
      fitLogTokens([
        { tokens: 0, bpb: 3 },
        { tokens: 1e6, bpb: 2 },
      ]),
    ).toThrow(/tokens > 0/);
  });
});

describe('trendToBar', () => {
  it('draws no line once the curve has turned (the dropout run that bottomed out at 1.81 epochs)', () => {
    // docs/bench/train.md, solidity-gpt-dropout at 40 / 50 min / end of training: a line through
    // these falls slightly and "reached" per-file gzip (1.705) at 649 M tokens.
    const pts = [
      { tokens: 5_251_072, bpb: 1.799 },
      { tokens: 6_602_752, bpb: 1.766 },
      { tokens: 7_290_880, bpb: 1.802 },
    ];
    expect(tokensFor(fitLogTokens(pts), 1.705)! / 1e6).toBeGreaterThan(600);
    expect(trendToBar(pts, 1.705)).toEqual({ kind: 'turned' });
  });

  it('extrapolates a run still at its best through its last points only', () => {
    const line = (t: number) => 2.657 - 0.707 * Math.log(t / 1e6);
    const pts = [
      { tokens: 0.3e6, bpb: 4.5 },
      ...[1.9e6, 2.6e6, 3.3e6].map((tokens) => ({ tokens, bpb: line(tokens) })),
    ];
    const t = trendToBar(pts, 1.705);
    expect(t.kind).toBe('line');
    if (t.kind !== 'line') return;
    expect(t.fit.n).toBe(3);
    expect(t.tokens / 1e6).toBeCloseTo(Math.exp((2.657 - 1.705) / 0.707), 6);
  });

  it('says flat when the last points do not fall, and needs points', () => {
    expect(trendToBar([{ tokens: 1e6, bpb: 2 }], 1.7)).toEqual({ kind: 'flat' });
    expect(
      trendToBar(
        [
          { tokens: 1e6, bpb: 1.9 },
          { tokens: 2e6, bpb: 1.9 },
        ],
        1.7,
      ),
    ).toEqual({ kind: 'flat' });
    expect(() => trendToBar([], 1.7)).toThrow(RangeError);
  });
});
