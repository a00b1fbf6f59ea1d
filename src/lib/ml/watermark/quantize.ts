import { WatermarkError, checkQbits } from './types.ts';

/**
 * q_k = clamp(floor(v_k * scale + 1/2), -2^(WB-1), 2^(WB-1) - 1) in float64.
 * Exact for a power-of-two scale: v * scale only shifts the exponent of a float32 (24-bit
 * significand), and for |v * scale| < 2^51 the sum with 1/2 needs at most 53 significant bits,
 * or else is so close to 1/2 that floor cannot change; larger values are clamped anyway.
 * Other scales are still deterministic (IEEE round-to-nearest), though not exact.
 */
export function quantize(v: Float32Array, scale: number, qbits: number): Int32Array {
  checkQbits(qbits);
  if (!Number.isFinite(scale) || scale <= 0)
    throw new WatermarkError(`quantization scale must be a positive number, got ${scale}`);
  const lo = -(2 ** (qbits - 1));
  const hi = 2 ** (qbits - 1) - 1;
  const q = new Int32Array(v.length);
  for (let k = 0; k < v.length; k++) {
    const x = v[k]!;
    if (!Number.isFinite(x)) throw new WatermarkError(`v[${k}] is ${x}; the watermark layer's weights must be finite`);
    q[k] = Math.min(hi, Math.max(lo, Math.floor(x * scale + 0.5)));
  }
  return q;
}
