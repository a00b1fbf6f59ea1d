// Finalizes every task's scoring epochs as they end, as a public-chain keeper bot would, so the
// local stack books rewards without anyone clicking. One pass at a time; errors are logged and
// the next pass retries. Each call is the app's own finalize action (src/lib/chain/actions).
import type { PublicClient } from 'viem';
import { rewardEngineAbi, taskRegistryAbi } from '../../src/lib/chain/abi.generated.ts';
import { finalizeStep, type ActionContext } from '../../src/lib/chain/actions/index.ts';
import type { DeployWallet } from '../../src/lib/chain/deploy.ts';
import type { Deployment } from '../../src/lib/chain/deployments.ts';
import { finalizationState } from '../../src/lib/chain/finalization.ts';
import { formatTokens } from '../../src/lib/format.ts';

export interface Keeper {
  stop(): void;
}

export interface KeeperOptions {
  client: PublicClient;
  wallet: DeployWallet;
  deployment: Deployment;
  log: (line: string) => void;
  intervalMs?: number;
}

export function startKeeper(opts: KeeperOptions): Keeper {
  const { client, wallet, deployment, log } = opts;
  const { taskRegistry, rewardEngine } = deployment.contracts;
  const ctx: ActionContext = { publicClient: client, deployment, wallet };
  const finished = new Set<bigint>();
  let stopped = false;
  let timer: NodeJS.Timeout | undefined;
  let lastError = '';

  async function finalize(taskId: bigint): Promise<void> {
    const step = await finalizeStep(ctx, { taskId });
    if (!step.finished) return;
    const rollover = step.rollover ?? 0n;
    const what = step.degenerate
      ? `nothing booked (no scored submission, or fewer validators revealed than the task's minimum): ${formatTokens(rollover)} ARENA rolls over`
      : `booked ${formatTokens(step.booked ?? 0n)} ARENA${rollover > 0n ? `, ${formatTokens(rollover)} ARENA nobody earned rolls over` : ''}`;
    log(`keeper: task ${taskId} epoch ${step.epoch} finalized, ${what} (gas ${step.receipt.gasUsed})`);
  }

  async function pass(): Promise<void> {
    const now = (await client.getBlock({ blockTag: 'latest' })).timestamp;
    const count = await client.readContract({ address: taskRegistry, abi: taskRegistryAbi, functionName: 'taskCount' });
    for (let id = 1n; id <= count && !stopped; id++) {
      if (finished.has(id)) continue;
      const [schedule, progress] = await Promise.all([
        client.readContract({ address: taskRegistry, abi: taskRegistryAbi, functionName: 'schedule', args: [id] }),
        client.readContract({ address: rewardEngine, abi: rewardEngineAbi, functionName: 'progressOf', args: [id] }),
      ]);
      const state = finalizationState(schedule, progress, now);
      if (state.kind === 'due') await finalize(id);
      else if (state.kind === 'done' || state.kind === 'rejected') {
        finished.add(id);
        log(`keeper: task ${id} ${state.kind === 'done' ? 'has all scoring epochs finalized' : 'was rejected'}`);
      }
    }
  }

  async function loop(): Promise<void> {
    try {
      await pass();
      lastError = '';
    } catch (e) {
      const message = (e as Error).message.split('\n')[0] ?? String(e);
      // The same failure every two seconds would drown the log.
      if (message !== lastError) log(`keeper: ${message} (retrying)`);
      lastError = message;
    }
    if (!stopped) timer = setTimeout(loop, opts.intervalMs ?? 2_000);
  }

  void loop();
  return {
    stop() {
      stopped = true;
      if (timer) clearTimeout(timer);
    },
  };
}
