// The one place the engine imports tfjs from. tfjs-core alone registers no gradients (the
// union package does that), so training code must get `tf` from here.
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-core/dist/register_all_gradients';

export { tf };
export type { Tensor, Variable, Scalar, Rank } from '@tensorflow/tfjs-core';
