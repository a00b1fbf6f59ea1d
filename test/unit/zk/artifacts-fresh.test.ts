// The committed circuit artifacts belong to the committed circuit sources: fails when a .circom
// file (ours or circomlib's), the compiler or its flags changed since `npm run build:zk` last
// ran, when an artifact was replaced, or when the Solidity verifier or its proof fixture no
// longer match the proving key.
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import * as snarkjs from 'snarkjs';
import { describe, expect, test } from 'vitest';
import { INSTANCES, PRODUCTION } from '../../../scripts/zk/instances.ts';
import { REPO_ROOT, circuitSources, fileSha256, sourceHash } from '../../../scripts/zk/sources.ts';
import { adaptVerifier } from '../../../scripts/zk/verifier.ts';
import { parseZkManifest, type CircuitEntry } from '../../../src/lib/zk/manifest.ts';

const REBUILD = 'run `npm run build:zk` and commit its outputs';

function entryOf(outDir: string, name: string): CircuitEntry {
  const manifest = parseZkManifest(readFileSync(join(REPO_ROOT, outDir, 'manifest.json'), 'utf8'));
  const entry = manifest.circuits[name];
  if (!entry) throw new Error(`${outDir}/manifest.json has no ${name}: ${REBUILD}`);
  return entry;
}

describe.each(INSTANCES.map((i) => [i.name, i] as const))('%s', (name, inst) => {
  test('built from the current sources, compiler and flags', () => {
    const entry = entryOf(inst.outDir, name);
    const now = sourceHash(inst.source);
    expect(now.files.map((f) => f.path)).toContain('node_modules/circomlib/circuits/poseidon.circom');
    expect(now.files.map((f) => f.path)).toContain('circuits/lib/watermark_ownership.circom');
    expect(entry.sourceHash, `the circuit sources changed since ${inst.outDir} was built: ${REBUILD}`).toBe(now.hash);
  });

  test('the main file instantiates the shape the manifest and scripts/zk/instances.ts state', () => {
    const main = readFileSync(join(REPO_ROOT, inst.source), 'utf8');
    const m =
      /component\s+main\s*\{\s*public\s*\[\s*wmCommit\s*,\s*keyCommit\s*,\s*owner\s*,\s*maxErr\s*\]\s*\}\s*=\s*WatermarkOwnership\((\d+),\s*(\d+),\s*(\d+)\)/.exec(
        main,
      );
    expect(
      m,
      `${inst.source} must declare main = WatermarkOwnership(T, N, WB) with the four public signals`,
    ).not.toBeNull();
    expect(m!.slice(1, 4).map(Number)).toEqual([inst.T, inst.N, inst.WB]);
    expect(entryOf(inst.outDir, name)).toMatchObject({ T: inst.T, N: inst.N, WB: inst.WB });
  });

  test('every artifact is the file the manifest lists', () => {
    const entry = entryOf(inst.outDir, name);
    for (const [kind, f] of Object.entries(entry.files)) {
      const path = join(inst.outDir, f.path);
      expect(existsSync(join(REPO_ROOT, path)), `${path} (${kind}) is missing: ${REBUILD}`).toBe(true);
      expect(fileSha256(path), `${path} is not the file the build wrote: ${REBUILD}`).toBe(f.sha256);
      expect(readFileSync(join(REPO_ROOT, path)).length).toBe(f.bytes);
    }
  });
});

describe('production verifier', () => {
  const entry = entryOf(PRODUCTION.outDir, PRODUCTION.name);
  const zkey = join(REPO_ROOT, PRODUCTION.outDir, entry.files.zkey.path);

  test('the Solidity verifier is the one snarkjs generates from the committed zkey', async () => {
    const template = readFileSync(
      join(REPO_ROOT, 'node_modules', 'snarkjs', 'templates', 'verifier_groth16.sol.ejs'),
      'utf8',
    );
    const expected = adaptVerifier(
      await snarkjs.zKey.exportSolidityVerifier(zkey, { groth16: template }),
      PRODUCTION.verifier!.contract,
      entry,
    );
    const committed = readFileSync(join(REPO_ROOT, PRODUCTION.verifier!.file), 'utf8');
    expect(committed === expected, `${PRODUCTION.verifier!.file} does not match the zkey: ${REBUILD}`).toBe(true);
  });

  test('the forge proof fixture verifies against the committed verification key', async () => {
    const sol = readFileSync(join(REPO_ROOT, PRODUCTION.verifier!.fixture), 'utf8');
    const words = [...sol.matchAll(/0x[0-9a-f]{64}/g)].map((m) => BigInt(m[0]));
    // WM_COMMIT, KEY_COMMIT, then a (2), b (4, EVM order), c (2).
    expect(words).toHaveLength(10);
    const [wm, kc, a0, a1, b00, b01, b10, b11, c0, c1] = words.map(String) as string[];
    const owner = BigInt(/OWNER = (0x[0-9a-fA-F]{40})/.exec(sol)![1]!).toString();
    const maxErr = /MAX_ERR = (\d+)/.exec(sol)![1]!;
    const proof = {
      pi_a: [a0!, a1!, '1'],
      pi_b: [
        [b01!, b00!],
        [b11!, b10!],
        ['1', '0'],
      ],
      pi_c: [c0!, c1!, '1'],
      protocol: 'groth16',
      curve: 'bn128',
    };
    const vkey = JSON.parse(readFileSync(join(REPO_ROOT, PRODUCTION.outDir, entry.files.vkey.path), 'utf8'));
    expect(
      await snarkjs.groth16.verify(vkey, [wm!, kc!, owner, maxErr], proof),
      `${PRODUCTION.verifier!.fixture} is stale: ${REBUILD}`,
    ).toBe(true);
  });

  test('the source list follows includes transitively', () => {
    expect(circuitSources(PRODUCTION.source)).toEqual(
      expect.arrayContaining([
        'circuits/watermark_ownership.circom',
        'circuits/lib/ranges.circom',
        'node_modules/circomlib/circuits/poseidon_constants.circom',
        'node_modules/circomlib/circuits/comparators.circom',
      ]),
    );
  });
});
