// The one place the engine imports tfjs from. tfjs-core alone registers no gradients (the
// union package does that), and its only build that can is the ES one: bundlers (Vite, vitest)
// load it as is, plain Node needs the module hooks in ./node/ to. So gradients load on demand,
// from activateBackend and train(), where a failure can say what to do.
import * as tf from '@tensorflow/tfjs-core';

export { tf };
export type { Tensor, Variable, Scalar, Rank } from '@tensorflow/tfjs-core';

let gradients: Promise<void> | null = null;

/** Registers tfjs's gradient functions once; training needs them. */
export function ensureGradients(): Promise<void> {
  gradients ??= import('@tensorflow/tfjs-core/dist/register_all_gradients').then(
    () => undefined,
    (e: unknown) => {
      gradients = null;
      throw new Error(
        'cannot load the tfjs gradient registrations (@tensorflow/tfjs-core/dist/register_all_gradients). ' +
          'In plain Node run with `--import ./src/lib/ml/backend/node/register.mjs` (tsx accepts it too); ' +
          `bundlers and vitest load it as is. Cause: ${(e as Error).message}`,
        { cause: e },
      );
    },
  );
  return gradients;
}
