import { describe, expect, it } from 'vitest';
import { fitLogTokens, tokensFor } from '../../../scripts/lib/lm/budget-fit.ts';

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
