// Key and weight commitments exactly as the challenge circuit recomputes them (docs/ml.md
// section 4), with circomlib's Poseidon (poseidon-lite carries the same constants).
import {
  poseidon1,
  poseidon2,
  poseidon3,
  poseidon4,
  poseidon5,
  poseidon6,
  poseidon7,
  poseidon8,
  poseidon9,
  poseidon10,
  poseidon11,
  poseidon12,
  poseidon13,
  poseidon14,
  poseidon15,
  poseidon16,
} from 'poseidon-lite';
import { FIELD_P } from './field.ts';
import { MAX_KEY_BITS, WatermarkError, checkQbits, type WatermarkKey } from './types.ts';

const BY_ARITY = [
  poseidon1,
  poseidon2,
  poseidon3,
  poseidon4,
  poseidon5,
  poseidon6,
  poseidon7,
  poseidon8,
  poseidon9,
  poseidon10,
  poseidon11,
  poseidon12,
  poseidon13,
  poseidon14,
  poseidon15,
  poseidon16,
];

/** circomlib Poseidon with inputs.length (1..16) inputs, each a field element. */
export function poseidon(inputs: readonly bigint[]): bigint {
  const f = BY_ARITY[inputs.length - 1];
  if (!f) throw new WatermarkError(`Poseidon takes 1..16 inputs, got ${inputs.length}`);
  // poseidon-lite would silently reduce inputs >= p; the circuit could not, so refuse them.
  for (const x of inputs)
    if (x < 0n || x >= FIELD_P) throw new WatermarkError(`Poseidon input ${x} is not a field element`);
  return f([...inputs]);
}

const LIMB_BITS = 128;
const GROUP = 16;

/**
 * e_i = sum_b X[128 i + b] 2^b. When T*N is not a multiple of 128 the last limb is zero-padded
 * (docs/ml.md only needs the multiple-of-128 case; padding keeps T = 16, N = 24 and the like
 * usable without a second rule).
 */
export function keyLimbs(bits: Uint8Array): bigint[] {
  if (bits.length < 1 || bits.length > MAX_KEY_BITS)
    throw new WatermarkError(`a key has 1..${MAX_KEY_BITS} bits, got ${bits.length}`);
  const limbs: bigint[] = [];
  for (let i = 0; i * LIMB_BITS < bits.length; i++) {
    let e = 0n;
    // Most significant bit first so the limb builds by shifting.
    for (let b = Math.min(LIMB_BITS, bits.length - i * LIMB_BITS) - 1; b >= 0; b--) {
      const x = bits[i * LIMB_BITS + b]!;
      if (x > 1) throw new WatermarkError(`key bit ${i * LIMB_BITS + b} is ${x}, must be 0 or 1`);
      e = (e << 1n) | BigInt(x);
    }
    limbs.push(e);
  }
  return limbs;
}

/** h_g = Poseidon16 over each group of 16 limbs, the last group zero-padded. */
export function keyGroupHashes(bits: Uint8Array): bigint[] {
  const limbs = keyLimbs(bits);
  const hashes: bigint[] = [];
  for (let g = 0; g * GROUP < limbs.length; g++) {
    const group = Array.from({ length: GROUP }, (_, k) => limbs[g * GROUP + k] ?? 0n);
    hashes.push(poseidon(group));
  }
  return hashes;
}

/** H_X = PoseidonG(h_0 .. h_{G-1}). */
export const keyHash = (bits: Uint8Array): bigint => poseidon(keyGroupHashes(bits));

/** keyCommit = Poseidon2(H_X, keySalt): what the trainer records on chain when joining a task. */
export function keyCommit(key: Pick<WatermarkKey, 'bits' | 'salt'>): bigint {
  if (key.salt < 0n || key.salt >= FIELD_P) throw new WatermarkError('key salt is not a field element (0 <= salt < p)');
  return poseidon([keyHash(key.bits), key.salt]);
}

/** K = floor(253 / WB): values per weight limb, so a limb stays below 2^253 < p. */
export const valuesPerLimb = (qbits: number): number => Math.floor(253 / qbits);

/**
 * f_i = sum_{k<K} u_{K i + k} 2^(WB k) with u = q + 2^(WB-1). Past the end of q the last limb
 * is zero-padded (a missing value contributes 0, not the offset 2^(WB-1)).
 */
export function wmLimbs(q: Int32Array, qbits: number): bigint[] {
  checkQbits(qbits);
  const K = valuesPerLimb(qbits);
  const E = Math.ceil(q.length / K);
  if (q.length < 1 || E > 16)
    throw new WatermarkError(
      `the quantized vector must have 1..${16 * K} values for ${qbits}-bit quantization, got ${q.length}`,
    );
  const half = 2 ** (qbits - 1);
  const wb = BigInt(qbits);
  const limbs: bigint[] = [];
  for (let i = 0; i < E; i++) {
    let f = 0n;
    for (let k = Math.min(K, q.length - K * i) - 1; k >= 0; k--) {
      const v = q[K * i + k]!;
      if (v < -half || v >= half)
        throw new WatermarkError(`q[${K * i + k}] = ${v} is outside the ${qbits}-bit range ${-half}..${half - 1}`);
      f = (f << wb) | BigInt(v + half);
    }
    limbs.push(f);
  }
  return limbs;
}

/** wmCommit = PoseidonE(f_0 .. f_{E-1}): sealed on chain with the artifact. */
export const wmCommit = (q: Int32Array, qbits: number): bigint => poseidon(wmLimbs(q, qbits));
