// The validators the real ValidatorAgent runs, opened as `aiarena agent validate` opens them
// (src/cli/agent-host.ts: a state folder each, the content cache, the ML engine on wasm, the
// learning stage with automatic challenges), and driven by ticks as the integration tests drive
// agents: the run moves the clock and ticks every agent until it reached what the window asks.
import { join } from 'node:path';
import type { PublicClient } from 'viem';
import type { ValidatorAgent } from '../../../src/lib/agents/index.ts';
import type { Note } from '../../../src/lib/agents/common.ts';
import { AgentHost } from '../../../src/cli/agent-host.ts';
import type { Network } from '../../../src/cli/connect.ts';
import type { CasConfig } from '../../../src/lib/storage/cas/index.ts';
import type { SimAccount } from './accounts.ts';
import { SimError } from './errors.ts';

export interface AgentValidator {
  index: number;
  account: SimAccount;
  agent: ValidatorAgent;
  host: AgentHost;
  notes: Note[];
  errors: unknown[];
}

export async function openAgentValidator(o: {
  index: number;
  account: SimAccount;
  rpcUrl: string;
  taskId: bigint;
  cas: CasConfig;
  workDir: string;
}): Promise<AgentValidator> {
  const { account } = o;
  const net: Network = {
    rpcUrl: o.rpcUrl,
    chainId: account.ctx.deployment.chainId,
    client: account.ctx.publicClient as PublicClient,
    deployment: account.ctx.deployment,
    deploymentSource: 'the simulation',
  };
  const host = new AgentHost({
    net,
    ctx: account.ctx,
    signer: { privateKey: account.key, address: account.address, source: 'the simulation' },
    cas: o.cas,
    stateDir: join(o.workDir, `agent-${o.index}`),
    pollMs: 1_000,
  });
  const { agent } = await host.openValidator(o.taskId);
  const notes: Note[] = [];
  const errors: unknown[] = [];
  agent.subscribe((e) => {
    if (e.type === 'note') notes.push(e.note);
    if (e.type === 'error') errors.push(e.error);
  });
  return { index: o.index, account, agent, host, notes, errors };
}

/**
 * Ticks each agent (all at once) until `done` holds for it, each tick waiting for the work it
 * started (an evaluation, a replay). Fails with the agent's last notes when one does not get there.
 */
export async function driveUntil(
  agents: readonly AgentValidator[],
  done: (a: AgentValidator) => boolean,
  what: string,
  maxTicks = 2_000,
): Promise<void> {
  await Promise.all(
    agents.map(async (a) => {
      for (let i = 0; i < maxTicks && !done(a); i++) {
        await a.agent.tick();
        await a.agent.settled();
      }
      if (!done(a)) {
        const told = a.notes
          .slice(-6)
          .map((n) => `${n.key}: ${n.message}`)
          .join('\n');
        throw new SimError(
          'sim-run',
          `validator agent ${a.index} (${a.account.address}): ${what} not reached\n${told}`,
        );
      }
    }),
  );
}

/** A few ticks of each agent, for what has no state to wait for (a vote's next half, a claim). */
export async function tickAll(agents: readonly AgentValidator[], ticks = 1): Promise<void> {
  await Promise.all(
    agents.map(async (a) => {
      for (let i = 0; i < ticks; i++) {
        await a.agent.tick();
        await a.agent.settled();
      }
    }),
  );
}

/** Whether the agent has a commitment (committed or revealed) on record for `epoch`. */
export const committed = (a: AgentValidator, epoch: number): boolean => {
  const c = a.agent.state.epochs.find((e) => e.epoch === epoch)?.commit;
  return c !== undefined && c !== null && (c.status === 'committed' || c.status === 'revealed');
};

export const revealed = (a: AgentValidator, epoch: number): boolean =>
  a.agent.state.epochs.find((e) => e.epoch === epoch)?.commit?.status === 'revealed';

/** The scores the agent committed in `epoch` (units, column order), or null. */
export const agentRow = (a: AgentValidator, epoch: number): number[] | null =>
  a.agent.state.epochs.find((e) => e.epoch === epoch)?.commit?.scores ?? null;
