import { describe, expect, it } from 'vitest';
import { WAD, absDiff, bitLength, floorDiv, mulDiv, sMulWad, sum } from '../../../src/lib/protocol/wad.ts';

describe('wad helpers', () => {
  it('mulDiv floors the full-precision product', () => {
    expect(mulDiv(7n, 3n, 2n)).toBe(10n);
    expect(mulDiv(2n ** 200n, 2n ** 200n, 2n ** 300n)).toBe(2n ** 100n);
    expect(mulDiv(WAD - 1n, WAD - 1n, WAD)).toBe(WAD - 2n);
  });

  it('mulDiv rejects negative operands and a zero divisor', () => {
    expect(() => mulDiv(-1n, 1n, 1n)).toThrow(RangeError);
    expect(() => mulDiv(1n, 1n, 0n)).toThrow(RangeError);
  });

  it('sMulWad truncates toward zero like solady sMulWad', () => {
    expect(sMulWad(3n, WAD / 2n)).toBe(1n);
    expect(sMulWad(-3n, WAD / 2n)).toBe(-1n);
    expect(sMulWad(-WAD, 3n * WAD)).toBe(-3n * WAD);
  });

  it('floorDiv rounds toward negative infinity', () => {
    expect(floorDiv(7n, 2n)).toBe(3n);
    expect(floorDiv(-7n, 2n)).toBe(-4n);
    expect(floorDiv(-8n, 2n)).toBe(-4n);
    expect(() => floorDiv(1n, 0n)).toThrow(RangeError);
  });

  it('bitLength counts binary digits, 0 for 0', () => {
    expect(bitLength(0n)).toBe(0);
    expect(bitLength(1n)).toBe(1);
    expect(bitLength(2n ** 128n - 1n)).toBe(128);
    expect(bitLength(2n ** 128n)).toBe(129);
  });

  it('absDiff and sum', () => {
    expect(absDiff(3n, 10n)).toBe(7n);
    expect(absDiff(10n, 3n)).toBe(7n);
    expect(sum([])).toBe(0n);
    expect(sum([1n, 2n, 3n])).toBe(6n);
  });
});
