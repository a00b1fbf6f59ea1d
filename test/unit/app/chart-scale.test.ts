import { describe, expect, it } from 'vitest';
import { extent, integerTicks, linearScale, linePath, niceStep, niceTicks } from '../../../src/app/ui/chart-scale.ts';

describe('linearScale', () => {
  it('maps the domain onto the range, inverted ranges too', () => {
    const s = linearScale([0, 1], [200, 0]);
    expect(s(0)).toBe(200);
    expect(s(1)).toBe(0);
    expect(s(0.25)).toBe(150);
  });
  it('puts a zero-width domain in the middle', () => {
    expect(linearScale([3, 3], [0, 100])(3)).toBe(50);
  });
});

describe('ticks', () => {
  it('steps by 1, 2 or 5 times a power of ten', () => {
    expect(niceStep(0, 1, 5)).toBe(0.2);
    expect(niceStep(0, 100, 5)).toBe(20);
    expect(niceStep(0, 7, 5)).toBe(2);
    expect(niceStep(0, 0.03, 5)).toBe(0.01);
    expect(niceStep(5, 5, 5)).toBe(1);
  });
  it('covers the data with round values', () => {
    expect(niceTicks(0, 1)).toEqual([0, 0.2, 0.4, 0.6, 0.8, 1]);
    expect(niceTicks(0.12, 0.93)).toEqual([0, 0.2, 0.4, 0.6, 0.8, 1]);
    expect(niceTicks(0.61, 0.64, 3)).toEqual([0.61, 0.62, 0.63, 0.64]);
    expect(niceTicks(2, 2)).toEqual([2]);
  });
  it('gives whole epochs, thinned when there are many', () => {
    expect(integerTicks(0, 3)).toEqual([0, 1, 2, 3]);
    expect(integerTicks(0, 0)).toEqual([0]);
    expect(integerTicks(0, 100)).toEqual([0, 20, 40, 60, 80, 100]);
  });
  it('finds the extent or falls back', () => {
    expect(extent([3, -1, 2])).toEqual([-1, 3]);
    expect(extent([])).toEqual([0, 1]);
  });
});

describe('linePath', () => {
  it('draws through the points in order', () => {
    const sx = linearScale([0, 2], [0, 100]);
    const sy = linearScale([0, 1], [50, 0]);
    expect(
      linePath(
        [
          { x: 0, y: 0 },
          { x: 1, y: 0.5 },
          { x: 2, y: 1 },
        ],
        sx,
        sy,
      ),
    ).toBe('M0 50 L50 25 L100 0');
  });
});
