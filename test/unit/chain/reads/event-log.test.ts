import { getAddress, type Address } from 'viem';
import { describe, expect, it } from 'vitest';
import { appendEvents, emptyEventLog, stillOnChain } from '../../../../src/lib/chain/reads/event-log.ts';
import type { ArenaEvent } from '../../../../src/lib/chain/reads/events.ts';

const who = getAddress('0x00000000000000000000000000000000000000aa') as Address;
const ev = (block: bigint, logIndex: number): ArenaEvent => ({
  block,
  logIndex,
  kind: 'ScoresRevealed',
  taskId: 1n,
  epoch: 0n,
  validator: who,
});
const h = (n: number) => `0x${n.toString(16).padStart(64, '0')}` as const;

describe('appendEvents', () => {
  it('appends only events after the scanned end, up to the head, in order', () => {
    const log = { ...emptyEventLog(10n), toBlock: 20n, toBlockHash: h(20), events: [ev(12n, 0)] };
    const next = appendEvents(log, [ev(25n, 1), ev(20n, 5), ev(25n, 0), ev(31n, 0)], { number: 30n, hash: h(30) });
    expect(next.events.map((e) => [e.block, e.logIndex])).toEqual([
      [12n, 0],
      [25n, 0],
      [25n, 1],
    ]);
    expect(next.toBlock).toBe(30n);
    expect(next.toBlockHash).toBe(h(30));
    expect(log.events).toHaveLength(1);
  });

  it('takes the first block of a fresh log', () => {
    const next = appendEvents(emptyEventLog(10n), [ev(9n, 0), ev(10n, 0)], { number: 12n, hash: h(12) });
    expect(next.events.map((e) => e.block)).toEqual([10n]);
  });
});

describe('stillOnChain', () => {
  const client = (hashes: Record<string, string>) => ({
    getBlock: async ({ blockNumber }: { blockNumber: bigint }) => {
      const hash = hashes[String(blockNumber)];
      if (!hash) throw new Error('block not found');
      return { hash };
    },
    request: async () => [],
  });
  const log = { ...emptyEventLog(0n), toBlock: 20n, toBlockHash: h(20) };

  it('accepts a log whose last block is unchanged', async () => {
    expect(await stillOnChain(client({ 20: h(20) }) as never, log, { number: 25n, hash: h(25) })).toBe(true);
    expect(await stillOnChain(client({}) as never, log, { number: 20n, hash: h(20) })).toBe(true);
    expect(await stillOnChain(client({}) as never, emptyEventLog(0n), { number: 1n, hash: h(1) })).toBe(true);
  });

  it('rejects a changed, missing or future last block', async () => {
    expect(await stillOnChain(client({ 20: h(99) }) as never, log, { number: 25n, hash: h(25) })).toBe(false);
    expect(await stillOnChain(client({}) as never, log, { number: 25n, hash: h(25) })).toBe(false);
    expect(await stillOnChain(client({}) as never, log, { number: 19n, hash: h(19) })).toBe(false);
    expect(await stillOnChain(client({}) as never, log, { number: 20n, hash: h(98) })).toBe(false);
  });
});
