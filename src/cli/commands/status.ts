// `aiarena status --task N`: one account in one task, as an operator checks on a running agent:
// where the task stands, the account's role, stake and rewards, its delegations there, and what
// its agent (from the state folder) last did and would do next.
import { readFile } from 'node:fs/promises';
import type { Address } from 'viem';
import { arenaTokenAbi } from '../../lib/chain/abi.generated.ts';
import { readClaimables } from '../../lib/chain/actions/claimables.ts';
import { eligibleEpoch, readPool } from '../../lib/chain/actions/participants.ts';
import { readAccountPositions } from '../../lib/chain/actions/positions.ts';
import { readTaskView } from '../../lib/chain/actions/task-view.ts';
import { chainRoleOf } from '../../lib/chain/roles.ts';
import { formatTokens } from '../../lib/format.ts';
import { formatTime, type AgentScope, type Note } from '../../lib/agents/common.ts';
import { nextStep } from '../../lib/agents/headless/next.ts';
import { jsonLine } from '../../lib/agents/headless/report.ts';
import { agentStoreInDir } from '../../lib/storage/agent-store-fs.ts';
import { parseKeyFile } from '../../lib/chain/wallet/key-file-node.ts';
import { single, type Parsed } from '../args.ts';
import { keyFileOf, loadSigner } from '../account.ts';
import { CliError, connect, readContext } from '../connect.ts';
import type { Io } from '../io.ts';
import { networkConfig, stateDir } from '../options.ts';
import { REPO_ROOT } from '../paths.ts';
import { address, requireTasks, requiredTask } from '../values.ts';
import { join } from 'node:path';

/** The account to report on: --account, else the key file's address (no passphrase needed), else the key. */
async function accountOf(p: Parsed, io: Io): Promise<Address> {
  const given = single(p, 'account');
  if (given !== undefined) return address(given, '--account');
  const file = keyFileOf(p, io.env ?? {}, io.cwd ?? process.cwd());
  if (file !== null) {
    try {
      return parseKeyFile(await readFile(file, 'utf8'), file).address;
    } catch (e) {
      throw new CliError(`cannot read the key file ${file}: ${(e as Error).message}`);
    }
  }
  return (await loadSigner(p, io)).address;
}

const ARENA = (wei: bigint) => `${formatTokens(wei, 4)} ARENA`;

export async function statusCommand(p: Parsed, io: Io): Promise<number> {
  const env = io.env ?? {};
  const cwd = io.cwd ?? process.cwd();
  const taskId = requiredTask(p, 'status');
  const net = await connect(networkConfig(p, env, { cwd, repoRoot: REPO_ROOT }), cwd);
  const ctx = readContext(net);
  await requireTasks(ctx, [taskId]);
  const account = await accountOf(p, io);
  const [view, pool, claimables, positions, balance] = await Promise.all([
    readTaskView(ctx, taskId),
    readPool(ctx, taskId, account),
    readClaimables(ctx, account),
    readAccountPositions(ctx, account),
    net.client.readContract({
      address: net.deployment.contracts.token,
      abi: arenaTokenAbi,
      functionName: 'balanceOf',
      args: [account],
    }),
  ]);
  const chainRole = chainRoleOf(pool.role);
  const rewards = claimables.rewards.filter((r) => r.taskId === taskId);
  const withdrawals = claimables.withdrawals.filter((w) => w.taskId === taskId);
  const delegations = positions.find((x) => x.taskId === taskId)?.delegations ?? [];

  // The agents this state folder holds for the account in this task.
  const store = agentStoreInDir(join(stateDir(p, cwd), 'agents'));
  const agents = [];
  for (const role of ['trainer', 'validator'] as const) {
    const scope: AgentScope = {
      chainId: net.deployment.chainId,
      registry: net.deployment.contracts.taskRegistry,
      taskId,
      account,
      role,
    };
    const stored = await store.loadState<{ phase: string; lastSeen: bigint | null; notes: Note[] }>(scope);
    const relevant = stored !== undefined || chainRole === (role === 'trainer' ? 'Trainer' : 'Validator');
    if (!relevant) continue;
    agents.push({
      role,
      phase: stored?.state.phase ?? null,
      lastSeen: stored?.state.lastSeen ?? null,
      savedAt: stored ? new Date(stored.savedAt).toISOString() : null,
      notes: (stored?.state.notes ?? []).slice(-3).map((n) => ({ level: n.level, message: n.message })),
      next: nextStep({
        role,
        phase: (stored?.state.phase ?? null) as never,
        chainRole,
        schedule: view.schedule,
        now: view.chainTime,
        taskId,
      }),
    });
  }
  const hint =
    agents.length === 0 && delegations.length === 0
      ? `this account takes no part in task ${taskId}: \`aiarena agent train|validate --task ${taskId} --stake <ARENA>\` joins it; \`aiarena agent delegate --task ${taskId} --to <address> --amount <ARENA>\` backs someone who does`
      : null;

  const report = {
    task: String(taskId),
    account,
    chainTime: formatTime(view.chainTime),
    phase: view.phase,
    window: view.window.window,
    epoch: view.chainTime >= view.schedule.startTime ? view.window.epoch : null,
    next: view.next ? { label: view.next.label, at: formatTime(view.next.at) } : null,
    balance: String(balance),
    role: chainRole,
    stake: String(pool.ownLatest),
    delegatedToMe: String(pool.delegatedLatest),
    sigma: String(pool.sigmaLatest),
    eligibleFrom: chainRole === 'None' ? null : eligibleEpoch(Number(pool.eligibleFrom)),
    excluded: pool.excluded,
    rewards: rewards.map((r) => ({
      kind: r.kind,
      ...(r.delegatee ? { delegatee: r.delegatee } : {}),
      amount: String(r.amount),
      claimableNow: r.now,
      ...(r.availableAt !== undefined ? { availableAt: formatTime(r.availableAt) } : {}),
      ...(r.blockedBy ? { blockedBy: r.blockedBy } : {}),
    })),
    withdrawals: withdrawals.map((w) => ({
      kind: w.kind,
      ...(w.delegatee ? { delegatee: w.delegatee } : {}),
      amount: String(w.amount),
      now: w.now,
      ...(w.availableAt !== undefined ? { availableAt: formatTime(w.availableAt) } : {}),
    })),
    delegations: delegations.map((d) => ({
      delegatee: d.delegatee,
      role: d.delegateeRole,
      principal: String(d.principal),
      pendingRewards: String(d.pendingRewards),
    })),
    agents: agents.map((a) => ({ ...a, lastSeen: a.lastSeen === null ? null : formatTime(a.lastSeen) })),
    ...(hint ? { hint } : {}),
  };
  if (p.flags.has('json')) {
    io.stdout(`${jsonLine(report)}\n`);
    return 0;
  }
  const lines = [
    `task ${taskId}: ${view.phase}${report.epoch !== null ? `, epoch ${report.epoch}, ${view.window.window} window` : ''} (chain time ${report.chainTime})`,
    ...(report.next ? [`  next: ${report.next.label} at ${report.next.at}`] : []),
    `account ${account}: ${chainRole === 'None' ? 'not staked in this task' : chainRole.toLowerCase()}, balance ${ARENA(balance)}`,
  ];
  if (chainRole !== 'None')
    lines.push(
      `  own stake ${ARENA(pool.ownLatest)}, delegated to it ${ARENA(pool.delegatedLatest)}, own share (sigma) ${Number((pool.sigmaLatest * 10_000n) / 10n ** 18n) / 100}%`,
      `  ${report.eligibleFrom === null ? 'not eligible (own stake below the minimum)' : `acts from epoch ${report.eligibleFrom}`}${pool.excluded ? ', EXCLUDED' : ''}`,
    );
  if (rewards.length === 0) lines.push('  rewards: none booked and unclaimed');
  for (const r of rewards)
    lines.push(
      `  rewards (${r.kind === 'own' ? 'own' : `delegation to ${r.delegatee}`}): ${ARENA(r.amount)}, ${r.now ? 'claimable now (aiarena claim)' : r.availableAt !== undefined ? `vests at ${formatTime(r.availableAt)}` : (r.blockedBy ?? 'not yet')}`,
    );
  for (const w of withdrawals)
    lines.push(
      `  ${w.kind === 'stake' ? 'own stake' : `delegation to ${w.delegatee}`}: ${ARENA(w.amount)} ${w.now ? 'withdrawable now (aiarena claim --withdraw)' : `locked until ${w.availableAt !== undefined ? formatTime(w.availableAt) : 'the task ends'}`}`,
    );
  for (const d of delegations)
    lines.push(
      `  delegates ${ARENA(d.principal)} to ${d.delegatee} (${d.delegateeRole}), pending ${ARENA(d.pendingRewards)}`,
    );
  for (const a of report.agents) {
    lines.push(
      `${a.role} agent: ${a.phase === null ? 'no state in this folder' : `${a.phase} (last step at chain time ${a.lastSeen ?? '-'}, saved ${a.savedAt})`}`,
    );
    for (const n of a.notes) lines.push(`  ${n.level === 'info' ? '' : `${n.level}: `}${n.message}`);
    lines.push(`  next: ${a.next}`);
  }
  if (hint) lines.push(hint);
  io.stdout(`${lines.join('\n')}\n`);
  return 0;
}
