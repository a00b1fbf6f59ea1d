import { WatermarkError } from './types.ts';

/**
 * s_j = sum_k (2 X_jk - 1) q_k for every row j of the key (keyBits row-major, T*N).
 * Exact in float64: each q_k is an int32 (|q_k| <= 2^31) and N <= 2^22 is enforced, so every
 * partial sum is an integer of magnitude at most 2^53.
 */
export function projections(keyBits: Uint8Array, q: Int32Array): number[] {
  const N = q.length;
  if (N < 1 || N > 2 ** 22) throw new WatermarkError(`the quantized vector must have 1..2^22 values, got ${N}`);
  if (keyBits.length === 0 || keyBits.length % N !== 0) {
    throw new WatermarkError(`a key of ${keyBits.length} bits does not have rows of N = ${N} (the vector length)`);
  }
  const T = keyBits.length / N;
  const s: number[] = [];
  for (let j = 0; j < T; j++) {
    let acc = 0;
    for (let k = 0; k < N; k++) {
      const x = keyBits[j * N + k]!;
      if (x > 1) throw new WatermarkError(`key bit ${j * N + k} is ${x}, must be 0 or 1`);
      acc += x === 1 ? q[k]! : -q[k]!;
    }
    s.push(acc);
  }
  return s;
}

export interface DecodeResult {
  /** d_j = 1 if s_j > 0 else 0 (a zero projection decodes to 0). */
  bits: Uint8Array;
  /** #{j : d_j != b_j}. */
  wrong: number;
  /** (2 b_j - 1) s_j: how far each projection sits on the owner's side of zero (quantization units). */
  margins: number[];
  projections: number[];
}

export function decode(keyBits: Uint8Array, q: Int32Array, ownerBits: Uint8Array): DecodeResult {
  const s = projections(keyBits, q);
  if (ownerBits.length !== s.length)
    throw new WatermarkError(`got ${ownerBits.length} owner bits for a key of T = ${s.length} rows`);
  const bits = Uint8Array.from(s, (x) => (x > 0 ? 1 : 0));
  let wrong = 0;
  const margins = s.map((x, j) => {
    const b = ownerBits[j]!;
    if (b > 1) throw new WatermarkError(`owner bit ${j} is ${b}, must be 0 or 1`);
    if (bits[j] !== b) wrong++;
    // 0 - x would give -0 for x = 0; keep margins plain numbers.
    return b === 1 ? x : x === 0 ? 0 : -x;
  });
  return { bits, wrong, margins, projections: s };
}
