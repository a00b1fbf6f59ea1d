// Reads every action needs: a task's schedule and the chain's time (what the contracts check).
import { taskRegistryAbi } from '../abi.generated.ts';
import type { Schedule } from '../schedule.ts';
import type { ReadContext } from './context.ts';

export async function readSchedule(ctx: ReadContext, taskId: bigint): Promise<Schedule> {
  const s = await ctx.publicClient.readContract({
    address: ctx.deployment.contracts.taskRegistry,
    abi: taskRegistryAbi,
    functionName: 'schedule',
    args: [taskId],
  });
  return { ...s };
}

/** The latest block's timestamp. */
export async function chainTime(ctx: ReadContext): Promise<bigint> {
  return (await ctx.publicClient.getBlock({ blockTag: 'latest' })).timestamp;
}
