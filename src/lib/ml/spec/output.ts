// What a spec's model outputs per sample, and so what its labels are: one class, or a next token
// at every position of a sequence (docs/ml.md section 1). Pure; shapes, batches, losses and the
// evaluator all ask here, so a classifier and a next-token model never disagree about a batch.
import type { ModelSpec } from './types.ts';

type OutputOf = Pick<ModelSpec, 'input' | 'output'>;

/** A next-token model: logits over `output.tokens` at every input position. */
export const isTokenModel = (spec: Pick<ModelSpec, 'output'>): boolean => spec.output.tokens !== undefined;

/** The width of the logits' last axis: the classes, or the vocabulary. */
export const outputWidth = (spec: Pick<ModelSpec, 'output'>): number => spec.output.tokens ?? spec.output.classes!;

/** Logits per sample: `[classes]`, or `[sequenceLength, tokens]`. */
export function outputShape(spec: OutputOf): number[] {
  return isTokenModel(spec) ? [spec.input.shape[0]!, spec.output.tokens!] : [spec.output.classes!];
}

/** Labels per sample: 1 class, or one target token per input position. */
export const labelsPerSample = (spec: OutputOf): number => (isTokenModel(spec) ? spec.input.shape[0]! : 1);
