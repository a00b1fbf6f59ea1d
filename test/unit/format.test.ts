import { describe, expect, it } from 'vitest';
import {
  formatAge,
  formatDuration,
  formatTokens,
  formatWad,
  formatWadPercent,
  shortHex,
} from '../../src/lib/format.ts';

describe('formatTokens', () => {
  it.each([
    [0n, '0'],
    [10n ** 18n, '1'],
    [1234567n * 10n ** 18n, '1,234,567'],
    [1_500_000_000_000_000_000n, '1.5'],
    [1_239_000_000_000_000_000n, '1.239'],
    [1_299_999_900_000_000_000_000n, '1,299.9999'],
    [1_299_999_950_000_000_000_000n, '1,300'],
    [1n, '<0.0001'],
    [-1n, '>-0.0001'],
    [-2n * 10n ** 18n, '-2'],
    [-1_234_560_000_000_000_000n, '-1.2346'],
  ])('%i wei is %s', (wei, text) => {
    expect(formatTokens(wei)).toBe(text);
  });

  it('rounds rather than truncates, so rounded parts add up to the rounded sum', () => {
    expect(formatTokens(1_999_950_000_000_000_000n)).toBe('2');
    expect(formatTokens(1_999_949_999_999_999_999n)).toBe('1.9999');
    expect(formatTokens(1_999_900_000_000_000_000n, 3)).toBe('2');
    // Three thirds of 1 ARENA (rounded each) and their sum.
    const third = 10n ** 18n / 3n;
    expect(formatTokens(third)).toBe('0.3333');
    expect(formatTokens(3n * third)).toBe('1');
  });
});

describe('formatDuration', () => {
  it.each([
    [-5, '0 s'],
    [0, '0 s'],
    [59.9, '59 s'],
    [60, '1 min 00 s'],
    [245, '4 min 05 s'],
    [3_600, '1 h 00 min'],
    [7_620, '2 h 07 min'],
    [86_400 * 3 + 3_600 * 4 + 5, '3 d 4 h'],
  ])('%d s is %s', (s, text) => {
    expect(formatDuration(s)).toBe(text);
  });
});

describe('shortHex', () => {
  it('shortens long hex and keeps short hex whole', () => {
    expect(shortHex('0x1234567890abcdef')).toBe('0x1234…cdef');
    expect(shortHex('0x123456789')).toBe('0x123456789');
  });
});

describe('formatWad', () => {
  it.each([
    [0n, 4, '0.0000'],
    [9n * 10n ** 17n, 4, '0.9000'],
    [646666666666666666n, 4, '0.6466'],
    [10n ** 18n, 2, '1.00'],
    [20n * 10n ** 18n, 1, '20.0'],
    [-5n * 10n ** 16n, 2, '-0.05'],
    [123n * 10n ** 16n, 0, '1'],
  ])('%s with %i decimals is %s (truncated)', (wad, decimals, text) => {
    expect(formatWad(wad, decimals)).toBe(text);
  });
  it('writes percentages with one decimal', () => {
    expect(formatWadPercent(705n * 10n ** 15n)).toBe('70.5 %');
  });
});

describe('formatAge', () => {
  it.each([
    [0, 'just now'],
    [42, '42 s ago'],
    [300, '5 min ago'],
    [7_300, '2 h ago'],
    [200_000, '2 d ago'],
  ])('%i s is %s', (s, text) => {
    expect(formatAge(s)).toBe(text);
  });
});
