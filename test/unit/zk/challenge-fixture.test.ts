// The challenge fixture (scripts/zk/fixtures-challenge.ts) belongs to the committed proving key,
// and its Solidity library says what its JSON says. A rebuilt zkey makes the forge challenge
// tests fail with InvalidProof; this says why first.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  FIXTURE_JSON,
  FIXTURE_SOL,
  makeAddr,
  MODULE_MAX_ERR,
  solidity,
} from '../../../scripts/zk/fixtures-challenge.ts';
import { REPO_ROOT } from '../../../scripts/zk/sources.ts';
import {
  circuitEntry,
  OWNERSHIP_CIRCUIT,
  parseZkManifest,
  verifyOwnershipProof,
  namedPublicSignals,
} from '../../../src/lib/zk/index.ts';
import { CHALLENGE_MAX_ERR } from '../../../src/lib/chain/deploy.ts';

const fixture = JSON.parse(readFileSync(FIXTURE_JSON, 'utf8'));
const manifest = parseZkManifest(readFileSync(join(REPO_ROOT, 'public', 'zk', 'manifest.json'), 'utf8'));

describe('challenge proof fixture', () => {
  it('was proven with the committed zkey (else rerun npx tsx scripts/zk/fixtures-challenge.ts)', () => {
    expect(fixture.circuit.zkeySha256).toBe(circuitEntry(manifest, OWNERSHIP_CIRCUIT).files.zkey.sha256);
  });

  it('uses the tolerance the deployment gives the module, and forge makeAddr owners', () => {
    expect(BigInt(fixture.moduleMaxErr)).toBe(CHALLENGE_MAX_ERR);
    expect(MODULE_MAX_ERR).toBe(fixture.moduleMaxErr);
    for (const [name, address] of Object.entries(fixture.owners)) expect(address).toBe(makeAddr(name));
    // forge-std's makeAddr("alice"), as the forge tests compute it.
    expect(makeAddr('alice')).toBe('0x328809Bc894f92807417D2dAD6b7C998c1aFdac6');
  });

  it('has a Solidity library that matches its JSON', () => {
    expect(readFileSync(FIXTURE_SOL, 'utf8')).toBe(solidity(fixture));
  });

  it('holds proofs that verify against the committed verification key', async () => {
    const vkey = JSON.parse(readFileSync(join(REPO_ROOT, 'public', 'zk', 'watermark_ownership.vkey.json'), 'utf8'));
    for (const [name, p] of Object.entries(fixture.proofs) as [
      string,
      { publicSignals: string[]; proof: string[] },
    ][]) {
      const w = p.proof.map((x) => BigInt(x).toString());
      // Back from the verifier's word order (G2 coordinates swapped) to snarkjs's proof object.
      const proof = {
        pi_a: [w[0]!, w[1]!, '1'],
        pi_b: [
          [w[3]!, w[2]!],
          [w[5]!, w[4]!],
          ['1', '0'],
        ],
        pi_c: [w[6]!, w[7]!, '1'],
        protocol: 'groth16',
        curve: 'bn128',
      };
      expect(await verifyOwnershipProof(vkey, namedPublicSignals(p.publicSignals), proof), name).toBe(true);
    }
  }, 60_000);
});
