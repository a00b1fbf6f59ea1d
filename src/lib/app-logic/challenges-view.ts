// What the Challenges page and the challenge alert show, as pure functions of chain reads and
// chain time: each challenge's timeline (answer, dispute, vote, outcome), what a connected
// account may do with a submission (at most one open challenge per submission), what challenges
// moved to or from an account, and a proof's progress as a bar (SPEC 7 and 8.4).
import type { Address, Hex } from 'viem';
import { isUnsettled, type ChallengeView, type SubmissionView } from '../chain/actions/read-challenges.ts';
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
