// Deploys the protocol to the chain behind an RPC URL and records it in <chainId>.json. Every
// check that can fail without spending gas runs before the first transaction.
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { createPublicClient, createWalletClient, formatEther, http, type Hex } from 'viem';
import { privateKeyToAccount, type PrivateKeyAccount } from 'viem/accounts';
import { deployArena } from '../../src/lib/chain/deploy.ts';
import { parseDeployment, serializeDeployment, type Deployment } from '../../src/lib/chain/deployments.ts';
import { loadBytecodes } from './bytecodes.ts';
import { ensureContractsBuilt } from './contracts-build.ts';
import { isLocalChain, redactRpcUrl, UsageError, type DeployOptions } from './deploy-options.ts';
import { localChain } from './local-chain.ts';

export interface DeployResult {
  file: string;
  deployment: Deployment;
}

function accountFrom(key: Hex): PrivateKeyAccount {
  try {
    return privateKeyToAccount(key);
  } catch {
    // viem's message may quote the key: say only what is wrong.
    throw new UsageError('DEPLOYER_PRIVATE_KEY is not a valid secp256k1 private key');
  }
}

export async function runDeploy(opts: DeployOptions, key: Hex, log: (line: string) => void): Promise<DeployResult> {
  const account = accountFrom(key);
  const transport = http(opts.rpcUrl, { timeout: 20_000, retryCount: 1 });
  const probe = createPublicClient({ transport });
  let chainId: number;
  try {
    chainId = await probe.getChainId();
  } catch (e) {
    throw new Error(`cannot reach the RPC at ${redactRpcUrl(opts.rpcUrl)}: ${(e as Error).message.split('\n')[0]}`);
  }
  const balance = await probe.getBalance({ address: account.address });
  log(`RPC ${redactRpcUrl(opts.rpcUrl)}: chain id ${chainId}`);
  log(`Deployer ${account.address}: balance ${formatEther(balance)} (native currency, 18 decimals)`);
  if (balance === 0n) throw new Error(`the deployer ${account.address} has no funds for gas on chain ${chainId}`);

  const file = join(opts.outDir, `${chainId}.json`);
  if (existsSync(file)) {
    if (!isLocalChain(chainId) && !opts.force) {
      throw new Error(`${file} already exists for chain ${chainId}; refusing to overwrite a live deployment record (pass --force to replace it)`);
    }
    log(`Will overwrite ${file}${isLocalChain(chainId) ? ' (local chain)' : ' (--force)'}.`);
  }

  await ensureContractsBuilt(log);
  const chain = localChain(opts.rpcUrl, chainId);
  const client = createPublicClient({ chain, transport });
  const wallet = createWalletClient({ account, chain, transport });
  const config = {
    rejectQuorum: opts.rejectQuorum,
    minReviewPeriod: opts.minReviewPeriod,
    initialSupply: opts.initialSupply,
    treasury: opts.treasury ?? account.address,
  };
  log(
    `Deploying: reject quorum ${formatEther(config.rejectQuorum)} ARENA, min review ${config.minReviewPeriod} s, ` +
      `initial supply ${formatEther(config.initialSupply)} ARENA to ${config.treasury}`,
  );
  const raw = await deployArena(wallet, client, loadBytecodes(), config, (line) => log(`  ${line}`));
  // Round-trip through the file format: checksummed addresses, and proof the record parses.
  const deployment = parseDeployment(serializeDeployment(raw));
  mkdirSync(opts.outDir, { recursive: true });
  writeFileSync(file, serializeDeployment(deployment));
  return { file, deployment };
}
