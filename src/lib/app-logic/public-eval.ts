// A trainer's model measured on the task's public eval set before it is sealed (issue 10,
// section 2), next to the same measure on its own training batches: accuracy for a classifier,
// bits per byte for a next-token model over bytes (what its validators score). Pure.
import type { Metric } from '../ml/spec/types.ts';
import { bitsOfNats } from './metric-view.ts';

export type PublicEval =
  | { status: 'running'; done: number; total: number }
  | { status: 'done'; accuracy: number; score: number; samples: number; loss?: number }
  | { status: 'failed'; error: string };

/** The last training report's terms: mean loss (nats) and accuracy of the training batches. */
export interface TrainingTerms {
  loss: number;
  accuracy: number;
}

const pct = (x: number) => `${(x * 100).toFixed(1)} %`;

/** The public eval set's bits per byte of a done evaluation of a bitsPerByte task; null otherwise. */
export function publicEvalBitsPerByte(ev: PublicEval | undefined, metric: Metric | null): number | null {
  return ev?.status === 'done' && metric?.name === 'bitsPerByte' && ev.loss !== undefined && Number.isFinite(ev.loss)
    ? bitsOfNats(ev.loss)
    : null;
}

/** The sentence under the model: its public-eval accuracy (or bits per byte), or where the evaluation stands. */
export function publicEvalSentence(
  ev: PublicEval | undefined,
  training: TrainingTerms | null,
  metric: Metric | null = null,
): string {
  if (!ev) return 'Not evaluated on the public eval set yet.';
  const expect = `Validators score a seeded subset of this set each epoch (the hidden final set in the final phase), so expect about this.`;
  switch (ev.status) {
    case 'running':
      return ev.total > 0
        ? `Evaluating on the public eval set: ${ev.done} of ${ev.total} samples…`
        : 'Evaluating on the public eval set…';
    case 'failed':
      return `Could not be evaluated on the public eval set: ${ev.error}`;
    case 'done': {
      const bpb = publicEvalBitsPerByte(ev, metric);
      if (metric?.name === 'bitsPerByte' && bpb !== null) {
        const trainBpb = training !== null && Number.isFinite(training.loss) ? bitsOfNats(training.loss) : null;
        const train = trainBpb !== null ? ` (training batches: ${trainBpb.toFixed(3)})` : '';
        // A model that compresses its training text much better than unseen files memorizes them.
        const gap =
          trainBpb !== null && bpb - trainBpb > 0.15 * trainBpb
            ? ' Much higher than on the training batches: the model may be memorizing its training files.'
            : '';
        const cap =
          bpb >= metric.cap ? `, at or above the cap of ${metric.cap}: it scores 0` : `, score ${ev.score.toFixed(4)}`;
        return `Bits per byte on the public eval set: ${bpb.toFixed(3)} over ${ev.samples} sequences${cap}${train}. ${expect}${gap}`;
      }
      const acc = training?.accuracy ?? null;
      const train = acc !== null && Number.isFinite(acc) ? ` (training batches: ${pct(acc)})` : '';
      const gap =
        acc !== null && acc - ev.accuracy > 0.1
          ? ' Much lower than on the training batches: the model may be overfitting.'
          : '';
      return `Accuracy on the public eval set: ${pct(ev.accuracy)} of ${ev.samples} samples${train}. ${expect}${gap}`;
    }
  }
}
