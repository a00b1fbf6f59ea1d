// What the Validate page shows, as pure functions of the validator agent's state, the evaluation
// progress events and chain time: per epoch, every revealed submission with its checks (fetch,
// hash, artifact and wmCommit, evaluation), its score or the reason for a zero, and where the
// score commitment stands.
import type { Hex } from 'viem';
import {
  columnProgress,
  resultKey,
  type ColumnProgress,
  type ColumnView,
  type Note,
  type ScoreCheck,
  type ValidatorEpochRecord,
  type ValidatorPhase,
  type ValidatorState,
} from '../../../lib/agents/index.ts';
import { windowTimes, type Schedule } from '../../../lib/chain/schedule.ts';

export type Stage = 'fetching' | 'checking' | 'evaluating' | 'done';

/** The latest eval-progress event per result key. */
export interface StageInfo {
  stage: Stage;
  done: number;
  total: number;
}

export type CheckState = 'pending' | 'running' | 'ok' | 'failed' | 'skipped';

export interface ModelChecks {
  fetch: CheckState;
  hash: CheckState;
  /** The artifact parses against the spec and its weights give the revealed wmCommit. */
  wmCommit: CheckState;
  evaluation: CheckState;
}

export interface ModelRow extends ColumnProgress {
  key: string;
  checks: ModelChecks;
  /** "evaluating 96 of 250 samples" while working. */
  activity: string | null;
  /** Score as shown (4 decimals) or null. */
  scoreText: string | null;
  /** Every failed attempt's message seen while the page was open, oldest first. */
  failures: string[];
}

export interface EpochView {
  epoch: number;
  status: string;
  tone: 'ok' | 'active' | 'warn' | 'muted';
  models: ModelRow[];
  /** Units committed (0..10000 per column), once prepared. */
  committed: number[] | null;
  commitWindow: { opens: bigint; closes: bigint } | null;
  revealWindow: { opens: bigint; closes: bigint } | null;
}

const ALL = (s: CheckState): ModelChecks => ({ fetch: s, hash: s, wmCommit: s, evaluation: s });

/** Which checks passed, failed or are running, from the result or the live stage. */
export function modelChecks(check: ScoreCheck | null, stage: Stage | null): ModelChecks {
  switch (check) {
    case 'ok':
      return ALL('ok');
    case 'duplicate':
      return ALL('skipped');
    case 'missing':
      return { fetch: 'failed', hash: 'skipped', wmCommit: 'skipped', evaluation: 'skipped' };
    case 'hash':
      return { fetch: 'ok', hash: 'failed', wmCommit: 'skipped', evaluation: 'skipped' };
    case 'artifact':
    case 'watermark':
      return { fetch: 'ok', hash: 'ok', wmCommit: 'failed', evaluation: 'skipped' };
    case null:
      break;
  }
  switch (stage) {
    case 'fetching':
      return { fetch: 'running', hash: 'pending', wmCommit: 'pending', evaluation: 'pending' };
    case 'checking':
      // The store client checked the bytes against the CID on arrival; the artifact checks run now.
      return { fetch: 'ok', hash: 'ok', wmCommit: 'running', evaluation: 'pending' };
    case 'evaluating':
      return { fetch: 'ok', hash: 'ok', wmCommit: 'ok', evaluation: 'running' };
    case 'done':
      return { fetch: 'ok', hash: 'ok', wmCommit: 'ok', evaluation: 'ok' };
    case null:
      return ALL('pending');
  }
}

function activity(p: ColumnProgress, stage: StageInfo | undefined): string | null {
  if (p.status !== 'evaluating' || !stage) return p.status === 'retrying' ? `attempt ${p.attempts} failed; trying again` : null;
  switch (stage.stage) {
    case 'fetching':
      return 'fetching the artifact';
    case 'checking':
      return 'checking the artifact and its wmCommit';
    case 'evaluating':
      return stage.total > 0 ? `evaluating: ${stage.done} of ${stage.total} samples` : 'evaluating';
    case 'done':
      return null;
  }
}

function epochStatus(rec: ValidatorEpochRecord, models: readonly ModelRow[], now: bigint, commitCloses: bigint | null): { status: string; tone: EpochView['tone'] } {
  switch (rec.outcome) {
    case 'revealed':
      return { status: 'scores committed and revealed', tone: 'ok' };
    case 'no-columns':
      return { status: 'no submission was revealed: nothing to score', tone: 'muted' };
    case 'missed-commit':
      return { status: 'missed: no scores committed', tone: 'warn' };
    case 'commit-lost':
      return { status: 'missed: the commitment did not land', tone: 'warn' };
    case 'missed-reveal':
      return { status: 'missed: committed, not revealed', tone: 'warn' };
    case 'foreign':
      return { status: 'committed from another device', tone: 'warn' };
    case 'open': {
      const c = rec.commit;
      if (c?.halted) return { status: `stopped: ${c.halted}`, tone: 'warn' };
      if (c?.status === 'revealed') return { status: 'scores revealed', tone: 'ok' };
      if (c?.status === 'committed') return { status: 'scores committed; reveal comes in the score reveal window', tone: 'active' };
      if (c?.status === 'prepared') return { status: 'committing scores…', tone: 'active' };
      const done = models.filter((m) => m.status === 'scored' || m.status === 'zero').length;
      if (models.length === 0) return { status: 'waiting for revealed submissions', tone: 'active' };
      if (done < models.length) return { status: `evaluating: ${done} of ${models.length} models scored`, tone: 'active' };
      return { status: commitCloses !== null && now < commitCloses ? 'all models scored; scores are committed in the score commit window' : 'all models scored', tone: 'active' };
    }
  }
}

/** Columns the page read itself (the agent records an epoch's columns only when it commits). */
export type LiveColumns = Readonly<Record<number, { columns: readonly ColumnView[]; dataHash: Hex }>>;

export interface EpochViewsInput {
  state: ValidatorState | null;
  schedule: Schedule;
  now: bigint;
  evaluating: string | null;
  stages: Readonly<Record<string, StageInfo>>;
  failures: Readonly<Record<string, readonly string[]>>;
  live?: LiveColumns;
}

/** One view per epoch the agent has a record of or the page has columns for, newest first. */
export function epochViews(input: EpochViewsInput): EpochView[] {
  const { state, schedule, now, evaluating, stages, failures, live = {} } = input;
  if (!state) return [];
  const epochs = new Set<number>([...state.epochs.map((r) => r.epoch), ...Object.keys(live).map(Number)]);
  return [...epochs]
    .sort((a, b) => b - a)
    .map((epoch) => {
      const rec: ValidatorEpochRecord = state.epochs.find((r) => r.epoch === epoch) ?? { epoch, outcome: 'open', dataHash: null, columns: null, commit: null };
      const final = epoch >= schedule.submissionEpochs;
      const commitWindow = windowTimes(schedule, epoch, 'ScoreCommit');
      const revealWindow = windowTimes(schedule, epoch, 'ScoreReveal');
      const columns = rec.columns ?? live[epoch]?.columns ?? [];
      const dataHash = rec.dataHash ?? live[epoch]?.dataHash ?? null;
      const progress = dataHash ? columnProgress(state, columns, dataHash, evaluating) : [];
      const models: ModelRow[] = progress.map((p) => {
        const column = columns[p.index]!;
        const key = resultKey(column, dataHash!);
        const result = state.results[key];
        const liveStage = stages[key];
        const check: ScoreCheck | null = column.duplicate ? 'duplicate' : (result?.check ?? null);
        return {
          ...p,
          key,
          checks: modelChecks(check, p.status === 'evaluating' ? (liveStage?.stage ?? 'fetching') : null),
          activity: activity(p, liveStage),
          scoreText: p.score === null ? null : p.score.toFixed(4),
          failures: [...(failures[key] ?? [])],
        };
      });
      const { status, tone } = epochStatus(rec, models, now, commitWindow?.closes ?? null);
      return {
        epoch,
        status: final && rec.outcome === 'open' && !dataHash ? 'waiting for the final eval set to be revealed' : status,
        tone,
        models,
        committed: rec.commit?.scores ?? null,
        commitWindow,
        revealWindow,
      };
    });
}

export const VALIDATOR_PHASE_SENTENCE: Record<ValidatorPhase, string> = {
  'not-joined': 'Not staked in this task yet.',
  joining: 'Staking: the stake transaction is on its way.',
  'wrong-role': 'This account is a trainer of this task; use another account to validate.',
  waiting: 'Staked. Submissions are evaluated as soon as they are revealed.',
  evaluating: 'Evaluating the revealed submissions.',
  committed: 'Scores committed; they are revealed in the score reveal window by themselves.',
  revealed: 'Scores revealed for this epoch.',
  'waiting-final-eval': 'Waiting for the final eval set to be revealed.',
  over: 'The task has no more epochs to score.',
};

/** What the validator agent did, from its state: models scored, scores committed and revealed. */
export function validatorActivity(state: ValidatorState | null): Note[] {
  if (!state) return [];
  const out: Note[] = [];
  if (state.join && state.join.sentAt !== null) {
    out.push({ key: 'activity/join', at: state.join.sentAt, epoch: null, level: 'info', message: 'Validator stake sent.' });
  }
  for (const [key, r] of Object.entries(state.results)) {
    const artifact = key.split('/')[0] ?? '';
    const what = r.check === 'ok' ? `scored ${r.score.toFixed(4)}` : `scores 0 (${r.check === 'missing' ? 'could not be fetched' : r.check})`;
    out.push({ key: `activity/result/${key}`, at: r.at, epoch: null, level: r.check === 'ok' ? 'info' : 'warn', message: `Model ${artifact.slice(0, 8)}…${artifact.slice(-6)} ${what}.` });
  }
  for (const e of state.epochs) {
    const c = e.commit;
    if (c && c.sentAt !== null) {
      out.push({ key: `activity/commit/${e.epoch}`, at: c.sentAt, epoch: e.epoch, level: 'info', message: `Epoch ${e.epoch}: scores for ${c.scores.length} submissions committed (${c.scores.join(', ')} of 10000).` });
    }
    if (c && c.revealSentAt !== null && !state.notes.some((n) => n.key === `revealed/${e.epoch}`)) {
      out.push({ key: `activity/reveal/${e.epoch}`, at: c.revealSentAt, epoch: e.epoch, level: 'info', message: `Epoch ${e.epoch}: score reveal sent.` });
    }
  }
  return out;
}
