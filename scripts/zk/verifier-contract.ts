// The compiled WatermarkOwnershipVerifier (forge output), built on demand, and its deployment:
// for the verifier's integration test and the benchmark.
import { existsSync, statSync } from 'node:fs';
import { join } from 'node:path';
import type { Abi, Hex, PublicClient } from 'viem';
import type { DeployWallet } from '../../src/lib/chain/deploy.ts';
import { loadArtifact, OUT_DIR } from '../lib/artifacts.ts';
import { forgeBuild } from '../lib/contracts-build.ts';
import { PRODUCTION } from './instances.ts';
import { REPO_ROOT } from './sources.ts';

export async function verifierArtifact(): Promise<{ abi: Abi; bytecode: Hex }> {
  const { contract, file } = PRODUCTION.verifier!;
  const out = join(OUT_DIR, `${contract}.sol`, `${contract}.json`);
  if (!existsSync(out) || statSync(out).mtimeMs < statSync(join(REPO_ROOT, file)).mtimeMs) await forgeBuild();
  return loadArtifact(contract);
}

export async function deployVerifier(wallet: DeployWallet, client: PublicClient): Promise<{ address: Hex; abi: Abi; deployGas: bigint }> {
  const { abi, bytecode } = await verifierArtifact();
  const hash = await wallet.deployContract({ abi, bytecode, account: wallet.account, chain: wallet.chain });
  const receipt = await client.waitForTransactionReceipt({ hash });
  if (receipt.status !== 'success' || !receipt.contractAddress) throw new Error('deploying the verifier failed');
  return { address: receipt.contractAddress, abi, deployGas: receipt.gasUsed };
}
