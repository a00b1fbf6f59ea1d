// Drives a role machine: observe, step, store the new state, then execute the actions it
// returned, and fold their outcomes back in. Everything that touches the state runs one at a
// time (a promise queue), so a background result (a training run ending, an evaluation) never
// races a tick. The store-before-send order is the runner's job: an action is executed only
// after the state that decided it has been committed to IndexedDB.
import type { Note, StepResult } from './common.ts';

export interface MachineDriver<S, O, A extends { type: string }, R> {
  step(state: S, observation: O): StepResult<S, A>;
  record(state: S, outcome: R): StepResult<S, A>;
  /** Reads the chain and the local facts the machine needs for `state`. */
  observe(state: S): Promise<O>;
  /** Chain time of an observation (stamped on outcomes). */
  timeOf(observation: O): bigint;
  /**
   * Executes one action. Quick actions resolve with their outcome; long ones (training, an
   * evaluation) resolve with null at once and report later through `background`.
   */
  execute(action: Exclude<A, { type: 'explain' }>, ctx: ExecuteContext<R>): Promise<R | null>;
  /** The outcome recorded when `execute` throws. */
  failure(action: Exclude<A, { type: 'explain' }>, error: unknown, at: bigint): R;
}

export interface ExecuteContext<R> {
  /** Chain time of the observation that led to the action. */
  at: bigint;
  /** Runs `work` in the background; its outcome (or failure outcome) is recorded when it settles. */
  background(work: () => Promise<R>, onError: (error: unknown) => R): void;
}

export interface Persistence<S> {
  save(state: S): Promise<void>;
}

export type RunnerEvent<S> =
  { type: 'state'; state: S } | { type: 'note'; note: Note } | { type: 'error'; error: unknown };

export interface RunnerOptions {
  /** Milliseconds between ticks while started. */
  pollMs: number;
  /** Step rounds per tick: what an action changed (an outcome, a key made) is acted on in the same tick. */
  maxRounds?: number;
}

export class AgentRunner<S, O, A extends { type: string }, R> {
  private state: S;
  private queue: Promise<unknown> = Promise.resolve();
  private readonly pending = new Set<Promise<unknown>>();
  private timer: ReturnType<typeof setTimeout> | null = null;
  private started = false;
  private lastAt = 0n;
  private readonly listeners = new Set<(e: RunnerEvent<S>) => void>();

  constructor(
    private readonly driver: MachineDriver<S, O, A, R>,
    private readonly persistence: Persistence<S>,
    initial: S,
    private readonly options: RunnerOptions,
  ) {
    this.state = initial;
  }

  get current(): S {
    return this.state;
  }

  subscribe(listener: (e: RunnerEvent<S>) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  protected emit(e: RunnerEvent<S>): void {
    for (const l of this.listeners) {
      try {
        l(e);
      } catch {
        // A broken listener must not stop the agent.
      }
    }
  }

  /** Runs `fn` after everything queued before it. */
  protected serial<T>(fn: () => Promise<T>): Promise<T> {
    const run = this.queue.then(fn, fn);
    this.queue = run.catch(() => undefined);
    return run;
  }

  /** One observe / step / store / execute cycle (more rounds if outcomes came back). */
  tick(): Promise<void> {
    return this.serial(async () => {
      const rounds = this.options.maxRounds ?? 4;
      for (let round = 0; round < rounds; round++) {
        const obs = await this.driver.observe(this.state);
        this.lastAt = this.driver.timeOf(obs);
        const executed = await this.apply(this.driver.step(this.state, obs), this.lastAt);
        if (executed === 0) break;
      }
    });
  }

  /** Applies a user command to the state and stores it. */
  command(change: (state: S) => S): Promise<S> {
    return this.serial(async () => {
      const next = change(this.state);
      await this.persistence.save(next);
      this.state = next;
      this.emit({ type: 'state', state: next });
      return next;
    });
  }

  /** Resolves once no background work is pending and the queue is empty. */
  async settled(): Promise<void> {
    for (;;) {
      await this.queue;
      if (this.pending.size === 0) return;
      await Promise.allSettled([...this.pending]);
    }
  }

  /**
   * Resolves once what is queued now has run (a tick, a command, a record: a transaction awaiting
   * its receipt), without waiting for background work (a training run): how a headless agent
   * stops cleanly.
   */
  async idle(): Promise<void> {
    await this.queue;
  }

  start(): void {
    if (this.started) return;
    this.started = true;
    const loop = async () => {
      if (!this.started) return;
      try {
        await this.tick();
      } catch (error) {
        this.emit({ type: 'error', error });
      }
      if (this.started) this.timer = setTimeout(loop, this.options.pollMs);
    };
    void loop();
  }

  stop(): void {
    this.started = false;
    if (this.timer !== null) clearTimeout(this.timer);
    this.timer = null;
  }

  get isStarted(): boolean {
    return this.started;
  }

  /**
   * Stores the step's state, then executes its actions; outcomes are recorded (and stored) in
   * order. Returns the number of actions executed. If storing fails nothing is executed.
   */
  private async apply(result: StepResult<S, A>, at: bigint): Promise<number> {
    await this.persistence.save(result.state);
    this.state = result.state;
    this.emit({ type: 'state', state: result.state });
    let executed = 0;
    for (const action of result.actions) {
      if (action.type === 'explain') {
        this.emit({ type: 'note', note: (action as unknown as { note: Note }).note });
        continue;
      }
      const act = action as Exclude<A, { type: 'explain' }>;
      executed += 1;
      let outcome: R | null;
      try {
        outcome = await this.driver.execute(act, { at, background: (work, onError) => this.background(work, onError) });
      } catch (error) {
        outcome = this.driver.failure(act, error, at);
      }
      if (outcome !== null) await this.recordNow(outcome);
    }
    return executed;
  }

  private async recordNow(outcome: R): Promise<void> {
    const result = this.driver.record(this.state, outcome);
    await this.persistence.save(result.state);
    this.state = result.state;
    this.emit({ type: 'state', state: result.state });
    for (const a of result.actions)
      if (a.type === 'explain') this.emit({ type: 'note', note: (a as unknown as { note: Note }).note });
  }

  private background(work: () => Promise<R>, onError: (error: unknown) => R): void {
    const job = (async () => {
      let outcome: R;
      try {
        outcome = await work();
      } catch (error) {
        outcome = onError(error);
      }
      await this.serial(() => this.recordNow(outcome));
      // Act on it now rather than at the next poll (a snapshot is waiting to be sealed).
      if (this.started) await this.tick().catch((error: unknown) => this.emit({ type: 'error', error }));
    })();
    this.pending.add(job);
    void job.finally(() => this.pending.delete(job));
  }

  /** Chain time of the last observation. */
  get lastObservedAt(): bigint {
    return this.lastAt;
  }
}
