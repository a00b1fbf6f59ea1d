// The validator's automation as a pure state machine (SPEC sections 2.2, 2.3 and 4.7): evaluate
// every revealed submission of an epoch (each checked against its revealed hashes first), draw
// the epoch's evaluation seed in the score-commit window if nobody has, score every column on the
// subset that seed selects, commit the packed scores, reveal them in the score-reveal window, and
// explain every window it could not use.
//
// Evaluations and scores are kept apart. An evaluation (by evaluationKey: artifact, wmCommit,
// eval set) runs once per model, in the reveal window while the seed is still unknown, on every
// sample of the eval set; the agent keeps what each sample contributed (SampleVectors, outside
// this state: they are as long as the eval set). A score (by resultKey: the evaluation AND the
// subset, seed and size) follows from those vectors in microseconds once the seed is drawn, so a
// score is never reused across subsets, and a model scored again in a later epoch (the final
// phase rescores every trainer's latest submission) is not evaluated again.
//
// validatorStep(state, observation) decides; validatorRecord(state, outcome) folds in what an
// action produced. No I/O: the salt comes from the observation's entropy, and the runner stores
// the returned state before executing the returned actions (a salt is stored before the
// commitment that needs it is sent).
import { zeroHash, type Address, type Hex } from 'viem';
import { scoreToUnits } from '../../chain/commitments.ts';
import { prepareScores } from '../../chain/prepare.ts';
import { formatTokens, shortHex } from '../../format.ts';
import { phaseAt, windowAt, windowTimes, type Schedule, type Window } from '../../chain/schedule.ts';
import {
  AgentError,
  clause,
  due,
  formatTime,
  offlineSpan,
  whyMissed,
  type ActionFailure,
  type AgentScope,
  type ChainRole,
  type Note,
  type StepResult,
} from '../common.ts';
import {
  epochRecord,
  finishStep,
  joinRequest,
  noteFailure,
  noteInto,
  windowsOpenSince,
  type NoteFn,
} from '../machine-parts.ts';
import type { SubsetSpec } from './subset-score.ts';
import {
  initialLearningState,
  learningRecord,
  learningStep,
  type LearningAction,
  type LearningObservation,
  type LearningOutcome,
  type LearningState,
} from './learning.ts';
import { checkThreshold } from './similarity.ts';

export interface ValidatorConfig {
  /** A transaction sent but not seen on chain is sent again after this long (capped to a quarter of its window). */
  retryAfterSec: number;
  /** A submission whose artifact cannot be fetched or evaluated this many times scores 0 (SPEC 4.7: artifact missing). */
  maxEvalAttempts: number;
  /** Seconds between attempts at one submission. */
  evalRetrySec: number;
  /** Steps further apart than this mean the app was not running in between. */
  gapSec: number;
  /** A transcript check whose disclosure cannot be fetched is tried this many times before it counts as failing. */
  maxCheckAttempts: number;
  /** Seconds between attempts at one transcript check. */
  checkRetrySec: number;
}

export const DEFAULT_VALIDATOR_CONFIG: ValidatorConfig = {
  retryAfterSec: 30,
  maxEvalAttempts: 3,
  evalRetrySec: 10,
  gapSec: 60,
  maxCheckAttempts: 3,
  checkRetrySec: 10,
};

/** One column of an epoch: a revealed submission, in the contract's list order. */
export interface ColumnView {
  submissionId: number;
  trainer: Address;
  artifactHash: Hex;
  /**
   * Where the artifact is: the sha2-256 digest of its UnixFS root CID (storage/unixfs/ref.ts
   * `cidOfRef({ hash: artifactHash, root: artifactRoot })`); the bytes are checked against
   * artifactHash. Absent from columns kept in states stored before roots (display only).
   */
  artifactRoot: Hex;
  wmCommit: Hex;
  /** Flagged by the contract as a copy of another trainer's earlier-sealed artifact. */
  duplicate: boolean;
}

/** Why a submission got the score it got. */
export type ScoreCheck = 'ok' | 'duplicate' | 'missing' | 'hash' | 'artifact' | 'watermark';

/** One model evaluated on one eval set: once, whatever the epochs and subsets it is scored on. */
export interface EvaluationRecord {
  /** 'ok': evaluated on every sample, the per-sample vectors are with the agent; else why every subset scores 0. */
  check: ScoreCheck;
  /** Why it scores 0 without evaluation (null when evaluated). */
  reason: string | null;
  /** Samples in the eval set (0 when not evaluated). */
  samples: number;
  /** Score on the whole eval set, in [0, 1]: a preview (commitments use the epoch's subset). */
  fullScore: number;
  /** The tfjs backend that computed it (null when not evaluated). */
  backend: string | null;
  /** The model's predictions (eval set and probe inputs) are kept with the vectors: its similarity hint can be made. */
  predictions?: boolean;
  at: bigint;
}

/** A model's score on one epoch's subset. */
export interface ScoreResult {
  /** In [0, 1]. */
  score: number;
  /** The on-chain integer, 0..10000. */
  units: number;
  check: ScoreCheck;
  /** Why it scored 0 without evaluation (null when evaluated). */
  reason: string | null;
  at: bigint;
}

export type ScoreCommitStatus = 'prepared' | 'committed' | 'revealed';

export interface ScoreCommitRecord {
  /** Units per column, in column order. */
  scores: number[];
  words: bigint[];
  salt: Hex;
  commitment: Hex;
  status: ScoreCommitStatus;
  preparedAt: bigint;
  sentAt: bigint | null;
  sends: number;
  revealSentAt: bigint | null;
  reveals: number;
  /** Why the chain or the wallet refused the commit or reveal for good (no more tries). */
  halted: string | null;
}

export type ValidatorEpochOutcome =
  | 'open'
  | 'revealed'
  /** No submission was revealed: nothing to score (the epoch's reward rolls over, SPEC 4.6). */
  | 'no-columns'
  /** The commit window closed without a commitment from this account. */
  | 'missed-commit'
  /** The commitment never showed on chain before the commit window closed. */
  | 'commit-lost'
  /** Committed but not revealed: earns nothing for the epoch (SPEC 2.2). */
  | 'missed-reveal'
  /** The chain holds a commitment this device did not make. */
  | 'foreign';

export interface ValidatorEpochRecord {
  epoch: number;
  outcome: ValidatorEpochOutcome;
  /** The eval set this epoch is scored on. */
  dataHash: Hex | null;
  columns: ColumnView[] | null;
  /** The epoch's evaluation seed once seen on chain (or drawn by this agent). */
  seed: Hex | null;
  /** This agent's draws of the seed (null: none needed or sent). */
  seedDraw: { sentAt: bigint | null; sends: number; halted: string | null } | null;
  /** When subset scores were last asked for (retry timing). */
  scoringAt: bigint | null;
  commit: ScoreCommitRecord | null;
}

export type ValidatorPhase =
  | 'not-joined'
  | 'joining'
  | 'wrong-role'
  | 'waiting'
  | 'evaluating'
  /** Every model is evaluated; the epoch's evaluation seed is being drawn. */
  | 'drawing-seed'
  | 'committed'
  | 'revealed'
  | 'waiting-final-eval'
  | 'over';

export interface ValidatorState {
  kind: 'validator';
  /** 2: evaluations and subset scores kept apart (revision 2). A stored version 1 state is started afresh. */
  version: 2;
  scope: AgentScope;
  phase: ValidatorPhase;
  lastSeen: bigint | null;
  join: { amount: bigint; sigma: bigint; sentAt: bigint | null; sends: number } | null;
  /** By evaluationKey(column, dataHash): a model resubmitted or rescored in the final phase is evaluated once. */
  evaluations: Record<string, EvaluationRecord>;
  /** Subset scores by resultKey(column, dataHash, subset): never reused across subsets. */
  results: Record<string, ScoreResult>;
  /** Failed evaluation attempts by evaluation key. */
  attempts: Record<string, { count: number; lastAt: bigint; lastError: string }>;
  /** The per-sample results were deleted from this device (the task has nothing left to score). */
  samplesCleared: boolean;
  epochs: ValidatorEpochRecord[];
  /** Similarity hints, challenges, transcript checks, disputes and verdicts (learning.ts); absent in states stored before it. */
  learning: LearningState;
  notes: Note[];
}

export interface CommitView {
  /** zeroHash when the account has not committed in that epoch. */
  commitment: Hex;
  revealed: boolean;
}

export type FinalEvalStatus = 'None' | 'Pending' | 'Revealed' | 'Fallback';

export interface ValidatorObservation {
  now: bigint;
  schedule: Schedule;
  /** The task's public eval set (content hash). */
  evalData: Hex;
  /** Samples each epoch scores (TaskParams.evalSubsetSize). */
  evalSubsetSize: number;
  /** The task's minimum validator stake: a join below it is not sent. */
  minStake: bigint;
  chain: {
    role: ChainRole;
    eligibleFrom: number | null;
    excluded: boolean;
    finalEval: { status: FinalEvalStatus; hash: Hex | null };
    /** This account's score commitments for the epochs validatorReads() named. */
    commits: Record<number, CommitView>;
    /** Columns for the epochs validatorReads() named. */
    columns: Record<number, ColumnView[]>;
    /** Evaluation seeds (null: not drawn) for the epochs validatorReads() named. */
    seeds: Record<number, Hex | null>;
  };
  local: {
    /** The evaluation key being evaluated right now, if any. */
    evaluating: string | null;
  };
  /** 32 fresh random bytes: the salt if this step prepares a commitment. */
  entropy: Hex;
  /** The task's challenges as this account sees them; absent: the learning stage is not automated. */
  learning?: LearningObservation;
}

/** A column whose subset score the agent computes from its evaluation's per-sample vectors. */
export interface ScoreItem {
  /** resultKey: where the score goes. */
  key: string;
  /** evaluationKey: whose vectors to use. */
  evaluation: string;
}

export type ValidatorAction =
  | { type: 'join'; amount: bigint; sigma: bigint }
  /** Evaluate a column's artifact on every sample of `dataHash`'s set (key: evaluationKey). */
  | { type: 'evaluate'; key: string; epoch: number; column: ColumnView; dataHash: Hex }
  | { type: 'drawSeed'; epoch: number }
  /** Score `items` on the subset `subset` picks (quick: from kept vectors). */
  | { type: 'scoreSubset'; epoch: number; subset: SubsetSpec; items: ScoreItem[] }
  | { type: 'commitScores'; epoch: number; commitment: Hex; scores: number[]; salt: Hex }
  | { type: 'revealScores'; epoch: number; scores: number[]; words: bigint[]; salt: Hex }
  /** Delete the kept per-sample results: the task has no epoch left to score. */
  | { type: 'clearSamples' }
  | LearningAction
  | { type: 'explain'; note: Note };

export type ValidatorOutcome =
  /** An evaluation (key: evaluationKey). check 'ok': the vectors are kept by the agent; else 0 with the reason. */
  | {
      type: 'evaluated';
      key: string;
      check: ScoreCheck;
      reason: string | null;
      samples: number;
      fullScore: number;
      backend: string | null;
      floatPrecision: number | null;
      /** The predictions were kept with the vectors (similarity hints). */
      predictions?: boolean;
      at: bigint;
    }
  | { type: 'evalFailed'; key: string; epoch: number; message: string; at: bigint }
  | { type: 'seedDrawn'; epoch: number; seed: Hex; drew: boolean; txHash: Hex | null; at: bigint }
  /** Subset scores; `missing`: evaluations whose vectors were gone (they are evaluated again). */
  | { type: 'scored'; epoch: number; scores: { key: string; score: number }[]; missing: string[]; at: bigint }
  | { type: 'sent'; action: 'join' | 'commitScores' | 'revealScores'; epoch: number | null; txHash: Hex; at: bigint }
  | LearningOutcome
  | ActionFailure;

export type ValidatorCommand =
  | { type: 'join'; amount: bigint; sigma: bigint }
  | { type: 'cancelJoin' }
  /** Try an epoch's halted commit or reveal again (after the user fixed what refused it). */
  | { type: 'retry'; epoch: number }
  /** The automatic challenge's settings (kept with the agent's state). */
  | { type: 'challengeSettings'; auto?: boolean; threshold?: number };

export function initialValidatorState(scope: AgentScope): ValidatorState {
  if (scope.role !== 'validator')
    throw new AgentError('wrong-scope', `a validator agent needs a validator scope, got ${scope.role}`);
  return {
    kind: 'validator',
    version: 2,
    scope,
    phase: 'not-joined',
    lastSeen: null,
    join: null,
    evaluations: {},
    results: {},
    attempts: {},
    samplesCleared: false,
    epochs: [],
    learning: initialLearningState(),
    notes: [],
  };
}

export function validatorCommand(prev: ValidatorState, cmd: ValidatorCommand): ValidatorState {
  const s = structuredClone(prev);
  if (cmd.type === 'challengeSettings') {
    s.learning ??= initialLearningState();
    if (cmd.threshold !== undefined) s.learning.settings.threshold = checkThreshold(cmd.threshold);
    if (cmd.auto !== undefined) s.learning.settings.auto = cmd.auto;
    return s;
  }
  if (cmd.type === 'cancelJoin') {
    s.join = null;
    return s;
  }
  if (cmd.type === 'retry') {
    const rec = s.epochs.find((r) => r.epoch === cmd.epoch);
    if (rec?.seedDraw) {
      rec.seedDraw.halted = null;
      rec.seedDraw.sentAt = null;
    }
    const commit = rec?.commit;
    if (commit) {
      commit.halted = null;
      commit.sentAt = null;
      commit.revealSentAt = null;
    }
    return s;
  }
  s.join = joinRequest(cmd.amount, cmd.sigma);
  return s;
}

/** An evaluation is keyed by what decides it: the artifact, the revealed wmCommit, and the eval set. */
export const evaluationKey = (c: Pick<ColumnView, 'artifactHash' | 'wmCommit'>, dataHash: Hex): string =>
  `${c.artifactHash.toLowerCase()}/${c.wmCommit.toLowerCase()}/${dataHash.toLowerCase()}`;

/** The subset part of a result key: the seed and the size decide the samples (with the set's size, which the evaluation key fixes). */
export const subsetTag = (subset: SubsetSpec): string => `${subset.seed.toLowerCase()}/${subset.size}`;

/** A score is keyed by its evaluation and the subset it was computed on: never reused across subsets. */
export const resultKey = (
  c: Pick<ColumnView, 'artifactHash' | 'wmCommit'>,
  dataHash: Hex,
  subset: SubsetSpec,
): string => `${evaluationKey(c, dataHash)}@${subsetTag(subset)}`;

/** Windows in which an epoch's columns matter: pre-evaluation while reveals come in, then scoring. */
const COLUMN_WINDOWS: readonly Window[] = ['Reveal', 'ScoreCommit', 'ScoreReveal'];

/** The epochs whose commitments, columns and evaluation seeds an observation must carry. */
export function validatorReads(
  state: ValidatorState,
  schedule: Schedule,
  now: bigint,
): { commits: number[]; columns: number[]; seeds: number[] } {
  const commits = new Set<number>();
  const columns = new Set<number>();
  const seeds = new Set<number>();
  const { window, epoch } = windowAt(schedule, now);
  if (window !== 'None') commits.add(epoch);
  if (COLUMN_WINDOWS.includes(window)) columns.add(epoch);
  // The seed can exist only from the score commit window on.
  if (window === 'ScoreCommit' || window === 'ScoreReveal') seeds.add(epoch);
  for (const r of state.epochs) if (r.outcome === 'open') commits.add(r.epoch);
  const sort = (x: Set<number>) => [...x].sort((a, b) => a - b);
  return { commits: sort(commits), columns: sort(columns), seeds: sort(seeds) };
}

/** The eval set an epoch is scored on, or null while the final one is not settled. */
export function epochDataHash(
  obs: Pick<ValidatorObservation, 'schedule' | 'evalData' | 'chain'>,
  epoch: number,
): Hex | null {
  if (epoch < obs.schedule.submissionEpochs) return obs.evalData;
  const f = obs.chain.finalEval;
  if (f.status === 'Revealed' && f.hash !== null) return f.hash;
  // SPEC 2.3: when the creator does not reveal in time, the final phase reuses the public set.
  if (f.status === 'Fallback' || f.status === 'None') return obs.evalData;
  return null;
}

function retryFor(schedule: Schedule, epoch: number, window: Window, config: ValidatorConfig): number {
  const t = windowTimes(schedule, epoch, window);
  const windowSec = t ? Number(t.closes - t.opens) : schedule.epochLength;
  return Math.max(2, Math.min(config.retryAfterSec, Math.floor(windowSec / 4)));
}

export function validatorStep(
  prev: ValidatorState,
  obs: ValidatorObservation,
  config: ValidatorConfig = DEFAULT_VALIDATOR_CONFIG,
): StepResult<ValidatorState, ValidatorAction> {
  const s = structuredClone(prev);
  s.learning ??= initialLearningState();
  const actions: ValidatorAction[] = [];
  const { now, schedule: sch } = obs;
  const note = noteInto(s, now, actions);
  const phase = phaseAt(sch, now);
  const { window, epoch } = windowAt(sch, now);
  const offline = offlineSpan(s.lastSeen, now, config.gapSec);
  const role = obs.chain.role;
  const scoring = phase === 'Submission' || phase === 'Final';

  reconcile(s, obs, note);

  if (sch.rejected) {
    note('rejected', 'info', 'The task was rejected in review: nothing to score. Stakes are withdrawable.');
    return finish(s, 'over', now, actions);
  }
  if (role === 'Trainer') {
    note(
      'wrong-role',
      'error',
      'This account is a trainer of this task. One address cannot train and validate the same task; use another account to validate.',
    );
    return finish(s, 'wrong-role', now, actions);
  }
  if (role === 'None') {
    const stakingOpen =
      !sch.rejected &&
      (phase === 'Review' || phase === 'Pending' || (scoring && epoch + 1 < sch.submissionEpochs + sch.finalEpochs));
    if (s.join !== null && s.join.amount < obs.minStake) {
      note(
        `join-below-minimum/${s.join.amount}`,
        'error',
        `A validator joins this task with at least ${formatTokens(obs.minStake, 4)} ARENA, the task's minimum validator stake; ${formatTokens(s.join.amount, 4)} ARENA was asked, so nothing was sent.`,
      );
      s.join = null;
    }
    if (s.join === null) {
      note('not-joined', 'info', 'Not staked as a validator in this task yet.');
    } else if (!stakingOpen) {
      note(
        'staking-closed',
        'error',
        'Validator staking is closed: a stake made now would first count after the last scoring epoch.',
      );
    } else if (due(s.join.sentAt, now, config.retryAfterSec)) {
      s.join.sentAt = now;
      s.join.sends += 1;
      actions.push({ type: 'join', amount: s.join.amount, sigma: s.join.sigma });
    }
    return finish(s, s.join ? 'joining' : 'not-joined', now, actions);
  }

  const eligibleIn = (e: number) =>
    obs.chain.eligibleFrom !== null && obs.chain.eligibleFrom <= e && !obs.chain.excluded;

  // Commit windows that were still open at the last step and have closed since get a record.
  if (s.lastSeen !== null && phase !== 'Review' && phase !== 'Pending') {
    for (const e of windowsOpenSince(
      sch,
      s.lastSeen,
      Math.min(epoch, sch.submissionEpochs + sch.finalEpochs - 1),
      'ScoreCommit',
    ))
      if (eligibleIn(e)) recordFor(s, e);
  }

  let label: ValidatorPhase = scoring || phase === 'Review' || phase === 'Pending' ? 'waiting' : 'over';
  if (scoring && !eligibleIn(epoch)) {
    const from = obs.chain.eligibleFrom;
    note(
      `ineligible/${epoch}`,
      'info',
      from === null
        ? `Epoch ${epoch}: your own stake is below the task's minimum, so you cannot score. Add stake to take part from the next epoch.`
        : `Epoch ${epoch}: your stake counts from epoch ${from}; scoring starts then.`,
      epoch,
    );
  } else if (scoring) {
    const dataHash = epochDataHash(obs, epoch);
    const columns = obs.chain.columns[epoch];
    if (dataHash === null) {
      label = 'waiting-final-eval';
      note(
        `final-eval-pending/${epoch}`,
        'info',
        'The final phase has begun; waiting for the task creator to reveal the hidden final eval set (or for its deadline, after which the public eval set is used, SPEC 2.3).',
        epoch,
      );
    } else if (window === 'Reveal' && columns) {
      // Reveals are coming in: evaluating those already public saves time in the commit window.
      if (evaluateNext(s, epoch, columns, dataHash, obs, config, actions)) label = 'evaluating';
    } else if (window === 'ScoreCommit' && columns) {
      label = commitWindow(s, recordFor(s, epoch), columns, dataHash, obs, config, actions, note);
    } else if (window === 'ScoreReveal') {
      const rec = s.epochs.find((r) => r.epoch === epoch);
      if (rec?.commit) {
        label = rec.commit.status === 'revealed' ? 'revealed' : 'committed';
        const c = rec.commit;
        if (
          c.status === 'committed' &&
          c.halted === null &&
          due(c.revealSentAt, now, retryFor(sch, epoch, 'ScoreReveal', config))
        ) {
          c.revealSentAt = now;
          c.reveals += 1;
          actions.push({ type: 'revealScores', epoch, scores: c.scores, words: c.words, salt: c.salt });
        }
      }
    }
  }

  if (obs.learning) {
    registerSubmissions(s.learning, obs);
    const evaluations: Record<string, { predictions: boolean }> = {};
    for (const [k, ev] of Object.entries(s.evaluations)) evaluations[k] = { predictions: ev.predictions === true };
    learningStep(
      s.learning,
      obs.learning,
      { now, entropy: obs.entropy, config, note, eligible: eligibleIn(epoch), evaluations },
      actions as LearningAction[],
    );
  }

  closeOut(s, obs, offline, note);
  if (label === 'over' && !s.samplesCleared && Object.values(s.evaluations).some((e) => e.check === 'ok')) {
    s.samplesCleared = true;
    actions.push({ type: 'clearSamples' });
  }
  return finish(s, label, now, actions);
}

const finish = finishStep<ValidatorState, ValidatorAction>;

/** Revealed submissions seen in the observed columns, each with the evaluation that holds its predictions (the first). */
function registerSubmissions(l: LearningState, obs: ValidatorObservation): void {
  for (const [e, columns] of Object.entries(obs.chain.columns)) {
    const dataHash = epochDataHash(obs, Number(e));
    if (dataHash === null) continue;
    for (const c of columns) {
      if (c.duplicate || l.submissions[c.submissionId]) continue;
      l.submissions[c.submissionId] = {
        submissionId: c.submissionId,
        trainer: c.trainer,
        epoch: Number(e),
        evaluation: evaluationKey(c, dataHash),
      };
    }
  }
}

/** An epoch the validator has not acted in yet. */
export const openValidatorEpoch = (epoch: number): ValidatorEpochRecord => ({
  epoch,
  outcome: 'open',
  dataHash: null,
  columns: null,
  seed: null,
  seedDraw: null,
  scoringAt: null,
  commit: null,
});

const recordFor = (s: ValidatorState, epoch: number): ValidatorEpochRecord =>
  epochRecord(s.epochs, epoch, () => openValidatorEpoch(epoch));

function reconcile(s: ValidatorState, obs: ValidatorObservation, note: NoteFn): void {
  for (const rec of s.epochs) {
    const view = obs.chain.commits[rec.epoch];
    if (!view || !rec.commit || rec.outcome !== 'open') continue;
    const ours = view.commitment.toLowerCase() === rec.commit.commitment.toLowerCase();
    if (ours) {
      rec.commit.status = view.revealed ? 'revealed' : 'committed';
    } else if (view.commitment !== zeroHash) {
      rec.outcome = 'foreign';
      note(
        `foreign/${rec.epoch}`,
        'warn',
        `Epoch ${rec.epoch}: the chain holds a score commitment from this account that this device did not make (another device or tab). Only the device holding its salt can reveal it.`,
        rec.epoch,
      );
    } else if (rec.commit.status !== 'prepared') {
      // Dropped by a reorganization: sent again once its retry time has passed.
      rec.commit.status = 'prepared';
    }
  }
}

/** Starts the next evaluation the epoch needs (one at a time); true if one is running or started. */
function evaluateNext(
  s: ValidatorState,
  epoch: number,
  columns: readonly ColumnView[],
  dataHash: Hex,
  obs: ValidatorObservation,
  config: ValidatorConfig,
  actions: ValidatorAction[],
): boolean {
  if (obs.local.evaluating !== null) return true;
  for (const column of columns) {
    if (column.duplicate) continue;
    const key = evaluationKey(column, dataHash);
    if (s.evaluations[key]) continue;
    const tried = s.attempts[key];
    if (tried && !due(tried.lastAt, obs.now, config.evalRetrySec)) continue;
    actions.push({ type: 'evaluate', key, epoch, column, dataHash });
    return true;
  }
  return false;
}

function commitWindow(
  s: ValidatorState,
  rec: ValidatorEpochRecord,
  columns: readonly ColumnView[],
  dataHash: Hex,
  obs: ValidatorObservation,
  config: ValidatorConfig,
  actions: ValidatorAction[],
  note: NoteFn,
): ValidatorPhase {
  const { now, schedule: sch } = obs;
  const e = rec.epoch;
  if (rec.outcome !== 'open') return 'waiting';
  if (rec.commit) {
    const c = rec.commit;
    if (c.status === 'prepared' && c.halted === null && due(c.sentAt, now, retryFor(sch, e, 'ScoreCommit', config))) {
      c.sentAt = now;
      c.sends += 1;
      actions.push({ type: 'commitScores', epoch: e, commitment: c.commitment, scores: c.scores, salt: c.salt });
    }
    return 'committed';
  }
  const view = obs.chain.commits[e];
  if (view && view.commitment !== zeroHash) {
    rec.outcome = 'foreign';
    note(
      `foreign/${e}`,
      'warn',
      `Epoch ${e}: the chain already holds a score commitment from this account that this device did not make (another device or tab). This device leaves it alone.`,
      e,
    );
    return 'waiting';
  }
  // Until the commitment is made the column list may still change (a reorganization).
  rec.columns = columns.map((c) => ({ ...c }));
  rec.dataHash = dataHash;
  if (columns.length === 0) {
    rec.outcome = 'no-columns';
    note(
      `no-columns/${e}`,
      'info',
      `Epoch ${e}: no submission was revealed, so there is nothing to score; the epoch's reward rolls over (SPEC 4.6).`,
      e,
    );
    return 'waiting';
  }
  // The seed: the chain's word wins (a reorganization may replace it before anything is committed).
  const onChain = obs.chain.seeds[e] ?? null;
  if (onChain !== null && onChain !== rec.seed) {
    if (rec.seed === null) {
      note(
        `seed/${e}`,
        'info',
        `Epoch ${e}: another validator drew the evaluation seed (${shortHex(onChain, 6)}); every validator scores the samples it selects.`,
        e,
      );
    }
    rec.seed = onChain;
  }
  if (rec.seed === null) {
    // Drawn as soon as the window opens, while evaluations may still run: it does not depend on them.
    const draw = (rec.seedDraw ??= { sentAt: null, sends: 0, halted: null });
    if (draw.halted === null && due(draw.sentAt, now, retryFor(sch, e, 'ScoreCommit', config))) {
      draw.sentAt = now;
      draw.sends += 1;
      actions.push({ type: 'drawSeed', epoch: e });
    }
  }
  const pending = columns.filter((c) => !c.duplicate && !s.evaluations[evaluationKey(c, dataHash)]);
  if (pending.length > 0) {
    evaluateNext(s, e, columns, dataHash, obs, config, actions);
    return 'evaluating';
  }
  if (rec.seed === null) return 'drawing-seed';
  const subset: SubsetSpec = { seed: rec.seed, size: obs.evalSubsetSize };
  const items: ScoreItem[] = [];
  for (const c of columns) {
    if (c.duplicate) continue;
    const key = resultKey(c, dataHash, subset);
    if (s.results[key]) continue;
    const ev = s.evaluations[evaluationKey(c, dataHash)]!;
    // A model that failed a check scores 0 on every subset: nothing to compute.
    if (ev.check !== 'ok') s.results[key] = { score: 0, units: 0, check: ev.check, reason: ev.reason, at: now };
    else items.push({ key, evaluation: evaluationKey(c, dataHash) });
  }
  if (items.length > 0) {
    if (due(rec.scoringAt, now, config.evalRetrySec)) {
      rec.scoringAt = now;
      actions.push({ type: 'scoreSubset', epoch: e, subset, items });
    }
    return 'evaluating';
  }
  const scores = columns.map((c) => (c.duplicate ? 0 : s.results[resultKey(c, dataHash, subset)]!.units));
  // Prepared once: the commitment stored here is the one the action sends and the reveal opens.
  const prepared = prepareScores({
    taskId: s.scope.taskId,
    epoch: e,
    validator: s.scope.account,
    scores,
    salt: obs.entropy,
  });
  rec.commit = {
    scores,
    words: prepared.words,
    salt: prepared.salt,
    commitment: prepared.commitment,
    status: 'prepared',
    preparedAt: now,
    sentAt: now,
    sends: 1,
    revealSentAt: null,
    reveals: 0,
    halted: null,
  };
  actions.push({ type: 'commitScores', epoch: e, commitment: rec.commit.commitment, scores, salt: rec.commit.salt });
  const samples = columns.map((c) => s.evaluations[evaluationKey(c, dataHash)]?.samples ?? 0).find((n) => n > 0);
  note(
    `subset/${e}`,
    'info',
    `Epoch ${e}: scored ${columns.length} submission${columns.length === 1 ? '' : 's'} on ${samples !== undefined ? `${Math.min(subset.size, samples)} of the eval set's ${samples} samples` : `the ${subset.size}-sample subset`} selected by the epoch's seed ${shortHex(subset.seed, 6)}; committing.`,
    e,
  );
  return 'committed';
}

function closeOut(
  s: ValidatorState,
  obs: ValidatorObservation,
  offline: { from: bigint; to: bigint } | null,
  note: NoteFn,
): void {
  const { now, schedule: sch } = obs;
  for (const rec of s.epochs) {
    if (rec.outcome !== 'open') continue;
    const e = rec.epoch;
    const commitClose = windowTimes(sch, e, 'ScoreCommit')!.closes;
    const revealClose = windowTimes(sch, e, 'ScoreReveal')!.closes;
    if (rec.commit?.status === 'revealed') {
      rec.outcome = 'revealed';
      continue;
    }
    if (rec.commit === null && now >= commitClose) {
      rec.outcome = 'missed-commit';
      let why = whyMissed(commitClose, offline);
      if (why === null && rec.columns !== null && rec.dataHash !== null) {
        const done = rec.columns.filter((c) => c.duplicate || s.evaluations[evaluationKey(c, rec.dataHash!)]).length;
        if (done < rec.columns.length) {
          why = `only ${done} of ${rec.columns.length} submissions were evaluated in time; partial scores are not committed, since a guessed score would pull honest trainers' aggregates`;
        } else if (rec.seed === null) {
          why =
            rec.seedDraw?.halted != null
              ? `the epoch's evaluation seed was never drawn (the draw was refused: ${clause(rec.seedDraw.halted)}), and scores cannot be committed without it`
              : "the epoch's evaluation seed was never drawn in time, and scores cannot be committed without it";
        }
      }
      why ??=
        e >= sch.submissionEpochs && obs.chain.finalEval.status === 'Pending'
          ? 'the final eval set was not settled'
          : 'the scores were not ready in time';
      note(
        `missed-commit/${e}`,
        'warn',
        `Epoch ${e}: no scores committed: ${why}. This epoch earns this validator nothing, and costs nothing else.`,
        e,
      );
    } else if (rec.commit !== null && rec.commit.status === 'prepared' && now >= commitClose) {
      rec.outcome = 'commit-lost';
      const why =
        rec.commit.halted !== null
          ? `it was refused: ${clause(rec.commit.halted)}`
          : `the transaction never showed on chain before the window closed at ${formatTime(commitClose)} (${rec.commit.sends} sent)`;
      note(
        `commit-lost/${e}`,
        'warn',
        `Epoch ${e}: no scores committed: ${why}. This epoch earns this validator nothing.`,
        e,
      );
    } else if (rec.commit !== null && rec.commit.status === 'committed' && now >= revealClose) {
      rec.outcome = 'missed-reveal';
      const why =
        whyMissed(revealClose, offline) ??
        (rec.commit.halted !== null
          ? `it was refused: ${clause(rec.commit.halted)}`
          : 'the reveal transaction did not go through in time');
      note(
        `missed-reveal/${e}`,
        'warn',
        `Epoch ${e}: the committed scores were not revealed: ${why}. A validator that commits and does not reveal earns nothing for the epoch (SPEC 2.2); nothing is slashed.`,
        e,
      );
    }
  }
}

/** Folds an action's result into the state (pure). */
export function validatorRecord(
  prev: ValidatorState,
  outcome: ValidatorOutcome,
  config: ValidatorConfig = DEFAULT_VALIDATOR_CONFIG,
): StepResult<ValidatorState, ValidatorAction> {
  const s = structuredClone(prev);
  s.learning ??= initialLearningState();
  const actions: ValidatorAction[] = [];
  const note = noteInto(s, outcome.at, actions);
  switch (outcome.type) {
    case 'compared':
    case 'challengeOpened':
    case 'transcriptChecked':
    case 'checkFailed':
    case 'learningSent':
    case 'learningFailed':
      learningRecord(s.learning, outcome, note);
      break;
    case 'evaluated': {
      if (!(outcome.fullScore >= 0 && outcome.fullScore <= 1))
        throw new AgentError('bad-state', `a score must be in [0, 1], got ${outcome.fullScore}`);
      if (outcome.check === 'ok' && outcome.floatPrecision !== null && outcome.floatPrecision < 32) {
        throw new AgentError(
          'bad-state',
          `an evaluation in ${outcome.floatPrecision}-bit floats cannot be used: validators score in 32-bit floats`,
        );
      }
      s.evaluations[outcome.key] = {
        check: outcome.check,
        reason: outcome.reason,
        samples: outcome.samples,
        fullScore: outcome.fullScore,
        backend: outcome.backend,
        ...(outcome.predictions ? { predictions: true } : {}),
        at: outcome.at,
      };
      delete s.attempts[outcome.key];
      if (outcome.check === 'ok' && outcome.backend !== null) {
        note(
          `eval-backend/${outcome.backend}`,
          'info',
          `Models are evaluated on the ${outcome.backend} backend in ${outcome.floatPrecision ?? 32}-bit floats. A backend that computes in 16-bit floats (WebGL on a device without float32 render targets, common on phones) is never used: its scores would differ from other validators' by more than the task's tolerance and earn nothing.`,
        );
      }
      break;
    }
    case 'seedDrawn': {
      const rec = s.epochs.find((r) => r.epoch === outcome.epoch);
      if (rec && rec.commit === null) rec.seed = outcome.seed;
      note(
        `seed/${outcome.epoch}`,
        'info',
        outcome.drew
          ? `Epoch ${outcome.epoch}: drew the evaluation seed (${shortHex(outcome.seed, 6)}); every validator scores the samples it selects.`
          : `Epoch ${outcome.epoch}: another validator drew the evaluation seed (${shortHex(outcome.seed, 6)}); every validator scores the samples it selects.`,
        outcome.epoch,
      );
      break;
    }
    case 'scored': {
      for (const { key, score } of outcome.scores) {
        if (!(score >= 0 && score <= 1)) throw new AgentError('bad-state', `a score must be in [0, 1], got ${score}`);
        s.results[key] = { score, units: scoreToUnits(score), check: 'ok', reason: null, at: outcome.at };
      }
      const rec = s.epochs.find((r) => r.epoch === outcome.epoch);
      if (rec) rec.scoringAt = null;
      for (const key of outcome.missing) {
        // The per-sample results are gone (storage cleared, another device): evaluate again.
        delete s.evaluations[key];
        note(
          `samples-lost/${key}`,
          'warn',
          `Epoch ${outcome.epoch}: the per-sample results of a model are no longer on this device; it is evaluated again.`,
          outcome.epoch,
        );
      }
      break;
    }
    case 'evalFailed': {
      const prior = s.attempts[outcome.key];
      const count = (prior?.count ?? 0) + 1;
      s.attempts[outcome.key] = { count, lastAt: outcome.at, lastError: outcome.message };
      if (count >= config.maxEvalAttempts) {
        // SPEC 4.7: a submission whose artifact cannot be had scores 0.
        s.evaluations[outcome.key] = {
          check: 'missing',
          reason: `could not be fetched or evaluated in ${count} attempts (last: ${outcome.message})`,
          samples: 0,
          fullScore: 0,
          backend: null,
          at: outcome.at,
        };
        note(
          `eval-gave-up/${outcome.key}`,
          'warn',
          `Epoch ${outcome.epoch}: a submission scores 0: it could not be fetched or evaluated in ${count} attempts (last error: ${outcome.message}).`,
          outcome.epoch,
        );
      }
      break;
    }
    case 'sent': {
      const rec = s.epochs.find((r) => r.epoch === outcome.epoch);
      if (rec?.commit && outcome.action === 'commitScores' && rec.commit.status === 'prepared')
        rec.commit.status = 'committed';
      if (rec?.commit && outcome.action === 'revealScores') {
        rec.commit.status = 'revealed';
        note(
          `revealed/${rec.epoch}`,
          'info',
          `Epoch ${rec.epoch}: scores for ${rec.commit.scores.length} submissions revealed.`,
          rec.epoch,
        );
      }
      break;
    }
    case 'failed': {
      noteFailure(outcome, note);
      if (!outcome.retryable && outcome.action === 'join') s.join = null;
      const rec = outcome.epoch !== null ? s.epochs.find((r) => r.epoch === outcome.epoch) : undefined;
      // A draw refused for good waits for another validator's draw or the user's 'retry'.
      if (!outcome.retryable && outcome.action === 'drawSeed' && rec?.seedDraw) rec.seedDraw.halted = outcome.message;
      if (outcome.action === 'scoreSubset' && rec) rec.scoringAt = outcome.at;
      const commit = rec?.commit;
      // A write refused for good is not repeated every retry interval; 'retry' clears this.
      if (!outcome.retryable && commit && (outcome.action === 'commitScores' || outcome.action === 'revealScores'))
        commit.halted = outcome.message;
      break;
    }
  }
  return { state: s, actions };
}

/** Per-model progress of an epoch, for the Validate page. */
export interface ColumnProgress {
  index: number;
  submissionId: number;
  trainer: Address;
  artifactHash: Hex;
  /** 'evaluated': evaluated on the whole eval set, waiting for the epoch's seed to be scored on its subset. */
  status: 'pending' | 'evaluating' | 'retrying' | 'evaluated' | 'scored' | 'zero';
  /** The score on the epoch's subset (what is committed); null until known. */
  score: number | null;
  /** The score on the whole eval set (a preview); null until evaluated. */
  fullScore: number | null;
  reason: string | null;
  attempts: number;
}

/**
 * Each column's progress. `subset`: the epoch's (seed and evalSubsetSize) once the seed is
 * drawn, else null (scores are then only previews on the whole set).
 */
export function columnProgress(
  state: ValidatorState,
  columns: readonly ColumnView[],
  dataHash: Hex,
  evaluating: string | null,
  subset: SubsetSpec | null = null,
): ColumnProgress[] {
  return columns.map((c, index) => {
    const key = evaluationKey(c, dataHash);
    const ev = state.evaluations[key];
    const r = subset ? state.results[resultKey(c, dataHash, subset)] : undefined;
    const tried = state.attempts[key];
    const base = {
      index,
      submissionId: c.submissionId,
      trainer: c.trainer,
      artifactHash: c.artifactHash,
      attempts: tried?.count ?? 0,
    };
    if (c.duplicate)
      return {
        ...base,
        status: 'zero',
        score: 0,
        fullScore: 0,
        reason: 'a copy of an earlier submission by another trainer (flagged on chain)',
      };
    if (ev && ev.check !== 'ok') return { ...base, status: 'zero', score: 0, fullScore: 0, reason: ev.reason };
    if (r) return { ...base, status: 'scored', score: r.score, fullScore: ev?.fullScore ?? null, reason: null };
    if (ev) return { ...base, status: 'evaluated', score: null, fullScore: ev.fullScore, reason: null };
    if (evaluating === key) return { ...base, status: 'evaluating', score: null, fullScore: null, reason: null };
    return {
      ...base,
      status: tried ? 'retrying' : 'pending',
      score: null,
      fullScore: null,
      reason: tried?.lastError ?? null,
    };
  });
}
