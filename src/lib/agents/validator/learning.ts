// The validator's part in the learning stage of challenges (SPEC 7 steps 2-3, 8.4), pure: the
// similarity hint of each revealed submission, the automatic challenge above the threshold,
// the whole-transcript check of a challenge this account opened and the dispute of its first
// failing segment, the verdict on every dispute of the task (committed in the first half of the
// vote, revealed in the second), and the jury share. learningStep decides from an observation;
// learningRecord folds in an action's outcome. No I/O: a verdict's salt comes from the
// observation's entropy and is stored (the runner saves the state) before the commitment is sent.
// Decisions: docs/app/agents.md, "Challenges by the validator agent".
import type { Address, Hex } from 'viem';
import { formatTokens, shortHex } from '../../format.ts';
import type { ChallengeState } from '../../chain/actions/read-challenges.ts';
import type { VerdictName } from '../../chain/actions/read-verdicts.ts';
import { due, formatTime, type NoteLevel } from '../common.ts';
import type { NoteFn } from '../machine-parts.ts';
import type { TranscriptCheckProgress } from '../transcript-check.ts';
import { DEFAULT_CHALLENGE_THRESHOLD, comparisonSet, crossesThreshold, type Match } from './similarity.ts';

export interface ChallengeSettings {
  /** Challenge automatically when a submission's hint reaches `threshold`. */
  auto: boolean;
  /** Noise-probe agreement at or above which a submission is challenged (docs/bench/similarity.md). */
  threshold: number;
}

export const DEFAULT_CHALLENGE_SETTINGS: ChallengeSettings = { auto: true, threshold: DEFAULT_CHALLENGE_THRESHOLD };

/** A revealed submission the agent evaluated: the key of the evaluation that holds its predictions. */
export interface KnownSubmission {
  submissionId: number;
  trainer: Address;
  epoch: number;
  evaluation: string;
}

export interface SimilarityHint {
  submissionId: number;
  trainer: Address;
  /** The earlier submission of another trainer it agrees with most; null when there was none to compare. */
  closest: Match | null;
  /** Submissions compared with. */
  compared: number;
  /** closest.probes reached the threshold in force when the hint was made. */
  flagged: boolean;
  at: bigint;
}

/** A challenge this agent opens (at most one per submission, ever). */
export interface OwnChallenge {
  submissionId: number;
  /** The hint that called for it. */
  hint: Match;
  bond: string;
  status: 'sending' | 'opened' | 'refused';
  challengeId: string | null;
  sentAt: bigint | null;
  sends: number;
  halted: string | null;
}

export interface DisputeRecord {
  challengeId: string;
  segment: number;
  status: 'sending' | 'sent';
  sentAt: bigint | null;
  sends: number;
  halted: string | null;
}

export type VerdictStatus = 'checking' | 'prepared' | 'committed' | 'revealed' | 'claimed' | 'missed';

export interface VerdictRecord {
  challengeId: string;
  segment: number;
  /** null while the segment is being checked. */
  replays: boolean | null;
  /** Stored before the commitment is sent: without it the verdict cannot be revealed. */
  salt: Hex | null;
  status: VerdictStatus;
  sentAt: bigint | null;
  sends: number;
  revealSentAt: bigint | null;
  reveals: number;
  claimSentAt: bigint | null;
  halted: string | null;
}

export interface LearningState {
  settings: ChallengeSettings;
  /**
   * What an automatic challenge would post now and what the account holds (decimal token units,
   * as last observed): the status shows it; `covered` false means a challenge would not be sent.
   */
  terms?: { bond: string; balance: string; covered: boolean; at: bigint };
  /** By submission id. */
  submissions: Record<string, KnownSubmission>;
  hints: Record<string, SimilarityHint>;
  /** By submission id. */
  challenges: Record<string, OwnChallenge>;
  /** The latest report of each transcript check, by `${challengeId}/${mode}`. */
  checks: Record<string, TranscriptCheckProgress>;
  /** Failed attempts at a check (fetch errors), by the same key. */
  checkAttempts: Record<string, { count: number; lastAt: bigint; lastError: string }>;
  disputes: Record<string, DisputeRecord>;
  verdicts: Record<string, VerdictRecord>;
}

export const initialLearningState = (): LearningState => ({
  settings: { ...DEFAULT_CHALLENGE_SETTINGS },
  submissions: {},
  hints: {},
  challenges: {},
  checks: {},
  checkAttempts: {},
  disputes: {},
  verdicts: {},
});

/** A challenge of the task as the agent observes it. */
export interface ChallengeObs {
  challengeId: string;
  submissionId: number;
  trainer: Address;
  challenger: Address;
  status: ChallengeState;
  disclosure: Hex | null;
  disputeDeadline: bigint | null;
  dispute: { disputer: Address; segment: number; commitEnd: bigint; voteEnd: bigint } | null;
  /** This account's vote on it. */
  vote: { committed: boolean; verdict: VerdictName | null; claimed: boolean };
  /** Set once settled by a vote with a majority. */
  majority: VerdictName | null;
  /** What claimJuryShare would pay this account now. */
  share: bigint;
}

export interface LearningObservation {
  account: Address;
  challenges: ChallengeObs[];
  /** The task's challenge bond, and this account's token balance. */
  bond: bigint;
  balance: bigint;
  /** This account's weight as a juror now (0: it cannot dispute or vote). */
  jurorWeight: bigint;
  /** Challenges can be opened until then (the task's end). */
  periodEnd: bigint;
  local: {
    /** Check keys running now. */
    checking: string[];
  };
}

export interface LearningConfig {
  retryAfterSec: number;
  /** A check whose disclosure cannot be fetched is tried this many times before it counts as failing. */
  maxCheckAttempts: number;
  checkRetrySec: number;
}

export type LearningAction =
  | {
      type: 'compare';
      submission: KnownSubmission;
      against: KnownSubmission[];
      threshold: number;
    }
  | { type: 'challenge'; submissionId: number }
  | {
      type: 'checkTranscript';
      challengeId: string;
      submissionId: number;
      mode: 'whole' | 'segment';
      segment: number | null;
    }
  | { type: 'disputeSegment'; challengeId: string; segment: number }
  | { type: 'commitVerdict'; challengeId: string; replays: boolean; salt: Hex }
  | { type: 'revealVerdict'; challengeId: string; replays: boolean; salt: Hex }
  | { type: 'claimJuryShare'; challengeId: string };

export type LearningOutcome =
  | {
      type: 'compared';
      submissionId: number;
      trainer: Address;
      closest: Match | null;
      compared: number;
      threshold: number;
      at: bigint;
    }
  | { type: 'challengeOpened'; submissionId: number; challengeId: string; at: bigint }
  | { type: 'transcriptChecked'; key: string; progress: TranscriptCheckProgress; at: bigint }
  | { type: 'checkFailed'; key: string; message: string; at: bigint }
  | {
      type: 'learningSent';
      action: 'disputeSegment' | 'commitVerdict' | 'revealVerdict' | 'claimJuryShare';
      challengeId: string;
      at: bigint;
    }
  | {
      type: 'learningFailed';
      action: 'challenge' | 'disputeSegment' | 'commitVerdict' | 'revealVerdict' | 'claimJuryShare';
      /** Submission id for 'challenge', else the challenge id. */
      key: string;
      message: string;
      retryable: boolean;
      at: bigint;
    };

export const checkKey = (challengeId: string, mode: 'whole' | 'segment'): string => `${challengeId}/${mode}`;

/**
 * The segment a challenger disputes after its whole check (SPEC 7 step 3): the first that does
 * not replay; for a disclosure that fails before any replay, the segment whose check shows it
 * (the start's for a foreign start or a manifest not matching the seal, the last for a last
 * state that is not the artifact, the first unfetchable one). null: every segment replays (or
 * the check is not finished): nothing to dispute.
 */
export function segmentToDispute(check: TranscriptCheckProgress): number | null {
  if (check.status === 'fails') return check.firstFailing;
  if (check.status !== 'problem' || !check.problem) return null;
  switch (check.problem.kind) {
    case 'not-the-artifact':
      return check.segments - 1;
    case 'foreign-start':
    case 'mismatch':
      return check.firstFailing ?? 0;
    case 'unavailable':
      return check.firstFailing ?? 0;
  }
}

/**
 * A verdict on `segment` from a check (a juror's of that segment, or the challenger's whole one):
 * true if it replays, false if not, null when the check does not say (not reached yet). A
 * disclosure that does not match the seal, or that cannot be fetched, fails every segment: no
 * state of it can be shown to replay. A foreign start fails the first segment, a last state that
 * is not the artifact the last one.
 */
export function verdictOf(check: TranscriptCheckProgress, segment: number): boolean | null {
  if (check.status === 'problem') {
    switch (check.problem?.kind) {
      case 'mismatch':
      case 'unavailable':
        return false;
      case 'foreign-start':
        if (segment === 0) return false;
        break;
      case 'not-the-artifact':
        if (segment === check.segments - 1) return false;
        break;
    }
  }
  const done = check.checked.find((c) => c.segment === segment);
  return done ? done.replays : null;
}

/** Where a vote stands at `now`: committing (first half), revealing (second half), or over. */
export function voteWindow(d: { commitEnd: bigint; voteEnd: bigint }, now: bigint): 'commit' | 'reveal' | 'over' {
  if (now < d.commitEnd) return 'commit';
  if (now <= d.voteEnd) return 'reveal';
  return 'over';
}

const isMine = (a: Address, b: Address) => a.toLowerCase() === b.toLowerCase();

export function learningStep(
  l: LearningState,
  obs: LearningObservation,
  ctx: {
    now: bigint;
    entropy: Hex;
    config: LearningConfig;
    note: NoteFn;
    /** This account's stake counts in the current epoch. */
    eligible: boolean;
    /** Where each evaluation stands: absent while not done; `predictions` when it kept the model's predictions. */
    evaluations: Record<string, { predictions: boolean }>;
  },
  actions: LearningAction[],
): void {
  const { now, config, note } = ctx;
  const bySubmission = new Map<number, ChallengeObs[]>();
  for (const c of obs.challenges) bySubmission.set(c.submissionId, [...(bySubmission.get(c.submissionId) ?? []), c]);

  // 1. Hints: each evaluated submission once, against the earlier ones of other trainers.
  const known = Object.values(l.submissions).sort((a, b) => a.submissionId - b.submissionId);
  const ready = (k: KnownSubmission) => ctx.evaluations[k.evaluation]?.predictions === true;
  for (const s of known) {
    if (l.hints[s.submissionId] || !ready(s)) continue;
    const earlier = comparisonSet(s, known);
    // An earlier submission still being evaluated is waited for; one that failed its checks has no predictions.
    if (earlier.some((k) => !ctx.evaluations[k.evaluation])) continue;
    actions.push({ type: 'compare', submission: s, against: earlier.filter(ready), threshold: l.settings.threshold });
    break;
  }

  // 2. Automatic challenges.
  l.terms = { bond: obs.bond.toString(), balance: obs.balance.toString(), covered: obs.balance >= obs.bond, at: now };
  if (l.settings.auto && obs.balance < obs.bond)
    note(
      `bond-uncovered/${obs.bond}`,
      'warn',
      `Automatic challenges are on, but a challenge posts a bond of ${formatTokens(obs.bond, 4)} ARENA and this account holds ${formatTokens(obs.balance, 4)} ARENA: a copied submission would not be challenged until tokens are added.`,
    );
  const eligible = ctx.eligible && obs.jurorWeight > 0n && now < obs.periodEnd;
  for (const h of Object.values(l.hints)) {
    if (!l.settings.auto || !h.closest || !crossesThreshold(h.closest, l.settings.threshold)) continue;
    const mine = l.challenges[h.submissionId];
    if (mine) {
      if (mine.status === 'sending' && mine.halted === null && due(mine.sentAt, now, config.retryAfterSec)) {
        mine.sentAt = now;
        mine.sends += 1;
        actions.push({ type: 'challenge', submissionId: h.submissionId });
      }
      continue;
    }
    const others = bySubmission.get(h.submissionId) ?? [];
    const tag = `S${h.submissionId} agrees with S${h.closest.submissionId} of ${shortHex(h.closest.trainer, 4)} on ${pct(h.closest.probes)} of the probe inputs (threshold ${pct(l.settings.threshold)})`;
    if (others.length > 0) {
      note(
        `challenged-by-other/${h.submissionId}`,
        'info',
        `Submission ${h.submissionId} is not challenged by this validator: ${tag}, but it is already challenged (challenge ${others.map((c) => c.challengeId).join(', ')}); a submission has one challenge at a time, and one that passed cannot be failed by an earlier one.`,
      );
      continue;
    }
    if (!eligible) {
      note(
        `cannot-challenge/${h.submissionId}`,
        'warn',
        `Submission ${h.submissionId} looks copied (${tag}), but this account cannot challenge it now: ${now >= obs.periodEnd ? "the task's challenge period is over" : 'its validator stake does not count in this epoch'}.`,
      );
      continue;
    }
    if (obs.balance < obs.bond) {
      note(
        `bond-short/${h.submissionId}`,
        'warn',
        `Submission ${h.submissionId} looks copied (${tag}), but a challenge posts a bond of ${formatTokens(obs.bond, 4)} ARENA and this account holds ${formatTokens(obs.balance, 4)} ARENA: not challenged. Add tokens, and it is challenged at the next check.`,
      );
      continue;
    }
    l.challenges[h.submissionId] = {
      submissionId: h.submissionId,
      hint: h.closest,
      bond: obs.bond.toString(),
      status: 'sending',
      challengeId: null,
      sentAt: now,
      sends: 1,
      halted: null,
    };
    note(
      `auto-challenge/${h.submissionId}`,
      'info',
      `Challenging submission ${h.submissionId} with a bond of ${formatTokens(obs.bond, 4)} ARENA: ${tag}. Its trainer must prove ownership and disclose its training transcript; this validator then replays it.`,
    );
    actions.push({ type: 'challenge', submissionId: h.submissionId });
  }

  // 3. Challenges this account opened: check the transcript once disclosed, dispute in time.
  for (const c of obs.challenges) {
    const own = Object.values(l.challenges).find((x) => x.submissionId === c.submissionId);
    if (own && own.challengeId === null && isMine(c.challenger, obs.account)) {
      own.challengeId = c.challengeId;
      own.status = 'opened';
    }
    if (!isMine(c.challenger, obs.account) || c.status !== 'answered' || c.disclosure === null) continue;
    const key = checkKey(c.challengeId, 'whole');
    const check = l.checks[key];
    const deadline = c.disputeDeadline!;
    if (!check || stale(check, key, obs)) {
      startCheck(l, c, 'whole', null, key, now, config, obs, actions);
      continue;
    }
    if (check.status === 'problem' && check.problem?.kind === 'unavailable') {
      const tried = l.checkAttempts[key];
      if ((tried?.count ?? 0) < config.maxCheckAttempts) {
        startCheck(l, c, 'whole', null, key, now, config, obs, actions);
        continue;
      }
    }
    if (!['fails', 'problem', 'replays'].includes(check.status)) continue;
    const segment = segmentToDispute(check);
    if (segment === null) {
      note(
        `replays/${c.challengeId}`,
        'info',
        `Challenge ${c.challengeId}: every one of the ${check.segments} segments of submission ${c.submissionId}'s transcript replays here, so this validator names none; after ${formatTime(deadline)} the challenge clears and the bond goes to the trainer.`,
      );
      continue;
    }
    const d = l.disputes[c.challengeId];
    if (d) {
      if (d.status === 'sending' && d.halted === null && now <= deadline && due(d.sentAt, now, config.retryAfterSec)) {
        d.sentAt = now;
        d.sends += 1;
        actions.push({ type: 'disputeSegment', challengeId: c.challengeId, segment: d.segment });
      }
      continue;
    }
    if (now > deadline) {
      note(
        `dispute-missed/${c.challengeId}`,
        'warn',
        `Challenge ${c.challengeId}: segment ${segment} does not replay, but the time to name it ended at ${formatTime(deadline)}.`,
      );
      continue;
    }
    l.disputes[c.challengeId] = {
      challengeId: c.challengeId,
      segment,
      status: 'sending',
      sentAt: now,
      sends: 1,
      halted: null,
    };
    note(
      `dispute/${c.challengeId}`,
      'info',
      `Challenge ${c.challengeId}: ${why(check, segment)}; disputing it, and the task's validators vote on it.`,
    );
    actions.push({ type: 'disputeSegment', challengeId: c.challengeId, segment });
  }

  // 4. Verdicts on every dispute of the task, and the jury share.
  for (const c of obs.challenges) {
    if (!c.dispute) continue;
    const id = c.challengeId;
    let v = l.verdicts[id];
    // Reconcile with the chain: what it holds wins.
    if (v) {
      if (c.vote.claimed) v.status = 'claimed';
      else if (c.vote.verdict !== null) v.status = 'revealed';
      else if (c.vote.committed && v.status === 'prepared') v.status = 'committed';
    }
    const w = voteWindow(c.dispute, now);
    if (!v) {
      if (w !== 'commit' || obs.jurorWeight === 0n || !ctx.eligible) continue;
      v = l.verdicts[id] = {
        challengeId: id,
        segment: c.dispute.segment,
        replays: null,
        salt: null,
        status: 'checking',
        sentAt: null,
        sends: 0,
        revealSentAt: null,
        reveals: 0,
        claimSentAt: null,
        halted: null,
      };
    }
    if (v.status === 'checking') {
      if (w !== 'commit') {
        v.status = 'missed';
        note(
          `verdict-missed/${id}`,
          'warn',
          `Challenge ${id}: the check of disputed segment ${v.segment} did not finish before verdicts closed at ${formatTime(c.dispute.commitEnd)}; this validator does not vote on it.`,
        );
        continue;
      }
      const verdict = verdictFrom(l, id, v.segment, config);
      if (verdict === null) {
        const key = checkKey(id, 'segment');
        const check = l.checks[key];
        const retry =
          check?.status === 'problem' &&
          check.problem?.kind === 'unavailable' &&
          (l.checkAttempts[key]?.count ?? 0) < config.maxCheckAttempts;
        if (stale(check, key, obs) || retry) startCheck(l, c, 'segment', v.segment, key, now, config, obs, actions);
        continue;
      }
      v.replays = verdict;
      v.salt = ctx.entropy;
      v.status = 'prepared';
      v.sentAt = now;
      v.sends = 1;
      note(
        `verdict/${id}`,
        'info',
        `Challenge ${id}: disputed segment ${v.segment} ${verdict ? 'replays' : 'does not replay'} here; committing that verdict (revealed from ${formatTime(c.dispute.commitEnd)}).`,
      );
      actions.push({ type: 'commitVerdict', challengeId: id, replays: verdict, salt: v.salt });
      continue;
    }
    if (v.status === 'prepared' && v.halted === null) {
      if (w === 'commit' && due(v.sentAt, now, config.retryAfterSec)) {
        v.sentAt = now;
        v.sends += 1;
        actions.push({ type: 'commitVerdict', challengeId: id, replays: v.replays!, salt: v.salt! });
      } else if (w !== 'commit') {
        v.status = 'missed';
        note(
          `verdict-lost/${id}`,
          'warn',
          `Challenge ${id}: the verdict commitment never showed on chain before ${formatTime(c.dispute.commitEnd)}.`,
        );
      }
      continue;
    }
    if (v.status === 'committed' && v.halted === null) {
      if (w === 'reveal' && due(v.revealSentAt, now, config.retryAfterSec)) {
        v.revealSentAt = now;
        v.reveals += 1;
        actions.push({ type: 'revealVerdict', challengeId: id, replays: v.replays!, salt: v.salt! });
      } else if (w === 'over') {
        v.status = 'missed';
        note(
          `reveal-missed/${id}`,
          'warn',
          `Challenge ${id}: the committed verdict was not revealed before ${formatTime(c.dispute.voteEnd)}, so it counts nothing.`,
        );
      }
      continue;
    }
    if (v.status === 'revealed' && v.halted === null && c.majority !== null && c.share > 0n) {
      const mine: VerdictName = v.replays ? 'replays' : 'does-not-replay';
      if (mine === c.majority && due(v.claimSentAt, now, config.retryAfterSec)) {
        v.claimSentAt = now;
        actions.push({ type: 'claimJuryShare', challengeId: id });
      }
    }
  }
}

/** The verdict already known from a check of this challenge: the juror's own, or the challenger's whole one. */
function verdictFrom(l: LearningState, challengeId: string, segment: number, config: LearningConfig): boolean | null {
  for (const mode of ['segment', 'whole'] as const) {
    const key = checkKey(challengeId, mode);
    const check = l.checks[key];
    if (!check) continue;
    // A fetch that may still succeed is tried again before it counts against the trainer.
    const unavailable = check.status === 'problem' && check.problem?.kind === 'unavailable';
    if (unavailable && (l.checkAttempts[key]?.count ?? 0) < config.maxCheckAttempts) continue;
    const v = verdictOf(check, segment);
    if (v !== null) return v;
  }
  return null;
}

/** A check to (re)start: none yet, cancelled, or left running by a closed app. */
const stale = (check: TranscriptCheckProgress | undefined, key: string, obs: LearningObservation): boolean =>
  !check ||
  check.status === 'cancelled' ||
  ((check.status === 'fetching' || check.status === 'replaying') && !obs.local.checking.includes(key));

function startCheck(
  l: LearningState,
  c: ChallengeObs,
  mode: 'whole' | 'segment',
  segment: number | null,
  key: string,
  now: bigint,
  config: LearningConfig,
  obs: LearningObservation,
  actions: LearningAction[],
): void {
  // One check at a time: replays share the eval worker (it runs one replay at a time).
  if (obs.local.checking.length > 0 || actions.some((a) => a.type === 'checkTranscript')) return;
  const tried = l.checkAttempts[key];
  if (tried && !due(tried.lastAt, now, config.checkRetrySec)) return;
  actions.push({ type: 'checkTranscript', challengeId: c.challengeId, submissionId: c.submissionId, mode, segment });
}

const pct = (x: number) => `${(100 * x).toFixed(1)}%`;

function why(check: TranscriptCheckProgress, segment: number): string {
  if (check.status === 'fails') {
    const s = check.checked.find((x) => x.segment === segment);
    return `segment ${segment} of ${check.segments} does not replay (${s ? `${s.failing} coordinates outside the rule` : 'replay failed'})`;
  }
  return `the disclosure fails its check (${check.problem?.message ?? check.problem?.kind}), shown at segment ${segment}`;
}

/** Folds a learning outcome into the state (pure; `l` is already a copy). */
export function learningRecord(l: LearningState, outcome: LearningOutcome, note: NoteFn): void {
  switch (outcome.type) {
    case 'compared': {
      const flagged = crossesThreshold(outcome.closest, outcome.threshold);
      l.hints[outcome.submissionId] = {
        submissionId: outcome.submissionId,
        trainer: outcome.trainer,
        closest: outcome.closest,
        compared: outcome.compared,
        flagged,
        at: outcome.at,
      };
      if (outcome.closest) {
        const level: NoteLevel = flagged ? 'warn' : 'info';
        note(
          `hint/${outcome.submissionId}`,
          level,
          `Submission ${outcome.submissionId}: closest earlier submission of another trainer is ${outcome.closest.submissionId}, same class on ${pct(outcome.closest.probes)} of the probe inputs${outcome.closest.eval !== null ? ` and ${pct(outcome.closest.eval)} of the eval samples` : ''}; ${flagged ? `at or above the challenge threshold ${pct(outcome.threshold)}` : `below the challenge threshold ${pct(outcome.threshold)} (independent models measured at most 73.7%)`}.`,
        );
      }
      break;
    }
    case 'challengeOpened': {
      const c = l.challenges[outcome.submissionId];
      if (c) {
        c.status = 'opened';
        c.challengeId = outcome.challengeId;
      }
      break;
    }
    case 'transcriptChecked': {
      l.checks[outcome.key] = outcome.progress;
      const p = outcome.progress;
      if (p.status === 'problem' && p.problem?.kind === 'unavailable') {
        const prior = l.checkAttempts[outcome.key];
        l.checkAttempts[outcome.key] = {
          count: (prior?.count ?? 0) + 1,
          lastAt: outcome.at,
          lastError: p.problem.message,
        };
      }
      break;
    }
    case 'checkFailed': {
      const prior = l.checkAttempts[outcome.key];
      l.checkAttempts[outcome.key] = { count: (prior?.count ?? 0) + 1, lastAt: outcome.at, lastError: outcome.message };
      const check = l.checks[outcome.key];
      if (check && (check.status === 'fetching' || check.status === 'replaying')) check.status = 'cancelled';
      note(
        `check-failed/${outcome.key}/${outcome.message}`,
        'warn',
        `Transcript check ${outcome.key} failed: ${outcome.message}. It is tried again.`,
      );
      break;
    }
    case 'learningSent': {
      if (outcome.action === 'disputeSegment') {
        const d = l.disputes[outcome.challengeId];
        if (d) d.status = 'sent';
      }
      const v = l.verdicts[outcome.challengeId];
      if (v && outcome.action === 'commitVerdict' && v.status === 'prepared') v.status = 'committed';
      if (v && outcome.action === 'revealVerdict') v.status = 'revealed';
      if (v && outcome.action === 'claimJuryShare') v.status = 'claimed';
      break;
    }
    case 'learningFailed': {
      note(
        `failed/${outcome.action}/${outcome.key}/${outcome.message}`,
        outcome.retryable ? 'warn' : 'error',
        `${outcome.action} (${outcome.action === 'challenge' ? 'submission' : 'challenge'} ${outcome.key}) failed: ${outcome.message}.${outcome.retryable ? ' It will be tried again.' : ''}`,
      );
      if (outcome.retryable) break;
      if (outcome.action === 'challenge') {
        const c = l.challenges[outcome.key];
        if (c) {
          c.status = 'refused';
          c.halted = outcome.message;
        }
      } else if (outcome.action === 'disputeSegment') {
        const d = l.disputes[outcome.key];
        if (d) d.halted = outcome.message;
      } else {
        const v = l.verdicts[outcome.key];
        if (v) v.halted = outcome.message;
      }
      break;
    }
  }
}
