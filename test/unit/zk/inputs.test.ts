// The prover's TS side without proving: public signals equal the shared vectors' commitments,
// claims that cannot be proven fail before any proving with typed errors, artifacts give the
// same q as the watermark check, calldata is laid out for the Solidity verifier, and the
// manifest parser refuses malformed files.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, test } from 'vitest';
import { REPO_ROOT } from '../../../scripts/zk/sources.ts';
import { PRODUCTION_VECTOR, loadVectors, vectorByName, vectorClaim } from '../../../scripts/zk/vectors.ts';
import { serializeArtifact } from '../../../src/lib/ml/artifact/serialize.ts';
import { parseModelSpecBytes } from '../../../src/lib/ml/spec/parse.ts';
import { specShapes } from '../../../src/lib/ml/spec/shapes.ts';
import { checkWatermark } from '../../../src/lib/ml/watermark/check.ts';
import { generateKey } from '../../../src/lib/ml/watermark/key.ts';
import { specHashBytes } from '../../../src/lib/ml/eval/evaluate.ts';
import {
  BASE_FIELD_Q,
  proofWords,
  toSolidityProof,
  verifierArgs,
  type Groth16Proof,
} from '../../../src/lib/zk/calldata.ts';
import { PRODUCTION_SHAPE, namedPublicSignals, publicSignalTuple } from '../../../src/lib/zk/circuit.ts';
import {
  ShapeMismatchError,
  WatermarkDoesNotDecodeError,
  ZkArtifactError,
  ZkError,
  ZkInputError,
} from '../../../src/lib/zk/errors.ts';
import { errorToJson } from '../../../src/lib/error-wire.ts';
import { errorFromWire } from '../../../src/lib/error-registry.ts';
import { claimFromArtifact, quantizedVector } from '../../../src/lib/zk/from-artifact.ts';
import { prepareOwnershipProof, publicSignalsFor } from '../../../src/lib/zk/inputs.ts';
import { parseZkManifest } from '../../../src/lib/zk/manifest.ts';
import { Drbg } from '../ml/watermark/drbg.ts';

const SMALL = { T: 16, N: 32, WB: 16 };
const shapeOf = (v: ReturnType<typeof vectorByName>) => ({ T: v.params.T, N: v.params.N, WB: v.params.WB });

describe('public signals and inputs', () => {
  test.each(loadVectors().map((v) => [v.name, v] as const))(
    "%s: public signals are the vector's commitments",
    (_, v) => {
      const p = publicSignalsFor(shapeOf(v), vectorClaim(v));
      expect(p).toEqual({
        wmCommit: BigInt(v.wmCommit),
        keyCommit: BigInt(v.keyCommit),
        owner: BigInt(v.owner),
        maxErr: BigInt(v.params.maxErr),
      });
      expect(publicSignalTuple(p)).toEqual([p.wmCommit, p.keyCommit, p.owner, p.maxErr]);
    },
  );

  test('the circuit input: key rows of N bits, q as signed decimal strings, salt and public signals as decimals', () => {
    const v = vectorByName('small-16x32');
    const { input, decoded } = prepareOwnershipProof(SMALL, vectorClaim(v));
    expect(decoded.wrong).toBe(0);
    expect(input.key).toHaveLength(16);
    expect(input.key.every((row) => row.length === 32)).toBe(true);
    expect(input.key.flat().join('')).toBe(v.key.bits);
    expect(input.q).toEqual(v.q.map(String));
    expect(input.q.some((x) => x.startsWith('-'))).toBe(true);
    expect(input.keySalt).toBe(v.key.salt);
    expect([input.wmCommit, input.keyCommit, input.owner, input.maxErr]).toEqual([
      v.wmCommit,
      v.keyCommit,
      BigInt(v.owner).toString(),
      '2',
    ]);
  });

  test('a model that does not decode fails before proving, with the counts', () => {
    const v = vectorByName('production-64x128-random');
    expect(v.wrong).toBe(39);
    const e = catchError(() => prepareOwnershipProof(PRODUCTION_SHAPE, vectorClaim(v)));
    expect(e).toBeInstanceOf(WatermarkDoesNotDecodeError);
    expect(e).toMatchObject({ code: 'does_not_decode', wrong: 39, maxErr: 8 });
    expect((e as Error).message).toMatch(/39 wrong bits, more than the 8/);
    // The five-wrong vector passes at 5 and fails at 4.
    const five = vectorByName(PRODUCTION_VECTOR);
    expect(prepareOwnershipProof(PRODUCTION_SHAPE, vectorClaim(five, 5)).decoded.wrong).toBe(5);
    expect(() => prepareOwnershipProof(PRODUCTION_SHAPE, vectorClaim(five, 4))).toThrow(WatermarkDoesNotDecodeError);
  });

  test('bad claims get typed errors', () => {
    const v = vectorByName('small-16x32');
    const claim = vectorClaim(v);
    expect(() => prepareOwnershipProof(PRODUCTION_SHAPE, claim)).toThrow(ShapeMismatchError);
    expect(() => prepareOwnershipProof(SMALL, { ...claim, q: claim.q.slice(1) })).toThrow(ShapeMismatchError);
    expect(() => prepareOwnershipProof(SMALL, { ...claim, owner: '0x1234' })).toThrow(/20-byte 0x address/);
    for (const maxErr of [-1, 256, 1.5, Number.NaN])
      expect(() => prepareOwnershipProof(SMALL, { ...claim, maxErr })).toThrow(ZkInputError);
    const q = claim.q.slice();
    q[4] = 2 ** 15;
    expect(() => prepareOwnershipProof(SMALL, { ...claim, q })).toThrow(
      /q\[4\] = 32768 is outside the circuit's 16-bit range/,
    );
    const bits = claim.key.bits.slice();
    bits[0] = 2;
    expect(() => prepareOwnershipProof(SMALL, { ...claim, key: { ...claim.key, bits } })).toThrow(ZkInputError);
  });

  test('typed errors survive the worker boundary as JSON', () => {
    const back = errorFromWire(JSON.parse(JSON.stringify(errorToJson(new WatermarkDoesNotDecodeError(12, 8)))));
    expect(back).toBeInstanceOf(WatermarkDoesNotDecodeError);
    expect(back).toMatchObject({ wrong: 12, maxErr: 8, code: 'does_not_decode' });
    // Not a ZkError: the language's own class (the prover client wraps it in an internal ZkError).
    const plain = errorFromWire(errorToJson(new TypeError('boom')));
    expect([plain.constructor, plain.message, 'code' in plain]).toEqual([TypeError, 'boom', false]);
    expect(errorFromWire(errorToJson(new ZkArtifactError('gone')))).toBeInstanceOf(ZkArtifactError);
  });
});

describe('claims from artifacts', () => {
  const specBytes = new Uint8Array(readFileSync(join(REPO_ROOT, 'public', 'specs', 'digits-mlp.json')));

  test("q from an artifact equals the watermark check's q; an artifact made from a vector's q proves that vector", async () => {
    const { spec, hash } = await parseModelSpecBytes(specBytes);
    const params = specShapes(spec).params;
    const rng = new Drbg('zk artifact');
    const weights = params.map((p) =>
      Float32Array.from({ length: p.shape.reduce((a, b) => a * b, 1) }, () => (rng.u32() / 2 ** 32 - 0.5) * 0.2),
    );
    const artifact = serializeArtifact(specHashBytes(hash), params, weights);
    const key = generateKey(64, 128, rng.fill);
    const owner = '0x5b38da6a701c568545dcfcddfc4b11fc0a3f9d6e';
    const q = quantizedVector(PRODUCTION_SHAPE, spec, hash, artifact);
    const k = params.findIndex((p) => p.layer === 1 && p.name === 'kernel');
    expect(Array.from(q)).toEqual(
      Array.from(checkWatermark(spec.watermark!, weights[k]!, params[k]!.shape, key, owner).q),
    );
    // A random model does not carry this key's watermark.
    expect(() =>
      prepareOwnershipProof(
        PRODUCTION_SHAPE,
        claimFromArtifact(PRODUCTION_SHAPE, { spec, specHash: hash, artifact, key, owner }),
      ),
    ).toThrow(WatermarkDoesNotDecodeError);

    // Every row of the hidden kernel = q / 2^16: column means are exactly q / 2^16, which quantizes back to q.
    const v = vectorByName(PRODUCTION_VECTOR);
    weights[k] = Float32Array.from({ length: 64 * 128 }, (_, i) => v.q[i % 128]! / 65536);
    const marked = serializeArtifact(specHashBytes(hash), params, weights);
    const claim = claimFromArtifact(PRODUCTION_SHAPE, {
      spec,
      specHash: hash,
      artifact: marked,
      key: vectorClaim(v).key,
      owner: v.owner,
    });
    expect(claim.maxErr).toBe(8);
    const prepared = prepareOwnershipProof(PRODUCTION_SHAPE, claim);
    expect(prepared.publicSignals.wmCommit).toBe(BigInt(v.wmCommit));
    expect(prepared.decoded.wrong).toBe(5);
  });

  test('an artifact of another spec, a truncated one, and a spec of another shape are refused', async () => {
    const { spec, hash } = await parseModelSpecBytes(specBytes);
    const params = specShapes(spec).params;
    const artifact = serializeArtifact(
      specHashBytes(hash),
      params,
      params.map((p) => new Float32Array(p.shape.reduce((a, b) => a * b, 1))),
    );
    expect(() => quantizedVector(PRODUCTION_SHAPE, spec, 'ab'.repeat(32), artifact)).toThrow(
      /does not fit the model spec/,
    );
    expect(() => quantizedVector(PRODUCTION_SHAPE, spec, hash, artifact.subarray(0, artifact.length - 1))).toThrow(
      ZkInputError,
    );
    expect(() => quantizedVector(SMALL, spec, hash, artifact)).toThrow(ShapeMismatchError);
    const { watermark: _, ...plain } = spec;
    expect(() => quantizedVector(PRODUCTION_SHAPE, plain, hash, artifact)).toThrow(/has no watermark/);
  });

  test('a language model (solidity-gpt, mlp-column-mean on block1.w1) feeds the same 64 x 128 x 16 circuit', async () => {
    const { spec, hash } = await parseModelSpecBytes(
      new Uint8Array(readFileSync(join(REPO_ROOT, 'public', 'specs', 'solidity-gpt.json'))),
    );
    expect(spec.watermark).toMatchObject({
      rule: 'mlp-column-mean',
      bits: 64,
      length: 128,
      quantization: { bits: 16 },
    });
    const params = specShapes(spec).params;
    const k = params.findIndex((p) => p.layer === 2 && p.name === 'w1');
    expect(params[k]!.shape).toEqual([128, 512]);
    const rng = new Drbg('zk lm artifact');
    const weights = params.map((p) =>
      Float32Array.from({ length: p.shape.reduce((a, b) => a * b, 1) }, () => (rng.u32() / 2 ** 32 - 0.5) * 0.2),
    );
    const key = generateKey(64, 128, rng.fill);
    const owner = '0x5b38da6a701c568545dcfcddfc4b11fc0a3f9d6e';
    const random = serializeArtifact(specHashBytes(hash), params, weights);
    // q from the artifact is the watermark check's q for the trainer's weights (the first 128 of w1's 512 columns).
    expect(Array.from(quantizedVector(PRODUCTION_SHAPE, spec, hash, random))).toEqual(
      Array.from(checkWatermark(spec.watermark!, weights[k]!, params[k]!.shape, key, owner).q),
    );
    // Every row of w1's first 128 columns = q / 2^16: the column means quantize back to the vector's q,
    // and the claim is the vector's, commitments and decoding included.
    const v = vectorByName(PRODUCTION_VECTOR);
    const w1 = weights[k]!;
    for (let i = 0; i < 128; i++) for (let c = 0; c < 128; c++) w1[i * 512 + c] = v.q[c]! / 65536;
    const marked = serializeArtifact(specHashBytes(hash), params, weights);
    const prepared = prepareOwnershipProof(
      PRODUCTION_SHAPE,
      claimFromArtifact(PRODUCTION_SHAPE, {
        spec,
        specHash: hash,
        artifact: marked,
        key: vectorClaim(v).key,
        owner: v.owner,
      }),
    );
    expect(prepared.publicSignals.wmCommit).toBe(BigInt(v.wmCommit));
    expect(prepared.publicSignals.keyCommit).toBe(BigInt(v.keyCommit));
    expect(prepared.decoded.wrong).toBe(5);
  });
});

describe('calldata', () => {
  const proof: Groth16Proof = {
    pi_a: ['11', '12', '1'],
    pi_b: [
      ['21', '22'],
      ['23', '24'],
      ['1', '0'],
    ],
    pi_c: ['31', '32', '1'],
    protocol: 'groth16',
    curve: 'bn128',
  };
  const signals = namedPublicSignals(['1', '2', '3', '4']);

  test("G2 coordinates are swapped for the EIP-197 precompile; words in the verifier's order", () => {
    const p = toSolidityProof(proof, signals);
    expect(p).toEqual({
      a: [11n, 12n],
      b: [
        [22n, 21n],
        [24n, 23n],
      ],
      c: [31n, 32n],
      input: [1n, 2n, 3n, 4n],
    });
    expect(verifierArgs(p)).toEqual([p.a, p.b, p.c, p.input]);
    expect(proofWords(p)).toEqual([11n, 12n, 22n, 21n, 24n, 23n, 31n, 32n]);
  });

  test('malformed proofs and signals are refused', () => {
    expect(() => toSolidityProof({ ...proof, protocol: 'plonk' }, signals)).toThrow(/groth16/);
    expect(() => toSolidityProof({ ...proof, pi_a: ['11', '12', '2'] }, signals)).toThrow(/affine/);
    expect(() => toSolidityProof({ ...proof, pi_a: [BASE_FIELD_Q.toString(), '12', '1'] }, signals)).toThrow(
      /base field/,
    );
    expect(() => toSolidityProof({ ...proof, pi_c: ['-3', '1', '1'] }, signals)).toThrow(/decimal/);
    expect(() => toSolidityProof(proof, { ...signals, owner: -1n })).toThrow(/field element/);
    expect(() => namedPublicSignals(['1', '2', '3'])).toThrow(/4 public signals/);
  });
});

describe('manifest', () => {
  const committed = JSON.parse(readFileSync(join(REPO_ROOT, 'public', 'zk', 'manifest.json'), 'utf8'));

  test('the committed manifest parses and names the production circuit', () => {
    const m = parseZkManifest(JSON.stringify(committed));
    expect(m.circuits.watermark_ownership).toMatchObject({
      ...PRODUCTION_SHAPE,
      publicSignals: ['wmCommit', 'keyCommit', 'owner', 'maxErr'],
    });
  });

  test('malformed manifests are refused with the field named', () => {
    // eslint-disable-next-line @typescript-eslint/no-explicit-any -- the tests write malformed fields anywhere
    const bad = (mutate: (m: any) => void) => {
      const m = structuredClone(committed);
      mutate(m);
      return catchError(() => parseZkManifest(m));
    };
    expect(catchError(() => parseZkManifest('{'))).toBeInstanceOf(ZkArtifactError);
    expect(bad((m) => (m.version = 2))).toMatchObject({ message: expect.stringMatching(/version 2/) });
    expect(bad((m) => (m.circuits.watermark_ownership.files.zkey.sha256 = 'xyz'))).toMatchObject({
      message: expect.stringMatching(/files\.zkey\.sha256/),
    });
    expect(bad((m) => (m.circuits.watermark_ownership.files.wasm.path = '../../etc/passwd'))).toMatchObject({
      message: expect.stringMatching(/relative path/),
    });
    expect(bad((m) => m.circuits.watermark_ownership.publicSignals.reverse())).toMatchObject({
      message: expect.stringMatching(/this app's order/),
    });
    expect(bad((m) => (m.circuits.watermark_ownership.T = 0))).toBeInstanceOf(ZkError);
  });
});

function catchError(f: () => unknown): unknown {
  try {
    f();
  } catch (e) {
    return e;
  }
  throw new Error('expected an error');
}
