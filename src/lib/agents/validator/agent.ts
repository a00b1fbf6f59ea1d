// A validator agent: the validator machine wired to its ports and its IndexedDB record. For each
// submission it fetches the artifact by the CID its revealed hash names (hash-checked), checks
// it (artifact-checks.ts), evaluates it in the eval worker, and lets the machine commit and
// reveal the scores.
import type { Hex } from 'viem';
import { cidFromDigest } from '../../ml/artifact/cid.ts';
import { ZERO32, type StepResult } from '../common.ts';
import { checkSubmission, expectedArtifactBytes } from '../artifact-checks.ts';
import { PortError, type TaskInfo } from '../ports.ts';
import type { ExecuteContext, RunnerEvent } from '../runner.ts';
import { RoleAgent, failureOf, openRole, type AgentEnvBase, type TaskSpec } from '../role-agent.ts';
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

type EvalProgressEvent = { type: 'eval-progress'; key: string; epoch: number; submissionId: number; stage: 'fetching' | 'checking' | 'evaluating' | 'done'; done: number; total: number };

export type ValidatorEvent = RunnerEvent<ValidatorState> | EvalProgressEvent;

export class ValidatorAgent extends RoleAgent<ValidatorState, ValidatorObservation, ValidatorAction, ValidatorOutcome, EvalProgressEvent> {
  protected declare readonly env: ValidatorAgentEnv;
  private readonly config: ValidatorConfig;
  private evaluating: string | null = null;

  private constructor(env: ValidatorAgentEnv, task: TaskInfo, spec: TaskSpec, initial: ValidatorState) {
    super(env, task, spec, initial);
    this.config = { ...DEFAULT_VALIDATOR_CONFIG, ...env.config };
  }

  static async open(env: ValidatorAgentEnv): Promise<ValidatorAgent> {
    const { task, spec, initial } = await openRole(env, 'validator', initialValidatorState);
    return new ValidatorAgent(env, task, spec, initial);
  }

  protected step(s: ValidatorState, o: ValidatorObservation): StepResult<ValidatorState, ValidatorAction> {
    return validatorStep(s, o, this.config);
  }

  protected record(s: ValidatorState, r: ValidatorOutcome): StepResult<ValidatorState, ValidatorAction> {
    if ((r.type === 'evaluated' || r.type === 'evalFailed') && r.key === this.evaluating) this.evaluating = null;
    return validatorRecord(s, r, this.config);
  }

  protected override failure(a: Exclude<ValidatorAction, { type: 'explain' }>, error: unknown, at: bigint): ValidatorOutcome {
    return a.type === 'evaluate'
      ? { type: 'evalFailed', key: a.key, epoch: a.epoch, message: error instanceof Error ? error.message : String(error), at }
      : failureOf(a.type, 'epoch' in a ? a.epoch : null, error, at);
  }

  /** The result key being evaluated now (see columnProgress). */
  get evaluatingKey(): string | null {
    return this.evaluating;
  }

  command(cmd: ValidatorCommand): Promise<ValidatorState> {
    return this.runner.command((s) => validatorCommand(s, cmd));
  }

  protected async observe(s: ValidatorState): Promise<ValidatorObservation> {
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
      entropy: this.entropy(),
    };
  }

  protected async execute(a: Exclude<ValidatorAction, { type: 'explain' }>, ctx: ExecuteContext<ValidatorOutcome>): Promise<ValidatorOutcome | null> {
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
