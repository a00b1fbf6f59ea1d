// `aiarena agent delegate --task N --to <address> --amount X`: backs a trainer or validator of a
// task with tokens (counting from the next epoch). One transaction: there is nothing to keep
// running afterwards (rewards are claimed with `aiarena claim`). A money move, so it is shown
// and confirmed first (--yes, or y at the terminal), and refused up front where the chain
// would refuse it (not a participant, not enough tokens).
import { arenaTokenAbi } from '../../lib/chain/abi.generated.ts';
import { delegate } from '../../lib/chain/actions/delegate.ts';
import { readPool } from '../../lib/chain/actions/participants.ts';
import { chainRoleOf } from '../../lib/chain/roles.ts';
import { jsonLine } from '../../lib/agents/headless/report.ts';
import { formatTokens } from '../../lib/format.ts';
import { isArenaError } from '../../lib/errors.ts';
import { UsageError, single, type Parsed } from '../args.ts';
import { loadSigner } from '../account.ts';
import { accountContext, CliError, connect } from '../connect.ts';
import { confirm, type Io } from '../io.ts';
import { networkConfig } from '../options.ts';
import { REPO_ROOT } from '../paths.ts';
import { address, requireTasks, requiredTask, tokens } from '../values.ts';

export async function delegateCommand(p: Parsed, io: Io): Promise<number> {
  const env = io.env ?? {};
  const cwd = io.cwd ?? process.cwd();
  const taskId = requiredTask(p, 'agent delegate');
  const to = address(single(p, 'to'), '--to');
  const amountText = single(p, 'amount');
  if (amountText === undefined) throw new UsageError('agent delegate: --amount <ARENA> is required');
  const amount = tokens(amountText, '--amount');
  const signer = await loadSigner(p, io);
  const net = await connect(networkConfig(p, env, { cwd, repoRoot: REPO_ROOT }), cwd);
  const ctx = accountContext(net, signer.privateKey);
  await requireTasks(ctx, [taskId]);
  const [pool, balance] = await Promise.all([
    readPool(ctx, taskId, to),
    net.client.readContract({
      address: net.deployment.contracts.token,
      abi: arenaTokenAbi,
      functionName: 'balanceOf',
      args: [ctx.address],
    }),
  ]);
  const role = chainRoleOf(pool.role);
  if (role === 'None')
    throw new CliError(
      `${to} is neither a trainer nor a validator of task ${taskId}: nothing to delegate to (see aiarena tasks)`,
    );
  if (to.toLowerCase() === ctx.address.toLowerCase())
    throw new CliError('an account cannot delegate to itself: add to your own stake instead');
  if (balance < amount)
    throw new CliError(
      `${ctx.address} holds ${formatTokens(balance, 4)} ARENA, less than the ${formatTokens(amount, 4)} ARENA to delegate`,
    );
  const what = `Delegate ${formatTokens(amount, 4)} ARENA from ${ctx.address} to ${to} (${role.toLowerCase()}) in task ${taskId}`;
  if (!p.flags.has('yes')) {
    if (!io.prompt)
      throw new UsageError('delegation moves tokens: pass --yes to confirm (there is no terminal to ask)');
    if (!(await confirm(io, `${what}?`))) {
      io.stderr('nothing sent\n');
      return 1;
    }
  }
  try {
    const res = await delegate(ctx, { taskId, delegatee: to, amount });
    io.stdout(
      p.flags.has('json')
        ? `${jsonLine({ type: 'delegated', task: String(taskId), to, amount: String(amount), effectiveEpoch: Number(res.effectiveEpoch), txHash: res.receipt.transactionHash })}\n`
        : `${what}: done, counts from epoch ${res.effectiveEpoch} (tx ${res.receipt.transactionHash})\n`,
    );
    return 0;
  } catch (e) {
    if (isArenaError(e)) throw new CliError(`the delegation was not made: ${e.message}`);
    throw e;
  }
}
