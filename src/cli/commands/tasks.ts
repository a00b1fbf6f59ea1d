// `aiarena tasks`: the deployment's tasks, newest first, with where each stands (phase, epoch,
// window, participants, stakes, reward): what an operator reads to pick a task.
import type { Address } from 'viem';
import { readTaskView, type TaskView } from '../../lib/chain/actions/task-view.ts';
import { readPool } from '../../lib/chain/actions/participants.ts';
import { readTaskIds } from '../../lib/chain/reads/task-record.ts';
import { scoringEpochs } from '../../lib/chain/schedule.ts';
import { formatTokens } from '../../lib/format.ts';
import { jsonLine } from '../../lib/agents/headless/report.ts';
import { formatTime } from '../../lib/agents/common.ts';
import type { Parsed } from '../args.ts';
import { connect, readContext } from '../connect.ts';
import type { Io } from '../io.ts';
import { networkConfig } from '../options.ts';
import { REPO_ROOT } from '../paths.ts';
import { integer } from '../values.ts';

async function stakeOf(ctx: ReturnType<typeof readContext>, taskId: bigint, accounts: readonly Address[]) {
  const pools = await Promise.all(accounts.map((a) => readPool(ctx, taskId, a)));
  return pools.reduce((sum, p) => sum + p.ownLatest + p.delegatedLatest, 0n);
}

export interface TaskRow {
  id: string;
  phase: string;
  epoch: number | null;
  epochs: number;
  window: string;
  next: { label: string; at: string } | null;
  trainers: number;
  validators: number;
  trainerStake: string;
  validatorStake: string;
  rewardPerEpoch: string;
  submissions: number;
}

export function taskRow(v: TaskView, trainerStake: bigint, validatorStake: bigint): TaskRow {
  const started = v.chainTime >= v.schedule.startTime;
  return {
    id: String(v.id),
    phase: v.phase,
    epoch: started ? v.window.epoch : null,
    epochs: scoringEpochs(v.schedule),
    window: v.window.window,
    next: v.next ? { label: v.next.label, at: formatTime(v.next.at) } : null,
    trainers: v.trainers.length,
    validators: v.validators.length,
    trainerStake: String(trainerStake),
    validatorStake: String(validatorStake),
    rewardPerEpoch: String(v.rewardPerEpoch),
    submissions: v.submissions,
  };
}

export function tasksTable(rows: readonly TaskRow[]): string {
  const head = [
    'task',
    'phase',
    'epoch',
    'window',
    'trainers',
    'validators',
    'stake T / V (ARENA)',
    'reward/epoch',
    'next',
  ];
  const body = rows.map((r) => [
    r.id,
    r.phase,
    r.epoch === null ? `- / ${r.epochs}` : `${r.epoch} / ${r.epochs}`,
    r.window,
    String(r.trainers),
    String(r.validators),
    `${formatTokens(BigInt(r.trainerStake), 2)} / ${formatTokens(BigInt(r.validatorStake), 2)}`,
    formatTokens(BigInt(r.rewardPerEpoch), 2),
    r.next ? `${r.next.label} at ${r.next.at}` : '-',
  ]);
  const widths = head.map((h, i) => Math.max(h.length, ...body.map((b) => b[i]!.length)));
  const line = (cells: readonly string[]) =>
    cells
      .map((c, i) => (i === cells.length - 1 ? c : c.padEnd(widths[i]!)))
      .join('  ')
      .trimEnd();
  return [line(head), ...body.map(line)].join('\n');
}

export async function tasksCommand(p: Parsed, io: Io): Promise<number> {
  const env = io.env ?? {};
  const cwd = io.cwd ?? process.cwd();
  const limit = integer(p, 'limit', 1, 1_000) ?? 50;
  const net = await connect(networkConfig(p, env, { cwd, repoRoot: REPO_ROOT }), cwd);
  const ctx = readContext(net);
  const ids = await readTaskIds(net.client, net.deployment, limit);
  const rows = await Promise.all(
    ids.map(async (id) => {
      const v = await readTaskView(ctx, id);
      const [t, val] = await Promise.all([stakeOf(ctx, id, v.trainers), stakeOf(ctx, id, v.validators)]);
      return taskRow(v, t, val);
    }),
  );
  if (p.flags.has('json')) {
    for (const r of rows) io.stdout(`${jsonLine(r)}\n`);
    return 0;
  }
  if (rows.length === 0) {
    io.stdout(`no tasks on chain ${net.chainId} yet (deployment ${net.deploymentSource})\n`);
    return 0;
  }
  io.stdout(`${tasksTable(rows)}\n`);
  return 0;
}
