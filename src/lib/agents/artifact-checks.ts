// The checks around an artifact that decide what the chain sees: a validator's checks of a
// revealed submission before it is evaluated (SPEC 4.7: hash or wmCommit mismatch, NaN/Inf, wrong
// shapes score 0), and a trainer's look at its own candidate before sealing (SPEC 6: wmCommit and
// the decoding margin). Cheap (no model is built), so they run on the calling thread. An artifact
// is hashed once, where its bytes come from (the CID-checked download, the training run); the
// checks take that hash along with the bytes instead of hashing them again.
import type { Address, Hex } from 'viem';
import { ArtifactError } from '../ml/artifact/format.ts';
import { artifactByteLength } from '../ml/artifact/format.ts';
import { deserializeArtifact } from '../ml/artifact/deserialize.ts';
import { artifactHash } from '../ml/artifact/hash.ts';
import { specHashBytes } from '../ml/eval/evaluate.ts';
import { specShapes } from '../ml/spec/shapes.ts';
import type { ModelSpec } from '../ml/spec/types.ts';
import {
  checkWatermark,
  extractV,
  fieldToBytes32,
  quantize,
  watermarkKernelIndex,
  wmCommit,
  type WatermarkKey,
} from '../ml/watermark/index.ts';
import type { ScoreCheck } from './validator/machine.ts';

/** An artifact's bytes with their sha256 (the on-chain artifactHash), computed or verified once. */
export interface HashedArtifact {
  bytes: Uint8Array;
  artifactHash: Hex;
}

/** Hashes bytes that come with no verified hash (a file, a test). */
export async function hashArtifact(bytes: Uint8Array): Promise<HashedArtifact> {
  return { bytes, artifactHash: await artifactHash(bytes) };
}

export type SubmissionVerdict =
  { ok: true; weights: Float32Array[] } | { ok: false; check: Exclude<ScoreCheck, 'ok' | 'duplicate'>; reason: string };

/** The exact byte length an artifact of this spec has (a download larger than this is refused). */
export const expectedArtifactBytes = (spec: ModelSpec): number => artifactByteLength(specShapes(spec).params);

/** The wmCommit of a model's weights (docs/ml.md section 4), as the bytes32 revealed on chain. */
export function weightsWmCommit(spec: ModelSpec, weights: readonly Float32Array[]): Hex {
  const wm = spec.watermark;
  if (!wm) throw new RangeError('the model spec has no watermark');
  const params = specShapes(spec).params;
  const k = watermarkKernelIndex(spec, params);
  const q = quantize(
    extractV(wm.rule, weights[k]!, params[k]!.shape, wm.length),
    wm.quantization.scale,
    wm.quantization.bits,
  );
  return fieldToBytes32(wmCommit(q, wm.quantization.bits));
}

/**
 * A validator's checks of a revealed submission, in SPEC order: the bytes hash to the revealed
 * artifactHash (the hash they were downloaded against), they parse as an artifact of this spec
 * (format, spec hash, shapes, finite values), and the weights' wmCommit is the revealed one.
 * Never throws for a bad artifact: a failed check is a verdict with the reason the score is 0.
 */
export async function checkSubmission(
  spec: ModelSpec,
  specHash: string,
  artifact: HashedArtifact,
  revealed: { artifactHash: Hex; wmCommit: Hex },
): Promise<SubmissionVerdict> {
  const { bytes, artifactHash: actual } = artifact;
  if (actual.toLowerCase() !== revealed.artifactHash.toLowerCase()) {
    return {
      ok: false,
      check: 'hash',
      reason: `the artifact hashes to ${actual}, not the revealed ${revealed.artifactHash}`,
    };
  }
  let weights: Float32Array[];
  try {
    weights = deserializeArtifact(bytes, { specHash: specHashBytes(specHash), params: specShapes(spec).params });
  } catch (e) {
    if (e instanceof ArtifactError)
      return { ok: false, check: 'artifact', reason: `not a valid artifact of this task's model: ${e.message}` };
    throw e;
  }
  if (spec.watermark) {
    const computed = weightsWmCommit(spec, weights);
    if (computed.toLowerCase() !== revealed.wmCommit.toLowerCase()) {
      return {
        ok: false,
        check: 'watermark',
        reason: `the weights' wmCommit is ${computed}, not the revealed ${revealed.wmCommit}`,
      };
    }
  }
  return { ok: true, weights };
}

export interface CandidateReport {
  artifactHash: Hex;
  wmCommit: Hex;
  wrong: number;
  maxErr: number;
  sealable: boolean;
}

/**
 * A trainer's own look at a trained artifact: the wmCommit it will reveal and whether its
 * watermark decodes the owner's address with the margin required before sealing. Computed from
 * the artifact with the canonical extraction, not from the trainer's float32 view.
 */
export async function inspectCandidate(
  spec: ModelSpec,
  specHash: string,
  artifact: HashedArtifact,
  key: WatermarkKey,
  owner: Address,
): Promise<CandidateReport> {
  const { bytes } = artifact;
  const wm = spec.watermark;
  if (!wm) throw new RangeError('the model spec has no watermark: there is nothing to seal a key against');
  const params = specShapes(spec).params;
  const weights = deserializeArtifact(bytes, { specHash: specHashBytes(specHash), params });
  const k = watermarkKernelIndex(spec, params);
  const report = checkWatermark(wm, weights[k]!, params[k]!.shape, key, owner);
  return {
    artifactHash: artifact.artifactHash,
    wmCommit: fieldToBytes32(report.wmCommit),
    wrong: report.wrong,
    maxErr: wm.maxErr,
    sealable: report.sealable,
  };
}
