import { describe, expect, it } from 'vitest';
import { formatWad, formatWadCompact, parseWad } from '../../../src/lib/protocol/decimal.ts';
import { InputError } from '../../../src/lib/protocol/errors.ts';

describe('parseWad', () => {
  it.each([
    ['1000.5', 1000500000000000000000n],
    ['0', 0n],
    ['0.7', 700000000000000000n],
    ['1', 1000000000000000000n],
    ['0.000000000000000001', 1n],
    ['007.50', 7500000000000000000n],
    ['79228162514.264337593543950335', 2n ** 96n - 1n],
  ])('parses %s exactly', (text, wei) => {
    expect(parseWad(text, 'x')).toBe(wei);
  });

  it('accepts a minus sign only when asked to', () => {
    expect(parseWad('-1.5', 'x', { signed: true })).toBe(-1500000000000000000n);
    expect(() => parseWad('-1.5', 'amount')).toThrow('amount: must not be negative');
  });

  it.each([
    ['', 'must not be empty'],
    ['1.0000000000000000001', 'more than 18 fractional digits'],
    ['1e18', 'not a plain decimal'],
    ['+1', 'not a plain decimal'],
    ['.5', 'not a plain decimal'],
    ['5.', 'not a plain decimal'],
    [' 1', 'not a plain decimal'],
    ['1,5', 'not a plain decimal'],
    ['0x10', 'not a plain decimal'],
    ['abc', 'not a plain decimal'],
  ])('rejects %j', (text, message) => {
    expect(() => parseWad(text, 'trainers[2].stake')).toThrow(InputError);
    expect(() => parseWad(text, 'trainers[2].stake')).toThrow(`trainers[2].stake: `);
    expect(() => parseWad(text, 'trainers[2].stake')).toThrow(message);
  });

  it.each([[1.5], [null], [undefined], [[]], [{}], [true]])('rejects the non-string %j', (value) => {
    expect(() => parseWad(value, 'params.q')).toThrow(/^params\.q: must be a decimal string/);
  });
});

describe('formatWad', () => {
  it('always writes 18 decimals', () => {
    expect(formatWad(10n ** 18n)).toBe('1.000000000000000000');
    expect(formatWad(0n)).toBe('0.000000000000000000');
    expect(formatWad(1n)).toBe('0.000000000000000001');
    expect(formatWad(-1500000000000000000n)).toBe('-1.500000000000000000');
  });

  it('round-trips with parseWad', () => {
    let seed = 12345n;
    for (let i = 0; i < 500; i++) {
      seed = (seed * 6364136223846793005n + 1442695040888963407n) % 2n ** 64n;
      const wei = (seed * seed) % 2n ** 100n;
      expect(parseWad(formatWad(wei), 'x')).toBe(wei);
      expect(parseWad(formatWad(-wei), 'x', { signed: true })).toBe(-wei);
    }
  });

  it('has a compact form for messages', () => {
    expect(formatWadCompact(50n * 10n ** 18n)).toBe('50');
    expect(formatWadCompact(5n * 10n ** 17n)).toBe('0.5');
    expect(formatWadCompact(0n)).toBe('0');
  });
});
