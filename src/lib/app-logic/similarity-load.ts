// The similarity hint's side effects: each revealed artifact fetched once per page by its hash
// (hash-checked by the content fetcher), parsed against the task's spec, then compared
// (src/lib/ml/similarity.ts). A model that cannot be fetched or parsed is left out, not guessed.
import type { Hex } from 'viem';
import type { SubmissionView } from '../chain/actions/read-challenges.ts';
import { readModelSpec } from '../chain/reads/content.ts';
import type { ContentFetcher } from '../chain/reads/gateway.ts';
import { similarityHints, submissionWeights, type SimilarityHint } from '../ml/similarity.ts';

export interface SimilarityState {
  hints: Map<bigint, SimilarityHint>;
  /** Artifacts fetched (or given up on) so far, of `total`. */
  done: number;
  total: number;
  /** Why some models could not be compared, if any. */
  error: string | null;
}

const weightsCache = new Map<string, Promise<Float32Array[] | null>>();

export async function similarityFor(
  content: ContentFetcher,
  modelSpec: Hex,
  subs: readonly SubmissionView[],
  onState: (s: SimilarityState) => void,
): Promise<void> {
  const total = subs.length;
  onState({ hints: new Map(), done: 0, total, error: null });
  let spec;
  try {
    spec = (await readModelSpec(content, modelSpec)).spec;
  } catch (e) {
    onState({
      hints: new Map(),
      done: total,
      total,
      error: `No similarity hint: the model spec could not be read (${(e as Error).message}).`,
    });
    return;
  }
  const failed: string[] = [];
  const weights: (Float32Array[] | null)[] = [];
  // One at a time: models can be tens of MB, and the page stays responsive.
  for (const s of subs) {
    const key = `${modelSpec}:${s.artifactHash}`;
    let w = weightsCache.get(key);
    if (!w) {
      w = content(s.artifactHash, s.artifactRoot).then(
        (bytes) => submissionWeights(bytes, spec, modelSpec),
        () => null,
      );
      weightsCache.set(key, w);
    }
    const got = await w;
    if (!got) {
      failed.push(`#${s.submissionId}`);
      weightsCache.delete(key);
    }
    weights.push(got);
    onState({ hints: new Map(), done: weights.length, total, error: null });
  }
  const hints = similarityHints(
    subs.map((s, i) => ({ submissionId: s.submissionId, trainer: s.trainer, epoch: s.epoch, weights: weights[i]! })),
  );
  onState({
    hints: new Map(hints.map((h) => [h.submissionId, h])),
    done: total,
    total,
    error: failed.length
      ? `Not compared (the model could not be fetched or does not fit the spec): ${failed.join(', ')}.`
      : null,
  });
}
