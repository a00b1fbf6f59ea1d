// The compiled WatermarkOwnershipVerifier (forge output), built on demand, and its deployment:
// for the verifier's integration test and the benchmark.
import { existsSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { decodeFunctionResult, encodeFunctionData, type Abi, type Hex, type PublicClient } from 'viem';
import type { DeployWallet } from '../../src/lib/chain/deploy.ts';
import { verifierArgs, type SolidityProof } from '../../src/lib/zk/calldata.ts';
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

export async function deployVerifier(
  wallet: DeployWallet,
  client: PublicClient,
): Promise<{ address: Hex; abi: Abi; deployGas: bigint }> {
  const { abi, bytecode } = await verifierArtifact();
  const hash = await wallet.deployContract({ abi, bytecode, account: wallet.account, chain: wallet.chain });
  const receipt = await client.waitForTransactionReceipt({ hash });
  if (receipt.status !== 'success' || !receipt.contractAddress) throw new Error('deploying the verifier failed');
  return { address: receipt.contractAddress, abi, deployGas: receipt.gasUsed };
}

export interface DeployedVerifier {
  address: Hex;
  abi: Abi;
}

/** verifyProof as an eth_call, optionally with a gas limit. */
export async function verifyWithGas(
  client: PublicClient,
  verifier: DeployedVerifier,
  proof: SolidityProof,
  gas?: bigint,
): Promise<boolean> {
  const data = encodeFunctionData({ abi: verifier.abi, functionName: 'verifyProof', args: verifierArgs(proof) });
  const { data: out } = await client.call({ to: verifier.address, data, ...(gas === undefined ? {} : { gas }) });
  if (!out) throw new Error('verifyProof returned no data');
  return decodeFunctionResult({ abi: verifier.abi, functionName: 'verifyProof', data: out }) as boolean;
}

/**
 * The least transaction gas limit for which verifyProof returns true (binary search over
 * eth_call). eth_estimateGas cannot answer this: short of gas, the verifier's pairing call fails
 * and it returns false instead of reverting, which the estimator counts as success.
 */
export async function leastGasLimit(
  client: PublicClient,
  verifier: DeployedVerifier,
  proof: SolidityProof,
  from = 21_000n,
  to = 1_000_000n,
): Promise<bigint> {
  if (!(await verifyWithGas(client, verifier, proof, to))) throw new Error(`verifyProof is false even with ${to} gas`);
  let lo = from;
  let hi = to;
  while (hi - lo > 1n) {
    const mid = (lo + hi) / 2n;
    if (await verifyWithGas(client, verifier, proof, mid)) hi = mid;
    else lo = mid;
  }
  return hi;
}

/** Gas of the calldata of a verifyProof transaction (EIP-2028: 4 per zero byte, 16 otherwise). */
export function calldataGas(proof: SolidityProof, abi: Abi): bigint {
  const data = encodeFunctionData({ abi, functionName: 'verifyProof', args: verifierArgs(proof) });
  let gas = 0n;
  for (let i = 2; i < data.length; i += 2) gas += data.slice(i, i + 2) === '00' ? 4n : 16n;
  return gas;
}
