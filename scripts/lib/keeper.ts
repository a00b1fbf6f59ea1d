// The local stack's keeper: the library's keeper (src/lib/chain/keeper.ts, also `aiarena agent
// keep`) with its events as log lines. The same failure every two seconds would drown the log,
// so a repeated error is logged once.
import type { PublicClient } from 'viem';
import type { DeployWallet } from '../../src/lib/chain/deploy.ts';
import type { Deployment } from '../../src/lib/chain/deployments.ts';
import { startKeeper as startLibKeeper, type KeeperEvent } from '../../src/lib/chain/keeper.ts';
import { formatTokens } from '../../src/lib/format.ts';

export interface Keeper {
  stop(): Promise<void>;
}

export interface KeeperOptions {
  client: PublicClient;
  wallet: DeployWallet;
  deployment: Deployment;
  log: (line: string) => void;
  intervalMs?: number;
}

/** The log line of a keeper event, or null for the quiet ones. */
export function keeperLine(e: KeeperEvent): string | null {
  switch (e.type) {
    case 'finalized': {
      const what = e.degenerate
        ? `nothing booked (no scored submission, or fewer validators revealed than the task's minimum): ${formatTokens(e.rollover)} ARENA rolls over`
        : `booked ${formatTokens(e.booked)} ARENA${e.rollover > 0n ? `, ${formatTokens(e.rollover)} ARENA nobody earned rolls over` : ''}`;
      return `keeper: task ${e.taskId} epoch ${e.epoch} finalized, ${what} (gas ${e.gasUsed})`;
    }
    case 'task-done':
      return `keeper: task ${e.taskId} ${e.how === 'done' ? 'has all scoring epochs finalized' : 'was rejected'}`;
    case 'error':
      return `keeper: ${e.message} (retrying)`;
    case 'progress':
    case 'pass':
    case 'raced':
      return null;
  }
}

export function startKeeper(opts: KeeperOptions): Keeper {
  let lastError = '';
  return startLibKeeper({
    client: opts.client,
    wallet: opts.wallet,
    deployment: opts.deployment,
    ...(opts.intervalMs !== undefined ? { intervalMs: opts.intervalMs } : {}),
    onEvent: (e) => {
      if (e.type === 'pass') lastError = '';
      if (e.type === 'error') {
        if (e.message === lastError) return;
        lastError = e.message;
      }
      const line = keeperLine(e);
      if (line !== null) opts.log(line);
    },
  });
}
