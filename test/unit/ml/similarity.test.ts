// The similarity hint of the Challenges page: cosine of flattened weights, which earlier
// submissions count, and the values on real digits models (a copy fine-tuned for an epoch, a
// re-watermarked copy, an independent run), trained here with the ML engine.
import { beforeAll, describe, expect, it } from 'vitest';
import { serializeArtifact } from '../../../src/lib/ml/artifact/serialize.ts';
import { ArtifactError } from '../../../src/lib/ml/artifact/format.ts';
import {
  cosineSimilarity,
  similarityHints,
  similarityLevel,
  submissionWeights,
  SimilarityError,
  type ComparableSubmission,
} from '../../../src/lib/ml/similarity.ts';
import { specShapes } from '../../../src/lib/ml/spec/shapes.ts';
import { benchKey } from '../../../scripts/lib/watermark-attacks.ts';
import { fineTuneCopy, loadDigits, reWatermark, trainHonest, type Digits } from '../../integration/support/thieves.ts';
import { useBackend } from './engine/helpers.ts';

const f = (...xs: number[]) => Float32Array.from(xs);

describe('cosineSimilarity', () => {
  it('is 1 for the same direction, -1 for the opposite, 0 for orthogonal, across tensors', () => {
    expect(cosineSimilarity([f(1, 2), f(3)], [f(2, 4), f(6)])).toBe(1);
    expect(cosineSimilarity([f(1, 2), f(3)], [f(-1, -2), f(-3)])).toBe(-1);
    expect(cosineSimilarity([f(1, 0), f(0)], [f(0, 1), f(0)])).toBe(0);
    // (1,1,1,1) . (1,1,1,-1) = 2, norms 2 and 2.
    expect(cosineSimilarity([f(1, 1), f(1, 1)], [f(1, 1), f(1, -1)])).toBeCloseTo(0.5, 12);
  });

  it('refuses models of other shapes and weights that are all zero', () => {
    expect(() => cosineSimilarity([f(1, 2)], [f(1, 2), f(3)])).toThrow(SimilarityError);
    expect(() => cosineSimilarity([f(1, 2)], [f(1, 2, 3)])).toThrow(
      'tensor 0 has 2 values in one model and 3 in the other',
    );
    expect(() => cosineSimilarity([f(0, 0)], [f(1, 2)])).toThrow(
      'a model whose weights are all zero has no direction to compare',
    );
  });
});

describe('similarityHints', () => {
  const sub = (id: number, trainer: string, epoch: number, weights: Float32Array[] | null): ComparableSubmission => ({
    submissionId: BigInt(id),
    trainer,
    epoch,
    weights,
  });

  it('compares each submission with earlier epochs of other trainers only, keeping the closest', () => {
    const hints = similarityHints([
      sub(0, '0xA', 0, [f(1, 0, 0)]),
      sub(1, '0xB', 0, [f(1, 0, 0)]), // same epoch as A: not compared
      sub(2, '0xa', 1, [f(1, 1, 0)]), // A again: its own earlier model does not count
      sub(3, '0xC', 1, [f(0.9, 0.1, 0)]),
      sub(4, '0xD', 2, null), // not fetched: nothing to compare
      sub(5, '0xE', 2, [f(0, 0, 1)]),
    ]);
    expect(hints.map((h) => [h.submissionId, h.compared, h.closest?.submissionId])).toEqual([
      [0n, 0, undefined],
      [1n, 0, undefined],
      [2n, 1, 1n],
      [3n, 2, 0n],
      [4n, 0, undefined],
      [5n, 4, 0n],
    ]);
    expect(hints[2]!.closest!.similarity).toBeCloseTo(Math.SQRT1_2, 12);
    expect(hints[3]!.closest).toMatchObject({ trainer: '0xA', epoch: 0 });
    expect(hints[5]!.closest!.similarity).toBe(0);
  });

  it('names the levels', () => {
    expect([0.99, 0.9, 0.6, 0.1, -0.5].map(similarityLevel)).toEqual([
      'near-copy',
      'near-copy',
      'related',
      'unrelated',
      'unrelated',
    ]);
  });
});

describe('on digits models', () => {
  let d: Digits;
  let owner: Float32Array[], independent: Float32Array[], copy: Float32Array[], rewatermarked: Float32Array[];
  const OWNER = '0x70997970c51812dc3a010c7d01b50e0d17dc79c8';
  const THIEF = '0x90f79bf6eb2c4f870365e785982e1f101e93b906';

  beforeAll(async () => {
    await useBackend('wasm');
    d = await loadDigits();
    owner = await trainHonest(d, benchKey(64, 128, 'owner'), OWNER, 2, 1);
    independent = await trainHonest(d, benchKey(64, 128, 'thief'), THIEF, 2, 2);
    copy = await fineTuneCopy(d, owner, 1, 3);
    rewatermarked = (
      await reWatermark(
        d,
        owner,
        { key: benchKey(64, 128, 'thief'), address: THIEF },
        { untilSealable: false, epochs: 1, seed: 4 },
      )
    ).weights;
  });

  it('a fine-tuned or re-watermarked copy is a near copy; an independent run is unrelated', () => {
    const values = {
      copy: cosineSimilarity(copy, owner),
      rewatermarked: cosineSimilarity(rewatermarked, owner),
      independent: cosineSimilarity(independent, owner),
    };
    console.info(
      `cosine to the owner's model: fine-tuned copy ${values.copy.toFixed(4)}, re-watermarked copy ${values.rewatermarked.toFixed(4)}, independent run ${values.independent.toFixed(4)}`,
    );
    expect(similarityLevel(values.copy)).toBe('near-copy');
    expect(similarityLevel(values.rewatermarked)).toBe('near-copy');
    expect(similarityLevel(values.independent)).toBe('unrelated');
  });

  it('reads weights from the revealed artifact, strictly against the spec', () => {
    const params = specShapes(d.spec).params;
    const bytes = serializeArtifact(Uint8Array.from(Buffer.from(d.specHash, 'hex')), params, copy);
    expect(cosineSimilarity(submissionWeights(bytes, d.spec, `0x${d.specHash}`), copy)).toBe(1);
    expect(() => submissionWeights(bytes.subarray(0, bytes.length - 4), d.spec, d.specHash)).toThrow(ArtifactError);
    expect(() => submissionWeights(bytes, d.spec, `0x${'11'.repeat(32)}`)).toThrow(/another model spec/);
    expect(() => submissionWeights(bytes, d.spec, 'abc')).toThrow(SimilarityError);
  });
});
