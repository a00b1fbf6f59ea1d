// What a trainer agent and a validator agent share: opening the scope's stored state against the
// task's model spec, the runner wiring (store-before-send persistence, polling), listeners, the
// tab lock, and the failure an exception becomes. Each role adds its own observe and execute.
import { toHex, type Hex } from 'viem';
import { parseModelSpecBytes } from '../ml/spec/parse.ts';
import type { ModelSpec } from '../ml/spec/types.ts';
import { AgentError, type ActionFailure, type AgentScope, type StepResult } from './common.ts';
import { PortError, type ChainPort, type MlPort, type StorePort, type TaskInfo } from './ports.ts';
import { AgentRunner, type ExecuteContext, type RunnerEvent } from './runner.ts';
import { scopeKey, type AgentStore } from './store.ts';
import { webLocks, type TabLock } from './lock.ts';

export interface AgentEnvBase {
  scope: AgentScope;
  chain: ChainPort;
  store: StorePort;
  ml: MlPort;
  persist: AgentStore;
  /** Exclusive lock per scope across tabs; default: the browser's Web Locks (none in Node). */
  lock?: TabLock | null;
  /** Milliseconds between ticks once started. Default 2000. */
  pollMs?: number;
  /** Fills `bytes` with secure random bytes (salts, seeds). Default crypto.getRandomValues. */
  random?: (bytes: Uint8Array<ArrayBuffer>) => void;
}

/** The task's model spec, parsed, with its content hash (hex, no 0x). */
export interface TaskSpec {
  spec: ModelSpec;
  hash: string;
}

/** Identifies the task instance (a reset local chain reuses task ids and addresses). */
export const taskFingerprint = (t: TaskInfo) => `${t.schedule.startTime}:${t.modelSpec.toLowerCase()}`;

export function entropyFrom(random: (bytes: Uint8Array<ArrayBuffer>) => void): Hex {
  const b = new Uint8Array(32);
  random(b);
  return toHex(b);
}

/** Takes the scope's tab lock, if locks exist here; throws AgentError 'locked' when another tab holds it. */
export async function takeLock(env: AgentEnvBase): Promise<(() => void) | null> {
  const lock = env.lock === undefined ? webLocks() : env.lock;
  if (lock === null) return null;
  const release = await lock(`aiarena-agent:${scopeKey(env.scope)}`);
  if (release === null) {
    throw new AgentError(
      'locked',
      `This ${env.scope.role} agent is already running in another tab or window; close it there to run it here.`,
    );
  }
  return release;
}

export function failureOf(action: string, epoch: number | null, error: unknown, at: bigint): ActionFailure {
  const retryable = error instanceof PortError ? error.retryable : !(error instanceof AgentError);
  const message = error instanceof Error ? error.message : String(error);
  return { type: 'failed', action, epoch, message, retryable, at };
}

/**
 * Reads the task and its model spec (which must hash to what the task names), checks the spec
 * with `checkSpec`, and loads the scope's stored state; a state from another instance of the task
 * is replaced by `initial(scope)`.
 */
export async function openRole<S>(
  env: AgentEnvBase,
  role: AgentScope['role'],
  initial: (scope: AgentScope) => S,
  checkSpec: (spec: ModelSpec) => void = () => {},
): Promise<{ task: TaskInfo; spec: TaskSpec; initial: S }> {
  if (env.scope.role !== role) throw new AgentError('wrong-scope', `a ${role} agent needs a ${role} scope`);
  const [task, specBytes] = await Promise.all([env.chain.task(), env.ml.specBytes()]);
  const spec = await parseModelSpecBytes(specBytes);
  if (`0x${spec.hash}` !== task.modelSpec.toLowerCase()) {
    throw new AgentError('bad-state', `the model spec file hashes to 0x${spec.hash}, the task names ${task.modelSpec}`);
  }
  checkSpec(spec.spec);
  const stored = await env.persist.loadState<S>(env.scope);
  return {
    task,
    spec,
    initial: stored && stored.fingerprint === taskFingerprint(task) ? stored.state : initial(env.scope),
  };
}

/**
 * A role machine driven by an AgentRunner over the role's ports. Subclasses say how to step,
 * record, observe and execute; the state is saved under the scope with the task's fingerprint.
 * Listeners get the runner's events and the role's own (X).
 */
export abstract class RoleAgent<S, O extends { now: bigint }, A extends { type: string }, R, X = never> {
  protected readonly runner: AgentRunner<S, O, A, R>;
  private readonly listeners = new Set<(e: RunnerEvent<S> | X) => void>();
  private release: (() => void) | null = null;

  protected constructor(
    protected readonly env: AgentEnvBase,
    protected readonly task: TaskInfo,
    protected readonly spec: TaskSpec,
    initial: S,
  ) {
    const fingerprint = taskFingerprint(task);
    this.runner = new AgentRunner<S, O, A, R>(
      {
        step: (s, o) => this.step(s, o),
        record: (s, r) => this.record(s, r),
        observe: (s) => this.observe(s),
        timeOf: (o) => o.now,
        execute: (a, ctx) => this.execute(a, ctx),
        failure: (a, error, at) => this.failure(a, error, at),
      },
      { save: (s) => env.persist.saveState(env.scope, s, fingerprint) },
      initial,
      { pollMs: env.pollMs ?? 2000 },
    );
    this.runner.subscribe((e) => this.emit(e));
  }

  protected abstract step(state: S, observation: O): StepResult<S, A>;
  protected abstract record(state: S, outcome: R): StepResult<S, A>;
  protected abstract observe(state: S): Promise<O>;
  protected abstract execute(action: Exclude<A, { type: 'explain' }>, ctx: ExecuteContext<R>): Promise<R | null>;
  /** The outcome recorded when `execute` throws. */
  protected failure(a: Exclude<A, { type: 'explain' }>, error: unknown, at: bigint): R {
    return failureOf(a.type, 'epoch' in a ? (a as { epoch: number }).epoch : null, error, at) as R;
  }

  get state(): S {
    return this.runner.current;
  }

  get taskInfo(): TaskInfo {
    return this.task;
  }

  /** The task's model spec as the agent opened it (its metric says how pages show scores). */
  get taskSpec(): TaskSpec {
    return this.spec;
  }

  subscribe(listener: (e: RunnerEvent<S> | X) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  protected emit(e: RunnerEvent<S> | X): void {
    for (const l of this.listeners) {
      try {
        l(e);
      } catch {
        // A broken listener must not stop the agent.
      }
    }
  }

  /**
   * Starts ticking, holding this scope's tab lock (env.lock, by default the browser's Web Locks):
   * a second tab automating the same task and account gets an AgentError 'locked'.
   */
  async start(): Promise<void> {
    if (this.runner.isStarted) return;
    this.release ??= await takeLock(this.env);
    this.runner.start();
  }

  /** Stops ticking and gives the tab lock back (background work already running continues). */
  stop(): void {
    this.runner.stop();
    this.release?.();
    this.release = null;
  }

  tick(): Promise<void> {
    return this.runner.tick();
  }

  settled(): Promise<void> {
    return this.runner.settled();
  }

  /** Resolves once the step or record under way is done (background work goes on). */
  idle(): Promise<void> {
    return this.runner.idle();
  }

  /** 32 fresh random bytes for an observation (salts, seeds). */
  protected entropy(): Hex {
    return entropyFrom(this.env.random ?? ((b) => crypto.getRandomValues(b)));
  }
}
