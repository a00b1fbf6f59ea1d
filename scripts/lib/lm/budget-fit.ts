// A straight line through bits per byte against ln(training tokens): the cheapest honest way to say
// how far a short run's trend would have to go to reach a bar. Pure; the caller labels the result
// as an extrapolation.

export interface LogFit {
  /** bpb at 1M tokens. */
  a: number;
  /** Change in bpb per unit of ln(tokens / 1M) (negative when training helps). */
  b: number;
  n: number;
  maxResidual: number;
}

const x = (tokens: number) => Math.log(tokens / 1e6);

/** Least squares of bpb = a + b ln(tokens / 1M); needs two or more distinct token counts. */
export function fitLogTokens(points: readonly { tokens: number; bpb: number }[]): LogFit {
  const n = points.length;
  if (n < 2) throw new RangeError(`a fit needs at least 2 points, got ${n}`);
  if (points.some((p) => !(p.tokens > 0) || !Number.isFinite(p.bpb)))
    throw new RangeError('every point needs tokens > 0 and a finite bpb');
  const mx = points.reduce((s, p) => s + x(p.tokens), 0) / n;
  const my = points.reduce((s, p) => s + p.bpb, 0) / n;
  const sxx = points.reduce((s, p) => s + (x(p.tokens) - mx) ** 2, 0);
  if (sxx === 0) throw new RangeError('the points need at least two distinct token counts');
  const b = points.reduce((s, p) => s + (x(p.tokens) - mx) * (p.bpb - my), 0) / sxx;
  const a = my - b * mx;
  const maxResidual = Math.max(...points.map((p) => Math.abs(p.bpb - (a + b * x(p.tokens)))));
  return { a, b, n, maxResidual };
}

/** Tokens at which the fitted line reaches `bpb`; null when it never does (b >= 0). */
export function tokensFor(fit: LogFit, bpb: number): number | null {
  if (fit.b >= 0) return null;
  return 1e6 * Math.exp((bpb - fit.a) / fit.b);
}
