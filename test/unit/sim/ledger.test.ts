import { custom, createPublicClient, type Address } from 'viem';
import { describe, expect, it } from 'vitest';
import { Ledger, RpcCounter, costsByPhase, countingTransport, largestTx } from '../../../scripts/lib/sim/ledger.ts';

const A = '0x00000000000000000000000000000000000000a1' as Address;
const B = '0x00000000000000000000000000000000000000b2' as Address;

describe('sim transaction ledger', () => {
  it('books each transaction under the phase it was sent in', () => {
    const l = new Ledger();
    l.record('joinTask', 300n, A, 'trainer');
    l.phase = 'epoch 0';
    l.record('revealScores', 140n, B, 'validator');
    l.record('finalize', 9_000n, A, 'keeper');
    l.record('revealScores', 150n, A, 'validator');
    expect(l.txs.map((t) => [t.phase, t.kind, t.gas])).toEqual([
      ['setup', 'joinTask', 300n],
      ['epoch 0', 'revealScores', 140n],
      ['epoch 0', 'finalize', 9_000n],
      ['epoch 0', 'revealScores', 150n],
    ]);
    expect(costsByPhase(l.txs)).toEqual([
      { phase: 'setup', count: 1, gas: 300n, kinds: [{ kind: 'joinTask', count: 1, gas: 300n, maxGas: 300n }] },
      {
        phase: 'epoch 0',
        count: 3,
        gas: 9_290n,
        kinds: [
          { kind: 'finalize', count: 1, gas: 9_000n, maxGas: 9_000n },
          { kind: 'revealScores', count: 2, gas: 290n, maxGas: 150n },
        ],
      },
    ]);
    expect(largestTx(l.txs)).toMatchObject({ kind: 'finalize', gas: 9_000n, role: 'keeper' });
    expect(largestTx([])).toBeNull();
  });

  it('counts every request a client makes through its transport, by method', async () => {
    const counter = new RpcCounter();
    const answers: Record<string, unknown> = { eth_chainId: '0x7a69', eth_blockNumber: '0x10' };
    const inner = custom({ request: async ({ method }: { method: string }) => answers[method] });
    const client = createPublicClient({ transport: countingTransport(inner, counter) });
    expect(await client.getChainId()).toBe(31337);
    expect(await client.getBlockNumber({ cacheTime: 0 })).toBe(16n);
    expect(await client.getBlockNumber({ cacheTime: 0 })).toBe(16n);
    expect(counter.requests).toBe(3);
    expect(Object.fromEntries(counter.methods)).toEqual({ eth_chainId: 1, eth_blockNumber: 2 });
  });
});
