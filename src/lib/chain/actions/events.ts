// Event reads for views that need history (rewards per epoch, who delegated to whom). Public
// RPCs cap the block range of eth_getLogs, so a refused range is split and retried in chunks.
import { getAbiItem, type Abi, type AbiEvent, type Address, type Log } from 'viem';
import type { ReadContext } from './context.ts';

const CHUNK_BLOCKS = 10_000n;

const looksLikeRangeLimit = (e: unknown) =>
  /range|limit|too many|exceed|10000|block count|query returned more/i.test(String((e as Error)?.message ?? e));

export async function readLogs(
  ctx: ReadContext,
  p: {
    address: Address;
    abi: Abi;
    eventName: string;
    args?: Record<string, unknown>;
    fromBlock?: bigint;
    toBlock?: bigint;
  },
): Promise<Log[]> {
  const event = getAbiItem({ abi: p.abi, name: p.eventName }) as AbiEvent | undefined;
  if (!event || event.type !== 'event') throw new Error(`no event ${p.eventName} in the ABI`);
  const from = p.fromBlock ?? ctx.deployment.fromBlock;
  // Not viem's cached block number (a client polling every few seconds would miss a transaction
  // the caller has just seen mined).
  const latest = p.toBlock ?? (await ctx.publicClient.getBlockNumber({ cacheTime: 0 }));
  const get = (fromBlock: bigint, toBlock: bigint) =>
    ctx.publicClient.getLogs({ address: p.address, event, args: p.args, fromBlock, toBlock } as never) as Promise<
      Log[]
    >;
  try {
    return await get(from, latest);
  } catch (error) {
    if (!looksLikeRangeLimit(error)) throw error;
  }
  const logs: Log[] = [];
  for (let start = from; start <= latest; start += CHUNK_BLOCKS) {
    const end = start + CHUNK_BLOCKS - 1n < latest ? start + CHUNK_BLOCKS - 1n : latest;
    logs.push(...(await get(start, end)));
  }
  return logs;
}
