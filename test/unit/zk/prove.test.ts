// Real Groth16 proofs of the 16x32 test circuit in Node: prove, verify locally, refuse other
// claims; and the prove service end to end over a fetch that reads the repository's files
// (the manifest, hash checks, stage order, early failure before any download).
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, test, vi } from 'vitest';
import { REPO_ROOT } from '../../../scripts/zk/sources.ts';
import { vectorByName, vectorClaim } from '../../../scripts/zk/vectors.ts';
import { FIELD_P } from '../../../src/lib/ml/watermark/field.ts';
import type { PublicSignals } from '../../../src/lib/zk/circuit.ts';
import {
  LocalVerificationError,
  WatermarkDoesNotDecodeError,
  WitnessError,
  ZkArtifactError,
} from '../../../src/lib/zk/errors.ts';
import { prepareOwnershipProof } from '../../../src/lib/zk/inputs.ts';
import {
  proveOwnership,
  verifyOwnershipProof,
  type OwnershipProof,
  type ProveProgress,
} from '../../../src/lib/zk/prove.ts';
import { createProveService } from '../../../src/lib/zk/service.ts';
import { testCircuit, type TestCircuit } from './helpers.ts';

const SMALL = { T: 16, N: 32, WB: 16 };
const NAME = 'watermark_ownership_16x32';
const vector = vectorByName('small-16x32');

let c: TestCircuit;
let result: OwnershipProof;

beforeAll(async () => {
  vi.spyOn(console, 'error').mockImplementation(() => {});
  c = testCircuit(NAME);
  result = await proveOwnership(c.artifacts, prepareOwnershipProof(SMALL, vectorClaim(vector)));
});

afterAll(() => {
  vi.restoreAllMocks();
});

describe('Groth16 on the 16x32 test circuit', () => {
  test("a proof of the honest claim verifies and carries the vector's public signals", async () => {
    expect(result.publicSignals).toEqual({
      wmCommit: BigInt(vector.wmCommit),
      keyCommit: BigInt(vector.keyCommit),
      owner: BigInt(vector.owner),
      maxErr: 2n,
    });
    expect(result.wrong).toBe(0);
    expect(await verifyOwnershipProof(c.artifacts.vkey, result.publicSignals, result.proof)).toBe(true);
    expect(result.calldata.input).toEqual([
      BigInt(vector.wmCommit),
      BigInt(vector.keyCommit),
      BigInt(vector.owner),
      2n,
    ]);
    console.info(
      `16x32 proof: witness ${result.timings.witnessMs.toFixed(0)} ms, prove ${result.timings.proveMs.toFixed(0)} ms, verify ${result.timings.verifyMs.toFixed(0)} ms`,
    );
  });

  test('the proof does not verify for any other owner, submission, key or tolerance', async () => {
    const others: PublicSignals[] = [
      { ...result.publicSignals, owner: BigInt('0xab8483f64d9c6d1ecf9b849ae677dd3315835cb2') },
      { ...result.publicSignals, wmCommit: result.publicSignals.wmCommit + 1n },
      { ...result.publicSignals, keyCommit: BigInt(vectorByName('production-64x128-random').keyCommit) },
      { ...result.publicSignals, maxErr: 3n },
    ];
    for (const p of others) expect(await verifyOwnershipProof(c.artifacts.vkey, p, result.proof)).toBe(false);
  });

  test('a verification key of another circuit rejects the proof; proving with mismatched artifacts fails locally', async () => {
    const other = testCircuit('watermark_ownership_5x17x8');
    expect(await verifyOwnershipProof(other.artifacts.vkey, result.publicSignals, result.proof)).toBe(false);
    const prepared = prepareOwnershipProof(SMALL, vectorClaim(vector));
    await expect(proveOwnership({ ...c.artifacts, vkey: other.artifacts.vkey }, prepared)).rejects.toBeInstanceOf(
      LocalVerificationError,
    );
    // Expected signals other than the ones the circuit computes: caught before anything is sent.
    const lying = { ...prepared, publicSignals: { ...prepared.publicSignals, maxErr: 9n } };
    await expect(proveOwnership(c.artifacts, lying)).rejects.toThrow(/maxErr is 2, expected 9/);
    // Inputs the circuit rejects never reach the prover.
    const broken = { ...prepared, input: { ...prepared.input, keySalt: '7' } };
    await expect(proveOwnership(c.artifacts, broken)).rejects.toBeInstanceOf(WitnessError);
    expect(BigInt(prepared.input.keySalt) < FIELD_P).toBe(true);
  });
});

describe('prove service', () => {
  const BASE = 'http://zk.test/';
  const MANIFEST = `${BASE}circuits/artifacts/manifest.json`;

  /** fetch over the repository's files, counting requests; `corrupt` flips a byte of one file. */
  function repoFetch(corrupt?: string) {
    const requested: string[] = [];
    const f = (async (input: RequestInfo | URL) => {
      const path = new URL(String(input)).pathname.slice(1);
      requested.push(path);
      let bytes: Uint8Array<ArrayBuffer>;
      try {
        bytes = new Uint8Array(readFileSync(join(REPO_ROOT, path)));
      } catch {
        return new Response('not found', { status: 404 });
      }
      if (path === corrupt) bytes[bytes.length >> 1]! ^= 1;
      return new Response(bytes);
    }) as typeof fetch;
    return { fetch: f, requested };
  }

  test("stages in order, byte progress up to the manifest's total, artifacts fetched once for two proofs", async () => {
    const { fetch, requested } = repoFetch();
    const service = createProveService({ fetch });
    const progress: ProveProgress[] = [];
    const p = await service.prove(
      { manifestUrl: MANIFEST, circuit: NAME, claim: vectorClaim(vector) },
      { onProgress: (e) => progress.push(e) },
    );
    expect(p.publicSignals.keyCommit).toBe(BigInt(vector.keyCommit));
    const stages = progress.map((e) => e.stage).filter((s, i, all) => s !== all[i - 1]);
    expect(stages).toEqual(['loading', 'witness', 'proving', 'verifying', 'done']);
    const loads = progress.filter((e) => e.totalBytes !== undefined);
    const manifest = JSON.parse(readFileSync(join(REPO_ROOT, 'circuits', 'artifacts', 'manifest.json'), 'utf8'));
    const files = manifest.circuits[NAME].files;
    const total = files.wasm.bytes + files.zkey.bytes + files.vkey.bytes;
    expect(loads.at(-1)).toMatchObject({ loadedBytes: total, totalBytes: total });
    expect(progress.some((e) => e.stage === 'proving' && e.detail !== undefined)).toBe(true);
    expect(progress.every((e, i) => i === 0 || e.elapsedMs >= progress[i - 1]!.elapsedMs)).toBe(true);

    await service.prove({ manifestUrl: MANIFEST, circuit: NAME, claim: vectorClaim(vector) });
    expect(requested.filter((r) => r.endsWith('.zkey'))).toHaveLength(1);
    expect(requested.filter((r) => r.endsWith('manifest.json'))).toHaveLength(2);
  });

  test('a claim that cannot be proven fails after the manifest, before any artifact download', async () => {
    const { fetch, requested } = repoFetch();
    const service = createProveService({ fetch });
    const claim = { ...vectorClaim(vector), owner: '0xab8483f64d9c6d1ecf9b849ae677dd3315835cb2' };
    await expect(service.prove({ manifestUrl: MANIFEST, circuit: NAME, claim })).rejects.toBeInstanceOf(
      WatermarkDoesNotDecodeError,
    );
    expect(requested).toEqual(['circuits/artifacts/manifest.json']);
  });

  test('a corrupted zkey fails its hash check; the next job downloads again', async () => {
    const bad = repoFetch(`circuits/artifacts/${NAME}.zkey`);
    const service = createProveService({ fetch: bad.fetch });
    await expect(service.prove({ manifestUrl: MANIFEST, circuit: NAME, claim: vectorClaim(vector) })).rejects.toThrow(
      ZkArtifactError,
    );
    await expect(service.prove({ manifestUrl: MANIFEST, circuit: NAME, claim: vectorClaim(vector) })).rejects.toThrow(
      /content hash mismatch/,
    );
    expect(bad.requested.filter((r) => r.endsWith('.zkey'))).toHaveLength(2);
    await expect(
      service.prove({ manifestUrl: `${BASE}nowhere/manifest.json`, claim: vectorClaim(vector) }),
    ).rejects.toThrow(/HTTP 404/);
    await expect(service.prove({ manifestUrl: MANIFEST, circuit: 'nope', claim: vectorClaim(vector) })).rejects.toThrow(
      /no circuit "nope"/,
    );
  });
});
