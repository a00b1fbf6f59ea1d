// What the Challenges page and the challenge alert show, as pure functions of chain reads and
// chain time: each challenge's timeline, what a connected account may do with a submission (at
// most one open challenge per submission, none after a proof), what challenges moved to or from an
// account, and a proof's progress as a bar. Revision 2: no theft claim, and an answered challenge
// returns the bond to the challenger (an ownership proof is necessary, not sufficient).
import type { Address, Hex } from 'viem';
import type { ChallengeView, SubmissionView } from '../chain/actions/read-challenges.ts';
import type { ArenaEvent } from '../chain/reads/events.ts';
import { formatTokens, shortHex } from '../format.ts';
import type { ProofStep } from './ownership.ts';

const same = (a: string, b: string | null | undefined) => !!b && a.toLowerCase() === b.toLowerCase();
const arena = (wei: bigint) => `${formatTokens(wei, 4)} ARENA`;

export type StepState = 'done' | 'current' | 'upcoming';

export interface TimelineStep {
  kind: 'opened' | 'deadline' | 'answered' | 'upheld' | 'voided';
  state: StepState;
  /** When it happened or will happen (chain time, seconds); null: not timed. */
  at: bigint | null;
  title: string;
  detail: string;
}

/**
 * Opened, then the answer window, then how it ended (or what can happen next). `trainerForfeited`:
 * the trainer already lost everything (another challenge upheld), so the open challenge can only
 * be voided.
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
  if (c.status === 'open' && trainerForfeited) {
    steps.push({
      kind: 'voided',
      state: 'upcoming',
      at: null,
      title: 'Nothing left to take',
      detail: `${shortHex(c.trainer)} has already forfeited everything in this task: resolving voids the challenge and returns the bond of ${arena(c.bond)}.`,
    });
    return steps;
  }
  switch (c.status) {
    case 'open':
      steps.push(
        now <= c.deadline
          ? {
              kind: 'deadline',
              state: 'current',
              at: c.deadline,
              title: 'Waiting for a proof',
              detail: `${shortHex(c.trainer)} may answer with an ownership proof until the deadline.`,
            }
          : {
              kind: 'deadline',
              state: 'done',
              at: c.deadline,
              title: 'No answer in time',
              detail: 'The deadline passed without a proof: anyone may resolve the challenge now.',
            },
        {
          kind: 'upheld',
          state: 'upcoming',
          at: null,
          title: now <= c.deadline ? 'Then' : 'Next',
          detail:
            now <= c.deadline
              ? `A proof ends the challenge without a winner: the submission is proven and the bond goes back to the challenger. Without one, resolving takes the trainer's unvested rewards and part of its stake for the challenger.`
              : `Resolving takes the trainer's unvested rewards and part of its stake for the challenger, and returns the bond.`,
        },
      );
      break;
    case 'answered':
      steps.push({
        kind: 'answered',
        state: 'done',
        at: end?.time ?? null,
        title: 'Answered with a proof',
        detail: `${shortHex(c.trainer)} proved that the model carries its watermark, so the submission is proven and cannot be challenged again. The bond of ${arena(c.bond)} went back to ${shortHex(c.challenger)}: a proof is necessary, not sufficient, and nobody wins the bond until proof of learning exists.`,
      });
      break;
    case 'upheld':
      steps.push(
        {
          kind: 'deadline',
          state: 'done',
          at: c.deadline,
          title: 'No answer in time',
          detail: 'The deadline passed without a proof.',
        },
        {
          kind: 'upheld',
          state: 'done',
          at: end?.time ?? null,
          title: 'Upheld',
          detail: `${shortHex(c.trainer)} forfeited ${arena(end?.rewards ?? 0n)} of rewards and ${arena(end?.slashed ?? 0n)} of stake to ${shortHex(c.challenger)}; the bond went back.`,
        },
      );
      break;
    case 'voided':
      steps.push({
        kind: 'voided',
        state: 'done',
        at: end?.time ?? null,
        title: 'Void',
        detail: `${shortHex(c.trainer)} had already forfeited everything, or the submission was already proven; the bond of ${arena(c.bond)} went back to ${shortHex(c.challenger)}.`,
      });
      break;
  }
  return steps;
}

export const STATUS_LABEL: Record<ChallengeView['status'], string> = {
  open: 'Open',
  answered: 'Answered',
  upheld: 'Upheld',
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
      (s.proven ? 'Its trainer already proved ownership: it cannot be challenged again.' : null) ??
      open;
  return { challenge, open: s.openChallengeId };
}

/** What a validator should know before opening a challenge (SPEC 7, revision 2 before proof of learning). */
export function challengeTerms(p: {
  bond: bigint;
  responseTime: number;
  slashBps: number;
  maxErr: number | null;
}): string[] {
  const minutes = Math.round(p.responseTime / 60);
  const wait = minutes >= 120 ? `${Math.round(minutes / 60)} hours` : `${minutes} minutes`;
  return [
    `You post a bond of ${arena(p.bond)} (the task's bond; at least 1 ARENA). It comes back to you in every outcome.`,
    `The trainer has ${wait} to answer with a zero-knowledge proof that the model carries its address under the watermark key it committed when it joined${p.maxErr !== null ? ` (at most ${p.maxErr} of 64 bits wrong)` : ''}.`,
    `If it answers, the challenge ends without a winner: the submission is marked proven and cannot be challenged again, and your bond comes back. A valid ownership proof is necessary, not sufficient: a watermark key can be fitted to any public model, so until proof of learning exists an answer cannot show that the model was stolen.`,
    `If it does not answer in time, anyone may resolve: the trainer forfeits its unvested rewards (its delegators' share too) and ${p.slashBps / 100} % of its stake to you.`,
    'A submission has at most one open challenge at a time.',
  ];
}

export interface Outcome {
  /** Bonds of this account's challenges still open. */
  bondsAtStake: bigint;
  /** Bonds that came back to this account from settled challenges (answered, upheld or void). */
  bondsReturned: bigint;
  /** Rewards and stake forfeited to this account (upheld challenges). */
  received: bigint;
  /** Rewards and stake this account forfeited. */
  forfeited: bigint;
  /** Challenges of this account's submissions it answered with a proof. */
  answered: number;
}

/** What challenges moved to or from `account`. */
export function accountOutcome(challenges: readonly ChallengeView[], account: Address | null): Outcome {
  const o: Outcome = { bondsAtStake: 0n, bondsReturned: 0n, received: 0n, forfeited: 0n, answered: 0 };
  if (!account) return o;
  for (const c of challenges) {
    const moved = (c.settled?.rewards ?? 0n) + (c.settled?.slashed ?? 0n);
    if (same(c.challenger, account)) {
      if (c.status === 'open') o.bondsAtStake += c.bond;
      else o.bondsReturned += c.bond;
      if (c.status === 'upheld') o.received += moved;
    }
    if (same(c.trainer, account)) {
      if (c.status === 'answered') o.answered += 1;
      if (c.status === 'upheld') o.forfeited += moved;
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
    if (e.kind === 'ChallengeAnswered' || e.kind === 'ChallengeUpheld' || e.kind === 'ChallengeVoided')
      settled.add(e.challengeId);
  return events.filter(
    (e): e is Extract<ArenaEvent, { kind: 'ChallengeOpened' }> =>
      e.kind === 'ChallengeOpened' && same(e.trainer, account) && !settled.has(e.challengeId),
  );
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
