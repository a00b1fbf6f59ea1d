// The record of a verifier's trusted setup (docs/zk.md section 4): what a zkey's phase 2 lists,
// what the generated Solidity declares and how it is read back, the deploy policy (a
// development-ceremony verifier only on local development chains), and the deployments record.
import { copyFileSync, mkdtempSync, readFileSync, rmSync, truncateSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as snarkjs from 'snarkjs';
import { afterAll, describe, expect, test } from 'vitest';
import {
  appKeyMismatch,
  treeVerifierPlan,
  verifierRefusal,
  type VerifierPlan,
} from '../../../scripts/lib/deploy-verifier.ts';
import { DEV_BEACON, PRODUCTION } from '../../../scripts/zk/instances.ts';
import { REPO_ROOT } from '../../../scripts/zk/sources.ts';
import {
  adaptVerifier,
  ceremonyOf,
  MAX_CEREMONY_DESCRIPTION,
  parseVerifierCeremony,
  solidityString,
} from '../../../scripts/zk/verifier.ts';
import { privateContributions, readZkeyContributions } from '../../../scripts/zk/zkey-contributions.ts';
import { parseDeployment, serializeDeployment } from '../../../src/lib/chain/deployments.ts';
import { developmentVerifierRefusal, LOCAL_DEV_CHAIN_IDS } from '../../../src/lib/chain/verifier-ceremony.ts';
import { parseZkManifest, type CircuitEntry } from '../../../src/lib/zk/manifest.ts';
import { DEPLOYMENT_RECORD } from '../chain/fixtures.ts';

const tmp = mkdtempSync(join(tmpdir(), 'aiarena-ceremony-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

const entry: CircuitEntry = parseZkManifest(readFileSync(join(REPO_ROOT, 'public', 'zk', 'manifest.json'), 'utf8'))
  .circuits[PRODUCTION.name]!;
const imported: CircuitEntry = {
  ...entry,
  development: false,
  phase2: 'imported phase 2 "final".zkey: 2 contributions and 1 beacon \\ verified',
  files: { ...entry.files, zkey: { ...entry.files.zkey, sha256: 'ab'.repeat(32) } },
};
const template = readFileSync(
  join(REPO_ROOT, 'node_modules', 'snarkjs', 'templates', 'verifier_groth16.sol.ejs'),
  'utf8',
);
const generated = snarkjs.zKey.exportSolidityVerifier(
  join(REPO_ROOT, 'circuits', 'artifacts', 'watermark_ownership_16x32.zkey'),
  { groth16: template },
);

describe('phase-2 contributions of a zkey', () => {
  test('the committed development keys hold exactly the public development beacon', () => {
    for (const zkey of ['public/zk/watermark_ownership.zkey', 'circuits/artifacts/watermark_ownership_16x32.zkey']) {
      const cs = readZkeyContributions(join(REPO_ROOT, zkey));
      expect(cs).toEqual([
        { type: 'beacon', name: DEV_BEACON.name, beaconHash: DEV_BEACON.hash, iterationsExp: DEV_BEACON.iterationsExp },
      ]);
      expect(privateContributions(cs)).toBe(0);
    }
  });

  test('a truncated or foreign file is refused', () => {
    const cut = join(tmp, 'cut.zkey');
    copyFileSync(join(REPO_ROOT, 'circuits', 'artifacts', 'watermark_ownership_5x17x8.zkey'), cut);
    truncateSync(cut, 5000);
    expect(() => readZkeyContributions(cut)).toThrow(/truncated/);
    expect(() =>
      readZkeyContributions(join(REPO_ROOT, 'circuits', 'artifacts', 'watermark_ownership_5x17x8.r1cs')),
    ).toThrow(/not a zkey/);
  });
});

describe('the ceremony in the generated verifier', () => {
  test('the committed verifier declares the development ceremony of the committed zkey', () => {
    const plan = treeVerifierPlan();
    expect(plan.ceremony).toEqual(ceremonyOf(entry));
    expect(plan.ceremony.development).toBe(true);
    expect(plan.ceremony.zkeySha256).toBe(`0x${entry.files.zkey.sha256}`);
    expect(plan.ceremony.description).toBe(entry.phase2);
    expect(plan.ceremony.description.length).toBeLessThanOrEqual(MAX_CEREMONY_DESCRIPTION);
    expect(appKeyMismatch(plan)).toBeNull();
  });

  test('a development verifier has the chain guard, an imported one has none; both read back exactly', async () => {
    const dev = adaptVerifier(await generated, 'WatermarkOwnershipVerifier', entry);
    expect(dev).toContain(
      'if (block.chainid != 31337 && block.chainid != 1337) revert DevelopmentCeremonyOnPublicChain(block.chainid);',
    );
    expect(parseVerifierCeremony(dev)).toEqual(ceremonyOf(entry));

    const prod = adaptVerifier(await generated, 'WatermarkOwnershipVerifier', imported);
    expect(prod).not.toContain('constructor');
    expect(prod).not.toContain('INSECURE');
    expect(prod).toContain(
      'string internal constant CEREMONY_DESCRIPTION = "imported phase 2 \\"final\\".zkey: 2 contributions and 1 beacon \\\\ verified";',
    );
    expect(parseVerifierCeremony(prod)).toEqual({
      development: false,
      description: imported.phase2,
      zkeySha256: `0x${'ab'.repeat(32)}`,
    });
  });

  test('a verifier without the record, or a development one without its guard, is refused', async () => {
    const old = await generated;
    expect(() => parseVerifierCeremony(old, 'old.sol')).toThrow(/old\.sol has no ceremony record/);
    const dev = adaptVerifier(await generated, 'WatermarkOwnershipVerifier', entry);
    const unguarded = dev.replace(/revert DevelopmentCeremonyOnPublicChain\(block\.chainid\);/, '{}');
    expect(() => parseVerifierCeremony(unguarded)).toThrow(/lacks the constructor's chain guard/);
  });

  test('descriptions are short printable ASCII', () => {
    expect(solidityString('a "b" \\ c')).toBe('"a \\"b\\" \\\\ c"');
    expect(() => solidityString('caf\u00e9')).toThrow(/printable ASCII/);
    expect(() => solidityString('line\nbreak')).toThrow(/printable ASCII/);
    expect(() => solidityString('x'.repeat(MAX_CEREMONY_DESCRIPTION + 1))).toThrow(/more than 256/);
  });
});

describe('deploy policy', () => {
  const devPlan = (): VerifierPlan => treeVerifierPlan();
  const prodPlan: VerifierPlan = {
    origin: 'zk-production',
    ceremony: ceremonyOf(imported),
    circuit: PRODUCTION.name,
    bytecode: '0x00',
  };

  test('a development verifier deploys only on 31337 and 1337', () => {
    for (const id of LOCAL_DEV_CHAIN_IDS) expect(verifierRefusal(id, devPlan())).toBeNull();
    for (const id of [1, 10, 8453, 84532, 11155111, 31338, 1338, 0x7a69 + 1]) {
      const why = verifierRefusal(id, devPlan());
      expect(why).toContain(`refusing to deploy contracts/src/verifiers/WatermarkOwnershipVerifier.sol`);
      expect(why).toContain(`chain ${id} is not one`);
      expect(why).toContain('--zk-build');
    }
  });

  test('an imported ceremony deploys anywhere', () => {
    for (const id of [1, 84532, 31337]) {
      expect(verifierRefusal(id, prodPlan)).toBeNull();
      expect(developmentVerifierRefusal(id, { development: false })).toBeNull();
    }
    expect(appKeyMismatch(prodPlan)).toContain('proves with another proving key');
  });
});

describe('deployments record', () => {
  const ceremony = {
    development: false,
    description: 'imported phase 2 final.zkey',
    zkeySha256: `0x${'cd'.repeat(32)}` as const,
  };

  test('round-trips the verifier ceremony, and reads records made before it', () => {
    const d = parseDeployment(JSON.stringify({ ...DEPLOYMENT_RECORD, verifierCeremony: ceremony }));
    expect(d.verifierCeremony).toEqual(ceremony);
    expect(parseDeployment(serializeDeployment(d))).toEqual(d);
    const old = parseDeployment(JSON.stringify(DEPLOYMENT_RECORD));
    expect('verifierCeremony' in old).toBe(false);
    expect(serializeDeployment(old)).not.toContain('verifierCeremony');
  });

  test('names a malformed ceremony field', () => {
    const bad = (c: unknown) => () =>
      parseDeployment(JSON.stringify({ ...DEPLOYMENT_RECORD, verifierCeremony: c }), 'deployments/84532.json');
    expect(bad({ ...ceremony, development: 'no' })).toThrow(
      'deployments/84532.json.verifierCeremony.development: must be true or false',
    );
    expect(bad({ ...ceremony, zkeySha256: '0x1234' })).toThrow('deployments/84532.json.verifierCeremony.zkeySha256');
    expect(bad({ ...ceremony, zkeySha256: `0x${'CD'.repeat(32)}` })).toThrow('lowercase');
    expect(bad({ ...ceremony, description: 7 })).toThrow('verifierCeremony.description: must be a string');
  });
});
