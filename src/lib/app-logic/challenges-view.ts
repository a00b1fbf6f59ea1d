// What the Challenges page and the challenge alert show, as pure functions of chain reads and
// chain time: each challenge's timeline (answer, dispute, vote, outcome), what a connected
// account may do with a submission (at most one open challenge per submission), what challenges
// moved to or from an account, and a proof's progress as a bar (SPEC 7 and 8.4).
import type { Address, Hex } from 'viem';
import {
  isUnsettled,
  type ChainMoment,
  type ChallengeView,
  type SubmissionView,
} from '../chain/actions/read-challenges.ts';
import type { TallyView, VerdictName, VoteView } from '../chain/actions/read-verdicts.ts';
import { formatChainTime } from '../chain/tx/sentences.ts';
import type { TranscriptCheckProgress } from '../agents/transcript-check.ts';
import type { ArenaEvent } from '../chain/reads/events.ts';
import { formatTokens, shortHex } from '../format.ts';
import type { ProofStep } from './ownership.ts';

const same = (a: string, b: string | null | undefined) => !!b && a.toLowerCase() === b.toLowerCase();
const arena = (wei: bigint) => `${formatTokens(wei, 4)} ARENA`;

export type StepState = 'done' | 'current' | 'upcoming';

export interface TimelineStep {
  kind: 'opened' | 'deadline' | 'answered' | 'dispute' | 'vote' | 'upheld' | 'cleared' | 'voided';
  state: StepState;
  /** When it happened or will happen (chain time, seconds); null: not timed. */
  at: bigint | null;
  title: string;
  detail: string;
}

const half = (c: ChallengeView) =>
  `${c.proven ? 'the ownership proof is in' : 'no ownership proof yet'}, ${c.disclosure ? 'the transcript is disclosed' : 'no transcript disclosed yet'}`;

/**
 * Opened, the answer (ownership proof and transcript disclosure), the dispute window, the vote,
 * then how it ended (or what can happen next). `trainerForfeited`: the trainer already lost
 * everything (another challenge upheld), so the challenge can only be voided.
 */
export function challengeTimeline(c: ChallengeView, now: bigint, trainerForfeited = false): TimelineStep[] {
  const steps: TimelineStep[] = [
    {
      kind: 'opened',
      state: 'done',
      at: c.opened.time,
      title: 'Opened',
      detail: `${shortHex(c.challenger)} challenged submission #${c.submissionId} with a bond of ${arena(c.bond)}.`,
    },
  ];
  const end = c.settled;
  if (isUnsettled(c.status) && trainerForfeited) {
    steps.push({
      kind: 'voided',
      state: 'upcoming',
      at: null,
      title: 'Nothing left to take',
      detail: `${shortHex(c.trainer)} has already forfeited everything in this task: resolving voids the challenge and returns the bond of ${arena(c.bond)}.`,
    });
    return steps;
  }
  const answeredStep = (): TimelineStep => ({
    kind: 'answered',
    state: 'done',
    at: c.answeredAt?.time ?? null,
    title: 'Answered',
    detail: `${shortHex(c.trainer)} posted its ownership proof and disclosed its training transcript${c.disclosure ? ` (${shortHex(c.disclosure)})` : ''}.`,
  });
  const disputedStep = (state: StepState): TimelineStep => ({
    kind: 'dispute',
    state,
    at: c.disputedAt?.time ?? null,
    title: `Segment ${c.dispute?.segment ?? '?'} disputed`,
    detail: `${shortHex(c.dispute?.disputer ?? c.challenger)} claims this segment of the transcript does not replay; the task's validators vote on it.`,
  });
  switch (c.status) {
    case 'open':
      steps.push(
        now <= c.deadline
          ? {
              kind: 'deadline',
              state: 'current',
              at: c.deadline,
              title: 'Waiting for the answer',
              detail: `${shortHex(c.trainer)} must post an ownership proof and disclose its training transcript before the deadline (${half(c)}).`,
            }
          : {
              kind: 'deadline',
              state: 'done',
              at: c.deadline,
              title: 'No complete answer in time',
              detail: `The deadline passed (${half(c)}): anyone may resolve the challenge now.`,
            },
        {
          kind: 'upheld',
          state: 'upcoming',
          at: null,
          title: now <= c.deadline ? 'Then' : 'Next',
          detail:
            now <= c.deadline
              ? 'With both in, validators may dispute a segment of the transcript. Without both, resolving takes the trainer’s unvested rewards and part of its stake for the challenger.'
              : 'Resolving takes the trainer’s unvested rewards and part of its stake for the challenger, and returns the bond.',
        },
      );
      break;
    case 'answered':
      steps.push(answeredStep(), {
        kind: 'dispute',
        state: now <= c.disputeDeadline! ? 'current' : 'done',
        at: c.disputeDeadline,
        title: now <= c.disputeDeadline! ? 'Dispute window' : 'Nobody disputed in time',
        detail:
          now <= c.disputeDeadline!
            ? 'The challenger or any staked validator may name one segment that does not replay. If nobody does, the bond goes to the trainer.'
            : `Resolving clears the trainer: the bond of ${arena(c.bond)} goes to it.`,
      });
      break;
    case 'disputed': {
      const d = c.dispute!;
      steps.push(answeredStep(), disputedStep('done'), {
        kind: 'vote',
        state: now <= d.voteEnd ? 'current' : 'done',
        at: now < d.commitEnd ? d.commitEnd : d.voteEnd,
        title:
          now < d.commitEnd ? 'Verdicts being committed' : now <= d.voteEnd ? 'Verdicts being revealed' : 'Vote over',
        detail:
          now <= d.voteEnd
            ? 'Validators commit, then reveal, whether the segment replays; the majority of revealed stake decides, a tie or no votes clears the trainer.'
            : 'Resolving counts the revealed verdicts and settles the challenge.',
      });
      break;
    }
    case 'upheld':
      if (c.answeredAt) steps.push(answeredStep());
      if (c.dispute) steps.push(disputedStep('done'));
      else
        steps.push({
          kind: 'deadline',
          state: 'done',
          at: c.deadline,
          title: 'No complete answer in time',
          detail: `The deadline passed (${half(c)}).`,
        });
      steps.push({
        kind: 'upheld',
        state: 'done',
        at: end?.time ?? null,
        title: 'Upheld',
        detail: `${shortHex(c.trainer)} forfeited ${arena(end?.rewards ?? 0n)} of rewards and ${arena(end?.slashed ?? 0n)} of stake${
          end?.juryShare ? `; ${arena(end.juryShare)} of it went to the majority jurors, the rest` : ''
        } to ${shortHex(c.challenger)}; the bond went back.`,
      });
      break;
    case 'cleared':
      steps.push(answeredStep());
      if (c.dispute) steps.push(disputedStep('done'));
      steps.push({
        kind: 'cleared',
        state: 'done',
        at: end?.time ?? null,
        title: 'Cleared',
        detail: `${c.dispute ? 'The vote did not uphold the challenge' : 'Nobody disputed a segment in time'}: ${arena(end?.toTrainer ?? c.bond)} of the bond went to ${shortHex(c.trainer)}${
          end?.juryShare ? ` and ${arena(end.juryShare)} to the majority jurors` : ''
        }.`,
      });
      break;
    case 'voided':
      steps.push({
        kind: 'voided',
        state: 'done',
        at: end?.time ?? null,
        title: 'Void',
        detail: `${shortHex(c.trainer)} had already forfeited everything; the bond of ${arena(c.bond)} went back to ${shortHex(c.challenger)}.`,
      });
      break;
  }
  return steps;
}

/**
 * Whether `resolve` would settle the challenge now: its current stage is over (the answer's
 * deadline, the dispute window, the vote), or its trainer already forfeited (void at any stage).
 */
export function canResolve(c: ChallengeView, now: bigint, trainerForfeited = false): boolean {
  if (!isUnsettled(c.status)) return false;
  if (trainerForfeited) return true;
  if (c.status === 'open') return now > c.deadline;
  if (c.status === 'answered') return now > c.disputeDeadline!;
  return now > c.dispute!.voteEnd;
}

/** Whether the accused still has something to post (proof or disclosure) before the deadline. */
export function awaitsAnswer(c: ChallengeView, now: bigint): boolean {
  return c.status === 'open' && now <= c.deadline && !(c.proven && c.disclosure !== null);
}

export const STATUS_LABEL: Record<ChallengeView['status'], string> = {
  open: 'Open',
  answered: 'Answered',
  disputed: 'Disputed',
  upheld: 'Upheld',
  cleared: 'Cleared',
  voided: 'Void',
};

/** What the connected account is in the task, as far as challenges go. */
export interface Standing {
  account: Address | null;
  role: 'trainer' | 'validator' | null;
  forfeited: boolean;
  /** Whether the validator's own stake reached the minimum (it may challenge). */
  eligible: boolean;
}

export interface RowActions {
  /** null when the account may challenge the submission; otherwise why not (shown next to the button). */
  challenge: string | null;
  /** The challenge of the submission that is open now, if any (a second one is refused). */
  open: bigint | null;
}

/** Whether the account may challenge a submission, and why not when it may not. */
export function rowActions(
  s: SubmissionView,
  me: Standing,
  p: { now: bigint; endTime: bigint; forfeitedTrainers: ReadonlySet<string> },
): RowActions {
  const closed = p.now >= p.endTime ? 'Challenges closed with the challenge phase.' : null;
  const gone = p.forfeitedTrainers.has(s.trainer.toLowerCase())
    ? 'Its trainer has already forfeited everything in this task.'
    : null;
  const open =
    s.openChallengeId !== null
      ? `Challenge #${s.openChallengeId} of this submission is still open; a submission has at most one open challenge at a time.`
      : null;
  let challenge: string | null;
  if (!me.account) challenge = 'Connect a wallet to challenge.';
  else
    challenge =
      closed ??
      (me.role !== 'validator'
        ? 'Only validators of this task can challenge.'
        : !me.eligible
          ? "Your validator stake has not reached the task's minimum."
          : null) ??
      (same(s.trainer, me.account) ? 'This is your own submission.' : null) ??
      gone ??
      open;
  return { challenge, open: s.openChallengeId };
}

/** What a validator should know before opening a challenge (SPEC 7 and 8.4). */
export function challengeTerms(p: {
  bond: bigint;
  responseTime: number;
  slashBps: number;
  maxErr: number | null;
  disputeTime?: number;
  voteTime?: number;
  juryBps?: number;
}): string[] {
  const span = (seconds: number) => {
    const minutes = Math.round(seconds / 60);
    return minutes >= 120 ? `${Math.round(minutes / 60)} hours` : `${minutes} minutes`;
  };
  const jury = p.juryBps !== undefined ? `${p.juryBps / 100} %` : 'a share';
  return [
    `You post a bond of ${arena(p.bond)} (the task's bond; at least 1 ARENA).`,
    `The trainer has ${span(p.responseTime)} to post a zero-knowledge proof that the model carries its address under the watermark key it committed when it joined${p.maxErr !== null ? ` (at most ${p.maxErr} of 64 bits wrong)` : ''}, and to disclose its training transcript. Missing either, anyone may resolve: the trainer forfeits its unvested rewards (its delegators' share too) and ${p.slashBps / 100} % of its stake to you, and your bond comes back.`,
    `With both in, you or any staked validator may name one segment of the transcript that does not replay${p.disputeTime !== undefined ? `, within ${span(p.disputeTime)}` : ''}. If nobody does, your bond goes to the trainer.`,
    `A named segment is voted on by the task's validators${p.voteTime !== undefined ? ` for ${span(p.voteTime)}` : ''} (commit, then reveal), weighted by their own stake. A majority for "does not replay" fails the trainer as above; otherwise (a tie or no votes too) your bond goes to the trainer. The majority jurors share ${jury} of the losing side's stake.`,
    'A submission has at most one open challenge at a time.',
  ];
}

export interface Outcome {
  /** Bonds of this account's challenges still open. */
  bondsAtStake: bigint;
  /** Bonds that came back to this account from settled challenges (upheld or void). */
  bondsReturned: bigint;
  /** Bonds of this account's challenges that were cleared: they went to the trainer (and the jury). */
  bondsLost: bigint;
  /** What challenges paid this account: forfeits (as challenger, less the jury's share) and bonds (as a cleared trainer). */
  received: bigint;
  /** Rewards and stake this account forfeited. */
  forfeited: bigint;
  /** Challenges of this account's submissions it answered in full (proof and disclosure). */
  answered: number;
}

/** What challenges moved to or from `account`. */
export function accountOutcome(challenges: readonly ChallengeView[], account: Address | null): Outcome {
  const o: Outcome = { bondsAtStake: 0n, bondsReturned: 0n, bondsLost: 0n, received: 0n, forfeited: 0n, answered: 0 };
  if (!account) return o;
  for (const c of challenges) {
    const moved = (c.settled?.rewards ?? 0n) + (c.settled?.slashed ?? 0n);
    if (same(c.challenger, account)) {
      if (isUnsettled(c.status)) o.bondsAtStake += c.bond;
      else if (c.status === 'upheld' || c.status === 'voided') o.bondsReturned += c.bond;
      else o.bondsLost += c.bond;
      if (c.status === 'upheld') o.received += moved - (c.settled?.juryShare ?? 0n);
    }
    if (same(c.trainer, account)) {
      if (c.proofAt && c.disclosedAt) o.answered += 1;
      if (c.status === 'upheld') o.forfeited += moved;
      if (c.status === 'cleared') o.received += c.settled?.toTrainer ?? 0n;
    }
  }
  return o;
}

/** Open challenges against `account` in any task, from the app's event log (no extra reads). */
export function openChallengesAgainst(
  events: readonly ArenaEvent[],
  account: Address | null,
): Extract<ArenaEvent, { kind: 'ChallengeOpened' }>[] {
  if (!account) return [];
  const settled = new Set<bigint>();
  for (const e of events)
    if (e.kind === 'ChallengeUpheld' || e.kind === 'ChallengeCleared' || e.kind === 'ChallengeVoided')
      settled.add(e.challengeId);
  return events.filter(
    (e): e is Extract<ArenaEvent, { kind: 'ChallengeOpened' }> =>
      e.kind === 'ChallengeOpened' && same(e.trainer, account) && !settled.has(e.challengeId),
  );
}

/** Challenges whose accused has posted its ownership proof, from the app's event log. */
export function provenChallenges(events: readonly ArenaEvent[]): Set<bigint> {
  const proven = new Set<bigint>();
  for (const e of events) if (e.kind === 'OwnershipProven') proven.add(e.challengeId);
  return proven;
}

/** A proof's step as a bar: a label and a fraction (null: no measure, an indeterminate bar). */
export function proofProgress(step: ProofStep | null): { label: string; value: number | null } {
  if (!step) return { label: 'Waiting', value: 0 };
  switch (step.stage) {
    case 'checking':
      return { label: 'Checking what the chain will verify', value: 0.02 };
    case 'fetching':
      return { label: `Fetching the model ${shortHex(step.artifactHash as Hex, 4)}`, value: 0.05 };
    case 'loading':
      if (step.totalBytes && step.loadedBytes !== undefined) {
        const mb = (n: number) => (n / 1_048_576).toFixed(1);
        return {
          label: `Downloading the proving key (${mb(step.loadedBytes)} of ${mb(step.totalBytes)} MB)`,
          value: 0.05 + 0.4 * (step.loadedBytes / step.totalBytes),
        };
      }
      return { label: 'Loading the proving key', value: 0.05 };
    case 'witness':
      return { label: 'Computing the witness', value: 0.5 };
    case 'proving':
      return { label: step.detail ? `Proving (${step.detail})` : 'Proving', value: 0.6 };
    case 'verifying':
      return { label: 'Checking the proof locally', value: 0.95 };
    case 'done':
      return { label: 'Proof ready', value: 1 };
  }
}

// ---------------------------------------------------------------- stages, verdicts, money, replay

export type StageKind = 'proof' | 'disclosure' | 'dispute' | 'votes' | 'outcome';
/**
 * done: it happened (at `at`). current: it may happen now, until `deadline`. waiting: not yet
 * possible (an earlier stage first). missed: its time passed without it. skipped: the challenge
 * ended before it mattered.
 */
export type StageStatus = 'done' | 'current' | 'waiting' | 'missed' | 'skipped';

export interface Stage {
  kind: StageKind;
  label: string;
  status: StageStatus;
  /** When it happened (chain time); null when it did not (yet). */
  at: bigint | null;
  /** Its last second (chain time, inclusive unless `note` says otherwise); null when not timed. */
  deadline: bigint | null;
  note: string;
}

const STAGE_LABEL: Record<StageKind, string> = {
  proof: 'Ownership proof',
  disclosure: 'Transcript disclosure',
  dispute: 'Dispute',
  votes: 'Votes',
  outcome: 'Outcome',
};

/** The five stages of a challenge (SPEC 7 steps 1-3, 8.4) by chain time `now`. */
export function challengeStages(c: ChallengeView, now: bigint, trainerForfeited = false): Stage[] {
  const settled = !isUnsettled(c.status);
  const stage = (kind: StageKind, s: Omit<Stage, 'kind' | 'label'>): Stage => ({
    kind,
    label: STAGE_LABEL[kind],
    ...s,
  });
  const answerStage = (kind: 'proof' | 'disclosure', has: boolean, at: ChainMoment | undefined): Stage => {
    const what = kind === 'proof' ? 'the zero-knowledge ownership proof' : 'the training transcript';
    if (has)
      return stage(kind, {
        status: 'done',
        at: at?.time ?? null,
        deadline: c.deadline,
        note: kind === 'proof' ? 'Verified on chain.' : `Manifest ${shortHex(c.disclosure!)} posted.`,
      });
    if (c.status === 'open' && now <= c.deadline && !trainerForfeited)
      return stage(kind, {
        status: 'current',
        at: null,
        deadline: c.deadline,
        note: `${shortHex(c.trainer)} owes ${what}.`,
      });
    return stage(kind, {
      status: c.status === 'voided' ? 'skipped' : 'missed',
      at: null,
      deadline: c.deadline,
      note: c.status === 'voided' ? 'Not needed: the challenge was void.' : `Not posted before the deadline.`,
    });
  };
  const stages = [
    answerStage('proof', c.proven, c.proofAt),
    answerStage('disclosure', c.disclosure !== null, c.disclosedAt),
  ];

  const d = c.dispute;
  if (d)
    stages.push(
      stage('dispute', {
        status: 'done',
        at: c.disputedAt?.time ?? null,
        deadline: c.disputeDeadline,
        note: `${shortHex(d.disputer)} named segment ${d.segment} as not replaying.`,
      }),
    );
  else if (c.status === 'answered' && now <= c.disputeDeadline! && !trainerForfeited)
    stages.push(
      stage('dispute', {
        status: 'current',
        at: null,
        deadline: c.disputeDeadline,
        note: 'The challenger or any staked validator may name one segment that does not replay.',
      }),
    );
  else if (c.status === 'cleared' || (c.status === 'answered' && now > c.disputeDeadline!))
    stages.push(
      stage('dispute', {
        status: 'missed',
        at: null,
        deadline: c.disputeDeadline,
        note: 'Nobody named a segment in time.',
      }),
    );
  else
    stages.push(
      stage('dispute', {
        status: settled || trainerForfeited || (c.status === 'open' && now > c.deadline) ? 'skipped' : 'waiting',
        at: null,
        deadline: null,
        note: 'Opens once the proof and the disclosure are both in.',
      }),
    );

  if (d) {
    const over = now > d.voteEnd || settled;
    const committing = !over && now < d.commitEnd;
    stages.push(
      stage('votes', {
        status: over ? 'done' : 'current',
        at: null,
        deadline: committing ? d.commitEnd - 1n : d.voteEnd,
        note: over
          ? 'The vote is over.'
          : committing
            ? `Validators commit their verdicts (reveals from ${formatChainTime(d.commitEnd)}).`
            : 'Validators who committed reveal their verdicts.',
      }),
    );
  } else
    stages.push(
      stage('votes', {
        status:
          settled || trainerForfeited || (c.status === 'answered' && now > c.disputeDeadline!) ? 'skipped' : 'waiting',
        at: null,
        deadline: null,
        note: 'Only a disputed segment is voted on.',
      }),
    );

  if (settled)
    stages.push(
      stage('outcome', {
        status: 'done',
        at: c.settled?.time ?? null,
        deadline: null,
        note: STATUS_LABEL[c.status] + '.',
      }),
    );
  else
    stages.push(
      stage('outcome', {
        status: canResolve(c, now, trainerForfeited) ? 'current' : 'waiting',
        at: null,
        deadline: null,
        note: canResolve(c, now, trainerForfeited)
          ? 'Anyone may resolve the challenge now.'
          : 'Resolvable once the current stage is over.',
      }),
    );
  return stages;
}

/** Who owes what now, until when (chain time, inclusive); null when nothing is owed. */
export interface Owed {
  who: 'trainer' | 'disputers' | 'jurors' | 'anyone';
  text: string;
  until: bigint | null;
}

export function owedNow(c: ChallengeView, now: bigint, trainerForfeited = false): Owed | null {
  if (!isUnsettled(c.status)) return null;
  if (trainerForfeited || canResolve(c, now, trainerForfeited))
    return { who: 'anyone', text: 'Anyone may resolve the challenge now.', until: null };
  if (c.status === 'open') {
    const missing = [!c.proven && 'its ownership proof', c.disclosure === null && 'its training transcript'].filter(
      Boolean,
    ) as string[];
    return { who: 'trainer', text: `${shortHex(c.trainer)} owes ${missing.join(' and ')}.`, until: c.deadline };
  }
  if (c.status === 'answered')
    return {
      who: 'disputers',
      text: 'The challenger or a staked validator may dispute one segment; otherwise the bond goes to the trainer.',
      until: c.disputeDeadline,
    };
  const d = c.dispute!;
  if (now < d.commitEnd)
    return { who: 'jurors', text: 'Validators commit their verdicts on the segment.', until: d.commitEnd - 1n };
  return { who: 'jurors', text: 'Validators who committed reveal their verdicts.', until: d.voteEnd };
}

/** The verdict stage as read from the chain: the revealed tally, committed jurors and the caller's vote. */
export interface VerdictRead {
  tally: TallyView;
  /** Jurors who committed a verdict (VerdictCommitted events). */
  committed: number;
  /** The connected account's vote and what claimJuryShare would pay it now; null without an account. */
  mine: (VoteView & { share: bigint }) | null;
}

export interface TallyLine {
  verdict: VerdictName;
  label: string;
  voters: number;
  stake: bigint;
  /** Share of the revealed stake, 0..1. */
  fraction: number;
}

export interface TallySummary {
  committed: number;
  revealed: number;
  lines: TallyLine[];
  /** How it stands (while the vote runs) or how it ended. */
  sentence: string;
}

export const VERDICT_LABEL: Record<VerdictName, string> = {
  replays: 'Replays',
  'does-not-replay': 'Does not replay',
};

export function tallySummary(v: VerdictRead, settled: boolean): TallySummary {
  const t = v.tally;
  const total = t.replaysStake + t.doesNotReplayStake;
  const frac = (s: bigint) => (total === 0n ? 0 : Number((s * 10_000n) / total) / 10_000);
  const lines: TallyLine[] = [
    {
      verdict: 'replays',
      label: VERDICT_LABEL.replays,
      voters: t.replaysVoters,
      stake: t.replaysStake,
      fraction: frac(t.replaysStake),
    },
    {
      verdict: 'does-not-replay',
      label: VERDICT_LABEL['does-not-replay'],
      voters: t.doesNotReplayVoters,
      stake: t.doesNotReplayStake,
      fraction: frac(t.doesNotReplayStake),
    },
  ];
  const revealed = t.replaysVoters + t.doesNotReplayVoters;
  let sentence: string;
  if (settled)
    sentence =
      t.majority === null
        ? 'No majority (a tie or no revealed verdicts): the trainer was cleared.'
        : `The majority found the segment ${t.majority === 'replays' ? 'replays' : 'does not replay'}.`;
  else if (revealed === 0)
    sentence = `${counted(v.committed, 'verdict')} committed, none revealed yet: a tie or no votes clears the trainer.`;
  else {
    const lead =
      t.doesNotReplayStake > t.replaysStake
        ? '"does not replay" leads'
        : t.replaysStake > t.doesNotReplayStake
          ? '"replays" leads'
          : 'a tie so far';
    sentence = `${revealed} of ${counted(v.committed, 'committed verdict')} revealed: ${lead} by revealed stake.`;
  }
  return { committed: v.committed, revealed, lines, sentence };
}

const counted = (n: number, word: string) => `${n} ${word}${n === 1 ? '' : 's'}`;

export interface MoneyLine {
  label: string;
  wei: bigint;
  /** Who it went (or goes) to, as a short address or a group. */
  to: string;
}

/** What the challenge moved (or holds, while unsettled): bond, forfeit, slash, jury shares. */
export function moneyMoved(c: ChallengeView, tally: TallyView | null): MoneyLine[] {
  const s = c.settled;
  const jury = s?.juryShare ?? 0n;
  const juryLines = (): MoneyLine[] =>
    jury > 0n
      ? [
          { label: 'Jury share (majority jurors, pro rata to stake)', wei: jury, to: 'majority jurors' },
          ...(tally
            ? [
                {
                  label: `Jury share claimed (${counted(tally.claims, 'claim')})`,
                  wei: tally.juryPaid,
                  to: 'majority jurors',
                },
              ]
            : []),
        ]
      : [];
  switch (c.status) {
    case 'open':
    case 'answered':
    case 'disputed':
      return [{ label: 'Bond held by the challenge module', wei: c.bond, to: 'held' }];
    case 'upheld':
      return [
        { label: 'Bond returned', wei: c.bond, to: shortHex(c.challenger) },
        { label: 'Rewards forfeited', wei: s?.rewards ?? 0n, to: shortHex(c.challenger) },
        { label: 'Stake slashed', wei: s?.slashed ?? 0n, to: shortHex(c.challenger) },
        ...juryLines(),
        {
          label: 'Paid to the challenger (forfeit less the jury share)',
          wei: (s?.rewards ?? 0n) + (s?.slashed ?? 0n) - jury,
          to: shortHex(c.challenger),
        },
      ];
    case 'cleared':
      return [
        { label: 'Bond paid to the trainer', wei: s?.toTrainer ?? c.bond, to: shortHex(c.trainer) },
        ...juryLines(),
      ];
    case 'voided':
      return [{ label: 'Bond returned', wei: c.bond, to: shortHex(c.challenger) }];
  }
}

/** An action for the connected account: shown or not, and when shown but refused, why. */
export interface JurorAction {
  show: boolean;
  why: string | null;
}

export interface JurorActions {
  dispute: JurorAction;
  commit: JurorAction;
  reveal: JurorAction;
  claim: JurorAction;
}

const hidden: JurorAction = { show: false, why: null };

/**
 * What the connected account may do in the verdict stage (SPEC 7 step 3, 8.4), mirroring the
 * module's checks so that a refusal is said before the wallet is asked. `weight`: its own
 * validator stake counted now (0 for anyone who cannot dispute or vote); `salt`: whether this
 * device keeps the salt of its committed verdict.
 */
export function jurorActions(
  c: ChallengeView,
  now: bigint,
  me: { account: Address | null; weight: bigint; verdict: VerdictRead | null; saltKept: boolean },
): JurorActions {
  const out: JurorActions = { dispute: hidden, commit: hidden, reveal: hidden, claim: hidden };
  if (!me.account) return out;
  const isTrainer = same(c.trainer, me.account);
  const juror = me.weight > 0n && !isTrainer;
  if (c.status === 'answered' && now <= c.disputeDeadline!) {
    if (same(c.challenger, me.account) || juror) out.dispute = { show: true, why: null };
    else if (!isTrainer)
      out.dispute = {
        show: true,
        why: 'Only the challenger or a validator of this task whose own stake counts in the current epoch can dispute a segment.',
      };
  }
  const vote = me.verdict?.mine ?? null;
  const committed = vote !== null && BigInt(vote.commitment) !== 0n;
  const d = c.dispute;
  if (c.status === 'disputed' && d) {
    if (now < d.commitEnd && !isTrainer) {
      if (committed)
        out.commit = {
          show: true,
          why: 'You committed your verdict; reveal it once the commit half of the vote is over.',
        };
      else if (!juror)
        out.commit = {
          show: true,
          why: 'Only a validator of this task whose own stake counts in the current epoch can vote; stake added this epoch counts from the next.',
        };
      else out.commit = { show: true, why: null };
    }
    if (committed && now >= d.commitEnd && now <= d.voteEnd) {
      if (vote.verdict !== null) out.reveal = { show: true, why: 'Your verdict is revealed.' };
      else if (!me.saltKept)
        out.reveal = {
          show: true,
          why: 'The salt of your committed verdict is not on this device (it was committed elsewhere, or the browser data was cleared): it cannot be revealed here.',
        };
      else out.reveal = { show: true, why: null };
    } else if (committed && vote.verdict === null && now < d.commitEnd)
      out.reveal = { show: true, why: `Reveals open at ${formatChainTime(d.commitEnd)}.` };
  }
  const t = me.verdict?.tally;
  if (!isUnsettled(c.status) && t && vote && vote.verdict !== null) {
    if (t.majority === null) out.claim = hidden;
    else if (vote.verdict !== t.majority)
      out.claim = {
        show: true,
        why: "Your verdict was not the majority's: the jury's share goes to the majority jurors.",
      };
    else if (vote.claimed) out.claim = { show: true, why: 'You took your jury share.' };
    else if (me.verdict!.mine!.share === 0n)
      out.claim = { show: true, why: 'Nothing is left for you in the jury pot.' };
    else out.claim = { show: true, why: null };
  }
  return out;
}

/** Whether a typed segment number is one of the transcript's K segments: the number, or a sentence. */
export function parseSegment(
  text: string,
  segments: number,
): { ok: true; value: number } | { ok: false; error: string } {
  const t = text.trim();
  const range = `a segment from 0 to ${segments - 1} (the transcript has ${counted(segments, 'segment')})`;
  if (!/^\d+$/.test(t)) return { ok: false, error: `Enter ${range}.` };
  const n = Number(t);
  if (n >= segments) return { ok: false, error: `Segment ${t} does not exist: enter ${range}.` };
  return { ok: true, value: n };
}

export interface CheckRow {
  segment: number;
  replays: boolean;
  text: string;
}

export interface CheckView {
  /** The replay's state as a sentence. */
  status: string;
  tone: 'progress' | 'ok' | 'error' | 'muted';
  /** The bar: a label and a fraction (null: indeterminate). */
  bar: { label: string; value: number | null } | null;
  /** Segments checked so far, in the order checked. */
  rows: CheckRow[];
  /** "3 of 8 segments checked". */
  counts: string;
  /** The segment a challenger would dispute (the first that failed), or null. */
  dispute: number | null;
}

const seconds = (s: number) => (s < 10 ? `${s.toFixed(1)} s` : `${Math.round(s)} s`);

/** A validator's replay of a disclosed transcript (src/lib/agents/transcript-check.ts) as the page shows it. */
export function checkView(p: TranscriptCheckProgress | null): CheckView | null {
  if (!p) return null;
  const rows = p.checked.map((o) => ({
    segment: o.segment,
    replays: o.replays,
    text: o.replays
      ? `replays (${seconds(o.seconds)})`
      : `does not replay: ${counted(o.failing, 'coordinate')} outside the rule, largest deviation ${o.maxDeviation.toPrecision(3)} (${seconds(o.seconds)})`,
  }));
  const of = p.toCheck.length;
  const done = p.checked.length;
  const counts = `${done} of ${counted(of, 'segment')} checked${p.mode === 'segment' ? ' (the disputed one)' : ''}`;
  const fraction = (): number => {
    const within = p.step && p.step.of > 0 ? Math.min(1, p.step.done / p.step.of) : 0;
    return of === 0 ? 0 : Math.min(1, (done + within) / of);
  };
  const failing = p.firstFailing;
  switch (p.status) {
    case 'fetching':
      return {
        status: 'Fetching the disclosed transcript…',
        tone: 'progress',
        bar: { label: 'Fetching', value: null },
        rows,
        counts,
        dispute: null,
      };
    case 'replaying': {
      const label = p.step
        ? `Replaying segment ${p.step.segment}: step ${p.step.done} of ${p.step.of}`
        : `Replaying (${done} of ${of})`;
      return {
        status: failing !== null ? `Replaying; segment ${failing} does not replay.` : 'Replaying the transcript…',
        tone: 'progress',
        bar: { label, value: fraction() },
        rows,
        counts,
        dispute: failing,
      };
    }
    case 'replays':
      return {
        status: p.mode === 'segment' ? 'The disputed segment replays.' : 'Every segment checked replays.',
        tone: 'ok',
        bar: null,
        rows,
        counts,
        dispute: null,
      };
    case 'fails':
      return {
        status: `Segment ${failing ?? '?'} does not replay${p.mode === 'whole' ? ': dispute it' : ''}.`,
        tone: 'error',
        bar: null,
        rows,
        counts,
        dispute: failing,
      };
    case 'problem':
      return {
        status: `The check stopped: ${p.problem?.message ?? p.problem?.kind ?? 'unknown problem'}`,
        tone: 'error',
        bar: null,
        rows,
        counts,
        dispute: null,
      };
    case 'cancelled':
      return { status: 'The check was cancelled.', tone: 'muted', bar: null, rows, counts, dispute: failing };
  }
}

/** What resolving now would do (the module's rule in resolve-challenge.ts), for the confirmation. */
export function resolveForecast(
  c: ChallengeView,
  tally: TallyView | null,
  trainerForfeited = false,
): { outcome: 'upheld' | 'cleared' | 'voided'; sentence: string } {
  const bond = arena(c.bond);
  if (trainerForfeited)
    return {
      outcome: 'voided',
      sentence: `Void: the trainer already forfeited everything; the bond of ${bond} goes back to ${shortHex(c.challenger)}.`,
    };
  const upheld = {
    outcome: 'upheld' as const,
    sentence: `Upheld: ${shortHex(c.trainer)} forfeits its unvested rewards and the task's slash of its stake to ${shortHex(c.challenger)}${c.dispute ? ' (less the jury’s share)' : ''}, whose bond of ${bond} comes back.`,
  };
  if (c.status === 'open') return upheld;
  if (c.status === 'disputed' && tally && tally.doesNotReplayStake > tally.replaysStake) return upheld;
  const jury = c.status === 'disputed' && tally && tally.replaysStake > tally.doesNotReplayStake;
  return {
    outcome: 'cleared',
    sentence: `Cleared: the bond of ${bond} goes to ${shortHex(c.trainer)}${jury ? ', less the majority jurors’ share' : ''}.`,
  };
}
