// `npm run deploy` against a second anvil posing as Base Sepolia (chain id 84532): what a
// deployer to a public chain gets, including every refusal.
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { BaseError, ContractFunctionRevertedError, createPublicClient, http, parseEther, type PublicClient } from 'viem';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freePort, startAnvil, type Anvil } from '../../scripts/lib/anvil.ts';
import { devAccounts } from '../../scripts/lib/dev-accounts.ts';
import { arenaTokenAbi, taskRegistryAbi } from '../../src/lib/chain/abi.generated.ts';
import { parseDeployment, type Deployment } from '../../src/lib/chain/deployments.ts';
import { cleanEnv, runScript } from './support/script-process.ts';

const CHAIN_ID = 84532;
const [deployer, other] = devAccounts(2) as [ReturnType<typeof devAccounts>[0], ReturnType<typeof devAccounts>[0]];

let anvil: Anvil;
let client: PublicClient;
let outDir: string;

const deploy = (args: string[], env: Record<string, string> = { DEPLOYER_PRIVATE_KEY: deployer.privateKey }) =>
  runScript('scripts/deploy.ts', ['--rpc-url', anvil.url, '--out-dir', outDir, ...args], cleanEnv(env));

function readRecord(dir = outDir): { text: string; deployment: Deployment } {
  const text = readFileSync(join(dir, `${CHAIN_ID}.json`), 'utf8');
  return { text, deployment: parseDeployment(text) };
}

beforeAll(async () => {
  anvil = await startAnvil({ port: await freePort(), chainId: CHAIN_ID });
  client = createPublicClient({ transport: http(anvil.url) });
  outDir = mkdtempSync(join(tmpdir(), 'aiarena-deploy-'));
});

afterAll(async () => {
  await anvil?.stop();
  if (outDir) rmSync(outDir, { recursive: true, force: true });
});

describe('npm run deploy', () => {
  it('deploys to a non-local chain and records it', async () => {
    const { code, output } = await deploy([]);
    expect(code, output).toBe(0);
    expect(output).toContain(`chain id ${CHAIN_ID}`);
    expect(output).toMatch(new RegExp(`Deployer ${deployer.address}: balance 10000\\b`));
    // The key must never reach the terminal, with or without its 0x.
    expect(output).not.toContain(deployer.privateKey.slice(2));

    const { deployment } = readRecord();
    expect(deployment.chainId).toBe(CHAIN_ID);
    expect(deployment.deployer).toBe(deployer.address);
    expect(deployment.config).toEqual({
      rejectQuorum: parseEther('1000000'),
      minReviewPeriod: 86_400n,
      initialSupply: parseEther('100000000'),
      treasury: deployer.address,
    });
    for (const [name, address] of Object.entries(deployment.contracts)) {
      expect(output, name).toContain(address);
      const code = await client.getCode({ address });
      expect(code?.length ?? 0, `${name} has code`).toBeGreaterThan(2);
    }
    const { token, taskRegistry } = deployment.contracts;
    expect(await client.readContract({ address: taskRegistry, abi: taskRegistryAbi, functionName: 'token' })).toBe(token);
    expect(await client.readContract({ address: token, abi: arenaTokenAbi, functionName: 'balanceOf', args: [deployer.address] })).toBe(
      parseEther('100000000'),
    );
  });

  it('leaves the faucet disabled off the local chains', async () => {
    const { token } = readRecord().deployment.contracts;
    expect(await client.readContract({ address: token, abi: arenaTokenAbi, functionName: 'faucetEnabled' })).toBe(false);
    const error = await client
      .simulateContract({
        account: other.address,
        address: token,
        abi: arenaTokenAbi,
        functionName: 'faucet',
        args: [other.address, parseEther('1')],
      })
      .then(
        () => null,
        (e: unknown) => e,
      );
    expect(error).toBeInstanceOf(BaseError);
    const revert = (error as BaseError).walk((e) => e instanceof ContractFunctionRevertedError);
    expect(revert).toBeInstanceOf(ContractFunctionRevertedError);
    expect((revert as ContractFunctionRevertedError).data?.errorName).toBe('FaucetDisabled');
  });

  it('refuses to overwrite the record without --force, before sending anything', async () => {
    const before = readRecord().text;
    const nonce = await client.getTransactionCount({ address: deployer.address });
    const { code, output } = await deploy([]);
    expect(code).toBe(1);
    expect(output).toMatch(/84532\.json already exists.*--force/);
    expect(readRecord().text).toBe(before);
    expect(await client.getTransactionCount({ address: deployer.address })).toBe(nonce);
  });

  it('overwrites with --force', async () => {
    const before = readRecord().deployment;
    const { code, output } = await deploy(['--force']);
    expect(code, output).toBe(0);
    const after = readRecord().deployment;
    expect(after.contracts.token).not.toBe(before.contracts.token);
    expect(after.fromBlock).toBeGreaterThan(before.fromBlock);
  });

  it('takes the protocol config from flags', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'aiarena-deploy-flags-'));
    try {
      const { code, output } = await runScript(
        'scripts/deploy.ts',
        [
          '--rpc-url', anvil.url, '--out-dir', dir, '--reject-quorum', '2500.5',
          '--min-review-period', '600', '--initial-supply', '1000', '--treasury', other.address.toLowerCase(),
        ],
        cleanEnv({ DEPLOYER_PRIVATE_KEY: deployer.privateKey.slice(2) }),
      );
      expect(code, output).toBe(0);
      const { deployment } = readRecord(dir);
      expect(deployment.config).toEqual({
        rejectQuorum: parseEther('2500.5'),
        minReviewPeriod: 600n,
        initialSupply: parseEther('1000'),
        treasury: other.address,
      });
      const { token, taskRegistry } = deployment.contracts;
      const read = (functionName: 'rejectQuorum' | 'minReviewPeriod') =>
        client.readContract({ address: taskRegistry, abi: taskRegistryAbi, functionName });
      expect(await read('rejectQuorum')).toBe(parseEther('2500.5'));
      expect(await read('minReviewPeriod')).toBe(600n);
      expect(await client.readContract({ address: token, abi: arenaTokenAbi, functionName: 'balanceOf', args: [other.address] })).toBe(
        parseEther('1000'),
      );
    } finally {
      rmSync(dir, { recursive: true, force: true });
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
