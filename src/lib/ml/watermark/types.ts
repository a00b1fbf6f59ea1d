// Shared types and limits of the watermark (docs/ml.md section 4).
import { ArenaError } from '../../errors.ts';

/** A trainer's secret watermark key. */
export interface WatermarkKey {
  /** T: number of watermark bits (rows of X). */
  T: number;
  /** N: length of the vector v (columns of X). */
  N: number;
  /** X as T*N entries 0|1, row-major (X[j*N + k]); 1 means +1, 0 means -1. */
  bits: Uint8Array;
  /** keySalt: uniform in [0, p). */
  salt: bigint;
}

export class WatermarkError extends ArenaError<'watermark'> {
  constructor(message: string) {
    super('watermark', message);
    this.name = 'WatermarkError';
  }
}

/** Owner bits come from a 160-bit address. */
export const MAX_T = 160;
/** At most 16 groups of 16 limbs of 128 bits: G <= 16 so H_X is one Poseidon call. */
export const MAX_KEY_BITS = 16 * 16 * 128;
/** Quantized values live in an Int32Array, and a weight limb needs K = floor(253/WB) >= 1. */
export const MIN_QBITS = 2;
export const MAX_QBITS = 32;

export function checkKeyDims(T: number, N: number): void {
  if (!Number.isInteger(T) || T < 1 || T > MAX_T)
    throw new WatermarkError(`T (watermark bits) must be an integer in 1..${MAX_T}, got ${T}`);
  if (!Number.isInteger(N) || N < 1) throw new WatermarkError(`N (vector length) must be a positive integer, got ${N}`);
  if (T * N > MAX_KEY_BITS)
    throw new WatermarkError(`T*N = ${T * N} key bits, at most ${MAX_KEY_BITS} fit the key commitment`);
}

export function checkQbits(qbits: number): void {
  if (!Number.isInteger(qbits) || qbits < MIN_QBITS || qbits > MAX_QBITS) {
    throw new WatermarkError(`quantization bits must be an integer in ${MIN_QBITS}..${MAX_QBITS}, got ${qbits}`);
  }
}

/** Throws unless bits has T*N entries, each 0 or 1. */
export function checkKeyBits(bits: Uint8Array, T: number, N: number): void {
  if (bits.length !== T * N)
    throw new WatermarkError(`key has ${bits.length} bits, expected T*N = ${T}*${N} = ${T * N}`);
  const bad = bits.findIndex((b) => b > 1);
  if (bad >= 0)
    throw new WatermarkError(
      `key bit ${bad} (row ${Math.floor(bad / N)}, column ${bad % N}) is ${bits[bad]}, must be 0 or 1`,
    );
}
