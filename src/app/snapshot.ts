// One refresh of the page's data, as a value that says exactly what is wrong when something is:
// the page shows a message per failure instead of an empty list.
import type { PublicClient } from 'viem';
import { readChainClock, type ChainClock } from '../lib/chain/chain-time.ts';
import type { Deployment } from '../lib/chain/deployments.ts';
import { DeploymentUnavailable, fetchDeployment } from '../lib/chain/fetch-deployment.ts';
import { listTasks, type TaskSummary } from '../lib/chain/tasks.ts';
import type { AppConfig } from './config.ts';

export type Snapshot =
  | { kind: 'ok'; deployment: Deployment; clock: ChainClock; tasks: TaskSummary[]; seenAtMs: number }
  | { kind: 'no-deployment'; url: string; detail: string }
  | { kind: 'deployment-unreachable'; url: string; detail: string }
  | { kind: 'rpc-unreachable'; rpcUrl: string; detail: string }
  | { kind: 'wrong-chain'; expected: number; actual: number; rpcUrl: string }
  | { kind: 'no-code'; chainId: number; address: string }
  | { kind: 'error'; detail: string };

/** viem errors carry a one-line summary; their full message lists request bodies. */
function errorText(e: unknown): string {
  if (e && typeof e === 'object' && 'shortMessage' in e && typeof e.shortMessage === 'string') return e.shortMessage;
  return e instanceof Error ? e.message : String(e);
}

type SnapshotClient = Pick<PublicClient, 'getChainId' | 'getBlock' | 'getCode' | 'readContract'>;

export async function loadSnapshot(
  client: SnapshotClient,
  config: AppConfig,
  fetchFn: typeof fetch = fetch,
  now: () => number = Date.now,
): Promise<Snapshot> {
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
  let clock: ChainClock;
  try {
    clock = await readChainClock(client);
  } catch (e) {
    return { kind: 'rpc-unreachable', rpcUrl: config.rpcUrl, detail: errorText(e) };
  }
  const seenAtMs = now();
  if (clock.chainId !== deployment.chainId) {
    return { kind: 'wrong-chain', expected: deployment.chainId, actual: clock.chainId, rpcUrl: config.rpcUrl };
  }
  try {
    // A restarted local chain keeps its id but loses the contracts the file points at.
    const code = await client.getCode({ address: deployment.contracts.taskRegistry });
    if (!code || code === '0x') return { kind: 'no-code', chainId: clock.chainId, address: deployment.contracts.taskRegistry };
    const tasks = await listTasks(client, deployment);
    return { kind: 'ok', deployment, clock, tasks, seenAtMs };
  } catch (e) {
    return { kind: 'error', detail: errorText(e) };
  }
}
