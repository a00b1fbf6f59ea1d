// Canonical weights serialization (docs/ml.md section 3). The bytes are hashed and sealed on
// chain, so the writer refuses anything the reader would refuse: a sealed artifact must load.
import type { ParamShape } from '../spec/types.ts';
import {
  ARTIFACT_FORMAT_ID,
  ARTIFACT_HEADER_BYTES,
  ArtifactError,
  LITTLE_ENDIAN_HOST,
  SPEC_HASH_BYTES,
  artifactByteLength,
  paramElements,
  shapeText,
  tensorLabel,
} from './format.ts';

/**
 * Serializes `tensors` (one per entry of `params`, in parameter order, row-major) for the model
 * spec whose sha256 is `specHash`. Throws ArtifactError: 'spec' (hash not 32 bytes), 'count',
 * 'shape' (value count differs from the shape), 'nonfinite' (NaN or Infinity).
 */
export function serializeArtifact(
  specHash: Uint8Array,
  params: readonly ParamShape[],
  tensors: readonly Float32Array[],
): Uint8Array {
  if (specHash.length !== SPEC_HASH_BYTES) {
    throw new ArtifactError('spec', `the model spec hash must be ${SPEC_HASH_BYTES} bytes, got ${specHash.length}`);
  }
  if (tensors.length !== params.length) {
    throw new ArtifactError(
      'count',
      `got ${tensors.length} tensors, the model spec has ${params.length} parameter tensors`,
    );
  }
  params.forEach((p, i) => {
    const t = tensors[i]!;
    const n = paramElements(p);
    if (!(t instanceof Float32Array) || t.length !== n) {
      const got = t instanceof Float32Array ? `${t.length} values` : 'not a Float32Array';
      throw new ArtifactError(
        'shape',
        `${tensorLabel(params, i)}: shape ${shapeText(p.shape)} needs ${n} float32 values, got ${got}`,
        i,
      );
    }
    const bad = firstNonFinite(t);
    if (bad >= 0) {
      throw new ArtifactError(
        'nonfinite',
        `${tensorLabel(params, i)}: value ${bad} is ${t[bad]}; weights must be finite`,
        i,
      );
    }
  });

  const out = new Uint8Array(artifactByteLength(params));
  const view = new DataView(out.buffer);
  for (let i = 0; i < 8; i++) out[i] = ARTIFACT_FORMAT_ID.charCodeAt(i);
  out.set(specHash, 8);
  view.setUint32(40, params.length, true);
  let off = ARTIFACT_HEADER_BYTES;
  params.forEach((p, i) => {
    const t = tensors[i]!;
    view.setUint32(off, p.shape.length, true);
    off += 4;
    for (const d of p.shape) {
      view.setUint32(off, d, true);
      off += 4;
    }
    if (LITTLE_ENDIAN_HOST) {
      out.set(new Uint8Array(t.buffer, t.byteOffset, t.byteLength), off);
      off += t.byteLength;
    } else {
      for (let k = 0; k < t.length; k++, off += 4) view.setFloat32(off, t[k]!, true);
    }
  });
  return out;
}

/** Index of the first NaN or infinite value, -1 if all are finite. */
export function firstNonFinite(t: Float32Array): number {
  for (let k = 0; k < t.length; k++) {
    // x - x is NaN exactly for NaN and the infinities, and is cheaper than Number.isFinite.
    const x = t[k]!;
    if (x - x !== 0) return k;
  }
  return -1;
}
