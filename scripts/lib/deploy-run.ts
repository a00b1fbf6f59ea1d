// Deploys the protocol to the chain behind an RPC URL and records it in <chainId>.json. Every
// check that can fail without spending gas runs before the first transaction, among them the
// refusal of a development-ceremony verifier off the local chains (docs/zk.md section 4).
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { createPublicClient, createWalletClient, formatEther, http, type Hex } from 'viem';
import { privateKeyToAccount, type PrivateKeyAccount } from 'viem/accounts';
import { deployArena } from '../../src/lib/chain/deploy.ts';
import { parseDeployment, serializeDeployment, type Deployment } from '../../src/lib/chain/deployments.ts';
import { loadBytecodes } from './bytecodes.ts';
import { ensureContractsBuilt } from './contracts-build.ts';
import { isLocalChain, redactRpcUrl, UsageError, type DeployOptions } from './deploy-options.ts';
import {
  appKeyMismatch,
  buildDirVerifierPlan,
  describeCeremony,
  sameCeremony,
  treeVerifierPlan,
  verifierRefusal,
} from './deploy-verifier.ts';
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
  // Local files first: a wrong --zk-build fails without touching the network.
  const verifier = opts.zkBuild ? buildDirVerifierPlan(opts.zkBuild, opts.allowTestCircuit) : treeVerifierPlan();
  const transport = http(opts.rpcUrl, { timeout: 20_000, retryCount: 1 });
  const probe = createPublicClient({ transport });
  let chainId: number;
  try {
    chainId = await probe.getChainId();
  } catch (e) {
    // eslint-disable-next-line preserve-caught-error -- viem's error names the unredacted URL (an API key)
    throw new Error(`cannot reach the RPC at ${redactRpcUrl(opts.rpcUrl)}: ${(e as Error).message.split('\n')[0]}`);
  }
  const balance = await probe.getBalance({ address: account.address });
  log(`RPC ${redactRpcUrl(opts.rpcUrl)}: chain id ${chainId}`);
  log(`Deployer ${account.address}: balance ${formatEther(balance)} (native currency, 18 decimals)`);
  if (balance === 0n) throw new Error(`the deployer ${account.address} has no funds for gas on chain ${chainId}`);

  const file = join(opts.outDir, `${chainId}.json`);
  if (existsSync(file)) {
    if (!isLocalChain(chainId) && !opts.force) {
      throw new Error(
        `${file} already exists for chain ${chainId}; refusing to overwrite a live deployment record (pass --force to replace it)`,
      );
    }
    log(`Will overwrite ${file}${isLocalChain(chainId) ? ' (local chain)' : ' (--force)'}.`);
  }

  log(`Verifier ${verifier.origin} (circuit ${verifier.circuit}): ${describeCeremony(verifier.ceremony)}`);
  const refusal = verifierRefusal(chainId, verifier);
  if (refusal) throw new Error(refusal);
  const mismatch = appKeyMismatch(verifier);
  if (mismatch) log(`Note: ${mismatch}.`);

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
  const bytecodes = {
    ...loadBytecodes(),
    ...(verifier.bytecode ? { WatermarkOwnershipVerifier: verifier.bytecode } : {}),
  };
  const raw = await deployArena(wallet, client, bytecodes, config, (line) => log(`  ${line}`));
  // Round-trip through the file format: checksummed addresses, and proof the record parses.
  const deployment = parseDeployment(serializeDeployment(raw));
  mkdirSync(opts.outDir, { recursive: true });
  writeFileSync(file, serializeDeployment(deployment));
  // The record holds what the deployed contract answers; it must be what was checked above.
  if (!deployment.verifierCeremony || !sameCeremony(deployment.verifierCeremony, verifier.ceremony)) {
    throw new Error(
      `the deployed verifier reports another ceremony than ${verifier.origin} declares (recorded in ${file}): do not use this deployment`,
    );
  }
  return { file, deployment };
}
