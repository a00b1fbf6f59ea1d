// The one chain the app talks to, built from its configuration: a known public chain keeps its
// public RPC as the default (that is what a wallet gets in wallet_addEthereumChain, so a private
// RPC URL with a key in it is never handed to wallets); a local or unknown chain uses the
// configured URLs.
import { defineChain, type Chain } from 'viem';
import { arbitrum, base, baseSepolia, mainnet, optimism, sepolia } from 'viem/chains';

/** Chain ids of local development chains (anvil, hardhat): where dev accounts and the faucet exist. */
export const LOCAL_CHAIN_IDS: readonly number[] = [31337, 1337];

export const isLocalChainId = (chainId: number): boolean => LOCAL_CHAIN_IDS.includes(chainId);

const KNOWN: readonly Chain[] = [mainnet, sepolia, base, baseSepolia, optimism, arbitrum];

export interface ChainSettings {
  chainId: number;
  /** RPC URLs in order of preference: the first is the primary. */
  rpcUrls: readonly string[];
}

export function arenaChain({ chainId, rpcUrls }: ChainSettings): Chain {
  if (rpcUrls.length === 0) throw new Error(`no RPC URL configured for chain ${chainId}`);
  const known = KNOWN.find((c) => c.id === chainId);
  if (known) return { ...known, rpcUrls: { ...known.rpcUrls, arena: { http: rpcUrls } } };
  const local = isLocalChainId(chainId);
  return defineChain({
    id: chainId,
    name: local ? (chainId === 31337 ? 'Anvil (local)' : 'Local chain') : `Chain ${chainId}`,
    nativeCurrency: { name: 'Ether', symbol: 'ETH', decimals: 18 },
    rpcUrls: { default: { http: rpcUrls }, arena: { http: rpcUrls } },
    testnet: local,
  });
}

/** The URLs the app itself reads through (configured ones, never a known chain's public list). */
export function appRpcUrls(chain: Chain): readonly string[] {
  return chain.rpcUrls.arena?.http ?? chain.rpcUrls.default.http;
}
