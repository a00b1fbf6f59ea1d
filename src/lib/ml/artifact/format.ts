// Layout constants and the error type shared by the serializer and the deserializer
// (docs/ml.md section 3).
import type { ParamShape } from '../spec/types.ts';
import { ArenaError } from '../../errors.ts';

/** ASCII `AIAWTS01`: bytes 0..7 of every artifact. */
export const ARTIFACT_FORMAT_ID = 'AIAWTS01';
export const SPEC_HASH_BYTES = 32;
/** Format id, spec hash, tensor count. */
export const ARTIFACT_HEADER_BYTES = 8 + SPEC_HASH_BYTES + 4;

/** The spec budget (docs/ml.md section 1): at most 20,000,000 parameters in at most 32 layers. */
export const MAX_PARAMETERS = 20_000_000;
// Every layer type has at most 8 weight tensors (attention) of rank at most 4 (conv kernel).
const MAX_TENSORS = 32 * 8;
const MAX_TENSOR_HEADER_BYTES = 4 + 4 * 4;
/**
 * Default size limit: the largest artifact any valid spec can have. Checked before anything is
 * read, so an oversized download is refused without looking at it.
 */
export const MAX_ARTIFACT_BYTES = ARTIFACT_HEADER_BYTES + MAX_TENSORS * MAX_TENSOR_HEADER_BYTES + 4 * MAX_PARAMETERS;

export type ArtifactErrorCode = 'format' | 'spec' | 'count' | 'shape' | 'truncated' | 'trailing' | 'nonfinite' | 'size';

export class ArtifactError extends ArenaError<ArtifactErrorCode> {
  constructor(
    code: ArtifactErrorCode,
    message: string,
    /** Index of the tensor concerned, in parameter order, when there is one. */
    readonly tensor?: number,
  ) {
    super(code, message);
    this.name = 'ArtifactError';
  }
}

/** `tensor 2 (layers[3].kernel)`: how messages name a tensor. */
export function tensorLabel(params: readonly ParamShape[], i: number): string {
  const p = params[i];
  return p ? `tensor ${i} (layers[${p.layer}].${p.name})` : `tensor ${i}`;
}

export const shapeText = (dims: readonly number[]): string => `[${dims.join(', ')}]`;

/** Number of float32 values of a parameter; rejects dims that cannot be written as u32. */
export function paramElements(p: ParamShape): number {
  let n = 1;
  for (const d of p.shape) {
    if (!Number.isInteger(d) || d < 1 || d > 0xffff_ffff) {
      throw new RangeError(
        `layers[${p.layer}].${p.name}: dimension ${d} in ${shapeText(p.shape)} is not an integer in 1..2^32-1`,
      );
    }
    n *= d;
  }
  return n;
}

/** Exact byte length of the artifact of a spec with these parameters. */
export function artifactByteLength(params: readonly ParamShape[]): number {
  let n = ARTIFACT_HEADER_BYTES;
  for (const p of params) n += 4 + 4 * p.shape.length + 4 * paramElements(p);
  return n;
}

// Float32Array shares the host's byte order; on a little-endian host (every browser platform in
// practice) values can be copied as bytes, elsewhere they go through a DataView.
export const LITTLE_ENDIAN_HOST = new Uint8Array(new Uint32Array([1]).buffer)[0] === 1;

export function hex(bytes: Uint8Array): string {
  let s = '';
  for (const b of bytes) s += b.toString(16).padStart(2, '0');
  return s;
}
