// Strict reader for artifacts (docs/ml.md section 3). It is fed bytes from strangers, so it
// checks every count against the expected spec before allocating, and builds no model.
import type { ParamShape } from '../spec/types.ts';
import {
  ARTIFACT_FORMAT_ID,
  ARTIFACT_HEADER_BYTES,
  ArtifactError,
  LITTLE_ENDIAN_HOST,
  MAX_ARTIFACT_BYTES,
  SPEC_HASH_BYTES,
  artifactByteLength,
  hex,
  paramElements,
  shapeText,
  tensorLabel,
} from './format.ts';
import { firstNonFinite } from './serialize.ts';

export interface DeserializeOptions {
  /** sha256 of the model spec file the artifact must name (32 bytes). */
  specHash: Uint8Array;
  /** The spec's parameter shapes in canonical order (specShapes(spec).params). */
  params: readonly ParamShape[];
  /** Refuse larger buffers before reading them. Default: MAX_ARTIFACT_BYTES (the spec budget). */
  maxBytes?: number;
}

/**
 * Parses an artifact into one fresh Float32Array per parameter (copies, never views of `bytes`).
 * Throws ArtifactError with code 'size', 'format', 'spec', 'count', 'shape', 'truncated',
 * 'trailing' or 'nonfinite'.
 */
export function deserializeArtifact(bytes: Uint8Array, options: DeserializeOptions): Float32Array[] {
  const { specHash, params } = options;
  const maxBytes = options.maxBytes ?? MAX_ARTIFACT_BYTES;
  if (specHash.length !== SPEC_HASH_BYTES) {
    throw new RangeError(`the expected model spec hash must be ${SPEC_HASH_BYTES} bytes, got ${specHash.length}`);
  }
  if (bytes.length > maxBytes) {
    throw new ArtifactError('size', `the artifact is ${bytes.length} bytes, over the limit of ${maxBytes} bytes`);
  }
  const expectedLength = artifactByteLength(params);
  if (expectedLength > maxBytes) {
    throw new ArtifactError(
      'size',
      `the model spec's weights need ${expectedLength} bytes, over the limit of ${maxBytes} bytes`,
    );
  }

  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const need = (off: number, n: number, what: string) => {
    if (off + n > bytes.length) {
      throw new ArtifactError(
        'truncated',
        `the artifact is truncated: it ends at byte ${bytes.length}, inside ${what} (bytes ${off}..${off + n - 1})`,
      );
    }
  };

  // A prefix that already differs from the id is another kind of file, not a truncated artifact.
  const idLength = Math.min(8, bytes.length);
  const id = String.fromCharCode(...bytes.subarray(0, idLength));
  if (id !== ARTIFACT_FORMAT_ID.slice(0, idLength)) {
    throw new ArtifactError(
      'format',
      `not an AIArena weights artifact: it starts with ${describeId(bytes.subarray(0, 8))}, expected "${ARTIFACT_FORMAT_ID}"`,
    );
  }
  need(0, 8, 'the format id');
  need(8, SPEC_HASH_BYTES, 'the model spec hash');
  const gotSpec = bytes.subarray(8, 8 + SPEC_HASH_BYTES);
  if (!gotSpec.every((b, i) => b === specHash[i])) {
    throw new ArtifactError(
      'spec',
      `the artifact is for another model spec: it names 0x${hex(gotSpec)}, expected 0x${hex(specHash)}`,
    );
  }
  need(40, 4, 'the tensor count');
  const count = view.getUint32(40, true);
  if (count !== params.length) {
    throw new ArtifactError('count', `the artifact has ${count} tensors, the model spec has ${params.length}`);
  }

  const out: Float32Array[] = [];
  let off = ARTIFACT_HEADER_BYTES;
  params.forEach((p, i) => {
    const label = tensorLabel(params, i);
    need(off, 4, `the rank of ${label}`);
    const rank = view.getUint32(off, true);
    off += 4;
    if (rank !== p.shape.length) {
      throw new ArtifactError(
        'shape',
        `${label}: rank ${rank}, the model spec expects rank ${p.shape.length} ${shapeText(p.shape)}`,
        i,
      );
    }
    need(off, 4 * rank, `the dims of ${label}`);
    const dims: number[] = [];
    for (let d = 0; d < rank; d++, off += 4) dims.push(view.getUint32(off, true));
    if (dims.some((d, k) => d !== p.shape[k])) {
      throw new ArtifactError(
        'shape',
        `${label}: shape ${shapeText(dims)}, the model spec expects ${shapeText(p.shape)}`,
        i,
      );
    }
    // The dims equal the spec's, so n is bounded by the spec (and the size check above).
    const n = paramElements(p);
    need(off, 4 * n, `the values of ${label}`);
    const t = new Float32Array(n);
    if (LITTLE_ENDIAN_HOST) {
      new Uint8Array(t.buffer).set(bytes.subarray(off, off + 4 * n));
    } else {
      for (let k = 0; k < n; k++) t[k] = view.getFloat32(off + 4 * k, true);
    }
    off += 4 * n;
    const bad = firstNonFinite(t);
    if (bad >= 0) {
      throw new ArtifactError('nonfinite', `${label}: value ${bad} is ${t[bad]}; weights must be finite`, i);
    }
    out.push(t);
  });
  if (off !== bytes.length) {
    throw new ArtifactError(
      'trailing',
      `the artifact has ${bytes.length - off} bytes after its last tensor (expected ${off} bytes in all)`,
    );
  }
  return out;
}

function describeId(b: Uint8Array): string {
  const printable = b.every((c) => c >= 0x20 && c < 0x7f);
  return printable ? `"${String.fromCharCode(...b)}"` : `bytes 0x${hex(b)}`;
}
