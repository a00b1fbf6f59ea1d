// The protocol's events from the deployment block to the chain head, kept incrementally: each
// refresh asks only for blocks not yet scanned, and the stored copy survives a reload. A changed
// hash at the last scanned block (a reorg, or a local chain restarted under the same addresses)
// starts the scan over.
import { numberToHex, type Hex, type PublicClient } from 'viem';
import type { ProtocolContracts } from '../deployments.ts';
import { byPosition, decodeArenaLogs, READ_TOPICS, readAddresses, type ArenaEvent, type RawLog } from './events.ts';
import { ArenaError } from '../../errors.ts';

export interface EventLog {
  /** First block scanned: the deployment's. */
  fromBlock: bigint;
  /** Last block scanned (null: nothing yet) and its hash. */
  toBlock: bigint | null;
  toBlockHash: Hex | null;
  /** In chain order. */
  events: ArenaEvent[];
}

export interface ChainHead {
  number: bigint;
  hash: Hex;
}

export type LogClient = Pick<PublicClient, 'request' | 'getBlock'>;

export interface ScanOptions {
  /** Largest block range asked for at once; halved when the RPC refuses a range. */
  maxRange?: bigint;
}

export const DEFAULT_MAX_RANGE = 10_000n;

export class LogScanError extends ArenaError<'LOG_SCAN'> {
  constructor(message: string, options?: { cause?: unknown }) {
    super('LOG_SCAN', message, options);
    this.name = 'LogScanError';
  }
}

export function emptyEventLog(fromBlock: bigint): EventLog {
  return { fromBlock, toBlock: null, toBlockHash: null, events: [] };
}

/** Appends freshly scanned events; pure. Events at or before the log's end are ignored. */
export function appendEvents(log: EventLog, fresh: readonly ArenaEvent[], head: ChainHead): EventLog {
  const after = log.toBlock ?? log.fromBlock - 1n;
  const added = fresh.filter((e) => e.block > after && e.block <= head.number);
  return {
    fromBlock: log.fromBlock,
    toBlock: head.number,
    toBlockHash: head.hash,
    events: [...log.events, ...added].sort(byPosition),
  };
}

/** Whether `log` can be extended from `head`, or must be scanned again from the start. */
export async function stillOnChain(client: LogClient, log: EventLog, head: ChainHead): Promise<boolean> {
  if (log.toBlock === null) return true;
  if (head.number < log.toBlock) return false;
  if (head.number === log.toBlock) return head.hash === log.toBlockHash;
  try {
    const block = await client.getBlock({ blockNumber: log.toBlock });
    return block.hash === log.toBlockHash;
  } catch {
    // A block the node does not know any more: the chain under the log is gone.
    return false;
  }
}

/** Brings `log` up to `head`. Returns a new log; the given one is left as it was. */
export async function syncEventLog(
  client: LogClient,
  contracts: ProtocolContracts,
  log: EventLog,
  head: ChainHead,
  options: ScanOptions = {},
): Promise<EventLog> {
  const base = (await stillOnChain(client, log, head)) ? log : emptyEventLog(log.fromBlock);
  const from = base.toBlock === null ? base.fromBlock : base.toBlock + 1n;
  if (from > head.number)
    return base.toBlock === head.number ? base : { ...base, toBlock: head.number, toBlockHash: head.hash };
  const raw = await scanRange(client, contracts, from, head.number, options.maxRange ?? DEFAULT_MAX_RANGE);
  return appendEvents(base, decodeArenaLogs(raw, contracts), head);
}

async function scanRange(
  client: LogClient,
  contracts: ProtocolContracts,
  from: bigint,
  to: bigint,
  maxRange: bigint,
): Promise<RawLog[]> {
  const address = readAddresses(contracts);
  const out: RawLog[] = [];
  let range = maxRange > 0n ? maxRange : DEFAULT_MAX_RANGE;
  for (let start = from; start <= to;) {
    const end = start + range - 1n < to ? start + range - 1n : to;
    try {
      const logs = (await client.request({
        method: 'eth_getLogs',
        params: [{ address, topics: [READ_TOPICS], fromBlock: numberToHex(start), toBlock: numberToHex(end) }],
      } as never)) as RawLog[];
      out.push(...logs);
      start = end + 1n;
    } catch (cause) {
      if (unreachable(cause))
        throw new LogScanError(`cannot reach the RPC to read events: ${message(cause)}`, { cause });
      // Public RPCs cap the range or the result count of one request: ask for less.
      if (end > start) {
        range = (end - start + 1n) / 2n;
        continue;
      }
      throw new LogScanError(`cannot read the protocol's events at block ${start}: ${message(cause)}`, { cause });
    }
  }
  return out;
}

function unreachable(e: unknown): boolean {
  for (let c = e; c && typeof c === 'object'; c = (c as { cause?: unknown }).cause) {
    const name = (c as { name?: unknown }).name;
    if (name === 'HttpRequestError' || name === 'TimeoutError' || name === 'WebSocketRequestError') return true;
  }
  return false;
}

function message(e: unknown): string {
  if (e && typeof e === 'object' && 'shortMessage' in e && typeof e.shortMessage === 'string') return e.shortMessage;
  return e instanceof Error ? e.message : String(e);
}
