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

export type BarTrend =
  /** The last point is above the run's best: the curve has turned (overfitting), no line is drawn. */
  | { kind: 'turned' }
  /** The line through the last points does not fall. */
  | { kind: 'flat' }
  /** The line through the last `fit.n` points reaches the bar at `tokens`. */
  | { kind: 'line'; fit: LogFit; tokens: number };

/**
 * Where a run that has not reached `bar` is heading, from its last `tail` points (in training
 * order). A line is only drawn while the run is still at its best: past a minimum the points rise
 * and a line through them says nothing about reaching a lower bar.
 */
export function trendToBar(points: readonly { tokens: number; bpb: number }[], bar: number, tail = 3): BarTrend {
  const last = points.at(-1);
  if (!last) throw new RangeError('a trend needs points');
  if (points.some((p) => p.bpb < last.bpb)) return { kind: 'turned' };
  if (points.length < 2) return { kind: 'flat' };
  const fit = fitLogTokens(points.slice(-tail));
  const tokens = tokensFor(fit, bar);
  return tokens === null ? { kind: 'flat' } : { kind: 'line', fit, tokens };
}
