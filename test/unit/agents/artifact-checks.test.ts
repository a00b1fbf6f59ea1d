// The checks that decide a submission's fate before evaluation (SPEC 4.7) and a trainer's look
// at its own model before sealing (SPEC 6), on real artifacts of the digits spec.
import { readFileSync } from 'node:fs';
import type { Address, Hex } from 'viem';
import { beforeAll, describe, expect, it } from 'vitest';
import { artifactHash } from '../../../src/lib/ml/artifact/hash.ts';
import { serializeArtifact } from '../../../src/lib/ml/artifact/serialize.ts';
import { specHashBytes } from '../../../src/lib/ml/eval/evaluate.ts';
import { parseModelSpecBytes } from '../../../src/lib/ml/spec/parse.ts';
import { specShapes } from '../../../src/lib/ml/spec/shapes.ts';
import type { ModelSpec } from '../../../src/lib/ml/spec/types.ts';
import { generateKey, type WatermarkKey } from '../../../src/lib/ml/watermark/index.ts';
import {
  checkSubmission,
  expectedArtifactBytes,
  hashArtifact,
  inspectCandidate,
  weightsWmCommit,
} from '../../../src/lib/agents/index.ts';
import { craftedWeights } from './support/fakes.ts';
import { TRAINER, hex32 } from './fixtures.ts';

const specBytes = new Uint8Array(readFileSync(new URL('../../../public/specs/digits-mlp.json', import.meta.url)));
let spec: ModelSpec;
let specHash: string;
let key: WatermarkKey;

beforeAll(async () => {
  ({ spec, hash: specHash } = await parseModelSpecBytes(specBytes));
  // A fixed key so the test is the same every run.
  let x = 12345;
  key = generateKey(64, 128, (b) => {
    for (let i = 0; i < b.length; i++) b[i] = (x = (x * 1103515245 + 12345) >>> 0) >>> 24;
  });
});

function artifactOf(weights: Float32Array[]): Uint8Array {
  return serializeArtifact(specHashBytes(specHash), specShapes(spec).params, weights);
}

async function revealed(bytes: Uint8Array, weights: Float32Array[]): Promise<{ artifactHash: Hex; wmCommit: Hex }> {
  return { artifactHash: await artifactHash(bytes), wmCommit: weightsWmCommit(spec, weights) };
}

describe('checkSubmission', () => {
  it('passes an artifact that matches its revealed hash and wmCommit', async () => {
    const w = craftedWeights(spec, key.bits, TRAINER, 0, 1);
    const bytes = artifactOf(w);
    const verdict = await checkSubmission(spec, specHash, await hashArtifact(bytes), await revealed(bytes, w));
    expect(verdict.ok).toBe(true);
    if (verdict.ok)
      expect(verdict.weights.map((t) => t.length)).toEqual(
        specShapes(spec).params.map((p) => p.shape.reduce((a, b) => a * b, 1)),
      );
    expect(bytes.length).toBe(expectedArtifactBytes(spec));
  });

  it('takes the hash the bytes were downloaded against instead of hashing them again', async () => {
    const w = craftedWeights(spec, key.bits, TRAINER, 0, 1);
    const bytes = artifactOf(w);
    const claim = await revealed(bytes, w);
    // The verified hash travels with the bytes; a second hash of them would not match this one.
    const verdict = await checkSubmission(
      spec,
      specHash,
      { bytes, artifactHash: hex32(5) },
      { ...claim, artifactHash: hex32(5) },
    );
    expect(verdict.ok).toBe(true);
    const other = await checkSubmission(spec, specHash, { bytes, artifactHash: hex32(5) }, claim);
    expect(other).toMatchObject({ ok: false, check: 'hash' });
  });

  const cases: {
    name: string;
    make: () => Promise<{ bytes: Uint8Array; claim: { artifactHash: Hex; wmCommit: Hex } }>;
    check: string;
    reason: RegExp;
  }[] = [
    {
      name: 'other bytes than the revealed hash',
      make: async () => {
        const w = craftedWeights(spec, key.bits, TRAINER, 0, 1);
        const bytes = artifactOf(w);
        return { bytes, claim: { ...(await revealed(bytes, w)), artifactHash: hex32(1) } };
      },
      check: 'hash',
      reason: /the artifact hashes to 0x[0-9a-f]{64}, not the revealed 0x0+1$/,
    },
    {
      name: "a wmCommit that is not its weights'",
      make: async () => {
        const w = craftedWeights(spec, key.bits, TRAINER, 0, 1);
        const bytes = artifactOf(w);
        return {
          bytes,
          claim: {
            ...(await revealed(bytes, w)),
            wmCommit: weightsWmCommit(spec, craftedWeights(spec, key.bits, TRAINER, 3, 2)),
          },
        };
      },
      check: 'watermark',
      reason: /the weights' wmCommit is 0x[0-9a-f]{64}, not the revealed 0x[0-9a-f]{64}/,
    },
    {
      name: 'a truncated artifact',
      make: async () => {
        const bytes = artifactOf(craftedWeights(spec, key.bits, TRAINER, 0, 1)).slice(0, -4);
        return { bytes, claim: { artifactHash: await artifactHash(bytes), wmCommit: hex32(2) } };
      },
      check: 'artifact',
      reason: /not a valid artifact of this task's model: .*truncated/,
    },
    {
      name: 'NaN in the weights',
      make: async () => {
        const bytes = artifactOf(craftedWeights(spec, key.bits, TRAINER, 0, 1));
        new DataView(bytes.buffer).setFloat32(bytes.length - 4, Number.NaN, true);
        return { bytes, claim: { artifactHash: await artifactHash(bytes), wmCommit: hex32(2) } };
      },
      check: 'artifact',
      reason: /not a valid artifact of this task's model: .*(NaN|finite)/i,
    },
    {
      name: 'an artifact of another model spec',
      make: async () => {
        const bytes = serializeArtifact(
          new Uint8Array(32).fill(7),
          specShapes(spec).params,
          craftedWeights(spec, key.bits, TRAINER, 0, 1),
        );
        return { bytes, claim: { artifactHash: await artifactHash(bytes), wmCommit: hex32(2) } };
      },
      check: 'artifact',
      reason: /not a valid artifact of this task's model: .*spec/,
    },
  ];
  for (const c of cases) {
    it(`scores 0: ${c.name}`, async () => {
      const { bytes, claim } = await c.make();
      const verdict = await checkSubmission(spec, specHash, await hashArtifact(bytes), claim);
      expect(verdict).toMatchObject({ ok: false, check: c.check });
      if (!verdict.ok) expect(verdict.reason).toMatch(c.reason);
    });
  }
});

describe('inspectCandidate', () => {
  const owner: Address = TRAINER;
  const table = [
    { wrong: 0, sealable: true },
    { wrong: 4, sealable: true },
    { wrong: 5, sealable: false },
    { wrong: 9, sealable: false },
  ];
  for (const t of table) {
    it(`${t.wrong} wrong bits: ${t.sealable ? 'sealable' : 'not sealable'} (maxErr 8, margin maxErr/2)`, async () => {
      const w = craftedWeights(spec, key.bits, owner, t.wrong, 1);
      const bytes = artifactOf(w);
      const r = await inspectCandidate(spec, specHash, await hashArtifact(bytes), key, owner);
      expect(r).toEqual({
        artifactHash: await artifactHash(bytes),
        wmCommit: weightsWmCommit(spec, w),
        wrong: t.wrong,
        maxErr: 8,
        sealable: t.sealable,
      });
    });
  }

  it("another owner's address does not decode", async () => {
    const bytes = artifactOf(craftedWeights(spec, key.bits, owner, 0, 1));
    const r = await inspectCandidate(
      spec,
      specHash,
      await hashArtifact(bytes),
      key,
      '0x0000000000000000000000000000000000000001',
    );
    expect(r.sealable).toBe(false);
    expect(r.wrong).toBeGreaterThan(8);
  });
});
