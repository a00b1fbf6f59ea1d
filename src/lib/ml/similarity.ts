// A hint for challengers (SPEC 7): how close a revealed model's weights are to earlier models of
// other trainers. A copy, or a copy fine-tuned or re-watermarked for a few epochs, keeps a cosine
// similarity near 1 to the model it came from; two runs from different seeded initializations
// are close to 0 (docs/app/challenges.md has the measured values). It is only a hint: a thief
// can permute hidden units for free (docs/ml.md 4.1), and the proof decides. Pure.
import { deserializeArtifact } from './artifact/deserialize.ts';
import { specShapes } from './spec/shapes.ts';
import type { ModelSpec } from './spec/types.ts';
import { ArenaError } from '../errors.ts';

export class SimilarityError extends ArenaError<'similarity'> {
  constructor(message: string) {
    super('similarity', message);
    this.name = 'SimilarityError';
  }
}

/**
 * Cosine similarity of two models' weights, each flattened over all its tensors in parameter
 * order, accumulated in float64. The models must have the same shapes; a model whose weights are
 * all zero has no direction and is refused.
 */
export function cosineSimilarity(a: readonly Float32Array[], b: readonly Float32Array[]): number {
  if (a.length !== b.length) throw new SimilarityError(`the models have ${a.length} and ${b.length} tensors`);
  let dot = 0;
  let na = 0;
  let nb = 0;
  a.forEach((ta, i) => {
    const tb = b[i]!;
    if (ta.length !== tb.length)
      throw new SimilarityError(`tensor ${i} has ${ta.length} values in one model and ${tb.length} in the other`);
    for (let k = 0; k < ta.length; k++) {
      const x = ta[k]!;
      const y = tb[k]!;
      dot += x * y;
      na += x * x;
      nb += y * y;
    }
  });
  if (na === 0 || nb === 0) throw new SimilarityError('a model whose weights are all zero has no direction to compare');
  // Rounding can put identical directions a hair above 1.
  return Math.max(-1, Math.min(1, dot / Math.sqrt(na * nb)));
}

/**
 * The weights of a revealed artifact, parsed strictly against the task's spec (ArtifactError
 * otherwise). `specHash`: the spec file's sha256, 64 hex digits with or without 0x.
 */
export function submissionWeights(bytes: Uint8Array, spec: ModelSpec, specHash: string): Float32Array[] {
  const hex = specHash.replace(/^0x/, '');
  if (!/^[0-9a-fA-F]{64}$/.test(hex)) throw new SimilarityError(`a spec hash is 64 hex digits, got "${specHash}"`);
  // Not eval/evaluate's specHashBytes: that module loads tfjs, which a page listing models does not need.
  const hash = Uint8Array.from({ length: 32 }, (_, i) => Number.parseInt(hex.slice(2 * i, 2 * i + 2), 16));
  return deserializeArtifact(bytes, { specHash: hash, params: specShapes(spec).params });
}

export interface ComparableSubmission {
  submissionId: bigint;
  trainer: string;
  epoch: number;
  /** null when the artifact could not be fetched or parsed: nothing to compare. */
  weights: readonly Float32Array[] | null;
}

export interface SimilarityHint {
  submissionId: bigint;
  /** The most similar earlier submission of another trainer, or null when there is none to compare with. */
  closest: { submissionId: bigint; trainer: string; epoch: number; similarity: number } | null;
  /** How many earlier submissions of other trainers were compared. */
  compared: number;
}

/**
 * For each submission, its highest cosine similarity to a submission of another trainer from an
 * earlier epoch. Earlier epochs only: inside an epoch every model is sealed before any is
 * revealed, so nobody could have copied a same-epoch model. Ties keep the earlier submission.
 */
export function similarityHints(subs: readonly ComparableSubmission[]): SimilarityHint[] {
  return subs.map((s) => {
    let closest: SimilarityHint['closest'] = null;
    let compared = 0;
    if (s.weights) {
      for (const o of subs) {
        if (!o.weights || o.epoch >= s.epoch || o.trainer.toLowerCase() === s.trainer.toLowerCase()) continue;
        compared++;
        const similarity = cosineSimilarity(s.weights, o.weights);
        if (!closest || similarity > closest.similarity)
          closest = { submissionId: o.submissionId, trainer: o.trainer, epoch: o.epoch, similarity };
      }
    }
    return { submissionId: s.submissionId, closest, compared };
  });
}

/** Words for a similarity: what a challenger should make of it. */
export function similarityLevel(similarity: number): 'near-copy' | 'related' | 'unrelated' {
  if (similarity >= 0.9) return 'near-copy';
  if (similarity >= 0.5) return 'related';
  return 'unrelated';
}
