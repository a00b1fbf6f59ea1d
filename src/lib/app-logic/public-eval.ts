// A trainer's model measured on the task's public eval set before it is sealed (issue 10,
// section 2), next to the accuracy on its own training batches. Pure.
export type PublicEval =
  | { status: 'running'; done: number; total: number }
  | { status: 'done'; accuracy: number; score: number; samples: number }
  | { status: 'failed'; error: string };

const pct = (x: number) => `${(x * 100).toFixed(1)} %`;

/** The sentence under the model: its public-eval accuracy, or where the evaluation stands. */
export function publicEvalSentence(ev: PublicEval | undefined, trainingAccuracy: number | null): string {
  if (!ev) return 'Not evaluated on the public eval set yet.';
  switch (ev.status) {
    case 'running':
      return ev.total > 0
        ? `Evaluating on the public eval set: ${ev.done} of ${ev.total} samples…`
        : 'Evaluating on the public eval set…';
    case 'failed':
      return `Could not be evaluated on the public eval set: ${ev.error}`;
    case 'done': {
      const train =
        trainingAccuracy !== null && Number.isFinite(trainingAccuracy)
          ? ` (training batches: ${pct(trainingAccuracy)})`
          : '';
      const gap =
        trainingAccuracy !== null && trainingAccuracy - ev.accuracy > 0.1
          ? ' Much lower than on the training batches: the model may be overfitting.'
          : '';
      return `Accuracy on the public eval set: ${pct(ev.accuracy)} of ${ev.samples} samples${train}. Validators score a seeded subset of this set each epoch (the hidden final set in the final phase), so expect about this.${gap}`;
    }
  }
}
