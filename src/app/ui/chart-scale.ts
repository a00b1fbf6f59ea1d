// Axis math for the SVG charts: linear scales and "nice" ticks (1, 2, 5 times a power of ten).
// Pure, so the charts' geometry is testable without a browser.

export type Scale = (v: number) => number;

/** Maps [d0, d1] onto [r0, r1]; a zero-width domain maps everything to the range's middle. */
export function linearScale([d0, d1]: readonly [number, number], [r0, r1]: readonly [number, number]): Scale {
  if (d1 === d0) return () => (r0 + r1) / 2;
  const k = (r1 - r0) / (d1 - d0);
  return (v) => r0 + (v - d0) * k;
}

/** A tick step near (max - min) / count, rounded to 1, 2 or 5 times a power of ten. */
export function niceStep(min: number, max: number, count: number): number {
  const span = Math.abs(max - min);
  if (!(span > 0) || !Number.isFinite(span)) return 1;
  const raw = span / Math.max(1, count);
  const power = 10 ** Math.floor(Math.log10(raw));
  // Tolerance: 0.64 - 0.61 is 0.030000000000000027, which must still step by 0.01.
  const f = raw / power - 1e-9;
  return (f <= 1 ? 1 : f <= 2 ? 2 : f <= 5 ? 5 : 10) * power;
}

/** Ticks covering [min, max] at a nice step; the domain to draw is [first, last]. */
export function niceTicks(min: number, max: number, count = 5): number[] {
  if (min === max) return [min];
  const step = niceStep(min, max, count);
  const first = Math.floor(min / step + 1e-9) * step;
  const last = Math.ceil(max / step - 1e-9) * step;
  const out: number[] = [];
  for (let v = first; v <= last + step * 1e-9; v += step) out.push(roundTo(v, step));
  return out;
}

/** Integer ticks for an axis of whole numbers (epochs): every one when few, else a nice step. */
export function integerTicks(min: number, max: number, maxTicks = 8): number[] {
  const lo = Math.floor(min);
  const hi = Math.ceil(max);
  const step = Math.max(1, Math.ceil(niceStep(lo, hi, maxTicks)));
  const out: number[] = [];
  for (let v = Math.ceil(lo / step) * step; v <= hi; v += step) out.push(v);
  if (out.length === 0) out.push(lo);
  return out;
}

/** The [min, max] of all values, or the fallback when there are none. */
export function extent(values: readonly number[], fallback: [number, number] = [0, 1]): [number, number] {
  if (values.length === 0) return fallback;
  let lo = Infinity;
  let hi = -Infinity;
  for (const v of values) {
    if (v < lo) lo = v;
    if (v > hi) hi = v;
  }
  return [lo, hi];
}

/** SVG path through points, in order; skips nothing (callers sort by x). */
export function linePath(points: readonly { x: number; y: number }[], sx: Scale, sy: Scale): string {
  return points.map((p, i) => `${i === 0 ? 'M' : 'L'}${fmt(sx(p.x))} ${fmt(sy(p.y))}`).join(' ');
}

const fmt = (v: number) => (Math.round(v * 100) / 100).toString();

function roundTo(v: number, step: number): number {
  const decimals = Math.max(0, -Math.floor(Math.log10(step)) + 1);
  return Number(v.toFixed(decimals));
}
