// One optimization step: forward, loss (+ watermark penalty), gradients, update. Returns the
// batch's cross-entropy and correct count as scalars that live on the backend, so the caller
// decides when to pay for a read (a GPU sync).
import { tf, type Tensor } from '../backend/tf.ts';
import type { Model } from '../model/model.ts';
import type { SeedPart } from '../rng.ts';
import { correctCount, crossEntropyPerSample } from './loss.ts';
import type { Optimizer } from './optimizer.ts';
import type { WatermarkPenalty } from './watermark.ts';

export interface StepInput {
  x: Tensor;
  y: Tensor;
  /** Global step index (0-based): names this step's dropout masks. */
  step: number;
  seed: SeedPart;
}

export interface StepOutput {
  /** Mean cross-entropy of the batch (without the watermark penalty). */
  loss: Tensor;
  /** Watermark penalty, 0 without a watermark. */
  penalty: Tensor;
  correct: Tensor;
}

interface TapeNode {
  saved?: Tensor[];
}

// When a backward kernel is missing (a backend without one the model needs), tfjs throws out of
// the backward pass before it frees the activations it saved for it, and the forward result.
function discardFailedTape(y: Tensor | undefined): void {
  const state = (tf.engine() as unknown as { state: { activeTape: TapeNode[] | null; gradientDepth: number } }).state;
  if (state.gradientDepth === 0 && state.activeTape !== null) {
    for (const node of state.activeTape) for (const t of node.saved ?? []) t.dispose();
    state.activeTape = null;
  }
  if (y !== undefined && !y.isDisposed) y.dispose();
}

/** Runs one training step; the returned scalars are the caller's to dispose. */
export function trainStep(
  model: Model,
  optimizer: Optimizer,
  input: StepInput,
  watermark?: WatermarkPenalty,
): StepOutput {
  let parts: Tensor[] = [];
  let total: Tensor | undefined;
  try {
    tf.tidy(() => {
      const { grads } = tf.variableGrads(() => {
        const logits = model.apply(input.x, { dropout: { seed: input.seed, step: input.step } });
        const loss = tf.mean(crossEntropyPerSample(logits, input.y));
        const penalty = watermark ? watermark.penalty() : tf.scalar(0);
        // Kept past the tidy scopes of the tape and of this step.
        parts = [tf.keep(loss), tf.keep(penalty), tf.keep(correctCount(logits, input.y))];
        total = tf.add(loss, penalty);
        return total as tf.Scalar;
      }, model.variables as tf.Variable[]);
      optimizer.apply(model.variables.map((v) => grads[v.name]!));
    });
  } catch (e) {
    for (const t of parts) t.dispose();
    discardFailedTape(total);
    throw e;
  }
  const [loss, penalty, correct] = parts;
  return { loss: loss!, penalty: penalty!, correct: correct! };
}
