// The keeper: finalizes every task's scoring epochs as they end, as a public-chain keeper bot
// would (anyone may call RewardEngine.finalize). One pass at a time: it reads each task's
// schedule and finalization progress and, where an epoch is due, calls the app's own finalize
// action until that epoch is booked. A failed pass is reported and the next one retries. Used by
// the local stack (scripts/lib/keeper.ts) and by `aiarena agent keep`.
import type { PublicClient } from 'viem';
import { rewardEngineAbi, taskRegistryAbi } from './abi.generated.ts';
import { finalizeStep, type ActionContext } from './actions/index.ts';
import { finalizationState } from './finalization.ts';
import type { Deployment } from './deployments.ts';
import type { AccountWallet, Sender } from './tx/types.ts';

export type KeeperEvent =
  | {
      type: 'finalized';
      taskId: bigint;
      epoch: bigint;
      degenerate: boolean;
      booked: bigint;
      rollover: bigint;
      gasUsed: bigint;
      txHash: `0x${string}`;
    }
  /** A finalize call that did part of an epoch's work (large tasks take several). */
  | { type: 'progress'; taskId: bigint; epoch: bigint; gasUsed: bigint; txHash: `0x${string}` }
  | { type: 'task-done'; taskId: bigint; how: 'done' | 'rejected' }
  /** Another keeper's call came first (the finalize was refused, and the progress had moved). */
  | { type: 'raced'; taskId: bigint; epoch: bigint }
  | { type: 'pass'; tasks: number; due: number }
  | { type: 'error'; message: string; error: unknown };

export interface KeeperOptions {
  client: PublicClient;
  wallet: AccountWallet;
  deployment: Deployment;
  /** How transactions are sent (default: simulate, send, wait). */
  send?: Sender;
  onEvent: (event: KeeperEvent) => void;
  intervalMs?: number;
  /** Only these tasks (default: every task in the registry). */
  tasks?: readonly bigint[];
}

export interface Keeper {
  /** Stops after the pass under way; resolves once it is over. */
  stop(): Promise<void>;
  /** Runs one pass now (tests, `--once`). */
  pass(): Promise<void>;
}

export function startKeeper(opts: KeeperOptions & { autostart?: boolean }): Keeper {
  const { client, wallet, deployment, onEvent } = opts;
  const { taskRegistry, rewardEngine } = deployment.contracts;
  const ctx: ActionContext = { publicClient: client, deployment, wallet, ...(opts.send ? { send: opts.send } : {}) };
  const finished = new Set<bigint>();
  let stopped = false;
  let timer: ReturnType<typeof setTimeout> | undefined;
  let running: Promise<void> = Promise.resolve();

  async function finalize(taskId: bigint): Promise<void> {
    const step = await finalizeStep(ctx, { taskId });
    const base = { taskId, epoch: step.epoch, gasUsed: step.receipt.gasUsed, txHash: step.receipt.transactionHash };
    if (!step.finished) {
      onEvent({ type: 'progress', ...base });
      return;
    }
    onEvent({
      type: 'finalized',
      ...base,
      degenerate: step.degenerate ?? false,
      booked: step.booked ?? 0n,
      rollover: step.rollover ?? 0n,
    });
  }

  async function pass(): Promise<void> {
    const now = (await client.getBlock({ blockTag: 'latest' })).timestamp;
    const count = await client.readContract({ address: taskRegistry, abi: taskRegistryAbi, functionName: 'taskCount' });
    const ids = opts.tasks ?? Array.from({ length: Number(count) }, (_, i) => BigInt(i + 1));
    let due = 0;
    for (const id of ids) {
      if (stopped) break;
      if (finished.has(id) || id < 1n || id > count) continue;
      const [schedule, progress] = await Promise.all([
        client.readContract({ address: taskRegistry, abi: taskRegistryAbi, functionName: 'schedule', args: [id] }),
        client.readContract({ address: rewardEngine, abi: rewardEngineAbi, functionName: 'progressOf', args: [id] }),
      ]);
      const state = finalizationState(schedule, progress, now);
      if (state.kind === 'due') {
        due += 1;
        try {
          await finalize(id);
        } catch (error) {
          const after = await client.readContract({
            address: rewardEngine,
            abi: rewardEngineAbi,
            functionName: 'progressOf',
            args: [id],
          });
          if (after.epoch === progress.epoch && after.stage === progress.stage) throw error;
          onEvent({ type: 'raced', taskId: id, epoch: BigInt(progress.epoch) });
        }
      } else if (state.kind === 'done' || state.kind === 'rejected') {
        finished.add(id);
        onEvent({ type: 'task-done', taskId: id, how: state.kind });
      }
    }
    onEvent({ type: 'pass', tasks: ids.length, due });
  }

  async function guarded(): Promise<void> {
    try {
      await pass();
    } catch (error) {
      const message = (error instanceof Error ? error.message : String(error)).split('\n')[0] ?? String(error);
      onEvent({ type: 'error', message, error });
    }
  }

  function loop(): void {
    running = guarded().then(() => {
      if (!stopped) timer = setTimeout(loop, opts.intervalMs ?? 2_000);
    });
  }

  if (opts.autostart !== false) loop();
  return {
    async stop() {
      stopped = true;
      if (timer) clearTimeout(timer);
      await running;
    },
    pass: () => (running = running.then(guarded)),
  };
}
