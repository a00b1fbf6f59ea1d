// viem clients for the local anvil chain: quick polling, because blocks come every second and
// start-up waits on a few dozen receipts.
import { createPublicClient, createWalletClient, defineChain, http, type Hex, type PublicClient } from 'viem';
import { privateKeyToAccount } from 'viem/accounts';
import type { DeployWallet } from '../../src/lib/chain/deploy.ts';

export const LOCAL_CHAIN_ID = 31337;

export function localChain(rpcUrl: string, id = LOCAL_CHAIN_ID) {
  return defineChain({
    id,
    name: id === LOCAL_CHAIN_ID ? 'Anvil (local)' : `Chain ${id}`,
    nativeCurrency: { name: 'Ether', symbol: 'ETH', decimals: 18 },
    rpcUrls: { default: { http: [rpcUrl] } },
  });
}

export function localPublicClient(rpcUrl: string, id = LOCAL_CHAIN_ID): PublicClient {
  return createPublicClient({ chain: localChain(rpcUrl, id), transport: http(rpcUrl), pollingInterval: 100 });
}

export function localWallet(rpcUrl: string, privateKey: Hex, id = LOCAL_CHAIN_ID): DeployWallet {
  return createWalletClient({
    account: privateKeyToAccount(privateKey),
    chain: localChain(rpcUrl, id),
    transport: http(rpcUrl),
    pollingInterval: 100,
  });
}
