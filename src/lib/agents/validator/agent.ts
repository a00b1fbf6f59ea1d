// A validator agent: the validator machine wired to its ports and its IndexedDB record. For each
// submission it fetches the artifact by the CID its revealed hash names (hash-checked), checks
// it (artifact-checks.ts), evaluates it once in the eval worker on every sample of the eval set
// and keeps what each sample contributed; when the epoch's evaluation seed is drawn it scores the
// subset the seed selects from those vectors, and lets the machine commit and reveal.
//
// Evaluation backend: the ML port's automatic choice, which never uses a 16-bit backend while a
// 32-bit one exists (adapters/ml.ts); the backend used is in the agent's notes.
import { zeroHash, type Hex } from 'viem';
import { cidFromDigest } from '../../ml/artifact/cid.ts';
import { AgentError, type StepResult } from '../common.ts';
import { checkSubmission, expectedArtifactBytes } from '../artifact-checks.ts';
import { PortError, type TaskInfo } from '../ports.ts';
import type { ExecuteContext, RunnerEvent } from '../runner.ts';
import { RoleAgent, failureOf, openRole, type AgentEnvBase, type TaskSpec } from '../role-agent.ts';
import type { StoredSamples } from '../store.ts';
import {
  DEFAULT_VALIDATOR_CONFIG,
  initialValidatorState,
  validatorCommand,
  validatorReads,
  validatorRecord,
  validatorStep,
  type ColumnView,
  type ScoreItem,
  type ValidatorAction,
  type ValidatorCommand,
  type ValidatorConfig,
  type ValidatorObservation,
  type ValidatorOutcome,
  type ValidatorState,
} from './machine.ts';
import { subsetIndices, subsetScore, type SubsetSpec } from './subset-score.ts';

export interface ValidatorAgentEnv extends AgentEnvBase {
  config?: Partial<ValidatorConfig>;
}

type EvalProgressEvent = {
  type: 'eval-progress';
  key: string;
  epoch: number;
  submissionId: number;
  stage: 'fetching' | 'checking' | 'evaluating' | 'done';
  done: number;
  total: number;
};

export type ValidatorEvent = RunnerEvent<ValidatorState> | EvalProgressEvent;

/** Per-sample vectors kept in memory besides IndexedDB: an epoch's columns, and then some. */
const MEMORY_SAMPLES = 64;

export class ValidatorAgent extends RoleAgent<
  ValidatorState,
  ValidatorObservation,
  ValidatorAction,
  ValidatorOutcome,
  EvalProgressEvent
> {
  declare protected readonly env: ValidatorAgentEnv;
  private readonly config: ValidatorConfig;
  private evaluating: string | null = null;
  private readonly samples = new Map<string, StoredSamples>();

  private constructor(env: ValidatorAgentEnv, task: TaskInfo, spec: TaskSpec, initial: ValidatorState) {
    super(env, task, spec, initial);
    this.config = { ...DEFAULT_VALIDATOR_CONFIG, ...env.config };
  }

  static async open(env: ValidatorAgentEnv): Promise<ValidatorAgent> {
    const { task, spec, initial } = await openRole(env, 'validator', initialValidatorState);
    // A state from before revision 2 keyed scores without their subset: it is not reused.
    const current = (initial as { version?: number }).version === 2 ? initial : initialValidatorState(env.scope);
    return new ValidatorAgent(env, task, spec, current);
  }

  protected step(s: ValidatorState, o: ValidatorObservation): StepResult<ValidatorState, ValidatorAction> {
    return validatorStep(s, o, this.config);
  }

  protected record(s: ValidatorState, r: ValidatorOutcome): StepResult<ValidatorState, ValidatorAction> {
    if ((r.type === 'evaluated' || r.type === 'evalFailed') && r.key === this.evaluating) this.evaluating = null;
    return validatorRecord(s, r, this.config);
  }

  protected override failure(
    a: Exclude<ValidatorAction, { type: 'explain' }>,
    error: unknown,
    at: bigint,
  ): ValidatorOutcome {
    return a.type === 'evaluate'
      ? {
          type: 'evalFailed',
          key: a.key,
          epoch: a.epoch,
          message: error instanceof Error ? error.message : String(error),
          at,
        }
      : failureOf(a.type, 'epoch' in a ? a.epoch : null, error, at);
  }

  /** The evaluation key being evaluated now (see columnProgress). */
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
    const inFinal =
      reads.commits.some((e) => e >= sch.submissionEpochs) || reads.columns.some((e) => e >= sch.submissionEpochs);
    const [pool, finalEval, commits, columns, seeds] = await Promise.all([
      chain.pool(),
      inFinal
        ? chain.finalEval()
        : Promise.resolve({ status: sch.finalEpochs > 0 ? ('Pending' as const) : ('None' as const), hash: null }),
      Promise.all(reads.commits.map(async (e) => [e, await chain.scoreCommit(e)] as const)),
      Promise.all(reads.columns.map(async (e) => [e, await chain.columns(e)] as const)),
      Promise.all(reads.seeds.map(async (e) => [e, await chain.evalSeed(e)] as const)),
    ]);
    return {
      now,
      schedule: sch,
      evalData: this.task.evalData,
      evalSubsetSize: this.task.evalSubsetSize,
      minStake: this.task.minStake.validator,
      chain: {
        role: pool.role,
        eligibleFrom: pool.eligibleFrom,
        excluded: pool.excluded,
        finalEval,
        commits: Object.fromEntries(commits),
        columns: Object.fromEntries(columns),
        seeds: Object.fromEntries(seeds),
      },
      local: { evaluating: this.evaluating },
      entropy: this.entropy(),
    };
  }

  protected async execute(
    a: Exclude<ValidatorAction, { type: 'explain' }>,
    ctx: ExecuteContext<ValidatorOutcome>,
  ): Promise<ValidatorOutcome | null> {
    const { chain } = this.env;
    switch (a.type) {
      case 'join': {
        const tx = await chain.join('Validator', a.amount, a.sigma, zeroHash);
        return { type: 'sent', action: 'join', epoch: null, txHash: tx.txHash, at: ctx.at };
      }
      case 'drawSeed': {
        const r = await chain.drawEvalSeed(a.epoch);
        return { type: 'seedDrawn', epoch: a.epoch, seed: r.seed, drew: r.drew, txHash: r.txHash, at: ctx.at };
      }
      case 'scoreSubset':
        return this.scoreSubset(a.epoch, a.subset, a.items, ctx.at);
      case 'commitScores': {
        const tx = await chain.commitScores({
          epoch: a.epoch,
          commitment: a.commitment,
          scores: a.scores,
          salt: a.salt,
        });
        return { type: 'sent', action: 'commitScores', epoch: a.epoch, txHash: tx.txHash, at: ctx.at };
      }
      case 'revealScores': {
        const tx = await chain.revealScores({ epoch: a.epoch, scores: a.scores, salt: a.salt });
        return { type: 'sent', action: 'revealScores', epoch: a.epoch, txHash: tx.txHash, at: ctx.at };
      }
      case 'clearSamples': {
        this.samples.clear();
        await this.env.persist.clearSamples(this.env.scope);
        return null;
      }
      case 'evaluate': {
        this.evaluating = a.key;
        ctx.background(
          () => this.evaluate(a.key, a.epoch, a.column, a.dataHash),
          (error) => ({
            type: 'evalFailed',
            key: a.key,
            epoch: a.epoch,
            message: error instanceof Error ? error.message : String(error),
            at: this.runner.lastObservedAt,
          }),
        );
        return null;
      }
    }
  }

  private async vectors(key: string): Promise<StoredSamples | undefined> {
    const kept = this.samples.get(key);
    if (kept) return kept;
    const stored = await this.env.persist.getSamples(this.env.scope, key);
    if (stored) this.keep(key, stored);
    return stored;
  }

  private keep(key: string, v: StoredSamples): void {
    this.samples.delete(key);
    this.samples.set(key, v);
    // Oldest first out: IndexedDB still has it.
    while (this.samples.size > MEMORY_SAMPLES) this.samples.delete(this.samples.keys().next().value!);
  }

  /** Subset scores from the kept vectors: no evaluation, no worker, microseconds per model. */
  private async scoreSubset(
    epoch: number,
    subset: SubsetSpec,
    items: readonly ScoreItem[],
    at: bigint,
  ): Promise<ValidatorOutcome> {
    const scores: { key: string; score: number }[] = [];
    const missing: string[] = [];
    const indices = new Map<number, number[]>();
    for (const item of items) {
      const v = await this.vectors(item.evaluation);
      if (!v) {
        missing.push(item.evaluation);
        continue;
      }
      let idx = indices.get(v.samples);
      if (!idx) indices.set(v.samples, (idx = subsetIndices(subset, v.samples)));
      scores.push({ key: item.key, score: subsetScore(this.spec.spec.metric, v, idx) });
    }
    return { type: 'scored', epoch, scores, missing, at };
  }

  /**
   * Fetch, check, evaluate on every sample, keep the vectors. A bad artifact is a result (0 on
   * every subset, with its reason); only what may pass on a retry (network, a worker crash) throws.
   */
  private async evaluate(key: string, epoch: number, column: ColumnView, dataHash: Hex): Promise<ValidatorOutcome> {
    const at = () => this.runner.lastObservedAt;
    const progress = (stage: 'fetching' | 'checking' | 'evaluating' | 'done', done = 0, total = 0) =>
      this.emit({ type: 'eval-progress', key, epoch, submissionId: column.submissionId, stage, done, total });
    const zero = (check: 'missing' | 'hash' | 'artifact' | 'watermark', reason: string): ValidatorOutcome => {
      progress('done');
      return {
        type: 'evaluated',
        key,
        check,
        reason,
        samples: 0,
        fullScore: 0,
        backend: null,
        floatPrecision: null,
        at: at(),
      };
    };
    progress('fetching');
    let bytes: Uint8Array;
    try {
      bytes = await this.env.store.fetchVerified(cidFromDigest(column.artifactHash), {
        maxBytes: expectedArtifactBytes(this.spec.spec),
      });
    } catch (e) {
      // A permanent refusal (too large, not content of that CID anywhere) is the trainer's fault.
      if (e instanceof PortError && !e.retryable)
        return zero('missing', `the artifact could not be fetched: ${e.message}`);
      throw e;
    }
    progress('checking');
    // fetchVerified returned bytes whose sha256 is the CID's digest, column.artifactHash: the
    // download's hash is the one every later step uses (no step hashes the bytes again).
    const verdict = await checkSubmission(
      this.spec.spec,
      this.spec.hash,
      { bytes, artifactHash: column.artifactHash },
      column,
    );
    if (!verdict.ok) return zero(verdict.check, verdict.reason);
    progress('evaluating');
    const r = await this.env.ml.evaluateSamples(
      { artifact: bytes, artifactHash: column.artifactHash, dataHash },
      { onProgress: (done, total) => progress('evaluating', done, total) },
    );
    if (r.floatPrecision < 32)
      throw new AgentError(
        'bad-state',
        `the evaluation ran in ${r.floatPrecision}-bit floats on ${r.backend}; validators score in 32-bit floats only`,
      );
    const vectors: StoredSamples = { samples: r.samples, correct: r.correct, losses: r.losses };
    // Stored before the machine hears of it: a reload between the two finds the vectors.
    await this.env.persist.putSamples(this.env.scope, key, vectors);
    this.keep(key, vectors);
    progress('done', r.samples, r.samples);
    return {
      type: 'evaluated',
      key,
      check: 'ok',
      reason: null,
      samples: r.samples,
      fullScore: r.score,
      backend: r.backend,
      floatPrecision: r.floatPrecision,
      at: at(),
    };
  }
}
