// `aiarena agent train|validate|keep|run`: the app's agents without the app. Each runs until
// Ctrl-C (or SIGTERM): then no new step starts, the step under way finishes (a transaction it
// sent is waited for), a training run is stopped (its transcript keeps every finished segment),
// the state is on disk, and the command exits 0; a second Ctrl-C exits at once (130). Started
// again with the same command line, an agent carries on from its stored state and sends nothing
// the chain already has (docs/operators.md).
import type { Address } from 'viem';
import { AgentError, scopeKey, type TrainerAgent, type ValidatorAgent } from '../../lib/agents/index.ts';
import { trainerStartPlan, validatorStartPlan } from '../../lib/agents/headless/startup.ts';
import { factText, factType, noteRecord, stateChanges, stateFacts } from '../../lib/agents/headless/report.ts';
import { startKeeper, type KeeperEvent } from '../../lib/chain/keeper.ts';
import { formatTokens } from '../../lib/format.ts';
import { isArenaError } from '../../lib/errors.ts';
import { single, type Parsed } from '../args.ts';
import { loadSigner } from '../account.ts';
import { AgentHost, type Opened } from '../agent-host.ts';
import { REPO_ROOT } from '../paths.ts';
import { accountContext, CliError, connect } from '../connect.ts';
import type { Io } from '../io.ts';
import { contentConfig, networkConfig, stateDir } from '../options.ts';
import { Reporter } from '../reporter.ts';
import { integer, requireTasks, sigma, tokens } from '../values.ts';

export interface AgentPlan {
  train: bigint[];
  validate: bigint[];
  /** Keep: null for none, [] for every task. */
  keep: bigint[] | null;
}

type Running = ({ role: 'trainer' } & Opened<TrainerAgent>) | ({ role: 'validator' } & Opened<ValidatorAgent>);

const message = (e: unknown) => (e instanceof Error ? e.message : String(e)).split('\n')[0]!;

/** Resolves at the first Ctrl-C; `second` at the one after. */
function interrupts(io: Io) {
  let count = 0;
  let first!: () => void;
  let second!: () => void;
  const firstP = new Promise<void>((r) => (first = r));
  const secondP = new Promise<void>((r) => (second = r));
  const off = io.onInterrupt?.(() => {
    count += 1;
    if (count === 1) first();
    else second();
  });
  return { first: firstP, second: secondP, dispose: () => off?.() };
}

/** A progress event in words, without who it is about (the status line and log lines add that). */
function progressText(e: { type: string } & Record<string, unknown>): string {
  if (e.type === 'train-progress') {
    const p = e.progress as { step: number; totalSteps: number; loss: number };
    return `training ${p.step}/${p.totalSteps}${Number.isFinite(p.loss) ? ` loss ${p.loss.toFixed(3)}` : ''}`;
  }
  return e.stage === 'fetching' && e.total === 0
    ? `submission ${String(e.submissionId)}: fetching`
    : `submission ${String(e.submissionId)}: ${String(e.stage)} ${String(e.done)}/${String(e.total)}`;
}

function watch(r: Running, reporter: Reporter): void {
  const task = r.agent.state.scope.taskId;
  const id = `${r.role}/${task}`;
  let facts: ReturnType<typeof stateFacts> | null = null;
  const metric = r.agent.taskSpec.spec.metric;
  const onState = (state: Parameters<typeof stateFacts>[0]) => {
    const next = stateFacts(state, metric);
    for (const { key, fact } of stateChanges(facts, next))
      reporter.record(Reporter.of(r.role, task, factType(key), fact), factText(key, fact));
    facts = next;
    reporter.status(id, `#${task} ${r.role}: ${state.phase}`);
  };
  onState(r.agent.state);
  const listener = (e: { type: string } & Record<string, unknown>) => {
    switch (e.type) {
      case 'state':
        onState(e.state as Parameters<typeof stateFacts>[0]);
        break;
      case 'note': {
        const n = e.note as Parameters<typeof noteRecord>[0];
        reporter.record(
          Reporter.of(r.role, task, 'note', noteRecord(n)),
          `${n.level === 'info' ? '' : `${n.level}: `}${n.message}`,
        );
        break;
      }
      case 'error':
        reporter.record(
          Reporter.of(r.role, task, 'error', { message: message(e.error) }),
          `error: ${message(e.error)} (retrying)`,
        );
        break;
      case 'train-progress': {
        const p = e.progress as Record<string, unknown>;
        reporter.progress(
          id,
          Reporter.of(r.role, task, 'train-progress', { ...p }),
          `#${task} ${r.role}`,
          progressText(e),
        );
        break;
      }
      case 'eval-progress':
        reporter.progress(
          id,
          Reporter.of(r.role, task, 'eval-progress', {
            submissionId: e.submissionId,
            epoch: e.epoch,
            stage: e.stage,
            done: e.done,
            total: e.total,
          }),
          `#${task} ${r.role}`,
          progressText(e),
        );
        break;
    }
  };
  if (r.role === 'trainer') r.agent.subscribe(listener as never);
  else r.agent.subscribe(listener as never);
}

function keeperRecord(e: KeeperEvent, reporter: Reporter): void {
  switch (e.type) {
    case 'finalized':
      reporter.record(
        Reporter.of('keeper', e.taskId, 'finalized', {
          epoch: Number(e.epoch),
          degenerate: e.degenerate,
          booked: String(e.booked),
          rollover: String(e.rollover),
          gasUsed: String(e.gasUsed),
          txHash: e.txHash,
        }),
        `epoch ${e.epoch} finalized: ${e.degenerate ? `nothing booked, ${formatTokens(e.rollover, 4)} ARENA rolls over` : `${formatTokens(e.booked, 4)} ARENA booked`}`,
      );
      break;
    case 'progress':
      reporter.record(
        Reporter.of('keeper', e.taskId, 'finalize-progress', { epoch: Number(e.epoch), txHash: e.txHash }),
        `epoch ${e.epoch}: finalization under way`,
      );
      break;
    case 'task-done':
      reporter.record(
        Reporter.of('keeper', e.taskId, 'task-done', { how: e.how }),
        e.how === 'done' ? 'every scoring epoch is finalized' : 'the task was rejected: nothing to finalize',
      );
      break;
    case 'error':
      reporter.record(
        Reporter.of('keeper', undefined, 'error', { message: e.message }),
        `error: ${e.message} (retrying)`,
      );
      break;
    case 'raced':
      reporter.record(
        Reporter.of('keeper', e.taskId, 'raced', { epoch: Number(e.epoch) }),
        `epoch ${e.epoch}: another keeper finalized it first`,
      );
      break;
    case 'pass':
      reporter.status('keeper', `keeper: ${e.tasks} tasks watched`);
      break;
  }
}

/** Runs the agents of `plan` until interrupted. */
export async function runAgents(plan: AgentPlan, p: Parsed, io: Io, command: string): Promise<number> {
  const env = io.env ?? {};
  const cwd = io.cwd ?? process.cwd();
  const json = p.flags.has('json');
  const pollMs = integer(p, 'poll', 100, 3_600_000) ?? 2_000;
  const stake = single(p, 'stake') !== undefined ? tokens(single(p, 'stake')!, '--stake') : null;
  const join = { stake, sigma: sigma(p) };
  const epochs = integer(p, 'epochs', 1, 10_000) ?? null;
  const roles = plan.train.length + plan.validate.length;
  const cas = roles > 0 ? contentConfig(p, env) : null;
  const state = stateDir(p, cwd);

  const config = networkConfig(p, env, { cwd, repoRoot: REPO_ROOT });
  const signer = await loadSigner(p, io);
  const net = await connect(config, cwd);
  const ctx = accountContext(net, signer.privateKey);
  await requireTasks(ctx, [...plan.train, ...plan.validate, ...(plan.keep ?? [])]);

  const reporter = new Reporter(io, { json });
  const stop = interrupts(io);
  const account: Address = ctx.address;
  reporter.record(
    Reporter.of('cli', undefined, 'start', {
      command,
      account,
      chainId: net.chainId,
      rpc: net.rpcUrl,
      deployment: net.deploymentSource,
      ...(cas ? { state } : {}),
      keySource: signer.source,
    }),
    `${command}: account ${account} (${signer.source}) on chain ${net.chainId} at ${net.rpcUrl}, deployment ${net.deploymentSource}${cas ? `, state in ${state}` : ''}. Ctrl-C stops.`,
  );

  const host = cas ? new AgentHost({ net, ctx, signer, cas, stateDir: state, pollMs }) : null;
  const running: Running[] = [];
  let keeper: ReturnType<typeof startKeeper> | null = null;
  let stopped = false;

  const shutdown = async (): Promise<void> => {
    if (stopped) return;
    stopped = true;
    for (const r of running) r.agent.stop();
    await keeper?.stop();
    // The step under way finishes: a transaction it sent is waited for and recorded.
    await Promise.all(running.map((r) => r.agent.idle()));
    // Nothing that settles after this changes the stored state.
    host?.persist.freeze();
    for (const r of running)
      if (r.role === 'trainer' && r.agent.trainingStatus !== 'idle') await r.ml.stop('the agent is stopping');
    await Promise.race([
      Promise.all(running.map((r) => r.agent.settled())),
      new Promise((resolve) => setTimeout(resolve, 20_000)),
    ]);
    host?.releaseLocks();
  };

  try {
    const open = async (role: 'trainer' | 'validator', taskId: bigint): Promise<void> => {
      let r: Running;
      try {
        r =
          role === 'trainer'
            ? { role, ...(await host!.openTrainer(taskId)) }
            : { role, ...(await host!.openValidator(taskId)) };
      } catch (e) {
        throw new CliError(`cannot open the ${role} agent of task ${taskId}: ${message(e)}`);
      }
      watch(r, reporter);
      try {
        await r.agent.start();
      } catch (e) {
        if (e instanceof AgentError && e.code === 'locked')
          throw new CliError(
            `another aiarena process runs the ${role} agent of task ${taskId} for ${account} with this state folder (${state}); stop it first`,
          );
        throw e;
      }
      running.push(r);
      const pool = await r.chain.pool();
      const steps =
        r.role === 'trainer'
          ? trainerStartPlan(r.agent.state, pool.role, {
              ...join,
              epochs,
              trainMore: p.flags.has('train-more'),
              backend: 'wasm',
            })
          : validatorStartPlan(r.agent.state, pool.role, join);
      for (const n of steps.notes) reporter.record(Reporter.of(role, taskId, 'plan', { message: n }), n);
      for (const c of steps.commands) {
        if (r.role === 'trainer') await r.agent.command(c as never);
        else await r.agent.command(c as never);
      }
      reporter.record(Reporter.of(role, taskId, 'started', { scope: scopeKey(r.agent.state.scope) }), 'started');
    };
    for (const t of plan.train) await open('trainer', t);
    for (const t of plan.validate) await open('validator', t);
    if (plan.keep !== null) {
      keeper = startKeeper({
        client: net.client,
        wallet: ctx.wallet,
        deployment: net.deployment,
        send: ctx.send!,
        intervalMs: pollMs,
        onEvent: (e) => keeperRecord(e, reporter),
        ...(plan.keep.length > 0 ? { tasks: plan.keep } : {}),
        autostart: !p.flags.has('once'),
      });
      if (p.flags.has('once')) {
        await keeper.pass();
        await shutdown();
        reporter.close();
        return 0;
      }
    }
    await stop.first;
    reporter.record(
      Reporter.of('cli', undefined, 'stopping', { reason: 'interrupt' }),
      'stopping: finishing the step under way (Ctrl-C again to quit at once)',
    );
    const done = await Promise.race([
      shutdown().then(() => 'clean' as const),
      stop.second.then(() => 'forced' as const),
    ]);
    if (done === 'forced') {
      reporter.record(Reporter.of('cli', undefined, 'stopped', { clean: false }), 'stopped at once');
      reporter.close();
      return 130;
    }
    reporter.record(
      Reporter.of('cli', undefined, 'stopped', { clean: true }),
      host ? 'stopped; state saved' : 'stopped',
    );
    reporter.close();
    return 0;
  } catch (e) {
    await shutdown();
    reporter.close();
    if (isArenaError(e)) throw new CliError(e.message);
    throw e;
  } finally {
    stop.dispose();
  }
}

/** `agent delegate`: one transaction, confirmed first. */
export { delegateCommand } from './delegate.ts';
