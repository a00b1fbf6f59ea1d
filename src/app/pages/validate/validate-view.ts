// What the Validate page shows, as pure functions of the validator agent's state, the evaluation
// progress events and chain time: per epoch, every revealed submission with its checks (fetch,
// hash, artifact and wmCommit, evaluation), its score on the whole eval set (a preview, evaluated
// once in the reveal window) and then on the epoch's subset (what is committed), or the reason for
// a zero; the evaluation seed (drawn in the score commit window: SPEC 2.2); the backend used (never
// a 16-bit one); and where the score commitment stands.
import type { Hex } from 'viem';
import {
  columnProgress,
  evaluationKey,
  openValidatorEpoch,
  type ColumnProgress,
  type ColumnView,
  type Note,
  type ScoreCheck,
  type ValidatorEpochRecord,
  type ValidatorState,
} from '../../../lib/agents/index.ts';
import { windowTimes, type Schedule } from '../../../lib/chain/schedule.ts';
import { commitStanding, committedScoresLabel, type CommitStanding } from '../../../lib/app-logic/role-status.ts';
import { metricText, scoreOfUnits, scoreText } from '../../../lib/app-logic/metric-view.ts';
import type { Metric } from '../../../lib/ml/spec/types.ts';

export type Stage = 'fetching' | 'checking' | 'evaluating' | 'done';

/** The latest eval-progress event per evaluation key. */
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
  /** Score on the epoch's subset (what is committed), 4 decimals, or null. */
  scoreText: string | null;
  /** Score on the whole eval set (a preview), 4 decimals, or null. */
  fullScoreText: string | null;
  /** What the subset score means in a capped metric ("2.782 bits per byte"), or null (accuracy, no score). */
  scoreMetric: string | null;
  /** The same for the whole-set score. */
  fullScoreMetric: string | null;
  /** Every failed attempt's message seen while the page was open, oldest first. */
  failures: string[];
}

export interface EpochView {
  epoch: number;
  status: string;
  tone: 'ok' | 'active' | 'warn' | 'muted';
  models: ModelRow[];
  /** Units committed (0..10000 per column), once the chain holds the commitment (or held it). */
  committed: number[] | null;
  /**
   * The scores of this device's commitment with what they are (being committed, committed,
   * prepared but never on chain): one name everywhere on the page, never "committed" before the
   * chain has it.
   */
  scores: { label: string; standing: CommitStanding; values: number[] } | null;
  /** The scores' values in a capped metric, in list order ("2.782 bits per byte"); null for accuracy. */
  scoresMetric: string[] | null;
  /** The epoch's evaluation seed and subset, in words. */
  seed: { seed: Hex | null; state: 'waiting' | 'drawing' | 'refused' | 'drawn'; text: string };
  commitWindow: { opens: bigint; closes: bigint } | null;
  revealWindow: { opens: bigint; closes: bigint } | null;
  /** Which eval set the epoch is scored on, in words (null until the agent knows). */
  dataSet: string | null;
}

/**
 * Which of the task's eval sets `dataHash` is, in words: in the final phase a validator must be
 * able to see that its scores come from the hidden set the creator revealed, or that the phase
 * fell back to the public set (SPEC 2.3).
 */
export function dataSetSentence(
  dataHash: Hex | null,
  final: boolean,
  sets: { public: Hex; final: Hex | null },
): string | null {
  if (dataHash === null) return null;
  const h = dataHash.toLowerCase();
  if (sets.final !== null && h === sets.final.toLowerCase())
    return 'Scored on the hidden final eval set, revealed by the creator for the final phase.';
  if (h === sets.public.toLowerCase())
    return final
      ? "Scored on the public eval set: the creator did not reveal the hidden final set in the phase's first tenth, so the final phase reuses the public one."
      : 'Scored on the public eval set.';
  return `Scored on the data set ${short(dataHash)}.`;
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

const megabytes = (n: number) => (n / 1e6).toFixed(1);

function activity(p: ColumnProgress, stage: StageInfo | undefined, samples: number | null): string | null {
  if (p.status === 'evaluated') {
    const on = samples !== null ? `all ${samples} samples of the eval set` : 'the whole eval set';
    return `evaluated on ${on}; scored on the epoch's subset once the seed is drawn`;
  }
  if (p.status !== 'evaluating' || !stage)
    return p.status === 'retrying' ? `attempt ${p.attempts} failed; trying again` : null;
  switch (stage.stage) {
    case 'fetching':
      return stage.total > 0
        ? `fetching the artifact: ${megabytes(stage.done)} of ${megabytes(stage.total)} MB, every block checked`
        : 'fetching the artifact';
    case 'checking':
      return 'checking the artifact and its wmCommit';
    case 'evaluating':
      return stage.total > 0
        ? `evaluating on the whole eval set: ${stage.done} of ${stage.total} samples`
        : 'evaluating on the whole eval set';
    case 'done':
      return null;
  }
}

function epochStatus(
  rec: ValidatorEpochRecord,
  models: readonly ModelRow[],
  now: bigint,
  commit: { opens: bigint; closes: bigint } | null,
): { status: string; tone: EpochView['tone'] } {
  const commitCloses = commit?.closes ?? null;
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
      if (c?.status === 'committed')
        return { status: 'scores committed; reveal comes in the score reveal window', tone: 'active' };
      if (c?.status === 'prepared') return { status: 'committing scores…', tone: 'active' };
      const scored = models.filter((m) => m.status === 'scored' || m.status === 'zero').length;
      const evaluated = scored + models.filter((m) => m.status === 'evaluated').length;
      if (models.length === 0) {
        // The score commit window opens when the reveal window has closed: nothing more can come.
        return commit !== null && now >= commit.opens
          ? { status: 'no submission was revealed: nothing to score', tone: 'muted' }
          : { status: 'waiting for revealed submissions', tone: 'active' };
      }
      if (evaluated < models.length)
        return { status: `evaluating: ${evaluated} of ${models.length} models evaluated`, tone: 'active' };
      if (scored < models.length) {
        if (rec.seed === null) {
          return commit !== null && now < commit.opens
            ? {
                status:
                  'every model evaluated on the whole eval set; the evaluation seed is drawn when the score commit window opens',
                tone: 'active',
              }
            : { status: 'every model evaluated; drawing the evaluation seed', tone: 'active' };
        }
        return { status: `scoring the subset: ${scored} of ${models.length} models scored`, tone: 'active' };
      }
      return {
        status:
          commitCloses !== null && now < commitCloses
            ? 'all models scored on the subset; scores are committed in the score commit window'
            : 'all models scored',
        tone: 'active',
      };
    }
  }
}

const onChain = (s: CommitStanding | null) => s === 'committed' || s === 'revealed' || s === 'not-revealed';

/** Columns the page read itself (the agent records an epoch's columns only when it commits). */
export type LiveColumns = Readonly<Record<number, { columns: readonly ColumnView[]; dataHash: Hex }>>;

export interface EpochViewsInput {
  state: ValidatorState | null;
  schedule: Schedule;
  now: bigint;
  /** The task's evalSubsetSize. */
  subsetSize: number;
  evaluating: string | null;
  /** By evaluation key. */
  stages: Readonly<Record<string, StageInfo>>;
  /** By evaluation key. */
  failures: Readonly<Record<string, readonly string[]>>;
  live?: LiveColumns;
  /** The task's public eval set and its revealed hidden final set (null until revealed). */
  evalSets?: { public: Hex; final: Hex | null };
  /** The task's metric (from its spec): a capped one's scores are also shown as its value. */
  metric?: Metric | null;
}

const short = (h: Hex) => `${h.slice(0, 8)}…${h.slice(-6)}`;

function seedView(
  rec: ValidatorEpochRecord,
  size: number,
  samples: number | null,
  now: bigint,
  commit: { opens: bigint } | null,
): EpochView['seed'] {
  const whole = samples !== null && size >= samples;
  const subset = whole
    ? `all ${samples} samples of the eval set (the subset size, ${size}, covers it)`
    : `${size}${samples !== null ? ` of the eval set's ${samples}` : ''} samples`;
  if (rec.seed !== null) {
    return {
      seed: rec.seed,
      state: 'drawn',
      text: whole
        ? `Evaluation seed ${short(rec.seed)}: every model is scored on ${subset}.`
        : `Evaluation seed ${short(rec.seed)}: every validator scores each model on the ${subset} it selects.`,
    };
  }
  if (rec.seedDraw?.halted) {
    return {
      seed: null,
      state: 'refused',
      text: `Drawing the evaluation seed was refused (${rec.seedDraw.halted}); waiting for another validator's draw. Try again to draw it from this account.`,
    };
  }
  const chooses = whole ? `every model is scored on ${subset}` : `it chooses the ${subset} every validator scores`;
  if (rec.seedDraw && rec.seedDraw.sentAt !== null) {
    return { seed: null, state: 'drawing', text: `Drawing the evaluation seed: ${chooses} this epoch.` };
  }
  const when =
    commit !== null && now < commit.opens
      ? 'when the score commit window opens, once every submission is revealed'
      : 'in the score commit window';
  return { seed: null, state: 'waiting', text: `Evaluation seed not drawn yet: it is drawn ${when}; ${chooses}.` };
}

/** One view per epoch the agent has a record of or the page has columns for, newest first. */
export function epochViews(input: EpochViewsInput): EpochView[] {
  const { state, schedule, now, evaluating, stages, failures, live = {}, subsetSize, evalSets, metric = null } = input;
  const meaning = (score: number | null) => (score === null || metric === null ? null : metricText(metric, score));
  if (!state) return [];
  const epochs = new Set<number>([...state.epochs.map((r) => r.epoch), ...Object.keys(live).map(Number)]);
  return [...epochs]
    .sort((a, b) => b - a)
    .map((epoch) => {
      const rec: ValidatorEpochRecord = state.epochs.find((r) => r.epoch === epoch) ?? openValidatorEpoch(epoch);
      const final = epoch >= schedule.submissionEpochs;
      const commitWindow = windowTimes(schedule, epoch, 'ScoreCommit');
      const revealWindow = windowTimes(schedule, epoch, 'ScoreReveal');
      const columns = rec.columns ?? live[epoch]?.columns ?? [];
      const dataHash = rec.dataHash ?? live[epoch]?.dataHash ?? null;
      const subset = rec.seed !== null ? { seed: rec.seed, size: subsetSize } : null;
      const progress = dataHash ? columnProgress(state, columns, dataHash, evaluating, subset) : [];
      let samples: number | null = null;
      const models: ModelRow[] = progress.map((p) => {
        const column = columns[p.index]!;
        const key = evaluationKey(column, dataHash!);
        const evaluation = state.evaluations[key];
        if (evaluation && evaluation.samples > 0) samples = evaluation.samples;
        const liveStage = stages[key];
        const check: ScoreCheck | null = column.duplicate ? 'duplicate' : (evaluation?.check ?? null);
        return {
          ...p,
          key,
          checks: modelChecks(check, p.status === 'evaluating' ? (liveStage?.stage ?? 'fetching') : null),
          activity: activity(p, liveStage, evaluation?.samples ?? null),
          scoreText: p.score === null ? null : p.score.toFixed(4),
          fullScoreText: p.fullScore === null || p.status === 'zero' ? null : p.fullScore.toFixed(4),
          scoreMetric: meaning(p.score),
          fullScoreMetric: p.status === 'zero' ? null : meaning(p.fullScore),
          failures: [...(failures[key] ?? [])],
        };
      });
      const { status, tone } = epochStatus(rec, models, now, commitWindow);
      const standing = commitStanding(rec);
      return {
        epoch,
        status: final && rec.outcome === 'open' && !dataHash ? 'waiting for the final eval set to be revealed' : status,
        tone,
        models,
        committed: onChain(standing) ? rec.commit!.scores : null,
        scores:
          standing !== null && rec.commit && committedScoresLabel(standing)
            ? { label: committedScoresLabel(standing)!, standing, values: rec.commit.scores }
            : null,
        scoresMetric:
          rec.commit && metric !== null && metric.name !== 'accuracy'
            ? rec.commit.scores.map((u) => metricText(metric, scoreOfUnits(u))!)
            : null,
        commitWindow,
        revealWindow,
        seed: seedView(rec, subsetSize, samples, now, commitWindow),
        dataSet: evalSets ? dataSetSentence(dataHash, final, evalSets) : null,
      };
    });
}

/** The backend the agent evaluates on, and whether a 16-bit one was refused (SPEC 2.2: validators score in 32-bit floats). */
export function backendView(
  state: ValidatorState | null,
  failures: Readonly<Record<string, readonly string[]>>,
): { backend: string | null; refused16: string | null } {
  if (!state) return { backend: null, refused16: null };
  const newest = Object.values(state.evaluations)
    .filter((e) => e.backend !== null)
    .sort((a, b) => (a.at === b.at ? 0 : a.at < b.at ? 1 : -1))[0];
  const half = /16-bit/;
  const refused =
    [
      ...Object.values(state.attempts).map((a) => a.lastError),
      ...Object.values(failures).flat(),
      ...state.notes.filter((n) => n.level !== 'info').map((n) => n.message),
    ].find((m) => half.test(m)) ?? null;
  return { backend: newest?.backend ?? null, refused16: refused };
}

export { VALIDATOR_PHASE_SENTENCE } from '../../../lib/app-logic/role-status.ts';

/** What the validator agent did, from its state: models scored, scores committed and revealed. */
export function validatorActivity(state: ValidatorState | null, metric: Metric | null = null): Note[] {
  if (!state) return [];
  const out: Note[] = [];
  if (state.join && state.join.sentAt !== null) {
    out.push({
      key: 'activity/join',
      at: state.join.sentAt,
      epoch: null,
      level: 'info',
      message: 'Validator stake sent.',
    });
  }
  const model = (key: string) => {
    const artifact = key.split('/')[0] ?? '';
    return `Model ${artifact.slice(0, 8)}…${artifact.slice(-6)}`;
  };
  for (const [key, e] of Object.entries(state.evaluations)) {
    const what =
      e.check === 'ok'
        ? `evaluated on all ${e.samples} samples of the eval set${e.backend ? ` (${e.backend})` : ''}: ${scoreText(metric, e.fullScore)}`
        : `scores 0 (${e.check === 'missing' ? 'could not be fetched' : e.check})`;
    out.push({
      key: `activity/evaluation/${key}`,
      at: e.at,
      epoch: null,
      level: e.check === 'ok' ? 'info' : 'warn',
      message: `${model(key)} ${what}.`,
    });
  }
  for (const [key, r] of Object.entries(state.results)) {
    if (r.check !== 'ok') continue;
    const size = key.split('/').at(-1);
    out.push({
      key: `activity/result/${key}`,
      at: r.at,
      epoch: null,
      level: 'info',
      message: `${model(key)} scored ${scoreText(metric, r.score)} on the ${size}-sample subset.`,
    });
  }
  for (const e of state.epochs) {
    const c = e.commit;
    if (c && c.sentAt !== null) {
      out.push({
        key: `activity/commit/${e.epoch}`,
        at: c.sentAt,
        epoch: e.epoch,
        level: 'info',
        message: `Epoch ${e.epoch}: score commitment for ${c.scores.length} submissions sent (${c.scores.join(', ')} of 10000).`,
      });
    }
    if (c && c.revealSentAt !== null && !state.notes.some((n) => n.key === `revealed/${e.epoch}`)) {
      out.push({
        key: `activity/reveal/${e.epoch}`,
        at: c.revealSentAt,
        epoch: e.epoch,
        level: 'info',
        message: `Epoch ${e.epoch}: score reveal sent.`,
      });
    }
  }
  return out;
}
