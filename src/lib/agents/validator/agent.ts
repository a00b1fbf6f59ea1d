// A validator agent: the validator machine wired to its ports and its IndexedDB record. For each
// submission it fetches the artifact by the CID its revealed hash names (hash-checked), checks
// it (artifact-checks.ts), evaluates it once in the eval worker on every sample of the eval set
// and keeps what each sample contributed; when the epoch's evaluation seed is drawn it scores the
// subset the seed selects from those vectors, and lets the machine commit and reveal.
//
// Evaluation backend: the ML port's automatic choice, which never uses a 16-bit backend while a
// 32-bit one exists (adapters/ml.ts); the backend used is in the agent's notes.
import { zeroHash, type Hex } from 'viem';
import { endTime } from '../../chain/schedule.ts';
import { artifactHash } from '../../ml/artifact/hash.ts';
import { specShapes } from '../../ml/spec/shapes.ts';
import { stateArtifact } from '../../ml/transcript/state.ts';
import type { TranscriptCheckProgress } from '../transcript-check.ts';
import { checkKey, type LearningAction, type LearningObservation, type LearningOutcome } from './learning.ts';
import { closestMatch, probeSeed, probeSettings, type Predictions } from './similarity.ts';
import { checkTranscript, type DisclosureReader } from './transcript-checker.ts';
import { storeDisclosureReader } from './disclosure-reader.ts';
import { AgentError, type StepResult } from '../common.ts';
import { checkSubmission, expectedArtifactBytes } from '../artifact-checks.ts';
import { PortError, type ChallengePort, type TaskInfo } from '../ports.ts';
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
  /**
   * The learning stage of challenges (SPEC 7, 8.4): similarity hints, automatic challenges,
   * transcript checks, disputes, verdicts. Absent: the agent only scores.
   */
  challenges?: ChallengePort;
  /** Reads disclosed transcripts; default: the manifest module over `store` (disclosure-reader.ts). */
  disclosures?: DisclosureReader;
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

/**
 * A transcript check's report, on every change (steps included): what the Challenges page shows.
 * The same report, without the step counter's moves, is kept in state.learning.checks.
 */
export type TranscriptCheckEvent = { type: 'transcript-check'; key: string; progress: TranscriptCheckProgress };

export type ValidatorEvent = RunnerEvent<ValidatorState> | EvalProgressEvent | TranscriptCheckEvent;

/** Per-sample vectors kept in memory besides IndexedDB: an epoch's columns, and then some. */
const MEMORY_SAMPLES = 64;

export class ValidatorAgent extends RoleAgent<
  ValidatorState,
  ValidatorObservation,
  ValidatorAction,
  ValidatorOutcome,
  EvalProgressEvent | TranscriptCheckEvent
> {
  declare protected readonly env: ValidatorAgentEnv;
  private readonly config: ValidatorConfig;
  private evaluating: string | null = null;
  private readonly samples = new Map<string, StoredSamples>();
  private readonly checking = new Set<string>();

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
    const message = error instanceof Error ? error.message : String(error);
    switch (a.type) {
      case 'checkTranscript':
        return { type: 'checkFailed', key: checkKey(a.challengeId, a.mode), message, at };
      case 'challenge':
      case 'disputeSegment':
      case 'commitVerdict':
      case 'revealVerdict':
      case 'claimJuryShare':
        return {
          type: 'learningFailed',
          action: a.type,
          key: a.type === 'challenge' ? String(a.submissionId) : a.challengeId,
          message,
          retryable: error instanceof PortError ? error.retryable : !(error instanceof AgentError),
          at,
        };
      case 'compare':
        return failureOf(a.type, null, error, at);
    }
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
      ...(this.env.challenges ? { learning: await this.observeLearning() } : {}),
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

  private async observeLearning(): Promise<LearningObservation> {
    const port = this.env.challenges!;
    const [challenges, terms] = await Promise.all([port.challenges(), port.terms()]);
    return {
      account: this.env.chain.account,
      challenges,
      ...terms,
      periodEnd: endTime(this.task.schedule),
      local: { checking: [...this.checking] },
    };
  }

  /** Sets the automatic challenge (on or off) and its threshold; kept with the agent's state. */
  challengeSettings(p: { auto?: boolean; threshold?: number }): Promise<ValidatorState> {
    return this.command({ type: 'challengeSettings', ...p });
  }

  protected async execute(
    a: Exclude<ValidatorAction, { type: 'explain' }>,
    ctx: ExecuteContext<ValidatorOutcome>,
  ): Promise<ValidatorOutcome | null> {
    const { chain } = this.env;
    switch (a.type) {
      case 'compare':
        return this.compare(a, ctx.at);
      case 'challenge': {
        const r = await this.env.challenges!.challenge(a.submissionId);
        return {
          type: 'challengeOpened',
          submissionId: a.submissionId,
          challengeId: r.challengeId.toString(),
          at: ctx.at,
        };
      }
      case 'disputeSegment':
        await this.env.challenges!.disputeSegment(BigInt(a.challengeId), a.segment);
        return { type: 'learningSent', action: a.type, challengeId: a.challengeId, at: ctx.at };
      case 'commitVerdict':
        await this.env.challenges!.commitVerdict(BigInt(a.challengeId), a.replays, a.salt);
        return { type: 'learningSent', action: a.type, challengeId: a.challengeId, at: ctx.at };
      case 'revealVerdict':
        await this.env.challenges!.revealVerdict(BigInt(a.challengeId), a.replays, a.salt);
        return { type: 'learningSent', action: a.type, challengeId: a.challengeId, at: ctx.at };
      case 'claimJuryShare':
        await this.env.challenges!.claimJuryShare(BigInt(a.challengeId));
        return { type: 'learningSent', action: a.type, challengeId: a.challengeId, at: ctx.at };
      case 'checkTranscript': {
        const key = checkKey(a.challengeId, a.mode);
        this.checking.add(key);
        ctx.background(
          async () => {
            try {
              return await this.checkTranscript(a, key);
            } finally {
              this.checking.delete(key);
            }
          },
          (error) => ({
            type: 'checkFailed',
            key,
            message: error instanceof Error ? error.message : String(error),
            at: this.runner.lastObservedAt,
          }),
        );
        return null;
      }
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
      bytes = await this.env.store.fetchVerified(
        // Columns saved before roots existed have none: their artifacts were one chunk.
        { hash: column.artifactHash, ...(column.artifactRoot ? { root: column.artifactRoot } : {}) },
        {
          maxBytes: expectedArtifactBytes(this.spec.spec),
          onProgress: (loaded, total) => progress('fetching', loaded, total ?? 0),
        },
      );
    } catch (e) {
      // A permanent refusal (too large, not content of that CID anywhere) is the trainer's fault.
      if (e instanceof PortError && !e.retryable)
        return zero('missing', `the artifact could not be fetched: ${e.message}`);
      throw e;
    }
    progress('checking');
    // fetchVerified returned bytes whose sha256 is column.artifactHash: the
    // download's hash is the one every later step uses (no step hashes the bytes again).
    const verdict = await checkSubmission(
      this.spec.spec,
      this.spec.hash,
      { bytes, artifactHash: column.artifactHash },
      column,
    );
    if (!verdict.ok) return zero(verdict.check, verdict.reason);
    progress('evaluating');
    // The predictions (eval set, seeded probes) feed the similarity hint when challenges are automated.
    const probes = this.env.challenges
      ? {
          seed: probeSeed(this.env.scope.chainId, this.env.scope.registry, this.env.scope.taskId),
          ...probeSettings(this.spec.spec),
        }
      : undefined;
    const r = await this.env.ml.evaluateSamples(
      { artifact: bytes, artifactHash: column.artifactHash, dataHash, ...(probes ? { probes } : {}) },
      { onProgress: (done, total) => progress('evaluating', done, total) },
    );
    if (r.floatPrecision < 32)
      throw new AgentError(
        'bad-state',
        `the evaluation ran in ${r.floatPrecision}-bit floats on ${r.backend}; validators score in 32-bit floats only`,
      );
    // The probes' predictions make the hint; a next-token model has no eval-set predictions to add.
    const predictions = r.probePredictions !== undefined;
    const vectors: StoredSamples = {
      samples: r.samples,
      correct: r.correct,
      losses: r.losses,
      ...(predictions
        ? { probePredictions: r.probePredictions, ...(r.predictions ? { predictions: r.predictions } : {}) }
        : {}),
    };
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
      ...(predictions ? { predictions: true } : {}),
      at: at(),
    };
  }

  /** The similarity hint of one submission, from the kept predictions (no model run). */
  private async compare(a: Extract<LearningAction, { type: 'compare' }>, at: bigint): Promise<LearningOutcome> {
    const predictionsOf = async (evaluation: string): Promise<Predictions | null> => {
      const v = await this.vectors(evaluation);
      if (!v?.probePredictions) return null;
      return { eval: v.predictions ?? null, evalSet: evaluation.split('/').at(-1)!, probes: v.probePredictions };
    };
    const model = await predictionsOf(a.submission.evaluation);
    const others = [];
    for (const o of a.against) {
      const predictions = await predictionsOf(o.evaluation);
      if (predictions) others.push({ submissionId: o.submissionId, trainer: o.trainer, predictions });
    }
    return {
      type: 'compared',
      submissionId: a.submission.submissionId,
      trainer: a.submission.trainer,
      closest: model ? closestMatch(model, others) : null,
      compared: model ? others.length : 0,
      threshold: a.threshold,
      at,
    };
  }

  /** Fetches, checks and replays a disclosed transcript, reporting as it goes. */
  private async checkTranscript(
    a: Extract<LearningAction, { type: 'checkTranscript' }>,
    key: string,
  ): Promise<LearningOutcome> {
    const { challenges, ml } = this.env;
    const disclosures = this.env.disclosures ?? storeDisclosureReader(this.env.store, this.task.modelSpec);
    if (!ml.replaySegment)
      throw new AgentError('bad-state', 'this app cannot replay transcripts (its ML port has no segment replay)');
    const [sub, list] = await Promise.all([challenges!.submission(a.submissionId), challenges!.challenges()]);
    const c = list.find((x) => x.challengeId === a.challengeId);
    if (!c?.disclosure) throw new AgentError('bad-state', `challenge ${a.challengeId} has no disclosure`);
    const params = specShapes(this.spec.spec).params;
    const progress = await checkTranscript(
      {
        challengeId: a.challengeId,
        expect: {
          commitment: sub.transcript,
          chainId: this.env.scope.chainId,
          task: this.env.scope.taskId,
          trainer: sub.trainer,
          keyCommit: sub.keyCommit,
        },
        manifest: c.disclosure,
        artifactHash: sub.artifactHash,
        mode: a.mode,
        segment: a.segment,
      },
      {
        disclosures,
        replay: (req, events) => ml.replaySegment!(req, events),
        artifactHashOf: (state) => artifactHash(stateArtifact(state, params)),
        report: (p, change) => {
          this.emit({ type: 'transcript-check', key, progress: p });
          // Kept in the state too (not every step: each keep is a write).
          if (change !== 'step')
            void this.runner.command((s) => ({
              ...s,
              learning: { ...s.learning, checks: { ...s.learning.checks, [key]: p } },
            }));
        },
      },
    );
    return { type: 'transcriptChecked', key, progress, at: this.runner.lastObservedAt };
  }
}
