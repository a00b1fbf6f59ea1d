// What a trainer is told about a challenge it failed (SPEC 7 "B fails"): which challenge, why
// (no complete answer within the response window, and whether its agent on this device was
// running then: it answers by itself only while its tab is open; or the validators' vote),
// what it lost in exact amounts, and that its later submissions are excluded. Pure functions of
// chain facts (the event log or a challenge read) and the trainer agent's stored state; the
// Train and Challenges pages only render them.
import type { Address } from 'viem';
import type { ChallengeView } from '../chain/actions/read-challenges.ts';
import type { ArenaEvent } from '../chain/reads/events.ts';
import { formatChainTime } from '../chain/tx/sentences.ts';
import { formatTokens, shortHex } from '../format.ts';

const same = (a: string, b: string | null | undefined) => !!b && a.toLowerCase() === b.toLowerCase();
/** Exact: every one of the 18 decimals that is not zero. */
const exact = (wei: bigint) => `${formatTokens(wei, 18)} ARENA`;

/** An upheld challenge of one trainer's submission, as the chain records it. */
export interface FailedChallenge {
  challengeId: bigint;
  taskId: bigint;
  submissionId: bigint;
  /** The challenged submission's epoch, when known. */
  epoch: number | null;
  challenger: Address;
  /** Last second of the response window (inclusive). */
  deadline: bigint;
  proven: boolean;
  disclosed: boolean;
  /** The disputed segment when a vote upheld it; null: upheld for want of an answer. */
  segment: number | null;
  rewards: bigint;
  slashed: bigint;
  juryShare: bigint;
}

/** The account's upheld challenges in a task, from the app's event log (no extra reads), oldest first. */
export function failedFromEvents(
  events: readonly ArenaEvent[],
  account: Address | null,
  taskId: bigint,
): FailedChallenge[] {
  if (!account) return [];
  const epochOf = new Map<bigint, number>();
  const proven = new Set<bigint>();
  const disclosed = new Set<bigint>();
  const segment = new Map<bigint, number>();
  const opened = new Map<bigint, Extract<ArenaEvent, { kind: 'ChallengeOpened' }>>();
  const out: FailedChallenge[] = [];
  for (const e of events) {
    if (e.kind === 'SubmissionRevealed' && e.taskId === taskId) epochOf.set(e.submissionId, Number(e.epoch));
    else if (e.kind === 'ChallengeOpened' && e.taskId === taskId && same(e.trainer, account))
      opened.set(e.challengeId, e);
    else if (e.kind === 'OwnershipProven') proven.add(e.challengeId);
    else if (e.kind === 'TranscriptDisclosed') disclosed.add(e.challengeId);
    else if (e.kind === 'SegmentDisputed') segment.set(e.challengeId, Number(e.segment));
    else if (e.kind === 'ChallengeUpheld') {
      const o = opened.get(e.challengeId);
      if (!o) continue;
      out.push({
        challengeId: e.challengeId,
        taskId,
        submissionId: o.submissionId,
        epoch: epochOf.get(o.submissionId) ?? null,
        challenger: e.challenger,
        deadline: o.deadline,
        proven: proven.has(e.challengeId),
        disclosed: disclosed.has(e.challengeId),
        segment: segment.get(e.challengeId) ?? null,
        rewards: e.rewards,
        slashed: e.slashed,
        juryShare: e.juryShare,
      });
    }
  }
  return out;
}

/** The same, from a challenge read (the Challenges page); null unless it is upheld. */
export function failedFromView(c: ChallengeView, epoch: number | null): FailedChallenge | null {
  if (c.status !== 'upheld') return null;
  return {
    challengeId: c.challengeId,
    taskId: c.taskId,
    submissionId: c.submissionId,
    epoch,
    challenger: c.challenger,
    deadline: c.deadline,
    proven: c.proven,
    disclosed: c.disclosure !== null,
    segment: c.dispute?.segment ?? null,
    rewards: c.settled?.rewards ?? 0n,
    slashed: c.settled?.slashed ?? 0n,
    juryShare: c.settled?.juryShare ?? 0n,
  };
}

/**
 * The trainer agent's stored state, as far as this needs it (TrainerState's fields): the chain
 * time of its last step, its notes (the `challenged/<id>` note is made when it first sees the
 * challenge open) and its challenge records (when it tried to prove, upload and disclose).
 */
export interface AgentTrace {
  lastSeen: bigint | null;
  notes: readonly { key: string; at: bigint }[];
  challenges?: readonly {
    challengeId: bigint;
    proofAt: bigint | null;
    uploadAt: bigint | null;
    discloseAt: bigint | null;
    proofHalted: string | null;
    disclosureHalted: string | null;
  }[];
}

/**
 * Whether the agent on this device was there to answer. closed: it did not run during the
 * response window (its tab was closed); `lastRunning` is its last step before the window ended,
 * when known. running: it saw the challenge in time but could not answer (`halted` says why, when
 * it knows). none: no trainer agent for this task and account has run on this device.
 */
export type AnswerWitness =
  { kind: 'closed'; lastRunning: bigint | null } | { kind: 'running'; halted: string[] } | { kind: 'none' };

/**
 * `trace`: the agent's state now; `lastSeenAtOpen`: its `lastSeen` as stored when this tab opened
 * it (before its first step), which says since when it had not run.
 */
export function answerWitness(
  f: FailedChallenge,
  trace: AgentTrace | null,
  lastSeenAtOpen: bigint | null = trace?.lastSeen ?? null,
): AnswerWitness {
  if (!trace || (trace.lastSeen === null && trace.notes.length === 0)) return { kind: 'none' };
  const inWindow = (t: bigint | null | undefined) => t !== null && t !== undefined && t <= f.deadline;
  const seen = trace.notes.find((n) => n.key === `challenged/${f.challengeId}`);
  const rec = trace.challenges?.find((r) => r.challengeId === f.challengeId);
  const acted = !!rec && (inWindow(rec.proofAt) || inWindow(rec.uploadAt) || inWindow(rec.discloseAt));
  if (inWindow(seen?.at) || acted) {
    const halted = [rec?.proofHalted, rec?.disclosureHalted].filter((h): h is string => !!h);
    return { kind: 'running', halted };
  }
  return {
    kind: 'closed',
    lastRunning: lastSeenAtOpen !== null && lastSeenAtOpen <= f.deadline ? lastSeenAtOpen : null,
  };
}

export interface FailureView {
  title: string;
  /** Why it failed, in one or two sentences. */
  why: string;
  /** What it lost, exact amounts. */
  lost: string;
  excluded: string;
}

/** The sentences for a failed challenge, addressed to its trainer. */
export function failureView(f: FailedChallenge, w: AnswerWitness): FailureView {
  const of = `submission #${f.submissionId}${f.epoch !== null ? `, epoch ${f.epoch}` : ''}`;
  const title = `You failed challenge #${f.challengeId} (${of})`;
  let why: string;
  if (f.segment !== null)
    why = `The validators' vote found that segment ${f.segment} of your training transcript does not replay.`;
  else {
    const missing =
      !f.proven && !f.disclosed
        ? 'neither the ownership proof nor the training transcript was posted'
        : !f.proven
          ? 'the ownership proof was not posted (the transcript was disclosed)'
          : 'the training transcript was not disclosed (the ownership proof was posted)';
    const window = `You did not answer within the response window, which ended at ${formatChainTime(f.deadline)}: ${missing}.`;
    switch (w.kind) {
      case 'closed':
        why = `${window} Your trainer agent answers challenges by itself only while its tab is open, and its tab was closed ${
          w.lastRunning !== null ? `from ${formatChainTime(w.lastRunning)} ` : ''
        }until after the window ended, so nothing answered it.`;
        break;
      case 'running':
        why = `${window} Your trainer agent was running on this device during the window but could not answer${
          w.halted.length > 0 ? `: ${w.halted.join('; ')}` : ' in time'
        }.`;
        break;
      case 'none':
        why = `${window} No trainer agent for this task and account ran on this device, so nothing answered it from here.`;
        break;
    }
  }
  const total = f.rewards + f.slashed;
  const jury = f.juryShare > 0n ? `, ${exact(f.juryShare)} of it to the majority jurors` : '';
  const lost = `You lost ${exact(total)}: ${exact(f.rewards)} of unvested rewards (your delegators' share included) and ${exact(f.slashed)} of your stake (slashed), to the challenger ${shortHex(f.challenger)}${jury}.`;
  const excluded = `Your later submissions in task #${f.taskId} are excluded: you can no longer submit in it. Epochs already scored are not re-ranked.`;
  return { title, why, lost, excluded };
}
