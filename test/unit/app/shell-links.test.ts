// Explorer links exist only where the chain names an explorer.
import { describe, expect, it } from 'vitest';
import { explorerBase, explorerLink } from '../../../src/lib/app-logic/explorer.ts';
import { arenaChain } from '../../../src/lib/chain/wallet/chain.ts';

describe('explorer links', () => {
  it('links a public chain’s transactions and addresses to its explorer', () => {
    const base = explorerBase(arenaChain({ chainId: 11155111, rpcUrls: ['http://rpc.example'] }));
    expect(base).toBe('https://sepolia.etherscan.io');
    expect(explorerLink(base, 'tx', '0xabc')).toBe('https://sepolia.etherscan.io/tx/0xabc');
    expect(explorerLink(base, 'address', '0xdef')).toBe('https://sepolia.etherscan.io/address/0xdef');
  });

  it('gives no link on a local or unknown chain', () => {
    expect(explorerBase(arenaChain({ chainId: 31337, rpcUrls: ['http://127.0.0.1:8545'] }))).toBeNull();
    expect(explorerBase(arenaChain({ chainId: 999_999, rpcUrls: ['http://x'] }))).toBeNull();
    expect(explorerLink(null, 'tx', '0xabc')).toBeNull();
  });
});
