// Local chain only: move anvil's clock to the next window or epoch so one person can walk a task
// through its phases in minutes. Uses anvil's test methods (evm_setNextBlockTimestamp, evm_mine),
// which public chains do not have; refuses any chain but a local one.
import { createTestClient, type Transport } from 'viem';
import { epochStart, windowAt, windowTimes, type Window } from '../../schedule.ts';
import { isLocalChainId } from '../../wallet/chain.ts';
import type { ReadContext } from '../context.ts';
import { chainTime, readSchedule } from '../chain-now.ts';
import { ArenaError } from '../../../errors.ts';

export class NotLocalChainError extends ArenaError<'not-local-chain'> {
  constructor(chainId: number) {
    super('not-local-chain', `Moving the clock works only on a local development chain; this is chain ${chainId}.`);
    this.name = 'NotLocalChainError';
  }
}

export type DevClock = Pick<ReturnType<typeof createTestClient>, 'setNextBlockTimestamp' | 'mine'>;

/** An anvil test client over the app's own transport. */
export function devClock(transport: Transport): DevClock {
  return createTestClient({ mode: 'anvil', transport });
}

/** Mines a block at `timestamp` (or the next second if that is already past); returns its time. */
export async function advanceTo(ctx: ReadContext, clock: DevClock, timestamp: bigint): Promise<bigint> {
  if (!isLocalChainId(ctx.deployment.chainId)) throw new NotLocalChainError(ctx.deployment.chainId);
  const now = await chainTime(ctx);
  const target = timestamp > now ? timestamp : now + 1n;
  await clock.setNextBlockTimestamp({ timestamp: target });
  await clock.mine({ blocks: 1 });
  return chainTime(ctx);
}

/**
 * Moves to the opening of `window` in `epoch`, or by default the next time that window opens
 * (this epoch's if it is still ahead, else the next epoch's that has it).
 */
export async function advanceToWindow(
  ctx: ReadContext,
  clock: DevClock,
  taskId: bigint,
  window: Exclude<Window, 'None'>,
  epoch?: number,
): Promise<{ epoch: number; at: bigint }> {
  const s = await readSchedule(ctx, taskId);
  const now = await chainTime(ctx);
  const current = windowAt(s, now);
  if (epoch === undefined) {
    const start = now < s.startTime ? 0 : current.epoch;
    for (let e = start; e < start + 3; e++) {
      const t = windowTimes(s, e, window);
      if (t && (t.opens > now || (current.window === window && current.epoch === e))) {
        epoch = e;
        break;
      }
    }
    if (epoch === undefined) throw new Error(`task ${taskId} has no ${window} window ahead`);
  }
  const times = windowTimes(s, epoch, window);
  if (!times) throw new Error(`epoch ${epoch} of task ${taskId} has no ${window} window`);
  if (current.window === window && current.epoch === epoch) return { epoch, at: now };
  return { epoch, at: await advanceTo(ctx, clock, times.opens) };
}

/** Moves to the start of `epoch` (default: the next epoch). */
export async function advanceToEpoch(
  ctx: ReadContext,
  clock: DevClock,
  taskId: bigint,
  epoch?: number,
): Promise<{ epoch: number; at: bigint }> {
  const s = await readSchedule(ctx, taskId);
  const now = await chainTime(ctx);
  const target = epoch ?? (now < s.startTime ? 0 : windowAt(s, now).epoch + 1);
  return { epoch: target, at: await advanceTo(ctx, clock, epochStart(s, target)) };
}
