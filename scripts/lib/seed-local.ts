// Puts the local chain in a useful state: every dev account holds tokens, and a demo task is
// under review, so the app has something to show right away.
import type { Hex, PublicClient } from 'viem';
import { arenaTokenAbi, taskRegistryAbi } from '../../src/lib/chain/abi.generated.ts';
import type { DeployWallet } from '../../src/lib/chain/deploy.ts';
import type { Deployment } from '../../src/lib/chain/deployments.ts';
import { receiptEvent } from '../../src/lib/chain/receipt-events.ts';
import { demoHashes, newFinalEvalSecret, saveFinalEvalSecret } from './demo-content.ts';
import { demoDeposit, demoTaskParams } from './demo-task.ts';

async function confirmed(client: PublicClient, hash: Hex, what: string) {
  const receipt = await client.waitForTransactionReceipt({ hash });
  if (receipt.status !== 'success') throw new Error(`${what} reverted (tx ${hash})`);
  return receipt;
}

/** Each account mints to itself through the local faucet; different senders, so all in parallel. */
export async function fundDevAccounts(
  client: PublicClient,
  wallets: DeployWallet[],
  deployment: Deployment,
  amount: bigint,
): Promise<void> {
  await Promise.all(
    wallets.map(async (wallet) => {
      const hash = await wallet.writeContract({
        address: deployment.contracts.token,
        abi: arenaTokenAbi,
        functionName: 'faucet',
        args: [wallet.account.address, amount],
      });
      await confirmed(client, hash, `faucet for ${wallet.account.address}`);
    }),
  );
}

export interface DemoTask {
  taskId: bigint;
  startTime: bigint;
  secretFile: string;
}

export async function createDemoTask(
  client: PublicClient,
  creator: DeployWallet,
  deployment: Deployment,
  opts: { epochSeconds: number; reviewSeconds: number; stateDir: string },
): Promise<DemoTask> {
  const { token, taskRegistry } = deployment.contracts;
  const secret = newFinalEvalSecret();
  const approve = await creator.writeContract({
    address: token,
    abi: arenaTokenAbi,
    functionName: 'approve',
    args: [taskRegistry, demoDeposit()],
  });
  await confirmed(client, approve, 'approving the demo deposit');
  // Lay the schedule out from chain time, which is what createTask checks against.
  const now = (await client.getBlock({ blockTag: 'latest' })).timestamp;
  const params = demoTaskParams({
    now,
    epochSeconds: opts.epochSeconds,
    reviewSeconds: opts.reviewSeconds,
    hashes: demoHashes(),
    finalEvalCommit: secret.commit,
  });
  const hash = await creator.writeContract({
    address: taskRegistry,
    abi: taskRegistryAbi,
    functionName: 'createTask',
    args: [params],
  });
  const receipt = await confirmed(client, hash, 'creating the demo task');
  const taskId = receiptEvent(receipt, taskRegistryAbi, 'TaskCreated').args.taskId;
  const secretFile = saveFinalEvalSecret(opts.stateDir, { chainId: deployment.chainId, taskRegistry, taskId }, secret);
  return { taskId, startTime: params.startTime, secretFile };
}
