// The validator's automation as a pure state machine (SPEC sections 2.2, 2.3 and 4.7): evaluate
// every revealed submission of an epoch (each checked against its revealed hashes first), commit
// the packed scores in the score-commit window, reveal them in the score-reveal window, and
// explain every window it could not use.
//
// validatorStep(state, observation) decides; validatorRecord(state, outcome) folds in what an
// action produced. No I/O: the salt comes from the observation's entropy, and the runner stores
// the returned state before executing the returned actions (a salt is stored before the
// commitment that needs it is sent).
import type { Address, Hex } from 'viem';
import { packScores, scoreToUnits, scoresCommitment } from '../../chain/commitments.ts';
import { phaseAt, windowAt, windowTimes, type Schedule, type Window } from '../../chain/schedule.ts';
import {
  AgentError,
  ZERO32,
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
import { epochRecord, finishStep, joinRequest, noteFailure, noteInto, windowsOpenSince, type NoteFn } from '../machine-parts.ts';

export interface ValidatorConfig {
  /** A transaction sent but not seen on chain is sent again after this long (capped to a quarter of its window). */
  retryAfterSec: number;
  /** A submission whose artifact cannot be fetched or evaluated this many times scores 0 (SPEC 4.7: artifact missing). */
  maxEvalAttempts: number;
  /** Seconds between attempts at one submission. */
  evalRetrySec: number;
  /** Steps further apart than this mean the app was not running in between. */
  gapSec: number;
}

export const DEFAULT_VALIDATOR_CONFIG: ValidatorConfig = {
  retryAfterSec: 30,
  maxEvalAttempts: 3,
  evalRetrySec: 10,
  gapSec: 60,
};

/** One column of an epoch: a revealed submission, in the contract's list order. */
export interface ColumnView {
  submissionId: number;
  trainer: Address;
  artifactHash: Hex;
  wmCommit: Hex;
  /** Flagged by the contract as a copy of another trainer's earlier-sealed artifact. */
  duplicate: boolean;
}

/** Why a submission got the score it got. */
export type ScoreCheck = 'ok' | 'duplicate' | 'missing' | 'hash' | 'artifact' | 'watermark';

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
  commit: ScoreCommitRecord | null;
}

export type ValidatorPhase =
  | 'not-joined'
  | 'joining'
  | 'wrong-role'
  | 'waiting'
  | 'evaluating'
  | 'committed'
  | 'revealed'
  | 'waiting-final-eval'
  | 'over';

export interface ValidatorState {
  kind: 'validator';
  version: 1;
  scope: AgentScope;
  phase: ValidatorPhase;
  lastSeen: bigint | null;
  join: { amount: bigint; sigma: bigint; sentAt: bigint | null; sends: number } | null;
  /** Scores by resultKey(column, dataHash): a model resubmitted or rescored in the final phase is evaluated once. */
  results: Record<string, ScoreResult>;
  /** Failed attempts by result key. */
  attempts: Record<string, { count: number; lastAt: bigint; lastError: string }>;
  epochs: ValidatorEpochRecord[];
  notes: Note[];
}

export interface CommitView {
  /** ZERO32 when the account has not committed in that epoch. */
  commitment: Hex;
  revealed: boolean;
}

export type FinalEvalStatus = 'None' | 'Pending' | 'Revealed' | 'Fallback';

export interface ValidatorObservation {
  now: bigint;
  schedule: Schedule;
  /** The task's public eval set (content hash). */
  evalData: Hex;
  chain: {
    role: ChainRole;
    eligibleFrom: number | null;
    excluded: boolean;
    finalEval: { status: FinalEvalStatus; hash: Hex | null };
    /** This account's score commitments for the epochs validatorReads() named. */
    commits: Record<number, CommitView>;
    /** Columns for the epochs validatorReads() named. */
    columns: Record<number, ColumnView[]>;
  };
  local: {
    /** The result key being evaluated right now, if any. */
    evaluating: string | null;
  };
  /** 32 fresh random bytes: the salt if this step prepares a commitment. */
  entropy: Hex;
}

export type ValidatorAction =
  | { type: 'join'; amount: bigint; sigma: bigint }
  | { type: 'evaluate'; key: string; epoch: number; column: ColumnView; dataHash: Hex }
  | { type: 'commitScores'; epoch: number; commitment: Hex; scores: number[]; salt: Hex }
  | { type: 'revealScores'; epoch: number; scores: number[]; words: bigint[]; salt: Hex }
  | { type: 'explain'; note: Note };

export type ValidatorOutcome =
  | { type: 'evaluated'; key: string; score: number; check: ScoreCheck; reason: string | null; at: bigint }
  | { type: 'evalFailed'; key: string; epoch: number; message: string; at: bigint }
  | { type: 'sent'; action: 'join' | 'commitScores' | 'revealScores'; epoch: number | null; txHash: Hex; at: bigint }
  | ActionFailure;

export type ValidatorCommand =
  | { type: 'join'; amount: bigint; sigma: bigint }
  | { type: 'cancelJoin' }
  /** Try an epoch's halted commit or reveal again (after the user fixed what refused it). */
  | { type: 'retry'; epoch: number };

export function initialValidatorState(scope: AgentScope): ValidatorState {
  if (scope.role !== 'validator') throw new AgentError('wrong-scope', `a validator agent needs a validator scope, got ${scope.role}`);
  return { kind: 'validator', version: 1, scope, phase: 'not-joined', lastSeen: null, join: null, results: {}, attempts: {}, epochs: [], notes: [] };
}

export function validatorCommand(prev: ValidatorState, cmd: ValidatorCommand): ValidatorState {
  const s = structuredClone(prev);
  if (cmd.type === 'cancelJoin') {
    s.join = null;
    return s;
  }
  if (cmd.type === 'retry') {
    const commit = s.epochs.find((r) => r.epoch === cmd.epoch)?.commit;
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

/** A result is keyed by what decides it: the artifact, the revealed wmCommit, and the eval set. */
export const resultKey = (c: Pick<ColumnView, 'artifactHash' | 'wmCommit'>, dataHash: Hex): string =>
  `${c.artifactHash.toLowerCase()}/${c.wmCommit.toLowerCase()}/${dataHash.toLowerCase()}`;

/** Windows in which an epoch's columns matter: pre-evaluation while reveals come in, then scoring. */
const COLUMN_WINDOWS: readonly Window[] = ['Reveal', 'ScoreCommit', 'ScoreReveal'];

/** The epochs whose commitments and columns an observation must carry. */
export function validatorReads(state: ValidatorState, schedule: Schedule, now: bigint): { commits: number[]; columns: number[] } {
  const commits = new Set<number>();
  const columns = new Set<number>();
  const { window, epoch } = windowAt(schedule, now);
  if (window !== 'None') commits.add(epoch);
  if (COLUMN_WINDOWS.includes(window)) columns.add(epoch);
  for (const r of state.epochs) if (r.outcome === 'open') commits.add(r.epoch);
  const sort = (x: Set<number>) => [...x].sort((a, b) => a - b);
  return { commits: sort(commits), columns: sort(columns) };
}

/** The eval set an epoch is scored on, or null while the final one is not settled. */
export function epochDataHash(obs: Pick<ValidatorObservation, 'schedule' | 'evalData' | 'chain'>, epoch: number): Hex | null {
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

export function validatorStep(prev: ValidatorState, obs: ValidatorObservation, config: ValidatorConfig = DEFAULT_VALIDATOR_CONFIG): StepResult<ValidatorState, ValidatorAction> {
  const s = structuredClone(prev);
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
    note('wrong-role', 'error', 'This account is a trainer of this task. One address cannot train and validate the same task; use another account to validate.');
    return finish(s, 'wrong-role', now, actions);
  }
  if (role === 'None') {
    const stakingOpen = !sch.rejected && (phase === 'Review' || phase === 'Pending' || (scoring && epoch + 1 < sch.submissionEpochs + sch.finalEpochs));
    if (s.join === null) {
      note('not-joined', 'info', 'Not staked as a validator in this task yet.');
    } else if (!stakingOpen) {
      note('staking-closed', 'error', 'Validator staking is closed: a stake made now would first count after the last scoring epoch.');
    } else if (due(s.join.sentAt, now, config.retryAfterSec)) {
      s.join.sentAt = now;
      s.join.sends += 1;
      actions.push({ type: 'join', amount: s.join.amount, sigma: s.join.sigma });
    }
    return finish(s, s.join ? 'joining' : 'not-joined', now, actions);
  }

  const eligibleIn = (e: number) => obs.chain.eligibleFrom !== null && obs.chain.eligibleFrom <= e && !obs.chain.excluded;

  // Commit windows that were still open at the last step and have closed since get a record.
  if (s.lastSeen !== null && phase !== 'Review' && phase !== 'Pending') {
    for (const e of windowsOpenSince(sch, s.lastSeen, Math.min(epoch, sch.submissionEpochs + sch.finalEpochs - 1), 'ScoreCommit')) if (eligibleIn(e)) recordFor(s, e);
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
        if (c.status === 'committed' && c.halted === null && due(c.revealSentAt, now, retryFor(sch, epoch, 'ScoreReveal', config))) {
          c.revealSentAt = now;
          c.reveals += 1;
          actions.push({ type: 'revealScores', epoch, scores: c.scores, words: c.words, salt: c.salt });
        }
      }
    }
  }

  closeOut(s, obs, offline, note);
  return finish(s, label, now, actions);
}

const finish = finishStep<ValidatorState, ValidatorAction>;

const recordFor = (s: ValidatorState, epoch: number): ValidatorEpochRecord =>
  epochRecord(s.epochs, epoch, () => ({ epoch, outcome: 'open', dataHash: null, columns: null, commit: null }));

function reconcile(s: ValidatorState, obs: ValidatorObservation, note: NoteFn): void {
  for (const rec of s.epochs) {
    const view = obs.chain.commits[rec.epoch];
    if (!view || !rec.commit || rec.outcome !== 'open') continue;
    const ours = view.commitment.toLowerCase() === rec.commit.commitment.toLowerCase();
    if (ours) {
      rec.commit.status = view.revealed ? 'revealed' : 'committed';
    } else if (view.commitment !== ZERO32) {
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
    const key = resultKey(column, dataHash);
    if (s.results[key]) continue;
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
  if (view && view.commitment !== ZERO32) {
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
    note(`no-columns/${e}`, 'info', `Epoch ${e}: no submission was revealed, so there is nothing to score; the epoch's reward rolls over (SPEC 4.6).`, e);
    return 'waiting';
  }
  const pending = columns.filter((c) => !c.duplicate && !s.results[resultKey(c, dataHash)]);
  if (pending.length > 0) {
    evaluateNext(s, e, columns, dataHash, obs, config, actions);
    return 'evaluating';
  }
  const scores = columns.map((c) => (c.duplicate ? 0 : s.results[resultKey(c, dataHash)]!.units));
  const words = packScores(scores);
  const salt = obs.entropy;
  const { taskId, account } = s.scope;
  rec.commit = {
    scores,
    words,
    salt,
    commitment: scoresCommitment(taskId, BigInt(e), account, words, salt),
    status: 'prepared',
    preparedAt: now,
    sentAt: now,
    sends: 1,
    revealSentAt: null,
    reveals: 0,
    halted: null,
  };
  actions.push({ type: 'commitScores', epoch: e, commitment: rec.commit.commitment, scores, salt });
  return 'committed';
}

function closeOut(s: ValidatorState, obs: ValidatorObservation, offline: { from: bigint; to: bigint } | null, note: NoteFn): void {
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
        const done = rec.columns.filter((c) => c.duplicate || s.results[resultKey(c, rec.dataHash!)]).length;
        why = `only ${done} of ${rec.columns.length} submissions were evaluated in time; partial scores are not committed, since a guessed score would pull honest trainers' aggregates`;
      }
      why ??= e >= sch.submissionEpochs && obs.chain.finalEval.status === 'Pending' ? 'the final eval set was not settled' : 'the scores were not ready in time';
      note(`missed-commit/${e}`, 'warn', `Epoch ${e}: no scores committed: ${why}. This epoch earns this validator nothing, and costs nothing else.`, e);
    } else if (rec.commit !== null && rec.commit.status === 'prepared' && now >= commitClose) {
      rec.outcome = 'commit-lost';
      const why =
        rec.commit.halted !== null
          ? `it was refused: ${clause(rec.commit.halted)}`
          : `the transaction never showed on chain before the window closed at ${formatTime(commitClose)} (${rec.commit.sends} sent)`;
      note(`commit-lost/${e}`, 'warn', `Epoch ${e}: no scores committed: ${why}. This epoch earns this validator nothing.`, e);
    } else if (rec.commit !== null && rec.commit.status === 'committed' && now >= revealClose) {
      rec.outcome = 'missed-reveal';
      const why = whyMissed(revealClose, offline) ?? (rec.commit.halted !== null ? `it was refused: ${clause(rec.commit.halted)}` : 'the reveal transaction did not go through in time');
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
export function validatorRecord(prev: ValidatorState, outcome: ValidatorOutcome, config: ValidatorConfig = DEFAULT_VALIDATOR_CONFIG): StepResult<ValidatorState, ValidatorAction> {
  const s = structuredClone(prev);
  const actions: ValidatorAction[] = [];
  const note = noteInto(s, outcome.at, actions);
  switch (outcome.type) {
    case 'evaluated': {
      if (!(outcome.score >= 0 && outcome.score <= 1)) throw new AgentError('bad-state', `a score must be in [0, 1], got ${outcome.score}`);
      s.results[outcome.key] = {
        score: outcome.score,
        units: scoreToUnits(outcome.score),
        check: outcome.check,
        reason: outcome.reason,
        at: outcome.at,
      };
      delete s.attempts[outcome.key];
      break;
    }
    case 'evalFailed': {
      const prior = s.attempts[outcome.key];
      const count = (prior?.count ?? 0) + 1;
      s.attempts[outcome.key] = { count, lastAt: outcome.at, lastError: outcome.message };
      if (count >= config.maxEvalAttempts) {
        // SPEC 4.7: a submission whose artifact cannot be had scores 0.
        s.results[outcome.key] = {
          score: 0,
          units: 0,
          check: 'missing',
          reason: `could not be fetched or evaluated in ${count} attempts (last: ${outcome.message})`,
          at: outcome.at,
        };
        note(`eval-gave-up/${outcome.key}`, 'warn', `Epoch ${outcome.epoch}: a submission scores 0: it could not be fetched or evaluated in ${count} attempts (last error: ${outcome.message}).`, outcome.epoch);
      }
      break;
    }
    case 'sent': {
      const rec = s.epochs.find((r) => r.epoch === outcome.epoch);
      if (rec?.commit && outcome.action === 'commitScores' && rec.commit.status === 'prepared') rec.commit.status = 'committed';
      if (rec?.commit && outcome.action === 'revealScores') {
        rec.commit.status = 'revealed';
        note(`revealed/${rec.epoch}`, 'info', `Epoch ${rec.epoch}: scores for ${rec.commit.scores.length} submissions revealed.`, rec.epoch);
      }
      break;
    }
    case 'failed': {
      noteFailure(outcome, note);
      if (!outcome.retryable && outcome.action === 'join') s.join = null;
      const commit = outcome.epoch !== null ? s.epochs.find((r) => r.epoch === outcome.epoch)?.commit : undefined;
      // A write refused for good is not repeated every retry interval; 'retry' clears this.
      if (!outcome.retryable && commit && (outcome.action === 'commitScores' || outcome.action === 'revealScores')) commit.halted = outcome.message;
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
  status: 'pending' | 'evaluating' | 'retrying' | 'scored' | 'zero';
  score: number | null;
  reason: string | null;
  attempts: number;
}

export function columnProgress(state: ValidatorState, columns: readonly ColumnView[], dataHash: Hex, evaluating: string | null): ColumnProgress[] {
  return columns.map((c, index) => {
    const key = resultKey(c, dataHash);
    const r = state.results[key];
    const tried = state.attempts[key];
    const base = { index, submissionId: c.submissionId, trainer: c.trainer, artifactHash: c.artifactHash, attempts: tried?.count ?? 0 };
    if (c.duplicate) return { ...base, status: 'zero', score: 0, reason: 'a copy of an earlier submission by another trainer (flagged on chain)' };
    if (r) return { ...base, status: r.check === 'ok' ? 'scored' : 'zero', score: r.score, reason: r.reason };
    if (evaluating === key) return { ...base, status: 'evaluating', score: null, reason: null };
    return { ...base, status: tried ? 'retrying' : 'pending', score: null, reason: tried?.lastError ?? null };
  });
}
