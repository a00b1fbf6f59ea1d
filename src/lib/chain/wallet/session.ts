// From a connected wagmi config to what the protocol actions take: the network is checked (and
// switched) first, so every transaction goes to the deployment's chain.
import { getPublicClient, getWalletClient, type Config } from '@wagmi/core';
import type { PublicClient } from 'viem';
import type { ActionContext } from '../actions/context.ts';
import type { Deployment } from '../deployments.ts';
import type { Sender } from '../tx/types.ts';
import type { TxTracker } from '../tx/tracker.ts';
import { ensureNetwork } from './network.ts';

export async function walletActionContext(
  config: Config,
  deployment: Deployment,
  options: { tracker?: TxTracker; send?: Sender } = {},
): Promise<ActionContext> {
  await ensureNetwork(config, deployment.chainId);
  const wallet = await getWalletClient(config, { chainId: deployment.chainId });
  const publicClient = getPublicClient(config, { chainId: deployment.chainId }) as PublicClient;
  const send = options.send ?? options.tracker?.sender(wallet);
  return { publicClient, wallet, deployment, ...(send ? { send } : {}) };
}
