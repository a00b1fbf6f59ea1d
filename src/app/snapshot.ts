// One refresh of the app's chain data, as a value that says exactly what is wrong when something
// is: the page shows a message per failure instead of an empty list. The protocol's events are
// read incrementally from the previous snapshot's log.
import type { Hex, PublicClient } from 'viem';
import type { ChainClock } from '../lib/chain/chain-time.ts';
import type { Deployment } from '../lib/chain/deployments.ts';
import { DeploymentUnavailable, fetchDeployment } from '../lib/chain/fetch-deployment.ts';
import { emptyEventLog, syncEventLog, type EventLog, type LogClient } from '../lib/chain/reads/event-log.ts';
import { readTaskCount, readTaskRecord, taskIdsToRead, type TaskRecord } from '../lib/chain/reads/task-record.ts';
import type { AppConfig } from './config.ts';

export interface OkSnapshot {
  kind: 'ok';
  deployment: Deployment;
  clock: ChainClock & { blockHash: Hex };
  /** Tasks on chain (ids run 1..taskCount). */
  taskCount: bigint;
  /** Newest first, then older tasks a page asked for. */
  tasks: TaskRecord[];
  log: EventLog;
  /** Local time the clock was read, for extrapolating chain time. */
  seenAtMs: number;
}

export type Problem =
  | { kind: 'no-deployment'; url: string; detail: string }
  | { kind: 'deployment-unreachable'; url: string; detail: string }
  | { kind: 'rpc-unreachable'; rpcUrl: string; detail: string }
  | { kind: 'wrong-chain'; expected: number; actual: number; rpcUrl: string }
  | { kind: 'no-code'; chainId: number; address: string }
  | { kind: 'error'; detail: string };

export type Snapshot = OkSnapshot | Problem;

/** viem errors carry a one-line summary; their full message lists request bodies. */
export function errorText(e: unknown): string {
  if (e && typeof e === 'object' && 'shortMessage' in e && typeof e.shortMessage === 'string') return e.shortMessage;
  return e instanceof Error ? e.message : String(e);
}

export type SnapshotClient = Pick<PublicClient, 'getChainId' | 'getBlock' | 'getCode' | 'readContract'> & LogClient;

/** Whether two deployment records name the same contracts on the same chain. */
export function sameDeployment(a: Deployment, b: Deployment): boolean {
  return a.chainId === b.chainId && a.fromBlock === b.fromBlock && JSON.stringify(a.contracts) === JSON.stringify(b.contracts);
}

export interface LoadOptions {
  fetchFn?: typeof fetch;
  now?: () => number;
  /** The last good snapshot: its event log is extended instead of read again. */
  previous?: Pick<OkSnapshot, 'deployment' | 'log'> | null;
  /** Most tasks listed (newest first). */
  taskLimit?: number;
  /** Older tasks to read as well (a page showing one of them). */
  alsoTasks?: Iterable<bigint>;
}

export async function loadSnapshot(client: SnapshotClient, config: AppConfig, options: LoadOptions = {}): Promise<Snapshot> {
  const { fetchFn = fetch, now = Date.now, previous = null, taskLimit = 50, alsoTasks = [] } = options;
  let deployment: Deployment;
  try {
    deployment = await fetchDeployment(config.deploymentUrl, fetchFn);
  } catch (e) {
    const detail = (e as Error).message;
    if (e instanceof DeploymentUnavailable && e.reason === 'missing') {
      return { kind: 'no-deployment', url: config.deploymentUrl, detail };
    }
    return { kind: 'deployment-unreachable', url: config.deploymentUrl, detail };
  }
  let chainId: number;
  let block: { number: bigint | null; timestamp: bigint; hash: Hex | null };
  try {
    [chainId, block] = await Promise.all([client.getChainId(), client.getBlock({ blockTag: 'latest' })]);
  } catch (e) {
    return { kind: 'rpc-unreachable', rpcUrl: config.rpcUrl, detail: errorText(e) };
  }
  const seenAtMs = now();
  if (chainId !== deployment.chainId) {
    return { kind: 'wrong-chain', expected: deployment.chainId, actual: chainId, rpcUrl: config.rpcUrl };
  }
  if (block.number === null || block.hash === null) return { kind: 'error', detail: 'the RPC returned a pending block as the latest' };
  const clock = { chainId, blockNumber: block.number, blockTime: block.timestamp, blockHash: block.hash };
  try {
    // A restarted local chain keeps its id but loses the contracts the file points at.
    const code = await client.getCode({ address: deployment.contracts.taskRegistry });
    if (!code || code === '0x') return { kind: 'no-code', chainId, address: deployment.contracts.taskRegistry };
    const taskCount = await readTaskCount(client, deployment);
    const ids = taskIdsToRead(taskCount, taskLimit, alsoTasks);
    const prior = previous && sameDeployment(previous.deployment, deployment) ? previous.log : emptyEventLog(deployment.fromBlock);
    const [tasks, log] = await Promise.all([
      Promise.all(ids.map((id) => readTaskRecord(client, deployment, id))),
      syncEventLog(client, deployment.contracts, prior, { number: clock.blockNumber, hash: clock.blockHash }),
    ]);
    return { kind: 'ok', deployment, clock, taskCount, tasks, log, seenAtMs };
  } catch (e) {
    return { kind: 'error', detail: errorText(e) };
  }
}
