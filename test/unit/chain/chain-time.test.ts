import { describe, expect, it } from 'vitest';
import { chainNow, readChainClock } from '../../../src/lib/chain/chain-time.ts';

describe('chainNow', () => {
  it('adds whole seconds elapsed since the block was seen', () => {
    expect(chainNow({ blockTime: 100n }, 5_000, 5_000)).toBe(100n);
    expect(chainNow({ blockTime: 100n }, 5_000, 7_999)).toBe(102n);
  });

  it('never goes back in time if the local clock does', () => {
    expect(chainNow({ blockTime: 100n }, 5_000, 1_000)).toBe(100n);
  });
});

describe('readChainClock', () => {
  it('reads chain id and the latest block', async () => {
    const client = {
      getChainId: async () => 31337,
      getBlock: async (args?: { blockTag?: string }) => {
        expect(args?.blockTag).toBe('latest');
        return { number: 7n, timestamp: 1234n };
      },
    };
    expect(await readChainClock(client as never)).toEqual({ chainId: 31337, blockNumber: 7n, blockTime: 1234n });
  });
});
