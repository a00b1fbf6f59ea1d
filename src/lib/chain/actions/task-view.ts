// Everything a task page shows at the top: the task record (parameters, money, final eval state,
// participants; reads/task-record.ts) plus what depends on the chain's clock: the window by
// chain time, the next event, and finalization progress.
import { rewardEngineAbi } from '../abi.generated.ts';
import { nextEvent, type NextEvent } from '../countdown.ts';
import { finalizationState, type FinalizationState } from '../finalization.ts';
import { readTaskRecord, type TaskRecord } from '../reads/task-record.ts';
import { windowAt, type Window } from '../schedule.ts';
import type { ReadContext } from './context.ts';

export { FINAL_EVAL_STATES, type FinalEvalState } from '../reads/task-record.ts';

export interface TaskView extends TaskRecord {
  finalization: FinalizationState;
  /** Chain time the view was read at, and where that falls. */
  chainTime: bigint;
  window: { window: Window; epoch: number };
  next: NextEvent | null;
}

export async function readTaskView(ctx: ReadContext, taskId: bigint): Promise<TaskView> {
  const read = ctx.publicClient;
  const [record, progress, block] = await Promise.all([
    readTaskRecord(read, ctx.deployment, taskId),
    read.readContract({
      address: ctx.deployment.contracts.rewardEngine,
      abi: rewardEngineAbi,
      functionName: 'progressOf',
      args: [taskId],
    }),
    read.getBlock({ blockTag: 'latest' }),
  ]);
  const now = block.timestamp;
  return {
    ...record,
    finalization: finalizationState(record.schedule, { epoch: progress.epoch, stage: progress.stage }, now),
    chainTime: now,
    window: windowAt(record.schedule, now),
    next: nextEvent(record.schedule, now),
  };
}
