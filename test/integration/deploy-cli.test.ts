// `npm run deploy` from the command line: a second anvil posing as Base Sepolia (chain id 84532)
// shows what a deployer to a public chain is refused, and an anvil on the local chain id what
// it gets. Deploying a production verifier to the public chain (and the overwrite rules of a
// live chain's record): test/integration/production-ceremony.test.ts.
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseEther, type PublicClient } from 'viem';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freePort, startAnvil, type Anvil } from '../../scripts/lib/anvil.ts';
import { treeVerifierPlan } from '../../scripts/lib/deploy-verifier.ts';
import { devAccounts } from '../../scripts/lib/dev-accounts.ts';
import { localPublicClient } from '../../scripts/lib/local-chain.ts';
import { arenaTokenAbi, taskRegistryAbi } from '../../src/lib/chain/abi.generated.ts';
import { parseDeployment, type Deployment } from '../../src/lib/chain/deployments.ts';
import { readVerifierCeremony } from '../../src/lib/chain/verifier-ceremony.ts';
import { cleanEnv, runScript } from './support/script-process.ts';

const CHAIN_ID = 84532;
const LOCAL_ID = 31337;
const [deployer, other] = devAccounts(2) as [ReturnType<typeof devAccounts>[0], ReturnType<typeof devAccounts>[0]];

let anvil: Anvil;
let local: Anvil;
let client: PublicClient;
let localClient: PublicClient;
let outDir: string;

const deploy = (
  args: string[],
  env: Record<string, string> = { DEPLOYER_PRIVATE_KEY: deployer.privateKey },
  url = anvil.url,
) => runScript('scripts/deploy.ts', ['--rpc-url', url, '--out-dir', outDir, ...args], cleanEnv(env));

function readRecord(chainId: number, dir = outDir): { text: string; deployment: Deployment } {
  const text = readFileSync(join(dir, `${chainId}.json`), 'utf8');
  return { text, deployment: parseDeployment(text) };
}

beforeAll(async () => {
  [anvil, local] = await Promise.all([
    startAnvil({ port: await freePort(), chainId: CHAIN_ID }),
    startAnvil({ port: await freePort(), chainId: LOCAL_ID }),
  ]);
  client = localPublicClient(anvil.url, CHAIN_ID);
  localClient = localPublicClient(local.url, LOCAL_ID);
  outDir = mkdtempSync(join(tmpdir(), 'aiarena-deploy-'));
});

afterAll(async () => {
  await Promise.all([anvil?.stop(), local?.stop()]);
  if (outDir) rmSync(outDir, { recursive: true, force: true });
});

describe('npm run deploy', () => {
  it('refuses the development-ceremony verifier on a public chain, before sending anything', async () => {
    // Exploit: the committed verifier's phase 2 is a public beacon, so anyone can forge a proof
    // for any claim; deployed to a real chain, every ownership challenge could be answered falsely.
    const { code, output } = await deploy([]);
    expect(code).toBe(1);
    expect(output).toContain(`chain id ${CHAIN_ID}`);
    expect(output).toContain(
      'Verifier contracts/src/verifiers/WatermarkOwnershipVerifier.sol (circuit watermark_ownership): DEVELOPMENT ceremony',
    );
    expect(output).toMatch(
      /deploy failed: refusing to deploy contracts\/src\/verifiers\/WatermarkOwnershipVerifier\.sol: the watermark verifier comes from the development ceremony, whose phase 2 is a public beacon/,
    );
    expect(output).toContain(
      `It deploys only on local development chains (31337, 1337), and chain ${CHAIN_ID} is not one`,
    );
    expect(output).toContain('--zk-build <dir>');
    expect(await client.getTransactionCount({ address: deployer.address })).toBe(0);
    expect(existsSync(join(outDir, `${CHAIN_ID}.json`))).toBe(false);
  });

  it('deploys on a local chain, with the development verifier, and records its ceremony', async () => {
    const { code, output } = await deploy([], undefined, local.url);
    expect(code, output).toBe(0);
    expect(output).toContain(`chain id ${LOCAL_ID}`);
    expect(output).toMatch(new RegExp(`Deployer ${deployer.address}: balance 10000\\b`));
    // The key must never reach the terminal, with or without its 0x.
    expect(output).not.toContain(deployer.privateKey.slice(2));

    const { deployment } = readRecord(LOCAL_ID);
    expect(deployment.chainId).toBe(LOCAL_ID);
    expect(deployment.deployer).toBe(deployer.address);
    expect(deployment.config).toEqual({
      rejectQuorum: parseEther('1000000'),
      minReviewPeriod: 86_400n,
      initialSupply: parseEther('100000000'),
      treasury: deployer.address,
    });
    for (const [name, address] of Object.entries(deployment.contracts)) {
      expect(output, name).toContain(address);
      const code = await localClient.getCode({ address });
      expect(code?.length ?? 0, `${name} has code`).toBeGreaterThan(2);
    }
    const ceremony = treeVerifierPlan().ceremony;
    expect(ceremony.development).toBe(true);
    expect(deployment.verifierCeremony).toEqual(ceremony);
    expect(await readVerifierCeremony(localClient, deployment.contracts.watermarkVerifier!)).toEqual(ceremony);
    const { token, taskRegistry } = deployment.contracts;
    expect(await localClient.readContract({ address: taskRegistry, abi: taskRegistryAbi, functionName: 'token' })).toBe(
      token,
    );
    expect(
      await localClient.readContract({
        address: token,
        abi: arenaTokenAbi,
        functionName: 'balanceOf',
        args: [deployer.address],
      }),
    ).toBe(parseEther('100000000'));
  });

  it('takes the protocol config from flags', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'aiarena-deploy-flags-'));
    try {
      const { code, output } = await runScript(
        'scripts/deploy.ts',
        [
          '--rpc-url',
          local.url,
          '--out-dir',
          dir,
          '--reject-quorum',
          '2500.5',
          '--min-review-period',
          '600',
          '--initial-supply',
          '1000',
          '--treasury',
          other.address.toLowerCase(),
        ],
        cleanEnv({ DEPLOYER_PRIVATE_KEY: deployer.privateKey.slice(2) }),
      );
      expect(code, output).toBe(0);
      const { deployment } = readRecord(LOCAL_ID, dir);
      expect(deployment.config).toEqual({
        rejectQuorum: parseEther('2500.5'),
        minReviewPeriod: 600n,
        initialSupply: parseEther('1000'),
        treasury: other.address,
      });
      const { token, taskRegistry } = deployment.contracts;
      const read = (functionName: 'rejectQuorum' | 'minReviewPeriod') =>
        localClient.readContract({ address: taskRegistry, abi: taskRegistryAbi, functionName });
      expect(await read('rejectQuorum')).toBe(parseEther('2500.5'));
      expect(await read('minReviewPeriod')).toBe(600n);
      expect(
        await localClient.readContract({
          address: token,
          abi: arenaTokenAbi,
          functionName: 'balanceOf',
          args: [other.address],
        }),
      ).toBe(parseEther('1000'));
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('refuses a --zk-build folder that holds no build, before touching the network', async () => {
    const empty = mkdtempSync(join(tmpdir(), 'aiarena-zk-build-'));
    try {
      const port = await freePort();
      const { code, output } = await runScript(
        'scripts/deploy.ts',
        ['--rpc-url', `http://127.0.0.1:${port}`, '--out-dir', outDir, '--zk-build', empty],
        cleanEnv({ DEPLOYER_PRIVATE_KEY: deployer.privateKey }),
      );
      expect(code).toBe(1);
      expect(output).toContain(`--zk-build ${empty} has no manifest.json`);
      expect(output).not.toContain('cannot reach the RPC');
    } finally {
      rmSync(empty, { recursive: true, force: true });
    }
  });

  it('fails clearly without DEPLOYER_PRIVATE_KEY', async () => {
    const { code, output } = await deploy([], {});
    expect(code).toBe(1);
    expect(output).toContain('DEPLOYER_PRIVATE_KEY is not set');
  });

  it('rejects a malformed key without printing it', async () => {
    const bad = 'deadbeef'.repeat(7);
    const { code, output } = await deploy([], { DEPLOYER_PRIVATE_KEY: bad });
    expect(code).toBe(1);
    expect(output).toContain('DEPLOYER_PRIVATE_KEY is malformed');
    expect(output).not.toContain('deadbeef');
  });

  it('says so when the RPC cannot be reached', async () => {
    const port = await freePort();
    const { code, output } = await runScript(
      'scripts/deploy.ts',
      ['--rpc-url', `http://127.0.0.1:${port}`, '--out-dir', outDir],
      cleanEnv({ DEPLOYER_PRIVATE_KEY: deployer.privateKey }),
    );
    expect(code).toBe(1);
    expect(output).toContain(`cannot reach the RPC at http://127.0.0.1:${port}`);
  });

  it('rejects a bad flag value', async () => {
    const { code, output } = await deploy(['--reject-quorum', '0']);
    expect(code).toBe(1);
    expect(output).toContain('reject quorum must be above 0');
  });
});
