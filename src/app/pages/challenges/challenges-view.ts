// What the Challenges page and the challenge alert show, as pure functions of chain reads and
// chain time: each challenge's timeline, what a connected account may do with a submission, what
// challenges moved to or from an account, and a proof's progress as a bar.
import type { Address, Hex } from 'viem';
import type { ChallengeView, SubmissionView, TheftClaimView } from '../../../lib/chain/actions/read-challenges.ts';
import type { ArenaEvent } from '../../../lib/chain/reads/events.ts';
import { formatTokens, shortHex } from '../../../lib/format.ts';
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
 * the trainer already lost everything (another challenge, a theft claim), so the open challenge
 * can only be voided.
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
          ? { kind: 'deadline', state: 'current', at: c.deadline, title: 'Waiting for a proof', detail: `${shortHex(c.trainer)} may answer with an ownership proof until the deadline.` }
          : { kind: 'deadline', state: 'done', at: c.deadline, title: 'No answer in time', detail: 'The deadline passed without a proof: anyone may resolve the challenge now.' },
        {
          kind: 'upheld',
          state: 'upcoming',
          at: null,
          title: now <= c.deadline ? 'Then' : 'Next',
          detail:
            now <= c.deadline
              ? `A proof gives the bond to the trainer; without one, resolving takes the trainer's unvested rewards and part of its stake for the challenger.`
              : `Resolving takes the trainer's unvested rewards and part of its stake for the challenger, and returns the bond.`,
        },
      );
      break;
    case 'answered':
      steps.push({ kind: 'answered', state: 'done', at: end?.time ?? null, title: 'Answered with a proof', detail: `The bond of ${arena(c.bond)} went to ${shortHex(c.trainer)}: the model carries its watermark.` });
      break;
    case 'upheld':
      steps.push(
        { kind: 'deadline', state: 'done', at: c.deadline, title: 'No answer in time', detail: 'The deadline passed without a proof.' },
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
      steps.push({ kind: 'voided', state: 'done', at: end?.time ?? null, title: 'Void', detail: `${shortHex(c.trainer)} had already forfeited everything; the bond of ${arena(c.bond)} went back to ${shortHex(c.challenger)}.` });
      break;
  }
  return steps;
}

export const STATUS_LABEL: Record<ChallengeView['status'], string> = { open: 'Open', answered: 'Answered', upheld: 'Upheld', voided: 'Void' };

/** What the connected account is in the task, as far as challenges go. */
export interface Standing {
  account: Address | null;
  role: 'trainer' | 'validator' | null;
  /** Block of the trainer's key commitment (theft claims need it before the seal). */
  keyBlock: bigint;
  forfeited: boolean;
  /** Whether the validator's own stake reached the minimum (it may challenge). */
  eligible: boolean;
}

export interface RowActions {
  /** null when the action is possible; otherwise why not (shown as the button's hint). */
  challenge: string | null;
  theft: string | null;
}

/** Which actions a submission row offers the account, and why not when it does not. */
export function rowActions(s: SubmissionView, me: Standing, p: { now: bigint; endTime: bigint; forfeitedTrainers: ReadonlySet<string> }): RowActions {
  const closed = p.now >= p.endTime ? 'Challenges closed with the challenge phase.' : null;
  const gone = p.forfeitedTrainers.has(s.trainer.toLowerCase()) ? 'Its trainer has already forfeited everything in this task.' : null;
  const mine = same(s.trainer, me.account);
  let challenge: string | null;
  if (!me.account) challenge = 'Connect a wallet to challenge.';
  else challenge =
    closed ??
    (me.role !== 'validator' ? 'Only validators of this task can challenge.' : !me.eligible ? "Your validator stake has not reached the task's minimum." : null) ??
    gone ??
    (s.proven ? 'Its trainer already proved ownership.' : null);
  let theft: string | null;
  if (!me.account) theft = 'Connect a wallet to claim theft.';
  else theft =
    closed ??
    (me.role !== 'trainer' ? 'Only trainers of this task, with a committed key, can claim theft.' : null) ??
    (mine ? 'This is your own submission.' : null) ??
    (me.keyBlock >= s.sealBlock ? 'Your key was committed after this model was sealed.' : null) ??
    gone;
  return { challenge, theft };
}

export interface Outcome {
  /** Bonds of this account's challenges still open. */
  bondsAtStake: bigint;
  /** Bonds this account lost to trainers that answered. */
  bondsLost: bigint;
  /** Bonds this account won by answering challenges. */
  bondsWon: bigint;
  /** Rewards and stake forfeited to this account (upheld challenges, theft claims). */
  received: bigint;
  /** Rewards and stake this account forfeited. */
  forfeited: bigint;
}

/** What challenges and theft claims moved to or from `account`. */
export function accountOutcome(challenges: readonly ChallengeView[], thefts: readonly TheftClaimView[], account: Address | null): Outcome {
  const o: Outcome = { bondsAtStake: 0n, bondsLost: 0n, bondsWon: 0n, received: 0n, forfeited: 0n };
  if (!account) return o;
  for (const c of challenges) {
    const moved = (c.settled?.rewards ?? 0n) + (c.settled?.slashed ?? 0n);
    if (same(c.challenger, account)) {
      if (c.status === 'open') o.bondsAtStake += c.bond;
      if (c.status === 'answered') o.bondsLost += c.bond;
      if (c.status === 'upheld') o.received += moved;
    }
    if (same(c.trainer, account)) {
      if (c.status === 'answered') o.bondsWon += c.bond;
      if (c.status === 'upheld') o.forfeited += moved;
    }
  }
  for (const t of thefts) {
    if (same(t.owner, account)) o.received += t.rewards + t.slashed;
    if (same(t.thief, account)) o.forfeited += t.rewards + t.slashed;
  }
  return o;
}

/** Open challenges against `account` in any task, from the app's event log (no extra reads). */
export function openChallengesAgainst(events: readonly ArenaEvent[], account: Address | null): Extract<ArenaEvent, { kind: 'ChallengeOpened' }>[] {
  if (!account) return [];
  const settled = new Set<bigint>();
  for (const e of events) if (e.kind === 'ChallengeAnswered' || e.kind === 'ChallengeUpheld' || e.kind === 'ChallengeVoided') settled.add(e.challengeId);
  return events.filter((e): e is Extract<ArenaEvent, { kind: 'ChallengeOpened' }> => e.kind === 'ChallengeOpened' && same(e.trainer, account) && !settled.has(e.challengeId));
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
        return { label: `Downloading the proving key (${mb(step.loadedBytes)} of ${mb(step.totalBytes)} MB)`, value: 0.05 + 0.4 * (step.loadedBytes / step.totalBytes) };
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
