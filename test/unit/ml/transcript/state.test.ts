// Canonical state bytes (docs/transcript.md section 3): the artifact as a prefix, the trailer,
// round trips and refusals.
import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { artifactByteLength } from '../../../../src/lib/ml/artifact/format.ts';
import { serializeArtifact } from '../../../../src/lib/ml/artifact/serialize.ts';
import type { ParamShape } from '../../../../src/lib/ml/spec/types.ts';
import { TranscriptError } from '../../../../src/lib/ml/transcript/errors.ts';
import {
  deserializeState,
  leafOf,
  serializeState,
  slotGroups,
  stateArtifact,
  stateByteLength,
  type TranscriptState,
} from '../../../../src/lib/ml/transcript/state.ts';

const params: ParamShape[] = [
  { layer: 1, name: 'kernel', shape: [3, 2] },
  { layer: 1, name: 'bias', shape: [2] },
];
const specHash = Uint8Array.from({ length: 32 }, (_, i) => i + 1);
const seq = (n: number, k: number) => Float32Array.from({ length: n }, (_, i) => (i + 1) * k);
const state = (over: Partial<TranscriptState> = {}): TranscriptState => ({
  step: 150,
  weights: [seq(6, 0.5), seq(2, -0.25)],
  slots: [
    [seq(6, 0.125), seq(2, 2)],
    [seq(6, 1e-6), seq(2, 3e-7)],
  ],
  ...over,
});
const opts = { specHash, params, groups: 2 };

describe('state bytes', () => {
  it('are the artifact of the weights, then AIATST01, the step, the group count and the slots', () => {
    const bytes = serializeState(specHash, params, state());
    const art = serializeArtifact(specHash, params, state().weights);
    expect(Buffer.from(stateArtifact(bytes, params)).equals(Buffer.from(art))).toBe(true);
    expect(stateByteLength(params, 2)).toBe(artifactByteLength(params) + 20 + 4 * 8 * 2);
    expect(bytes.length).toBe(stateByteLength(params, 2));
    const t = Buffer.from(bytes.subarray(art.length));
    expect(t.subarray(0, 8).toString('ascii')).toBe('AIATST01');
    expect(t.readBigUInt64LE(8)).toBe(150n);
    expect(t.readUInt32LE(16)).toBe(2);
    expect(t.readFloatLE(20)).toBe(0.125); // slot 0, tensor 0, value 0
    expect(t.readFloatLE(20 + 4 * 8)).toBe(Math.fround(1e-6)); // slot 1, tensor 0, value 0
    expect(t.length).toBe(20 + 4 * 16);
  });

  it('round-trip, including a step counter above 2^32 and no slot groups', async () => {
    const s = state({ step: 2 ** 40 + 5 });
    const back = deserializeState(serializeState(specHash, params, s), opts);
    expect(back).toEqual(s);
    const plain = state({ slots: [] });
    expect(deserializeState(serializeState(specHash, params, plain), { ...opts, groups: 0 })).toEqual(plain);
    const bytes = serializeState(specHash, params, s);
    expect(await leafOf(bytes)).toBe(`0x${createHash('sha256').update(bytes).digest('hex')}`);
  });

  it('refuse what is not a state of the spec, naming the problem', () => {
    const bytes = serializeState(specHash, params, state());
    const err = (b: Uint8Array, o = opts) => {
      try {
        deserializeState(b, o);
      } catch (e) {
        expect(e).toBeInstanceOf(TranscriptError);
        return (e as TranscriptError).message;
      }
      throw new Error('accepted');
    };
    expect(err(bytes.subarray(0, bytes.length - 1))).toMatch(/is 180 bytes, got 179/);
    expect(err(bytes, { ...opts, groups: 1 })).toMatch(/is 148 bytes, got 180/);
    const otherSpec = Uint8Array.from(specHash).fill(9);
    expect(err(bytes, { ...opts, specHash: otherSpec })).toMatch(/state weights: .*spec/);
    const badId = bytes.slice();
    badId[artifactByteLength(params) + 3] = 0x58;
    expect(err(badId)).toMatch(/trailer must start with AIATST01/);
    const badGroups = bytes.slice();
    new DataView(badGroups.buffer).setUint32(artifactByteLength(params) + 16, 1, true);
    expect(err(badGroups)).toMatch(/1 optimizer slot groups, this spec's optimizer keeps 2/);
    const nan = bytes.slice();
    new DataView(nan.buffer).setFloat32(bytes.length - 4, NaN, true);
    expect(err(nan)).toMatch(/optimizer slot 1 of tensor 1 \(layers\[1\].bias\): value 1 is NaN/);
    const bigStep = bytes.slice();
    new DataView(bigStep.buffer).setUint32(artifactByteLength(params) + 12, 0xffff_ffff, true);
    expect(err(bigStep)).toMatch(/step counter must be a non-negative safe integer/);
    expect(() => serializeState(specHash, params, state({ step: -1 }))).toThrow(/step counter/);
    expect(() =>
      serializeState(specHash, params, state({ slots: [[seq(6, 1), Float32Array.of(1, Infinity)]] })),
    ).toThrow(/value 1 is Infinity/);
    expect(() => serializeState(specHash, params, state({ slots: [[seq(6, 1)]] }))).toThrow(/1 tensors, expected 2/);
  });

  it('slot groups follow the optimizer', () => {
    expect(slotGroups({ name: 'adam', momentum: 0 })).toBe(2);
    expect(slotGroups({ name: 'sgd', momentum: 0.9 })).toBe(1);
    expect(slotGroups({ name: 'sgd', momentum: 0 })).toBe(0);
  });
});
