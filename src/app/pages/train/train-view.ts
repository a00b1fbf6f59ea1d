// What the Train page shows, as pure functions of the trainer agent's state, the training
// progress events and chain time: progress text, the chart history, per-epoch seal and reveal
// rows, the backend report and the phase in words. Kept out of the components so each rule is
// tested without a browser.
import type { Note, TrainerEpochResult, TrainerState, TrainerEpochRecord } from '../../../lib/agents/index.ts';
import { windowTimes, type Schedule } from '../../../lib/chain/schedule.ts';
import { formatDuration, formatTokens, formatWad, shortHex } from '../../../lib/format.ts';
import type { BackendSelection, CandidateReport } from '../../../lib/ml/backend/select.ts';
import type { TrainProgress } from '../../../lib/ml/train/trainer.ts';
import { bitsOfNats } from '../../../lib/app-logic/metric-view.ts';
import type { Metric } from '../../../lib/ml/spec/types.ts';

/** One point of the live charts. */
export interface HistoryPoint {
  step: number;
  loss: number;
  accuracy: number;
}

/** One live chart: its title, series, axis label and fixed domain (null: from the data). */
export interface ChartView {
  title: string;
  label: string;
  yLabel: string;
  yDomain: [number, number] | null;
  points: { x: number; y: number }[];
}

/**
 * The Train page's two live charts for the task's metric: loss and accuracy for a classifier; for
 * a next-token model over bytes (bitsPerByte), loss and bits per byte (the loss in bits: what
 * validators score, where the next-byte accuracy would say little).
 */
export function trainingCharts(history: readonly HistoryPoint[], metric: Metric | null): [ChartView, ChartView] {
  const loss: ChartView = {
    title: 'Training loss by step',
    label: 'Training loss',
    yLabel: 'Loss',
    yDomain: null,
    points: history.map((h) => ({ x: h.step, y: h.loss })),
  };
  if (metric?.name === 'bitsPerByte')
    return [
      loss,
      {
        title: 'Training bits per byte by step',
        label: 'Training bits per byte',
        yLabel: 'Bits per byte',
        yDomain: null,
        points: history.map((h) => ({ x: h.step, y: bitsOfNats(h.loss) })),
      },
    ];
  return [
    loss,
    {
      title: 'Training accuracy by step',
      label: 'Training accuracy',
      yLabel: 'Accuracy',
      yDomain: [0, 1],
      points: history.map((h) => ({ x: h.step, y: h.accuracy })),
    },
  ];
}

/** Points kept for the charts; older ones are thinned, not dropped, so the curve keeps its start. */
export const HISTORY_LIMIT = 240;

/**
 * Adds a progress report. A report at or before the last step means the run went back (resumed
 * from an earlier checkpoint, or a new run): the points from there on are replaced.
 */
export function appendHistory(
  history: readonly HistoryPoint[],
  p: Pick<TrainProgress, 'step' | 'loss' | 'accuracy'>,
  limit = HISTORY_LIMIT,
): HistoryPoint[] {
  if (!Number.isFinite(p.loss) || !Number.isFinite(p.accuracy)) return [...history];
  const kept = history.filter((h) => h.step < p.step);
  kept.push({ step: p.step, loss: p.loss, accuracy: p.accuracy });
  if (kept.length <= limit) return kept;
  // Thin the older half (every other point), keep the recent half as it is.
  const half = Math.floor(kept.length / 2);
  return [...kept.slice(0, half).filter((_, i) => i % 2 === 0), ...kept.slice(half)];
}

export interface ProgressView {
  value: number;
  max: number;
  /** Next to the bar: short, so it fits beside it on a phone. */
  text: string;
  /** Under the bar: epoch and time left. */
  detail: string;
  /** Steps per second and samples per second, when known. */
  speed: string | null;
}

export function progressView(p: TrainProgress | null, status: 'idle' | 'running' | 'paused'): ProgressView | null {
  if (p === null) return null;
  const done = p.step >= p.totalSteps;
  const eta =
    status === 'paused'
      ? 'paused'
      : status === 'idle'
        ? done
          ? 'finished'
          : 'not running'
        : done
          ? 'finishing'
          : `about ${formatDuration(Math.max(1, Math.round(p.etaSec)))} left`;
  return {
    value: Math.min(p.step, p.totalSteps),
    max: Math.max(1, p.totalSteps),
    text: `step ${p.step.toLocaleString('en-US')} of ${p.totalSteps.toLocaleString('en-US')}`,
    detail: `Epoch ${Math.min(p.epoch + 1, p.epochs)} of ${p.epochs} · ${eta}`,
    speed:
      p.samplesPerSec > 0 ? `${Math.round(p.samplesPerSec).toLocaleString('en-US')} samples/s on ${p.backend}` : null,
  };
}

export interface BackendRow {
  name: string;
  status: string;
  detail: string;
  chosen: boolean;
}

const CANDIDATE_STATUS: Record<CandidateReport['status'], string> = {
  calibrated: 'timed',
  skipped: 'not timed',
  'cannot-train': 'cannot train this model',
  unavailable: 'not available',
};

export function backendRows(selection: BackendSelection | null): BackendRow[] {
  if (selection === null) return [];
  return selection.report.map((c) => {
    const parts: string[] = [];
    if (c.info?.adapter)
      parts.push(`${c.info.adapter.vendor || 'GPU'}${c.info.adapter.isFallbackAdapter ? ' (software)' : ''}`);
    else if (c.info?.software) parts.push('software');
    if (c.samplesPerSec !== undefined && c.samplesPerSec > 0)
      parts.push(`${Math.round(c.samplesPerSec).toLocaleString('en-US')} samples/s`);
    if (c.reason) parts.push(c.reason);
    return {
      name: c.name,
      status: CANDIDATE_STATUS[c.status],
      detail: parts.join(' · '),
      chosen: c.name === selection.backend,
    };
  });
}

/**
 * The chosen backend in one sentence: picked automatically, chosen by the person, or the
 * reference backend a transcript run always trains on (docs/transcript.md section 5).
 */
export function backendSentence(
  selection: BackendSelection | null,
  how: 'auto' | 'chosen' | 'reference',
): string | null {
  if (selection === null) return null;
  const speed =
    selection.samplesPerSec > 0
      ? ` at about ${Math.round(selection.samplesPerSec).toLocaleString('en-US')} samples/s`
      : '';
  const kind =
    selection.info.adapter?.isFallbackAdapter || selection.info.software
      ? ' (a software implementation on the CPU)'
      : '';
  if (how === 'reference')
    return `Training on ${selection.backend}${kind}, the reference backend every validator replays transcripts on${speed}.`;
  return how === 'chosen'
    ? `Training on ${selection.backend}${kind}, as you chose${speed}.`
    : `Training on ${selection.backend}${kind}: the fastest backend here that can train this model${speed}.`;
}

export { PHASE_SENTENCE } from '../../../lib/app-logic/role-status.ts';

export interface EpochRow {
  epoch: number;
  /** What happened or is happening, in words. */
  status: string;
  tone: 'ok' | 'active' | 'warn' | 'muted';
  artifact: string | null;
  cid: string | null;
  /** What finalization booked once the epoch is finalized: a rank, or why it did not qualify (SPEC 4.3). */
  result: { text: string; qualified: boolean } | null;
  sealWindow: { opens: bigint; closes: bigint };
  revealWindow: { opens: bigint; closes: bigint };
  /**
   * Why this account cannot submit in the epoch although its windows open (its stake counts
   * from a later epoch, or is below the minimum); null when it can, or when it has not staked.
   */
  notYours: string | null;
}

function recordStatus(
  rec: TrainerEpochRecord | undefined,
  now: bigint,
  sealCloses: bigint,
  revealCloses: bigint,
): { status: string; tone: EpochRow['tone'] } {
  if (!rec) {
    if (now >= sealCloses) return { status: 'no seal', tone: 'muted' };
    return { status: 'not sealed yet', tone: 'muted' };
  }
  switch (rec.outcome) {
    case 'revealed':
      return { status: 'sealed and revealed', tone: 'ok' };
    case 'missed-seal':
      return { status: 'missed: nothing sealed', tone: 'warn' };
    case 'missed-reveal':
      return { status: 'missed: sealed, not revealed', tone: 'warn' };
    case 'seal-lost':
      return { status: 'missed: the seal did not land', tone: 'warn' };
    case 'foreign':
      return { status: 'sealed from another device', tone: 'warn' };
    case 'ineligible':
      return { status: 'not eligible', tone: 'muted' };
    case 'open': {
      const seal = rec.seal;
      if (seal === null)
        return { status: now < sealCloses ? 'waiting for a sealable model' : 'no seal', tone: 'active' };
      if (seal.halted !== null) return { status: `stopped: ${seal.halted}`, tone: 'warn' };
      if (seal.status === 'prepared') return { status: 'sealing…', tone: 'active' };
      if (seal.status === 'revealed') return { status: 'revealed', tone: 'ok' };
      if (now >= revealCloses) return { status: 'sealed, reveal window over', tone: 'warn' };
      if (seal.cid !== null) return { status: 'uploaded, revealing…', tone: 'active' };
      return { status: now >= sealCloses ? 'sealed, revealing…' : 'sealed: reveal opens next', tone: 'active' };
    }
  }
}

/** The booked outcome of a revealed submission in words (revision 2: only qualifying submissions take a rank). */
export function resultText(
  r: TrainerEpochResult,
  rules: { minScore: bigint; floorBps: number; minValidators: number },
): { text: string; qualified: boolean } {
  const score = (w: bigint) => formatWad(w, 4);
  if (r.degenerate)
    return {
      text: `nothing booked: fewer than ${rules.minValidators} validators revealed scores, the epoch rolled over`,
      qualified: false,
    };
  if (r.aggregate === null) return { text: 'not among the scored submissions', qualified: false };
  if (r.rank > 0)
    return {
      text: `ranked #${r.rank} (score ${score(r.aggregate)}), ${formatTokens(r.pool)} ARENA to your pool`,
      qualified: true,
    };
  const best = r.best ?? 0n;
  const why =
    r.aggregate <= rules.minScore
      ? `score ${score(r.aggregate)} is not above the minimum ${score(rules.minScore)}`
      : `score ${score(r.aggregate)} is below ${rules.floorBps / 100}% of the best (${score(best)})`;
  return { text: `did not qualify: ${why}; nothing earned`, qualified: false };
}

/** One row per submission epoch: windows, and what this account did in them. */
export function epochRows(
  state: TrainerState | null,
  schedule: Schedule,
  now: bigint,
  rules: { minScore: bigint; floorBps: number; minValidators: number } | null = null,
  /** The account's trainer stake (null: not staked; its windows are shown as they are). */
  stake: { eligibleFrom: number | null } | null = null,
): EpochRow[] {
  const rows: EpochRow[] = [];
  for (let e = 0; e < schedule.submissionEpochs; e++) {
    const seal = windowTimes(schedule, e, 'Seal')!;
    const reveal = windowTimes(schedule, e, 'Reveal')!;
    const rec = state?.epochs.find((r) => r.epoch === e);
    const notYours =
      stake === null || rec?.seal
        ? null
        : stake.eligibleFrom === null
          ? 'your own stake is below the task’s minimum'
          : e < stake.eligibleFrom
            ? `before your stake counts (from epoch ${stake.eligibleFrom})`
            : null;
    const { status, tone } =
      notYours !== null && (!rec || rec.outcome === 'ineligible' || rec.outcome === 'open')
        ? { status: `not for you: ${notYours}`, tone: 'muted' as const }
        : recordStatus(rec, now, seal.closes, reveal.closes);
    rows.push({
      epoch: e,
      status,
      tone,
      artifact: rec?.seal ? shortHex(rec.seal.artifactHash, 6) : null,
      cid: rec?.seal?.cid ?? null,
      result: rec?.result && rules ? resultText(rec.result, rules) : null,
      sealWindow: seal,
      revealWindow: reveal,
      notYours,
    });
  }
  return rows;
}

/** The best model so far in words, for the summary. */
export function candidateSentence(state: TrainerState | null): string | null {
  const c = state?.best ?? state?.training.last ?? null;
  if (!c) return null;
  const margin = `${c.wrong} wrong watermark bits (at most ${Math.floor(c.maxErr / 2)} allowed to seal)`;
  return `${c.sealable ? 'Sealable model' : 'Newest model (not sealable yet)'} ${shortHex(c.artifactHash, 6)} from step ${c.step}: ${margin}.`;
}

/**
 * What the agent did, from its state: the stake sent, models trained, seals, uploads and reveals
 * with their chain times. The agent's notes explain decisions and misses; these are the plain
 * facts between them, so the timeline reads as a whole story.
 */
export function trainerActivity(state: TrainerState | null): Note[] {
  if (!state) return [];
  const has = (prefix: string) => state.notes.some((n) => n.key.startsWith(prefix));
  const out: Note[] = [];
  const add = (key: string, at: bigint | null, epoch: number | null, message: string) => {
    if (at !== null) out.push({ key: `activity/${key}`, at, epoch, level: 'info', message });
  };
  if (state.join)
    add(
      'join',
      state.join.sentAt,
      null,
      `Stake of ${formatTokens(state.join.amount)} ARENA sent, committing the watermark key made on this device.`,
    );
  const last = state.training.last;
  if (last && !has(`trained/${last.artifactHash}`)) {
    add(
      `model/${last.artifactHash}`,
      last.at,
      null,
      `Model ${shortHex(last.artifactHash, 6)} from step ${last.step}: ${last.wrong} wrong watermark bits, ${last.sealable ? 'sealable' : 'not sealable yet'}.`,
    );
  }
  for (const r of state.epochs) {
    const seal = r.seal;
    if (!seal) continue;
    add(
      `seal/${r.epoch}`,
      seal.sentAt,
      r.epoch,
      `Epoch ${r.epoch}: seal of model ${shortHex(seal.artifactHash, 6)} sent${seal.sends > 1 ? ` (${seal.sends} times)` : ''}.`,
    );
    if (seal.cid !== null)
      add(
        `upload/${r.epoch}`,
        seal.uploadAt,
        r.epoch,
        `Epoch ${r.epoch}: model uploaded to the artifact store as ${seal.cid}.`,
      );
    if (!has(`revealed/${r.epoch}`))
      add(`reveal/${r.epoch}`, seal.revealSentAt, r.epoch, `Epoch ${r.epoch}: reveal sent.`);
  }
  return out;
}

/** Notes and activity in time order (oldest first; the timeline shows the newest on top). */
export function timeline(notes: readonly Note[], activity: readonly Note[]): Note[] {
  return [...notes, ...activity]
    .map((n, i) => [n, i] as const)
    .sort((a, b) => (a[0].at === b[0].at ? a[1] - b[1] : a[0].at < b[0].at ? -1 : 1))
    .map(([n]) => n);
}
