// The canonical grid of SPEC 8.2 (docs/transcript.md section 2): a float32 keeps `bits` of its
// 23 explicit mantissa bits, rounded to nearest with ties to even, on the IEEE bit pattern. The
// grid continues through the subnormals with the spacing of the smallest binade, a carry out of
// the mantissa moves to the next binade, and zero is +0 (so equal states have equal bytes). NaN,
// the infinities, and values that round past the largest float32 are refused: a state must be
// finite. Integer arithmetic on the bits, so every platform rounds alike.
import { TranscriptError } from './errors.ts';

const SIGN = 0x8000_0000;
const EXP_MASK = 0x7f80_0000;
const MANTISSA_BITS = 23;

function checkBits(bits: number): void {
  if (!Number.isInteger(bits) || bits < 0 || bits > MANTISSA_BITS)
    throw new RangeError(`mantissa bits must be an integer in 0..${MANTISSA_BITS}, got ${bits}`);
}

/** Rounds one float32 bit pattern; throws on NaN/Infinity in or out. */
function roundWord(u: number, drop: number, where: () => string): number {
  if ((u & EXP_MASK) === EXP_MASK)
    throw new TranscriptError('nonfinite', `${where()} is ${u & 0x7f_ffff ? 'NaN' : 'infinite'}`);
  let mag = u & 0x7fff_ffff;
  if (drop > 0) {
    const lsb = (mag >>> drop) & 1;
    // Adding half-1 (+1 when the kept lsb is odd) and truncating is round-half-to-even.
    mag = ((mag + (1 << (drop - 1)) - 1 + lsb) >>> drop) << drop;
    if (mag >= EXP_MASK) throw new TranscriptError('nonfinite', `${where()} rounds past the largest float32`);
  }
  return mag === 0 ? 0 : ((u & SIGN) | mag) >>> 0;
}

const scratch = new Float32Array(1);
const scratchBits = new Uint32Array(scratch.buffer);

/** `x` (taken as float32) on the grid of `bits` mantissa bits. */
export function roundToGrid(x: number, bits: number): number {
  checkBits(bits);
  scratch[0] = x;
  scratchBits[0] = roundWord(scratchBits[0]!, MANTISSA_BITS - bits, () => `value ${x}`);
  return scratch[0];
}

/** A rounded copy of `values`; `label` names the array in errors. */
export function roundArray(values: Float32Array, bits: number, label = 'value'): Float32Array {
  checkBits(bits);
  const out = new Float32Array(values);
  const words = new Uint32Array(out.buffer);
  const drop = MANTISSA_BITS - bits;
  for (let i = 0; i < words.length; i++) {
    words[i] = roundWord(words[i]!, drop, () => `${label}[${i}] (${values[i]})`);
  }
  return out;
}

/** Whether `x` is a finite float32 already on the grid (zero must be +0). */
export function onGrid(x: number, bits: number): boolean {
  checkBits(bits);
  scratch[0] = x;
  if (scratch[0] !== x && !Number.isNaN(x)) return false; // not a float32 at all
  const u = scratchBits[0]!;
  if ((u & EXP_MASK) === EXP_MASK) return false;
  if (u === SIGN) return false; // -0
  const drop = MANTISSA_BITS - bits;
  return drop === 0 || (u & ((1 << drop) - 1)) === 0;
}

/**
 * The closed interval of reals that round to grid value `c` (a finite float32 on the grid), in
 * float64 (exact: grid values and their midpoints need at most 26 significant bits). Ties at
 * the ends go to the even neighbour, which does not matter to a tolerance test.
 */
export function gridCell(c: number, bits: number): { lo: number; hi: number } {
  if (!onGrid(c, bits)) throw new RangeError(`${c} is not on the grid of ${bits} mantissa bits`);
  scratch[0] = c;
  const mag = scratchBits[0]! & 0x7fff_ffff;
  const exponent = mag >>> MANTISSA_BITS;
  const drop = MANTISSA_BITS - bits;
  // Spacing of the grid in c's binade; subnormals share the smallest normal binade's spacing.
  const step = 2 ** (Math.max(exponent, 1) - 150 + drop);
  const outward = step / 2;
  // Below a power of two (not the smallest normal) the grid is twice as fine.
  const inward = exponent > 1 && (mag & 0x7f_ffff) === 0 ? step / 4 : step / 2;
  const a = Math.abs(c);
  if (a === 0) return { lo: -outward, hi: outward };
  return c > 0 ? { lo: a - inward, hi: a + outward } : { lo: -(a + outward), hi: -(a - inward) };
}
