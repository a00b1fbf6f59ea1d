// The production path of docs/zk.md section 4, end to end and offline: a multi-party phase 2
// made with the snarkjs CLI, imported by `npm run build:zk -- --phase2 ... --out-dir`, deployed
// by `npm run deploy -- --zk-build` to a second anvil posing as a public chain (Base Sepolia,
// chain id 84532), where the development verifier is refused, and a real proof checked on chain.
//
// Stand-ins, to stay lean on CI's 2 cores: the small test circuit watermark_ownership_16x32
// instead of the production one (hence --allow-test-circuit), and the committed development
// ptau circuits/ptau/arena_dev_12.ptau, copied under another name with its own checksum file as
// a deployer's public ptau would come, instead of a public ceremony's file (nothing here may run
// powers of tau). The build recognises that ptau by its hash and says so in the warning and in
// the verifier's ceremony description.
import { execFile } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import {
  copyFileSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { decodeErrorResult, type Abi, type Hex, type PublicClient } from 'viem';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { freePort, startAnvil, type Anvil } from '../../scripts/lib/anvil.ts';
import { devAccounts } from '../../scripts/lib/dev-accounts.ts';
import { localPublicClient, localWallet } from '../../scripts/lib/local-chain.ts';
import { DEV_BEACON } from '../../scripts/zk/instances.ts';
import { parseVerifierCeremony } from '../../scripts/zk/verifier.ts';
import { compileVerifierDir, VERIFIER_SOURCE } from '../../scripts/zk/verifier-compile.ts';
import { vectorByName, vectorClaim } from '../../scripts/zk/vectors.ts';
import { readZkeyContributions } from '../../scripts/zk/zkey-contributions.ts';
import { arenaTokenAbi, challengeModuleAbi, watermarkOwnershipVerifierAbi } from '../../src/lib/chain/abi.generated.ts';
import type { DeployWallet } from '../../src/lib/chain/deploy.ts';
import { parseDeployment, type Deployment } from '../../src/lib/chain/deployments.ts';
import { readVerifierCeremony, verifierCeremonyAbi } from '../../src/lib/chain/verifier-ceremony.ts';
import { verifierArgs, type SolidityProof } from '../../src/lib/zk/calldata.ts';
import { prepareOwnershipProof } from '../../src/lib/zk/inputs.ts';
import { parseZkManifest, type CircuitEntry } from '../../src/lib/zk/manifest.ts';
import { proveOwnership, releaseProverThreads, type OwnershipProof } from '../../src/lib/zk/prove.ts';
import { forgeFromBeacon } from './support/forge-from-beacon.ts';
import { cleanEnv, ROOT, runScript } from './support/script-process.ts';

const CHAIN_ID = 84532;
const CIRCUIT = 'watermark_ownership_16x32';
const SHAPE = { T: 16, N: 32, WB: 16 };
const SNARKJS = join(ROOT, 'node_modules', 'snarkjs', 'build', 'cli.cjs');
const R1CS = join(ROOT, 'circuits', 'artifacts', `${CIRCUIT}.r1cs`);
const DEV_ZKEY = join(ROOT, 'circuits', 'artifacts', `${CIRCUIT}.zkey`);
const [deployer] = devAccounts(1) as [ReturnType<typeof devAccounts>[0]];

const sha256 = (path: string) => createHash('sha256').update(readFileSync(path)).digest('hex');
const run = promisify(execFile);
const snarkjs = (...args: string[]) => run(process.execPath, [SNARKJS, ...args], { cwd: ROOT, maxBuffer: 1 << 24 });

let dir: string;
let work: string;
let ptauEnv: Record<string, string>;
let anvil: Anvil;
let client: PublicClient;
let wallet: DeployWallet;
let finalZkey: string;
let build: string;
let deployment: Deployment;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'aiarena-ceremony-'));
  // The circom compiler reads only inside the repository, so the build's scratch folder lives there.
  mkdirSync(join(ROOT, '.tmp'), { recursive: true });
  work = mkdtempSync(join(ROOT, '.tmp', 'production-ceremony-'));
  // The stand-in for a public ceremony's ptau, as a deployer would hold one: a file, a name
  // pattern, a checksum file.
  const ptauDir = join(dir, 'ptau');
  mkdirSync(ptauDir);
  copyFileSync(join(ROOT, 'circuits', 'ptau', 'arena_dev_12.ptau'), join(ptauDir, 'stand_in_public_12.ptau'));
  writeFileSync(
    join(ptauDir, 'SUMS'),
    `${sha256(join(ptauDir, 'stand_in_public_12.ptau'))}  stand_in_public_12.ptau\n`,
  );
  ptauEnv = {
    ZK_PTAU_DIR: ptauDir,
    ZK_PTAU_NAME: 'stand_in_public_{power}.ptau',
    ZK_PTAU_SUMS: join(ptauDir, 'SUMS'),
    ZK_WORK_DIR: work,
  };
  finalZkey = join(dir, 'wo_final.zkey');
  build = join(dir, 'zk-production');
  anvil = await startAnvil({ port: await freePort(), chainId: CHAIN_ID });
  client = localPublicClient(anvil.url, CHAIN_ID);
  wallet = localWallet(anvil.url, deployer.privateKey, CHAIN_ID);
});

afterAll(async () => {
  await anvil?.stop();
  await releaseProverThreads();
  if (dir) rmSync(dir, { recursive: true, force: true });
  if (work) rmSync(work, { recursive: true, force: true });
});

const buildZk = (args: string[]) => runScript('scripts/zk/build.ts', args, cleanEnv(ptauEnv));
const deploy = (args: string[], outDir = join(dir, 'deployments')) =>
  runScript(
    'scripts/deploy.ts',
    ['--rpc-url', anvil.url, '--out-dir', outDir, ...args],
    cleanEnv({ DEPLOYER_PRIVATE_KEY: deployer.privateKey }),
  );
const recordOf = (outDir = join(dir, 'deployments')) => readFileSync(join(outDir, `${CHAIN_ID}.json`), 'utf8');

/** sha256 of every committed artifact the development build owns. */
function committedArtifacts(): Record<string, string> {
  const out: Record<string, string> = {};
  for (const d of ['circuits/artifacts', 'public/zk', 'contracts/src/verifiers']) {
    for (const f of readdirSync(join(ROOT, d))) out[`${d}/${f}`] = sha256(join(ROOT, d, f));
  }
  return out;
}

describe('production ceremony, from phase 2 to a proof on a public chain', () => {
  test('a multi-party phase 2 with the snarkjs CLI: two contributions with private entropy, then a public beacon', async () => {
    const z = (i: number) => join(dir, `wo_${String(i).padStart(4, '0')}.zkey`);
    await snarkjs('groth16', 'setup', R1CS, join(dir, 'ptau', 'stand_in_public_12.ptau'), z(0));
    await snarkjs('zkey', 'contribute', z(0), z(1), '--name=alice', `-e=${randomBytes(32).toString('hex')}`);
    await snarkjs('zkey', 'contribute', z(1), z(2), '--name=bob', `-e=${randomBytes(32).toString('hex')}`);
    await snarkjs('zkey', 'beacon', z(2), finalZkey, randomBytes(32).toString('hex'), '10', '--name=closing beacon');
    expect(readZkeyContributions(finalZkey).map((c) => [c.type, c.name])).toEqual([
      ['contribution', 'alice'],
      ['contribution', 'bob'],
      ['beacon', 'closing beacon'],
    ]);
  }, 120_000);

  test('the build refuses to import over the committed artifacts unless asked, and refuses a beacon-only key', async () => {
    const before = committedArtifacts();
    const inPlace = await buildZk(['--only', CIRCUIT, '--phase2', finalZkey]);
    expect(inPlace.code).toBe(1);
    expect(inPlace.output).toContain(
      '--phase2 writes either to --out-dir DIR (keeps the committed development artifacts) or, with --in-place',
    );
    // The committed development key has only the public beacon: importing it as "production"
    // would relabel a forgeable key.
    const devKey = await buildZk(['--only', CIRCUIT, '--phase2', DEV_ZKEY, '--out-dir', join(dir, 'relabelled')]);
    expect(devKey.code).toBe(1);
    expect(devKey.output).toMatch(
      /has no contribution with private randomness \(only 1 beacon: "aiarena insecure development beacon v1"\)/,
    );
    expect(existsSync(join(dir, 'relabelled'))).toBe(false);
    const noPtau = await runScript(
      'scripts/zk/build.ts',
      ['--only', CIRCUIT, '--phase2', finalZkey, '--out-dir', build],
      cleanEnv({ ZK_WORK_DIR: work }),
    );
    expect(noPtau.code).toBe(1);
    expect(noPtau.output).toContain("--phase2 needs the public ceremony's ptau");
    expect(committedArtifacts()).toEqual(before);
  });

  test('npm run build:zk -- --phase2 --out-dir imports it: artifacts, manifest, a production verifier; the committed ones untouched', async () => {
    const before = committedArtifacts();
    // The committed development ptau stands in for a public ceremony's here; without the flag the
    // key would stay a development key (test/unit/zk/phase-label.test.ts).
    const { code, output } = await buildZk([
      '--only',
      CIRCUIT,
      '--phase2',
      finalZkey,
      '--out-dir',
      build,
      '--stand-in-public-ptau',
    ]);
    expect(code, output).toBe(0);
    expect(output).toContain('WARNING: ');
    expect(output).toContain("is the project's development ptau arena_dev_12.ptau");
    expect(committedArtifacts()).toEqual(before);

    const entry = parseZkManifest(readFileSync(join(build, 'manifest.json'), 'utf8')).circuits[CIRCUIT]!;
    expect(entry.development).toBe(false);
    expect(entry.phase2).toBe(
      'imported phase 2 wo_final.zkey: 2 contributions and 1 beacon, verified against this circuit and stand_in_public_12.ptau; ' +
        'phase 1 is the development arena_dev_12.ptau standing in for a public ceremony (tests only)',
    );
    expect(entry.files.zkey.sha256).toBe(sha256(finalZkey));
    for (const f of Object.values(entry.files)) expect(sha256(join(build, f.path)), f.path).toBe(f.sha256);
    // Another phase 2, another delta: the key differs from the development one, the circuit does not.
    const devEntry = parseZkManifest(readFileSync(join(ROOT, 'circuits', 'artifacts', 'manifest.json'), 'utf8'))
      .circuits[CIRCUIT]!;
    expect(entry.sourceHash).toBe(devEntry.sourceHash);
    expect(entry.files.r1cs!.sha256).toBe(devEntry.files.r1cs!.sha256);
    expect(entry.files.vkey.sha256).not.toBe(devEntry.files.vkey.sha256);

    const sol = readFileSync(join(build, VERIFIER_SOURCE), 'utf8');
    expect(parseVerifierCeremony(sol)).toEqual({
      development: false,
      description: entry.phase2,
      zkeySha256: `0x${sha256(finalZkey)}`,
    });
    expect(sol).not.toContain('constructor');
  }, 240_000);

  test('the development verifier is refused on the public chain by npm run deploy, before any transaction', async () => {
    const { code, output } = await deploy([]);
    expect(code).toBe(1);
    expect(output).toContain('refusing to deploy contracts/src/verifiers/WatermarkOwnershipVerifier.sol');
    expect(output).toContain(`chain ${CHAIN_ID} is not one`);
    expect(await client.getTransactionCount({ address: deployer.address })).toBe(0);
    expect(existsSync(join(dir, 'deployments', `${CHAIN_ID}.json`))).toBe(false);
  });

  test('and by its constructor when deployed by hand', async () => {
    // The tree's development verifier, compiled like the build compiles an --out-dir one.
    const { abi, bytecode } = compileVerifierDir(join(ROOT, 'contracts', 'src', 'verifiers'));
    const simulated = await client.call({ account: deployer.address, data: bytecode }).then(
      () => null,
      (e: unknown) => e as { walk(fn: (e: unknown) => boolean): unknown },
    );
    expect(simulated).not.toBeNull();
    const data = (simulated!.walk((e) => typeof (e as { data?: unknown }).data === 'string') as { data: Hex }).data;
    expect(decodeErrorResult({ abi: verifierCeremonyAbi, data })).toEqual({
      abiItem: verifierCeremonyAbi[1],
      errorName: 'DevelopmentCeremonyOnPublicChain',
      args: [BigInt(CHAIN_ID)],
    });
    // Sent anyway (a fixed gas limit skips the estimate that would refuse it): mined, reverted, no code.
    const hash = await wallet.deployContract({ abi: abi as Abi, bytecode, gas: 3_000_000n });
    const receipt = await client.waitForTransactionReceipt({ hash });
    expect(receipt.status).toBe('reverted');
    if (receipt.contractAddress) expect(await client.getCode({ address: receipt.contractAddress })).toBeUndefined();
  });

  test('npm run deploy refuses a build of another circuit than the app proves with, before any transaction', async () => {
    const nonce = await client.getTransactionCount({ address: deployer.address });
    const { code, output } = await deploy(['--zk-build', build]);
    expect(code).toBe(1);
    expect(output).toContain(
      `holds the circuit ${CIRCUIT} (T = 16, N = 32, WB = 16), but the app proves with watermark_ownership (T = 64, N = 128, WB = 16)`,
    );
    expect(await client.getTransactionCount({ address: deployer.address })).toBe(nonce);
  });

  test('npm run deploy -- --zk-build deploys the arena with the production verifier and records its ceremony', async () => {
    const { code, output } = await deploy(['--zk-build', build, '--allow-test-circuit']);
    expect(code, output).toBe(0);
    expect(output).toContain(`Verifier ${build} (circuit ${CIRCUIT}): imported ceremony`);
    // The app in this checkout still proves with the development key: the deployer is told.
    expect(output).toContain('Note: the app in this checkout (public/zk) proves with another proving key');
    deployment = parseDeployment(recordOf());
    const entry = parseZkManifest(readFileSync(join(build, 'manifest.json'), 'utf8')).circuits[CIRCUIT] as CircuitEntry;
    const expected = { development: false, description: entry.phase2, zkeySha256: `0x${sha256(finalZkey)}` };
    expect(deployment.chainId).toBe(CHAIN_ID);
    expect(deployment.verifierCeremony).toEqual(expected);
    const { watermarkVerifier, challengeModule, token } = deployment.contracts;
    expect(await readVerifierCeremony(client, watermarkVerifier!)).toEqual(expected);
    expect(
      await client.readContract({ address: challengeModule!, abi: challengeModuleAbi, functionName: 'verifier' }),
    ).toBe(watermarkVerifier);
    // Off the local chains the faucet stays closed.
    expect(await client.readContract({ address: token, abi: arenaTokenAbi, functionName: 'faucetEnabled' })).toBe(
      false,
    );
  }, 120_000);

  describe('a real proof on the deployed production verifier', () => {
    let proof: OwnershipProof;
    const verify = (p: SolidityProof) =>
      client.readContract({
        address: deployment.contracts.watermarkVerifier!,
        abi: watermarkOwnershipVerifierAbi,
        functionName: 'verifyProof',
        args: verifierArgs(p),
      });

    beforeAll(async () => {
      const entry = parseZkManifest(readFileSync(join(build, 'manifest.json'), 'utf8')).circuits[CIRCUIT]!;
      const read = (f: string) => new Uint8Array(readFileSync(join(build, f)));
      const artifacts = {
        wasm: read(entry.files.wasm.path),
        zkey: read(entry.files.zkey.path),
        vkey: JSON.parse(readFileSync(join(build, entry.files.vkey.path), 'utf8')) as unknown,
      };
      proof = await proveOwnership(artifacts, prepareOwnershipProof(SHAPE, vectorClaim(vectorByName('small-16x32'))));
    }, 60_000);

    test('verifies', async () => {
      expect(await verify(proof.calldata)).toBe(true);
    });

    test('a tampered proof or claim fails', async () => {
      const { a, input } = proof.calldata;
      expect(await verify({ ...proof.calldata, a: [a[0], a[1] ^ 1n] })).toBe(false);
      expect(await verify({ ...proof.calldata, input: [input[0], input[1], input[2] + 1n, input[3]] })).toBe(false);
    });

    test('the beacon forgery that breaks the development key fails against it: its contributions are secret', async () => {
      const beacon = readZkeyContributions(finalZkey).at(-1)!;
      const vkeyOf = (path: string) => JSON.parse(readFileSync(path, 'utf8')) as Parameters<typeof forgeFromBeacon>[0];
      const claim = [1n, 2n, BigInt(deployer.address), 0n] as const;
      const forged = await forgeFromBeacon(
        vkeyOf(join(build, `${CIRCUIT}.vkey.json`)),
        { hash: beacon.beaconHash!, iterationsExp: beacon.iterationsExp! },
        claim,
      );
      expect(forged.deltaRecovered).toBe(false);
      expect(await verify(forged.proof)).toBe(false);
      // The same recipe on the development key of this circuit recovers its delta.
      const dev = await forgeFromBeacon(
        vkeyOf(join(ROOT, 'circuits', 'artifacts', `${CIRCUIT}.vkey.json`)),
        DEV_BEACON,
        claim,
      );
      expect(dev.deltaRecovered).toBe(true);
    });

    test('a proof made with the development key of the same circuit fails: the deployed key is not the forgeable one', async () => {
      const read = (ext: string) =>
        new Uint8Array(readFileSync(join(ROOT, 'circuits', 'artifacts', `${CIRCUIT}${ext}`)));
      const dev = await proveOwnership(
        {
          wasm: read('.wasm'),
          zkey: read('.zkey'),
          vkey: JSON.parse(
            readFileSync(join(ROOT, 'circuits', 'artifacts', `${CIRCUIT}.vkey.json`), 'utf8'),
          ) as unknown,
        },
        prepareOwnershipProof(SHAPE, vectorClaim(vectorByName('small-16x32'))),
      );
      expect(dev.calldata.input).toEqual(proof.calldata.input);
      expect(await verify(dev.calldata)).toBe(false);
    });
  });

  describe('the record of a live chain', () => {
    test('is not overwritten without --force, before sending anything', async () => {
      const before = recordOf();
      const nonce = await client.getTransactionCount({ address: deployer.address });
      const { code, output } = await deploy(['--zk-build', build, '--allow-test-circuit']);
      expect(code).toBe(1);
      expect(output).toMatch(/84532\.json already exists.*--force/);
      expect(recordOf()).toBe(before);
      expect(await client.getTransactionCount({ address: deployer.address })).toBe(nonce);
    });

    test('is replaced with --force', async () => {
      const { code, output } = await deploy(['--zk-build', build, '--allow-test-circuit', '--force']);
      expect(code, output).toBe(0);
      const after = parseDeployment(recordOf());
      expect(after.contracts.token).not.toBe(deployment.contracts.token);
      expect(after.fromBlock).toBeGreaterThan(deployment.fromBlock);
      expect(after.verifierCeremony).toEqual(deployment.verifierCeremony);
    }, 60_000);
  });
});
