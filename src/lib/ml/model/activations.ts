import { tf, type Tensor } from '../backend/tf.ts';
import type { Activation } from '../spec/types.ts';

const SQRT1_2 = Math.SQRT1_2;

/** Applies an activation; GELU is the exact erf form (no tanh approximation). */
export function activate(x: Tensor, activation: Activation): Tensor {
  switch (activation) {
    case 'linear':
      return x;
    case 'relu':
      return tf.relu(x);
    case 'tanh':
      return tf.tanh(x);
    case 'sigmoid':
      return tf.sigmoid(x);
    case 'gelu':
      return tf.mul(tf.mul(x, 0.5), tf.add(tf.erf(tf.mul(x, SQRT1_2)), 1));
  }
}
