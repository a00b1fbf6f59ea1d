// The chain's notion of "now": countdowns follow block time, not the viewer's clock, because
// that is what the contracts check (a local chain may even be ahead of the wall clock).
import type { PublicClient } from 'viem';

export interface ChainClock {
  chainId: number;
  blockNumber: bigint;
  blockTime: bigint;
}

export async function readChainClock(client: Pick<PublicClient, 'getChainId' | 'getBlock'>): Promise<ChainClock> {
  const [chainId, block] = await Promise.all([client.getChainId(), client.getBlock({ blockTag: 'latest' })]);
  return { chainId, blockNumber: block.number, blockTime: block.timestamp };
}

/** Chain time now, extrapolated from the last block seen and the local time elapsed since. */
export function chainNow(clock: { blockTime: bigint }, seenAtMs: number, nowMs: number): bigint {
  return clock.blockTime + BigInt(Math.max(0, Math.floor((nowMs - seenAtMs) / 1000)));
}
