// One refresh of the app's chain data, as a value that says exactly what is wrong when something
// is: the page shows a message per failure instead of an empty list. The protocol's events are
// read incrementally from the previous snapshot's log.
import type { Hex, PublicClient } from 'viem';
import type { ChainClock } from '../lib/chain/chain-time.ts';
import type { Deployment } from '../lib/chain/deployments.ts';
import { DeploymentUnavailable, fetchDeployment } from '../lib/chain/fetch-deployment.ts';
import { emptyEventLog, syncEventLog, type EventLog, type LogClient } from '../lib/chain/reads/event-log.ts';
import { readTaskCount, readTaskRecord, taskIdsToRead, type TaskRecord } from '../lib/chain/reads/task-record.ts';
import {
  NoVerifierCeremonyError,
  readVerifierCeremony,
  type VerifierCeremony,
} from '../lib/chain/verifier-ceremony.ts';
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
  /** Which trusted setup the deployment's ownership verifier comes from; absent in snapshots saved before it was read. */
  ceremony?: CeremonyState;
}

/**
 * The verifier's ceremony() as read from the chain (once per deployment). `unknown`: no verifier
 * in the deployment, no contract at its address, or a verifier from before ceremony() existed;
 * `unreadable`: the read failed (tried again at the next refresh).
 */
export type CeremonyState =
  | { kind: 'known'; ceremony: VerifierCeremony }
  | { kind: 'unknown'; reason: 'no-verifier' | 'no-code' | 'no-ceremony' }
  | { kind: 'unreadable'; detail: string };

export async function readCeremonyState(
  client: Pick<SnapshotClient, 'readContract' | 'getCode'>,
  deployment: Deployment,
): Promise<CeremonyState> {
  const address = deployment.contracts.watermarkVerifier;
  if (!address) return { kind: 'unknown', reason: 'no-verifier' };
  try {
    return { kind: 'known', ceremony: await readVerifierCeremony(client, address) };
  } catch (e) {
    if (e instanceof NoVerifierCeremonyError) return { kind: 'unknown', reason: e.reason };
    return { kind: 'unreadable', detail: errorText(e) };
  }
}

export type Problem =
  | { kind: 'no-deployment'; url: string; detail: string }
  | { kind: 'deployment-unreachable'; url: string; detail: string }
  | { kind: 'rpc-unreachable'; rpcUrl: string; detail: string }
  | { kind: 'wrong-chain'; expected: number; actual: number; rpcUrl: string }
  | { kind: 'no-code'; chainId: number; address: string }
  | { kind: 'error'; detail: string };

export type Snapshot = OkSnapshot | Problem;

/**
 * One line for people: viem errors carry a summary (their full message lists the request body,
 * the URL and the library version), and any other message is cut at its first line.
 */
export function errorText(e: unknown): string {
  const said =
    e && typeof e === 'object' && 'shortMessage' in e && typeof e.shortMessage === 'string'
      ? e.shortMessage
      : e instanceof Error
        ? e.message
        : String(e);
  return said.split('\n')[0]!.trim();
}

export type SnapshotClient = Pick<PublicClient, 'getChainId' | 'getBlock' | 'getCode' | 'readContract'> & LogClient;

/** Whether two deployment records name the same contracts on the same chain. */
export function sameDeployment(a: Deployment, b: Deployment): boolean {
  return (
    a.chainId === b.chainId &&
    a.fromBlock === b.fromBlock &&
    JSON.stringify(a.contracts) === JSON.stringify(b.contracts)
  );
}

export interface LoadOptions {
  fetchFn?: typeof fetch;
  now?: () => number;
  /** The last good snapshot: its event log is extended instead of read again (and its verifier ceremony kept). */
  previous?: (Pick<OkSnapshot, 'deployment' | 'log'> & Partial<Pick<OkSnapshot, 'ceremony'>>) | null;
  /** Most tasks listed (newest first). */
  taskLimit?: number;
  /** Older tasks to read as well (a page showing one of them). */
  alsoTasks?: Iterable<bigint>;
}

export async function loadSnapshot(
  client: SnapshotClient,
  config: AppConfig,
  options: LoadOptions = {},
): Promise<Snapshot> {
  const { fetchFn = fetch, now = Date.now, previous = null, taskLimit = 50, alsoTasks = [] } = options;
  let deployment: Deployment;
  try {
    deployment = await fetchDeployment(config.deploymentUrl, fetchFn);
  } catch (e) {
    const detail = errorText(e);
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
  if (block.number === null || block.hash === null)
    return { kind: 'error', detail: 'the RPC returned a pending block as the latest' };
  const clock = { chainId, blockNumber: block.number, blockTime: block.timestamp, blockHash: block.hash };
  try {
    // A restarted local chain keeps its id but loses the contracts the file points at.
    const code = await client.getCode({ address: deployment.contracts.taskRegistry });
    if (!code || code === '0x') return { kind: 'no-code', chainId, address: deployment.contracts.taskRegistry };
    const taskCount = await readTaskCount(client, deployment);
    const ids = taskIdsToRead(taskCount, taskLimit, alsoTasks);
    const same = previous !== null && sameDeployment(previous.deployment, deployment);
    const prior = same ? previous.log : emptyEventLog(deployment.fromBlock);
    // A verifier's ceremony() is pure: read once per deployment (again only after a failed read).
    const kept = same && previous.ceremony && previous.ceremony.kind !== 'unreadable' ? previous.ceremony : null;
    const [tasks, log, ceremony] = await Promise.all([
      Promise.all(ids.map((id) => readTaskRecord(client, deployment, id))),
      syncEventLog(client, deployment.contracts, prior, { number: clock.blockNumber, hash: clock.blockHash }),
      kept ?? readCeremonyState(client, deployment),
    ]);
    return { kind: 'ok', deployment, clock, taskCount, tasks, log, seenAtMs, ceremony };
  } catch (e) {
    return { kind: 'error', detail: errorText(e) };
  }
}
