// A validator agent: the validator machine wired to its ports and its IndexedDB record. For each
// submission it fetches the artifact by the CID its revealed hash names (hash-checked), checks
// it (artifact-checks.ts), evaluates it in the eval worker, and lets the machine commit and
// reveal the scores.
import type { Hex } from 'viem';
import { cidFromDigest } from '../../ml/artifact/cid.ts';
import { parseModelSpecBytes } from '../../ml/spec/parse.ts';
import type { ModelSpec } from '../../ml/spec/types.ts';
import { AgentError, ZERO32 } from '../common.ts';
import { checkSubmission, expectedArtifactBytes } from '../artifact-checks.ts';
import { PortError, type TaskInfo } from '../ports.ts';
import { AgentRunner, type MachineDriver, type RunnerEvent } from '../runner.ts';
import { entropyFrom, failureOf, takeLock, taskFingerprint, type AgentEnvBase } from '../trainer/agent.ts';
import {
  DEFAULT_VALIDATOR_CONFIG,
  initialValidatorState,
  validatorCommand,
  validatorReads,
  validatorRecord,
  validatorStep,
  type ColumnView,
  type ValidatorAction,
  type ValidatorCommand,
  type ValidatorConfig,
  type ValidatorObservation,
  type ValidatorOutcome,
  type ValidatorState,
} from './machine.ts';

export interface ValidatorAgentEnv extends AgentEnvBase {
  config?: Partial<ValidatorConfig>;
}

export type ValidatorEvent =
  | RunnerEvent<ValidatorState>
  | { type: 'eval-progress'; key: string; epoch: number; submissionId: number; stage: 'fetching' | 'checking' | 'evaluating' | 'done'; done: number; total: number };

export class ValidatorAgent {
  private readonly runner: AgentRunner<ValidatorState, ValidatorObservation, ValidatorAction, ValidatorOutcome>;
  private readonly listeners = new Set<(e: ValidatorEvent) => void>();
  private evaluating: string | null = null;
  private release: (() => void) | null = null;

  private constructor(
    private readonly env: ValidatorAgentEnv,
    private readonly task: TaskInfo,
    private readonly spec: { spec: ModelSpec; hash: string },
    initial: ValidatorState,
  ) {
    const config: ValidatorConfig = { ...DEFAULT_VALIDATOR_CONFIG, ...env.config };
    const driver: MachineDriver<ValidatorState, ValidatorObservation, ValidatorAction, ValidatorOutcome> = {
      step: (s, o) => validatorStep(s, o, config),
      record: (s, r) => {
        if ((r.type === 'evaluated' || r.type === 'evalFailed') && r.key === this.evaluating) this.evaluating = null;
        return validatorRecord(s, r, config);
      },
      observe: (s) => this.observe(s),
      timeOf: (o) => o.now,
      execute: (a, ctx) => this.execute(a, ctx),
      failure: (a, error, at) =>
        a.type === 'evaluate'
          ? { type: 'evalFailed', key: a.key, epoch: a.epoch, message: error instanceof Error ? error.message : String(error), at }
          : failureOf(a.type, 'epoch' in a ? a.epoch : null, error, at),
    };
    const fingerprint = taskFingerprint(task);
    this.runner = new AgentRunner(driver, { save: (s) => env.persist.saveState(env.scope, s, fingerprint) }, initial, { pollMs: env.pollMs ?? 2000 });
    this.runner.subscribe((e) => this.emit(e));
  }

  static async open(env: ValidatorAgentEnv): Promise<ValidatorAgent> {
    if (env.scope.role !== 'validator') throw new AgentError('wrong-scope', 'a validator agent needs a validator scope');
    const [task, specBytes] = await Promise.all([env.chain.task(), env.ml.specBytes()]);
    const spec = await parseModelSpecBytes(specBytes);
    if (`0x${spec.hash}` !== task.modelSpec.toLowerCase()) {
      throw new AgentError('bad-state', `the model spec file hashes to 0x${spec.hash}, the task names ${task.modelSpec}`);
    }
    const stored = await env.persist.loadState<ValidatorState>(env.scope);
    const initial = stored && stored.fingerprint === taskFingerprint(task) ? stored.state : initialValidatorState(env.scope);
    return new ValidatorAgent(env, task, spec, initial);
  }

  get state(): ValidatorState {
    return this.runner.current;
  }

  /** The result key being evaluated now (see columnProgress). */
  get evaluatingKey(): string | null {
    return this.evaluating;
  }

  get taskInfo(): TaskInfo {
    return this.task;
  }

  subscribe(listener: (e: ValidatorEvent) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  private emit(e: ValidatorEvent): void {
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

  /** Stops ticking and gives the tab lock back. */
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

  command(cmd: ValidatorCommand): Promise<ValidatorState> {
    return this.runner.command((s) => validatorCommand(s, cmd));
  }

  private async observe(s: ValidatorState): Promise<ValidatorObservation> {
    const { chain } = this.env;
    const now = await chain.now();
    const sch = this.task.schedule;
    const reads = validatorReads(s, sch, now);
    const inFinal = reads.commits.some((e) => e >= sch.submissionEpochs) || reads.columns.some((e) => e >= sch.submissionEpochs);
    const [pool, finalEval, commits, columns] = await Promise.all([
      chain.pool(),
      inFinal ? chain.finalEval() : Promise.resolve({ status: sch.finalEpochs > 0 ? ('Pending' as const) : ('None' as const), hash: null }),
      Promise.all(reads.commits.map(async (e) => [e, await chain.scoreCommit(e)] as const)),
      Promise.all(reads.columns.map(async (e) => [e, await chain.columns(e)] as const)),
    ]);
    return {
      now,
      schedule: sch,
      evalData: this.task.evalData,
      chain: {
        role: pool.role,
        eligibleFrom: pool.eligibleFrom,
        excluded: pool.excluded,
        finalEval,
        commits: Object.fromEntries(commits),
        columns: Object.fromEntries(columns),
      },
      local: { evaluating: this.evaluating },
      entropy: entropyFrom(this.env.random ?? ((b) => crypto.getRandomValues(b))),
    };
  }

  private async execute(
    a: Exclude<ValidatorAction, { type: 'explain' }>,
    ctx: { at: bigint; background(work: () => Promise<ValidatorOutcome>, onError: (e: unknown) => ValidatorOutcome): void },
  ): Promise<ValidatorOutcome | null> {
    const { chain } = this.env;
    switch (a.type) {
      case 'join': {
        const tx = await chain.join('Validator', a.amount, a.sigma, ZERO32);
        return { type: 'sent', action: 'join', epoch: null, txHash: tx.txHash, at: ctx.at };
      }
      case 'commitScores': {
        const tx = await chain.commitScores({ epoch: a.epoch, commitment: a.commitment, scores: a.scores, salt: a.salt });
        return { type: 'sent', action: 'commitScores', epoch: a.epoch, txHash: tx.txHash, at: ctx.at };
      }
      case 'revealScores': {
        const tx = await chain.revealScores({ epoch: a.epoch, scores: a.scores, salt: a.salt });
        return { type: 'sent', action: 'revealScores', epoch: a.epoch, txHash: tx.txHash, at: ctx.at };
      }
      case 'evaluate': {
        this.evaluating = a.key;
        ctx.background(
          () => this.evaluate(a.key, a.epoch, a.column, a.dataHash),
          (error) => ({ type: 'evalFailed', key: a.key, epoch: a.epoch, message: error instanceof Error ? error.message : String(error), at: this.runner.lastObservedAt }),
        );
        return null;
      }
    }
  }

  /**
   * Fetch, check, evaluate. A bad artifact is a result (score 0 with its reason); only what may
   * pass on a retry (network, a worker crash) throws.
   */
  private async evaluate(key: string, epoch: number, column: ColumnView, dataHash: Hex): Promise<ValidatorOutcome> {
    const at = () => this.runner.lastObservedAt;
    const progress = (stage: 'fetching' | 'checking' | 'evaluating' | 'done', done = 0, total = 0) =>
      this.emit({ type: 'eval-progress', key, epoch, submissionId: column.submissionId, stage, done, total });
    const zero = (check: 'missing' | 'hash' | 'artifact' | 'watermark', reason: string): ValidatorOutcome => {
      progress('done');
      return { type: 'evaluated', key, score: 0, check, reason, at: at() };
    };
    progress('fetching');
    let bytes: Uint8Array;
    try {
      bytes = await this.env.store.fetchVerified(cidFromDigest(column.artifactHash), { maxBytes: expectedArtifactBytes(this.spec.spec) });
    } catch (e) {
      // A permanent refusal (too large, not content of that CID anywhere) is the trainer's fault.
      if (e instanceof PortError && !e.retryable) return zero('missing', `the artifact could not be fetched: ${e.message}`);
      throw e;
    }
    progress('checking');
    const verdict = await checkSubmission(this.spec.spec, this.spec.hash, bytes, column);
    if (!verdict.ok) return zero(verdict.check, verdict.reason);
    progress('evaluating');
    const result = await this.env.ml.evaluate(
      { artifact: bytes, artifactHash: column.artifactHash, dataHash },
      { onProgress: (done, total) => progress('evaluating', done, total) },
    );
    progress('done', result.samples, result.samples);
    return { type: 'evaluated', key, score: result.score, check: 'ok', reason: null, at: at() };
  }
}
