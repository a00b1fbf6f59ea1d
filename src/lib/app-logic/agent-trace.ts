// The trainer agent's stored state on this device, read for the pages that explain a failed
// challenge without running the agent (the Challenges page). Missing storage or no state: null.
import type { Address } from 'viem';
import { openAgentStore, type AgentStore } from '../agents/store.ts';
import type { AgentTrace } from './challenge-failure.ts';

export async function readTrainerTrace(scope: {
  chainId: number;
  registry: Address;
  taskId: bigint;
  account: Address;
}): Promise<AgentTrace | null> {
  let store: AgentStore | null = null;
  try {
    store = await openAgentStore();
    return (await store.loadState<AgentTrace>({ ...scope, role: 'trainer' }))?.state ?? null;
  } catch {
    return null;
  } finally {
    store?.close();
  }
}
