// A claim from a sealed model: the artifact's watermark layer -> v -> q by the model spec's rule
// (docs/ml.md section 4), exactly what the trainer committed in wmCommit when sealing.
import { ArtifactError } from '../ml/artifact/format.ts';
import { deserializeArtifact } from '../ml/artifact/deserialize.ts';
import { specHashBytes } from '../ml/eval/evaluate.ts';
import { specShapes } from '../ml/spec/shapes.ts';
import type { ModelSpec } from '../ml/spec/types.ts';
import { extractV, watermarkKernelIndex } from '../ml/watermark/extract.ts';
import { quantize } from '../ml/watermark/quantize.ts';
import { WatermarkError, type WatermarkKey } from '../ml/watermark/types.ts';
import type { CircuitShape } from './circuit.ts';
import { ShapeMismatchError, ZkInputError } from './errors.ts';
import type { OwnershipClaim } from './inputs.ts';

export interface ArtifactClaim {
  spec: ModelSpec;
  /** sha256 of the model spec file (hex or 32 bytes); the artifact must name it. */
  specHash: string | Uint8Array;
  /** The canonical weights artifact (docs/ml.md section 3). */
  artifact: Uint8Array;
  key: WatermarkKey;
  owner: string;
  /** The task's tolerance; default: the spec's watermark.maxErr. */
  maxErr?: number;
}

/** The quantized vector of an artifact, checked against the circuit's shape. */
export function quantizedVector(
  shape: CircuitShape,
  spec: ModelSpec,
  specHash: string | Uint8Array,
  artifact: Uint8Array,
): Int32Array {
  const wm = spec.watermark;
  if (!wm) throw new ShapeMismatchError('the model spec has no watermark, so there is nothing to prove');
  if (wm.bits !== shape.T || wm.length !== shape.N || wm.quantization.bits !== shape.WB) {
    throw new ShapeMismatchError(
      `the spec's watermark has T = ${wm.bits}, N = ${wm.length}, WB = ${wm.quantization.bits}; the circuit takes T = ${shape.T}, N = ${shape.N}, WB = ${shape.WB}`,
    );
  }
  const params = specShapes(spec).params;
  try {
    const weights = deserializeArtifact(artifact, { specHash: specHashBytes(specHash), params });
    const k = watermarkKernelIndex(spec, params);
    const v = extractV(wm.rule, weights[k]!, params[k]!.shape, wm.length);
    return quantize(v, wm.quantization.scale, wm.quantization.bits);
  } catch (e) {
    if (e instanceof ArtifactError) throw new ZkInputError(`the artifact does not fit the model spec: ${e.message}`);
    if (e instanceof WatermarkError) throw new ZkInputError(e.message);
    throw e;
  }
}

export function claimFromArtifact(shape: CircuitShape, a: ArtifactClaim): OwnershipClaim {
  return {
    q: quantizedVector(shape, a.spec, a.specHash, a.artifact),
    key: a.key,
    owner: a.owner,
    maxErr: a.maxErr ?? a.spec.watermark!.maxErr,
  };
}
