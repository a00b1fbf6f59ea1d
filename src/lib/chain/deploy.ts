// Deploys and wires the protocol's contracts with any viem wallet (a dev key, a CI key, or a
// production deployer). Bytecode comes from the caller, so this runs in Node and in a browser.
import type { Abi, Account, Address, Chain, Hex, PublicClient, Transport, WalletClient } from 'viem';
import {
  rewardEngineAbi,
  stakeManagerAbi,
  taskRegistryAbi,
  arenaTokenAbi,
  submissionBookAbi,
  watermarkOwnershipVerifierAbi,
  challengeModuleAbi,
} from './abi.generated.ts';
import type { Deployment, ProtocolConfig } from './deployments.ts';
import { readVerifierCeremony } from './verifier-ceremony.ts';

export interface Bytecodes {
  ArenaToken: Hex;
  TaskRegistry: Hex;
  StakeManager: Hex;
  SubmissionBook: Hex;
  RewardEngine: Hex;
  WatermarkOwnershipVerifier: Hex;
  ChallengeModule: Hex;
}

/**
 * The challenge module's tolerance (wrong watermark bits a proof may have): the SPEC section 6
 * default, fixed with the verifier's circuit instance (T = 64, N = 128, WB = 16). Clients read
 * it back from ChallengeModule.maxErr().
 */
export const CHALLENGE_MAX_ERR = 8n;

export type DeployWallet = WalletClient<Transport, Chain, Account>;

export async function deployArena(
  wallet: DeployWallet,
  client: PublicClient,
  bytecodes: Bytecodes,
  config: ProtocolConfig,
  log: (line: string) => void = () => {},
): Promise<Deployment> {
  const fromBlock = await client.getBlockNumber();

  async function create(name: string, abi: Abi, bytecode: Hex, args: readonly unknown[]): Promise<Address> {
    const hash = await wallet.deployContract({ abi, bytecode, args });
    const receipt = await client.waitForTransactionReceipt({ hash });
    if (receipt.status !== 'success' || !receipt.contractAddress) {
      throw new Error(`deploying ${name} failed (tx ${hash})`);
    }
    log(`${name.padEnd(15)} ${receipt.contractAddress}  gas ${receipt.gasUsed}`);
    return receipt.contractAddress;
  }

  async function send(name: string, request: Parameters<DeployWallet['writeContract']>[0]): Promise<void> {
    const hash = await wallet.writeContract(request);
    const receipt = await client.waitForTransactionReceipt({ hash });
    if (receipt.status !== 'success') throw new Error(`${name} failed (tx ${hash})`);
  }

  const token = await create('ArenaToken', arenaTokenAbi, bytecodes.ArenaToken, [
    config.treasury,
    config.initialSupply,
  ]);
  const taskRegistry = await create('TaskRegistry', taskRegistryAbi, bytecodes.TaskRegistry, [
    token,
    config.rejectQuorum,
    config.minReviewPeriod,
  ]);
  const stakeManager = await create('StakeManager', stakeManagerAbi, bytecodes.StakeManager, [token, taskRegistry]);
  const submissionBook = await create('SubmissionBook', submissionBookAbi, bytecodes.SubmissionBook, [
    taskRegistry,
    stakeManager,
  ]);
  const rewardEngine = await create('RewardEngine', rewardEngineAbi, bytecodes.RewardEngine, [
    taskRegistry,
    stakeManager,
    submissionBook,
  ]);
  const watermarkVerifier = await create(
    'WatermarkVerifier',
    watermarkOwnershipVerifierAbi,
    bytecodes.WatermarkOwnershipVerifier,
    [],
  );
  // Recorded with the deployment, so the app can say which trusted setup its proofs rely on.
  const verifierCeremony = await readVerifierCeremony(client, watermarkVerifier);
  log(
    `${'  ceremony'.padEnd(15)} ${verifierCeremony.development ? 'DEVELOPMENT (forgeable: local chains only)' : 'imported'}, zkey sha256 ${verifierCeremony.zkeySha256.slice(2, 18)}...`,
  );
  const challengeModule = await create('ChallengeModule', challengeModuleAbi, bytecodes.ChallengeModule, [
    token,
    taskRegistry,
    stakeManager,
    submissionBook,
    watermarkVerifier,
    CHALLENGE_MAX_ERR,
  ]);
  await send('TaskRegistry.bind', {
    address: taskRegistry,
    abi: taskRegistryAbi,
    functionName: 'bind',
    args: [rewardEngine, stakeManager],
  } as never);
  // One call binds both modules; bindChallengeModule exists for a deployment that bound none.
  await send('StakeManager.bind', {
    address: stakeManager,
    abi: stakeManagerAbi,
    functionName: 'bind',
    args: [rewardEngine, challengeModule],
  } as never);

  return {
    chainId: await client.getChainId(),
    deployer: wallet.account.address,
    fromBlock,
    contracts: { token, taskRegistry, stakeManager, submissionBook, rewardEngine, challengeModule, watermarkVerifier },
    config,
    verifierCeremony,
  };
}
