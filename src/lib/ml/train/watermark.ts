// The watermark regularizer of docs/ml.md section 4, as tf ops so its gradient reaches the
// watermark layer. v is read from the kernel by the same rule as watermark/extract.ts.
import { tf, type Tensor, type Variable } from '../backend/tf.ts';
import type { WatermarkSpec } from '../spec/types.ts';

/** v (length N) from the watermark kernel, differentiably. */
export function watermarkVector(rule: WatermarkSpec['rule'], kernel: Tensor, N: number): Tensor {
  if (rule === 'dense-column-mean' || rule === 'mlp-column-mean') {
    return tf.slice(tf.mean(kernel, 0), [0], [N]);
  }
  // [kh, kw, cin, filters] -> mean over filters -> row-major [kh*kw*cin]
  return tf.slice(tf.reshape(tf.mean(kernel, 3), [-1]), [0], [N]);
}

export interface WatermarkPenalty {
  /** strength * mean_j max(0, margin - y_j r_j) / margin, a scalar. */
  penalty(): Tensor;
  dispose(): void;
}

/**
 * `keyBits`: T*N entries 0|1 (row-major X); `ownerBits`: T entries 0|1. Holds the key and the
 * targets as constant tensors for the run.
 */
export function createWatermarkPenalty(
  wm: WatermarkSpec,
  kernel: Variable,
  keyBits: Uint8Array,
  ownerBits: Uint8Array,
): WatermarkPenalty {
  const T = wm.bits;
  const N = wm.length;
  if (keyBits.length !== T * N)
    throw new Error(`watermark key has ${keyBits.length} bits, the spec needs T*N = ${T * N}`);
  if (ownerBits.length !== T) throw new Error(`watermark owner bits: ${ownerBits.length}, the spec needs T = ${T}`);
  const signs = new Float32Array(T * N);
  keyBits.forEach((b, i) => (signs[i] = b === 1 ? 1 : -1));
  const y = new Float32Array(T);
  ownerBits.forEach((b, j) => (y[j] = b === 1 ? 1 : -1));
  // The scale is folded into X so r comes out in quantization units.
  const xScaled = tf.keep(tf.tidy(() => tf.mul(tf.tensor2d(signs, [T, N]), wm.quantization.scale)));
  const target = tf.keep(tf.tensor1d(y));
  return {
    penalty() {
      const v = watermarkVector(wm.rule, kernel, N);
      const r = tf.reshape(tf.matMul(xScaled as tf.Tensor2D, tf.reshape(v, [N, 1]) as tf.Tensor2D), [T]);
      const hinge = tf.relu(tf.sub(wm.margin, tf.mul(target, r)));
      return tf.mul(tf.mean(hinge), wm.strength / wm.margin);
    },
    dispose() {
      xScaled.dispose();
      target.dispose();
    },
  };
}
