// Reads the task list a dashboard shows: one RPC round per task (batched by the transport), no
// event scanning, so it works against any RPC without log-range limits.
import type { Address, Hex, PublicClient } from 'viem';
import { stakeManagerAbi, taskRegistryAbi } from './abi.generated.ts';
import type { Deployment } from './deployments.ts';
import { PHASES, type Phase, type Schedule } from './schedule.ts';

export interface TaskSummary {
  id: bigint;
  creator: Address;
  /** As the contract reports it at the RPC's latest block. */
  phase: Phase;
  schedule: Schedule;
  rewardPerEpoch: bigint;
  modelSpec: Hex;
  trainers: number;
  validators: number;
}

export type ReadClient = Pick<PublicClient, 'readContract'>;

/** Converts the contract's Phase enum; an unknown value means the ABI and contract disagree. */
export function phaseFromChain(value: number): Phase {
  const phase = PHASES[value];
  if (phase === undefined) throw new Error(`unknown task phase ${value} from chain`);
  return phase;
}

/** The newest `limit` tasks, newest first. */
export async function listTasks(client: ReadClient, deployment: Deployment, limit = 50): Promise<TaskSummary[]> {
  const { taskRegistry, stakeManager } = deployment.contracts;
  const count = await client.readContract({ address: taskRegistry, abi: taskRegistryAbi, functionName: 'taskCount' });
  const ids: bigint[] = [];
  for (let id = count; id >= 1n && ids.length < limit; id--) ids.push(id);
  return Promise.all(
    ids.map(async (id): Promise<TaskSummary> => {
      const [task, phase, trainers, validators] = await Promise.all([
        client.readContract({ address: taskRegistry, abi: taskRegistryAbi, functionName: 'getTask', args: [id] }),
        client.readContract({ address: taskRegistry, abi: taskRegistryAbi, functionName: 'phase', args: [id] }),
        client.readContract({ address: stakeManager, abi: stakeManagerAbi, functionName: 'trainersOf', args: [id] }),
        client.readContract({ address: stakeManager, abi: stakeManagerAbi, functionName: 'validatorsOf', args: [id] }),
      ]);
      return {
        id,
        creator: task.creator,
        phase: phaseFromChain(phase),
        schedule: { ...task.schedule },
        rewardPerEpoch: task.rewardPerEpoch,
        modelSpec: task.modelSpec,
        trainers: trainers.length,
        validators: validators.length,
      };
    }),
  );
}
