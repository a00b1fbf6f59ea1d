// `aiarena claim [--task N] [--withdraw]`: pays out what this account can take now (own rewards,
// delegation rewards; with --withdraw also stakes and delegations that are free), after showing
// the list and asking (or --yes). What is not claimable yet is listed with when it will be.
import { claimDelegationRewards } from '../../lib/chain/actions/claim-delegation-rewards.ts';
import { claimOwnRewards } from '../../lib/chain/actions/claim-own-rewards.ts';
import { readClaimables, type PrincipalWithdrawal, type RewardClaim } from '../../lib/chain/actions/claimables.ts';
import { withdrawDelegation } from '../../lib/chain/actions/withdraw-delegation.ts';
import { withdrawStake } from '../../lib/chain/actions/withdraw-stake.ts';
import { formatTime } from '../../lib/agents/common.ts';
import { jsonLine } from '../../lib/agents/headless/report.ts';
import { formatTokens } from '../../lib/format.ts';
import { isArenaError } from '../../lib/errors.ts';
import { UsageError, type Parsed } from '../args.ts';
import { loadSigner } from '../account.ts';
import { accountContext, connect } from '../connect.ts';
import { confirm, type Io } from '../io.ts';
import { networkConfig } from '../options.ts';
import { REPO_ROOT } from '../paths.ts';
import { requireTasks, taskIds } from '../values.ts';

const ARENA = (wei: bigint) => `${formatTokens(wei, 4)} ARENA`;

type Item = { what: 'reward'; r: RewardClaim } | { what: 'withdrawal'; w: PrincipalWithdrawal };

const label = (i: Item): string =>
  i.what === 'reward'
    ? `task ${i.r.taskId}: ${i.r.kind === 'own' ? 'own rewards' : `rewards from delegating to ${i.r.delegatee}`} ${ARENA(i.r.amount)}`
    : `task ${i.w.taskId}: ${i.w.kind === 'stake' ? 'own stake' : `delegation to ${i.w.delegatee}`} ${ARENA(i.w.amount)}`;

export async function claimCommand(p: Parsed, io: Io): Promise<number> {
  const env = io.env ?? {};
  const cwd = io.cwd ?? process.cwd();
  const json = p.flags.has('json');
  const only = taskIds(p);
  const signer = await loadSigner(p, io);
  const net = await connect(networkConfig(p, env, { cwd, repoRoot: REPO_ROOT }), cwd);
  const ctx = accountContext(net, signer.privateKey);
  if (only.length > 0) await requireTasks(ctx, only);
  const c = await readClaimables(ctx, ctx.address);
  const wanted = (taskId: bigint) => only.length === 0 || only.includes(taskId);
  const rewards = c.rewards.filter((r) => wanted(r.taskId));
  const withdrawals = c.withdrawals.filter((w) => wanted(w.taskId));
  const now: Item[] = [
    ...rewards.filter((r) => r.now).map((r) => ({ what: 'reward' as const, r })),
    ...(p.flags.has('withdraw')
      ? withdrawals.filter((w) => w.now).map((w) => ({ what: 'withdrawal' as const, w }))
      : []),
  ];
  const later = [
    ...rewards
      .filter((r) => !r.now)
      .map(
        (r) =>
          `${label({ what: 'reward', r })}: ${r.availableAt !== undefined ? `vests at ${formatTime(r.availableAt)}` : r.blockedBy === 'open-challenge' ? 'held while a challenge is open' : r.blockedBy === 'forfeited' ? 'forfeited' : 'not yet'}`,
      ),
    ...withdrawals
      .filter((w) => !w.now || !p.flags.has('withdraw'))
      .map(
        (w) =>
          `${label({ what: 'withdrawal', w })}: ${w.now ? 'withdrawable now (--withdraw)' : `locked until ${w.availableAt !== undefined ? formatTime(w.availableAt) : 'the task ends'}`}`,
      ),
  ];
  const out = (record: Record<string, unknown>, text: string) =>
    io.stdout(json ? `${jsonLine(record)}\n` : `${text}\n`);

  if (now.length === 0) {
    out({ type: 'nothing', later }, ['nothing to claim now', ...later.map((l) => `  later: ${l}`)].join('\n'));
    return 0;
  }
  if (!json)
    io.stdout(
      ['claimable now:', ...now.map((i) => `  ${label(i)}`), ...later.map((l) => `  later: ${l}`)].join('\n') + '\n',
    );
  if (!p.flags.has('yes')) {
    if (!io.prompt)
      throw new UsageError('claim sends transactions: pass --yes to confirm (there is no terminal to ask)');
    if (!(await confirm(io, `Send ${now.length} transaction${now.length === 1 ? '' : 's'} from ${ctx.address}?`))) {
      io.stderr('nothing sent\n');
      return 1;
    }
  }
  let failed = 0;
  for (const i of now) {
    try {
      const res =
        i.what === 'reward'
          ? i.r.kind === 'own'
            ? await claimOwnRewards(ctx, { taskId: i.r.taskId })
            : await claimDelegationRewards(ctx, { taskId: i.r.taskId, delegatee: i.r.delegatee! })
          : i.w.kind === 'stake'
            ? await withdrawStake(ctx, { taskId: i.w.taskId })
            : await withdrawDelegation(ctx, { taskId: i.w.taskId, delegatee: i.w.delegatee! });
      const task = i.what === 'reward' ? i.r.taskId : i.w.taskId;
      out(
        {
          type: i.what === 'reward' ? 'claimed' : 'withdrawn',
          task: String(task),
          kind: i.what === 'reward' ? i.r.kind : i.w.kind,
          amount: String(res.amount),
          txHash: res.receipt.transactionHash,
        },
        `${i.what === 'reward' ? 'claimed' : 'withdrew'} ${label(i).replace(/ [\d,.]+ ARENA$/, '')}: ${ARENA(res.amount)} (tx ${res.receipt.transactionHash})`,
      );
    } catch (e) {
      if (!isArenaError(e)) throw e;
      failed += 1;
      out({ type: 'failed', item: label(i), message: e.message }, `failed: ${label(i)}: ${e.message}`);
    }
  }
  return failed > 0 ? 1 : 0;
}
