// The canonical grid (docs/transcript.md section 2): bit-exact rounding on edge cases and against
// an independent float64 reference on random bit patterns of every binade.
import { describe, expect, it } from 'vitest';
import { TranscriptError } from '../../../../src/lib/ml/transcript/errors.ts';
import { gridCell, onGrid, roundArray, roundToGrid } from '../../../../src/lib/ml/transcript/round.ts';

const f32 = (x: number) => Math.fround(x);
const bitsOf = (x: number) => new Uint32Array(new Float32Array([x]).buffer)[0]!;
const fromBits = (u: number) => new Float32Array(new Uint32Array([u >>> 0]).buffer)[0]!;

/** Reference: scale to an integer grid in float64, round half to even, scale back. */
function reference(x: number, bits: number): number {
  if (x === 0) return 0;
  const e = Math.max(Math.floor(Math.log2(Math.abs(x))), -126);
  // log2 may be off by one at binade edges; fix the exponent exactly.
  let exp = e;
  while (exp > -126 && 2 ** exp > Math.abs(x)) exp--;
  while (2 ** (exp + 1) <= Math.abs(x)) exp++;
  const q = 2 ** (exp - bits);
  const n = x / q; // exact: x has at most 24 significant bits
  const fl = Math.floor(n);
  const frac = n - fl;
  const k = frac > 0.5 ? fl + 1 : frac < 0.5 ? fl : fl % 2 === 0 ? fl : fl + 1;
  const r = k * q;
  return r === 0 ? 0 : r;
}

describe('roundToGrid', () => {
  it('keeps grid values, powers of two and zero; makes -0 into +0', () => {
    for (const x of [1, 2, 0.5, 2 ** -126, 2 ** 127, -4, 1 + 2 ** -10, 3.5]) expect(roundToGrid(x, 10)).toBe(x);
    expect(Object.is(roundToGrid(-0, 10), 0)).toBe(true);
    expect(Object.is(roundToGrid(-0, 23), 0)).toBe(true);
    expect(Object.is(roundToGrid(0, 10), 0)).toBe(true);
  });

  it('23 bits is the identity on float32 values (except -0)', () => {
    for (const x of [0.1, -0.3, 1e-40, 3.4e38, -1.17549435e-38]) expect(roundToGrid(x, 23)).toBe(f32(x));
  });

  it('rounds halfway values to the even neighbour, others to the nearest', () => {
    const u = 2 ** -10; // grid step in [1, 2) at 10 bits
    expect(roundToGrid(1 + u / 2, 10)).toBe(1); // tie, 1 is even
    expect(roundToGrid(1 + 1.5 * u, 10)).toBe(1 + 2 * u); // tie, k = 2 is even
    expect(roundToGrid(1 + 2.5 * u, 10)).toBe(1 + 2 * u);
    expect(roundToGrid(1 + u / 2 + 2 ** -23, 10)).toBe(1 + u); // just above the tie
    expect(roundToGrid(1 + 1.5 * u - 2 ** -23, 10)).toBe(1 + u); // just below
    // Negative values mirror positive ones.
    expect(roundToGrid(-(1 + 1.5 * u), 10)).toBe(-(1 + 2 * u));
    expect(roundToGrid(-(1 + u / 2 + 2 ** -23), 10)).toBe(-(1 + u));
  });

  it('carries into the next binade, and the grid below a power of two is twice as fine', () => {
    expect(roundToGrid(2 - 2 ** -23, 10)).toBe(2);
    expect(roundToGrid(2 - 2 ** -11, 10)).toBe(2); // tie between 2 - 2^-10 (odd) and 2 (even)
    expect(roundToGrid(2 - 2 ** -11 - 2 ** -22, 10)).toBe(2 - 2 ** -10);
    expect(roundToGrid(-(2 - 2 ** -23), 4)).toBe(-2);
  });

  it('rounds subnormals on the smallest binade spacing and carries into the normals', () => {
    // 10 bits: subnormal spacing 2^-136.
    expect(roundToGrid(2 ** -149, 10)).toBe(0);
    expect(Object.is(roundToGrid(-(2 ** -149), 10), 0)).toBe(true);
    expect(roundToGrid(2 ** -137, 10)).toBe(0); // tie with 0 (even)
    expect(roundToGrid(3 * 2 ** -137, 10)).toBe(2 ** -135); // tie, even neighbour
    expect(roundToGrid(2 ** -137 + 2 ** -149, 10)).toBe(2 ** -136);
    expect(roundToGrid(2 ** -126 - 2 ** -149, 10)).toBe(2 ** -126);
    expect(roundToGrid(-(2 ** -126 - 2 ** -149), 10)).toBe(-(2 ** -126));
  });

  it('refuses NaN, the infinities, and values that round past the largest float32', () => {
    for (const x of [NaN, Infinity, -Infinity]) {
      expect(() => roundToGrid(x, 10)).toThrow(TranscriptError);
      expect(() => roundToGrid(x, 10)).toThrow(/NaN|infinite/);
    }
    const max = fromBits(0x7f7f_ffff);
    expect(() => roundToGrid(max, 10)).toThrow(/past the largest float32/);
    expect(() => roundToGrid(-max, 10)).toThrow(/past the largest float32/);
    expect(roundToGrid(max, 23)).toBe(max);
    const top = (2 - 2 ** -10) * 2 ** 127;
    expect(roundToGrid(top, 10)).toBe(top);
    expect(() => roundToGrid(1, 24)).toThrow(RangeError);
    expect(() => roundToGrid(1, -1)).toThrow(RangeError);
  });

  it('matches a float64 reference on random bit patterns of every binade and bit count', () => {
    let s = 12345;
    const next = () => {
      s = (Math.imul(s ^ (s >>> 15), 0x2c1b3c6d) + 0x9e3779b9) >>> 0;
      return s;
    };
    let checked = 0;
    for (let i = 0; i < 20000; i++) {
      const u = next();
      if ((u & 0x7f80_0000) === 0x7f80_0000) continue;
      const x = fromBits(u);
      const bits = 2 + (next() % 22);
      let want: number;
      try {
        want = reference(x, bits);
      } catch {
        continue;
      }
      if (Math.abs(want) > 3.4028234663852886e38) {
        expect(() => roundToGrid(x, bits)).toThrow(TranscriptError);
      } else {
        expect(roundToGrid(x, bits), `x=${x} (0x${u.toString(16)}) bits=${bits}`).toBe(want);
      }
      checked++;
    }
    expect(checked).toBeGreaterThan(19000);
  });
});

describe('roundArray, onGrid, gridCell', () => {
  it('roundArray equals roundToGrid per element, copies, and names the bad element', () => {
    const xs = new Float32Array([0.1, -0.2, 1e-39, -0, 3, 1 + 2 ** -9]);
    const out = roundArray(xs, 8);
    expect(out).not.toBe(xs);
    expect(Array.from(out)).toEqual(Array.from(xs).map((x) => roundToGrid(x, 8)));
    expect(xs[0]).toBe(f32(0.1)); // input untouched
    expect(() => roundArray(new Float32Array([1, 2, NaN]), 8, 'w')).toThrow(/w\[2\] \(NaN\) is NaN/);
  });

  it('onGrid accepts rounded values only', () => {
    expect(onGrid(roundToGrid(0.1, 8), 8)).toBe(true);
    expect(onGrid(f32(0.1), 8)).toBe(false);
    expect(onGrid(0.1, 23)).toBe(false); // not a float32
    expect(onGrid(f32(0.1), 23)).toBe(true);
    expect(onGrid(-0, 8)).toBe(false);
    expect(onGrid(0, 8)).toBe(true);
    expect(onGrid(NaN, 8)).toBe(false);
    expect(onGrid(Infinity, 8)).toBe(false);
  });

  it('cells tile the line: each ends where the next begins, and round back to their value', () => {
    expect(gridCell(2, 10)).toEqual({ lo: 2 - 2 ** -11, hi: 2 + 2 ** -10 });
    expect(gridCell(-2, 10)).toEqual({ lo: -(2 + 2 ** -10), hi: -(2 - 2 ** -11) });
    expect(gridCell(0, 10)).toEqual({ lo: -(2 ** -137), hi: 2 ** -137 });
    expect(gridCell(2 ** -126, 10)).toEqual({ lo: 2 ** -126 - 2 ** -137, hi: 2 ** -126 + 2 ** -137 });
    let s = 99;
    for (let i = 0; i < 2000; i++) {
      s = (Math.imul(s ^ (s >>> 15), 0x2c1b3c6d) + 0x9e3779b9) >>> 0;
      const bits = 2 + (s % 22);
      const drop = 23 - bits;
      const mag = (s >>> 1) & 0x7f7f_ffff & ~((1 << drop) - 1);
      const c = fromBits(mag);
      const up = fromBits(mag + (1 << drop));
      if (!Number.isFinite(up) || bitsOf(up) >= 0x7f80_0000) continue;
      const a = gridCell(c, bits);
      const b = gridCell(up, bits);
      expect(a.hi).toBe(b.lo);
      const inside = f32(c + (a.hi - c) / 2);
      if (inside !== c) expect(roundToGrid(inside, bits)).toBe(c);
      if (c !== 0) expect(gridCell(-c, bits)).toEqual({ lo: -a.hi, hi: -a.lo });
    }
    expect(() => gridCell(f32(0.1), 8)).toThrow(/not on the grid/);
  });
});
