// A training state and its canonical bytes (SPEC 8.2; docs/transcript.md section 3). The bytes
// are the artifact of the state's weights (docs/ml.md section 3), unchanged, followed by a
// trailer: ASCII `AIATST01`, the step counter (u64 LE), the optimizer's slot-group count (u32 LE)
// and every slot tensor's float32 values (LE) group by group, each group in parameter order.
// So the artifact of the last state is a prefix of its bytes: the sealed artifactHash is
// sha256(first artifactByteLength(params) bytes of the last state).
import type { Hex } from 'viem';
import { deserializeArtifact } from '../artifact/deserialize.ts';
import {
  ArtifactError,
  LITTLE_ENDIAN_HOST,
  artifactByteLength,
  paramElements,
  tensorLabel,
} from '../artifact/format.ts';
import { firstNonFinite, serializeArtifact } from '../artifact/serialize.ts';
import { sha256Hex } from '../hash.ts';
import type { ParamShape } from '../spec/types.ts';
import { TranscriptError } from './errors.ts';

export const STATE_TRAILER_ID = 'AIATST01';
const TRAILER_HEADER_BYTES = 8 + 8 + 4;

/** Everything that decides the next steps of the fixed program. */
export interface TranscriptState {
  /** Global steps done (= optimizer updates applied). */
  step: number;
  /** In parameter order. */
  weights: Float32Array[];
  /** Optimizer slot groups (adam: [m, v]; sgd with momentum: [velocity]; plain sgd: []), each in parameter order. */
  slots: Float32Array[][];
}

/** Slot groups the spec's optimizer keeps (optimizer.ts). */
export function slotGroups(optimizer: { name: 'adam' | 'sgd'; momentum: number }): number {
  return optimizer.name === 'adam' ? 2 : optimizer.momentum > 0 ? 1 : 0;
}

export function stateByteLength(params: readonly ParamShape[], groups: number): number {
  const values = params.reduce((n, p) => n + paramElements(p), 0);
  return artifactByteLength(params) + TRAILER_HEADER_BYTES + 4 * values * groups;
}

function checkStep(step: number): void {
  if (!Number.isSafeInteger(step) || step < 0)
    throw new TranscriptError('state', `the step counter must be a non-negative safe integer, got ${step}`);
}

export function serializeState(
  specHash: Uint8Array,
  params: readonly ParamShape[],
  state: TranscriptState,
): Uint8Array {
  checkStep(state.step);
  const artifact = serializeArtifact(specHash, params, state.weights);
  const groups = state.slots.length;
  const out = new Uint8Array(stateByteLength(params, groups));
  out.set(artifact);
  const view = new DataView(out.buffer);
  let off = artifact.length;
  for (let i = 0; i < 8; i++) out[off + i] = STATE_TRAILER_ID.charCodeAt(i);
  view.setUint32(off + 8, state.step % 2 ** 32, true);
  view.setUint32(off + 12, Math.floor(state.step / 2 ** 32), true);
  view.setUint32(off + 16, groups, true);
  off += TRAILER_HEADER_BYTES;
  state.slots.forEach((group, g) => {
    if (group.length !== params.length)
      throw new TranscriptError(
        'state',
        `optimizer slot group ${g} has ${group.length} tensors, expected ${params.length}`,
      );
    params.forEach((p, i) => {
      const t = group[i]!;
      if (!(t instanceof Float32Array) || t.length !== paramElements(p))
        throw new TranscriptError('state', `optimizer slot ${g} of ${tensorLabel(params, i)}: wrong size`);
      const bad = firstNonFinite(t);
      if (bad >= 0)
        throw new TranscriptError(
          'nonfinite',
          `optimizer slot ${g} of ${tensorLabel(params, i)}: value ${bad} is ${t[bad]}`,
        );
      if (LITTLE_ENDIAN_HOST) out.set(new Uint8Array(t.buffer, t.byteOffset, t.byteLength), off);
      else for (let k = 0; k < t.length; k++) view.setFloat32(off + 4 * k, t[k]!, true);
      off += t.byteLength;
    });
  });
  return out;
}

export interface ReadStateOptions {
  specHash: Uint8Array;
  params: readonly ParamShape[];
  /** Slot groups the spec's optimizer keeps. */
  groups: number;
}

/** Parses state bytes of this spec (fresh arrays); TranscriptError 'state' or 'nonfinite' otherwise. */
export function deserializeState(bytes: Uint8Array, options: ReadStateOptions): TranscriptState {
  const { specHash, params, groups } = options;
  const expected = stateByteLength(params, groups);
  if (bytes.length !== expected)
    throw new TranscriptError('state', `a state of this spec is ${expected} bytes, got ${bytes.length}`);
  const split = artifactByteLength(params);
  let weights: Float32Array[];
  try {
    weights = deserializeArtifact(bytes.subarray(0, split), { specHash, params });
  } catch (e) {
    if (e instanceof ArtifactError)
      throw new TranscriptError(e.code === 'nonfinite' ? 'nonfinite' : 'state', `state weights: ${e.message}`, {
        cause: e,
      });
    throw e;
  }
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const id = String.fromCharCode(...bytes.subarray(split, split + 8));
  if (id !== STATE_TRAILER_ID)
    throw new TranscriptError(
      'state',
      `the state trailer must start with ${STATE_TRAILER_ID}, got ${JSON.stringify(id)}`,
    );
  const step = view.getUint32(split + 8, true) + view.getUint32(split + 12, true) * 2 ** 32;
  checkStep(step);
  const stored = view.getUint32(split + 16, true);
  if (stored !== groups)
    throw new TranscriptError(
      'state',
      `the state has ${stored} optimizer slot groups, this spec's optimizer keeps ${groups}`,
    );
  let off = split + TRAILER_HEADER_BYTES;
  const slots: Float32Array[][] = [];
  for (let g = 0; g < groups; g++) {
    slots.push(
      params.map((p, i) => {
        const n = paramElements(p);
        const t = new Float32Array(n);
        if (LITTLE_ENDIAN_HOST) new Uint8Array(t.buffer).set(bytes.subarray(off, off + 4 * n));
        else for (let k = 0; k < n; k++) t[k] = view.getFloat32(off + 4 * k, true);
        off += 4 * n;
        const bad = firstNonFinite(t);
        if (bad >= 0)
          throw new TranscriptError(
            'nonfinite',
            `optimizer slot ${g} of ${tensorLabel(params, i)}: value ${bad} is ${t[bad]}`,
          );
        return t;
      }),
    );
  }
  return { step, weights, slots };
}

/** The artifact inside state bytes (a view): what the last state seals. */
export function stateArtifact(bytes: Uint8Array, params: readonly ParamShape[]): Uint8Array {
  return bytes.subarray(0, artifactByteLength(params));
}

/** Leaf = sha256(state bytes), as a bytes32. */
export async function leafOf(stateBytes: Uint8Array): Promise<Hex> {
  return `0x${await sha256Hex(stateBytes)}`;
}
