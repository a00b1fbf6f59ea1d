// The nonce-slot search behind a send whose answer was lost: it matches sender, nonce, target and
// calldata exactly, looks in the pending block, then at most FIND_BLOCKS_BACK mined blocks.
import { encodeFunctionData, type Address, type Hex } from 'viem';
import { describe, expect, test } from 'vitest';
import { arenaTokenAbi } from '../../../src/lib/chain/abi.generated.ts';
import {
  FIND_BLOCKS_BACK,
  findSentTransaction,
  pendingNonce,
  type FindClient,
} from '../../../src/lib/chain/tx/find-sent.ts';

const FROM: Address = '0x90F79bf6EB2c4f870365E785982E1f101E93b906';
const TOKEN: Address = '0x5FbDB2315678afecb367f032d93F642f64180aa3';
const faucetData = (amount: bigint): Hex =>
  encodeFunctionData({ abi: arenaTokenAbi, functionName: 'faucet', args: [FROM, amount] });
const call = { address: TOKEN, abi: arenaTokenAbi, functionName: 'faucet', args: [FROM, 123n] };
const data = faucetData(123n);

interface Tx {
  hash: Hex;
  from: Address;
  nonce: number;
  to: Address | null;
  input: Hex;
}
const tx = (hash: string, over: Partial<Tx> = {}): Tx => ({
  hash: `0x${hash.padStart(64, '0')}` as Hex,
  from: FROM,
  nonce: 7,
  to: TOKEN,
  input: data,
  ...over,
});

/** A chain of mined blocks (newest last) and a pending block, recording which blocks were read. */
function chain(mined: Tx[][], pending: Tx[] | 'unsupported' = []) {
  const reads: string[] = [];
  const block = (n: number) => ({ number: BigInt(n), transactions: mined[n]! });
  const client = {
    getBlock: async (a: { blockTag?: string; blockNumber?: bigint }) => {
      if (a.blockTag === 'pending') {
        reads.push('pending');
        if (pending === 'unsupported') throw new Error('pending block not supported');
        return { number: null, transactions: pending };
      }
      const n = a.blockTag === 'latest' ? mined.length - 1 : Number(a.blockNumber);
      reads.push(String(n));
      return block(n);
    },
    getTransactionCount: async () => 7,
  } as unknown as FindClient;
  return { client, reads };
}

describe('findSentTransaction', () => {
  const slot = { from: FROM, nonce: 7, call };

  test('finds the transaction in the pending block first', async () => {
    const { client, reads } = chain([[], []], [tx('a1')]);
    expect(await findSentTransaction(client, slot)).toBe(tx('a1').hash);
    expect(reads).toEqual(['pending']);
  });

  test('then in the newest mined blocks, newest first, also where pending blocks are not served', async () => {
    const { client, reads } = chain([[], [tx('b1')], [], []], 'unsupported');
    expect(await findSentTransaction(client, slot)).toBe(tx('b1').hash);
    expect(reads).toEqual(['pending', '3', '2', '1']);
  });

  test('looks no further back than FIND_BLOCKS_BACK blocks', async () => {
    const blocks: Tx[][] = [[tx('c1')], ...Array.from({ length: Number(FIND_BLOCKS_BACK) }, () => [])];
    const { client, reads } = chain(blocks);
    expect(await findSentTransaction(client, slot)).toBeUndefined();
    expect(reads).toHaveLength(1 + Number(FIND_BLOCKS_BACK));
  });

  test('another nonce, sender, target or calldata in the slot is not it', async () => {
    const others = [
      tx('d1', { nonce: 8 }),
      tx('d2', { from: TOKEN }),
      tx('d3', { to: FROM }),
      tx('d4', { to: null }),
      tx('d5', { input: faucetData(124n) }),
    ];
    const { client } = chain([others], others);
    expect(await findSentTransaction(client, slot)).toBeUndefined();
    // Addresses and calldata compare without regard to case.
    const { client: mixed } = chain([
      [tx('e1', { from: FROM.toLowerCase() as Address, input: data.toUpperCase().replace('0X', '0x') as Hex })],
    ]);
    expect(await findSentTransaction(mixed, slot)).toBe(tx('e1').hash);
  });

  test('stops at block 0', async () => {
    const { client, reads } = chain([[]]);
    expect(await findSentTransaction(client, slot)).toBeUndefined();
    expect(reads).toEqual(['pending', '0']);
  });
});

describe('pendingNonce', () => {
  test('reads the pending count, and is undefined when the RPC fails', async () => {
    const calls: unknown[] = [];
    const ok = { getTransactionCount: async (a: unknown) => (calls.push(a), 12) } as unknown as FindClient;
    expect(await pendingNonce(ok, FROM)).toBe(12);
    expect(calls).toEqual([{ address: FROM, blockTag: 'pending' }]);
    const down = {
      getTransactionCount: async () => Promise.reject(new Error('fetch failed')),
    } as unknown as FindClient;
    expect(await pendingNonce(down, FROM)).toBeUndefined();
  });
});
