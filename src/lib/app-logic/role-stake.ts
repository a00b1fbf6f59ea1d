// Whether a trainer or validator stake can still be sent, and where a stake the agent was asked
// to send stands: on its way, refused (with the agent's sentence), or held back because staking
// closed meanwhile. The join form shows these instead of a button that waits forever (issue 10,
// 1.1). Pure; the rules mirror StakeManager._join (_requireStakingOpen) and the role machines.
import type { Note } from '../agents/common.ts';
import { effectiveEpoch, endTime, epochAt, scoringEpochs, totalEpochs, type Schedule } from '../chain/schedule.ts';
import { formatTokens } from '../format.ts';
import { WAD } from '../protocol/wad.ts';
import { durationText } from './confirm-facts.ts';

export type StakeRole = 'trainer' | 'validator';

/**
 * Why `role` cannot join now, in one sentence, or null when a stake sent now is accepted.
 * StakeManager counts a stake from the next epoch (effectiveEpoch) and refuses one that would
 * first count after the role's last epoch: a trainer's last submission epoch, a validator's last
 * scoring epoch.
 */
export function stakingClosedReason(role: StakeRole, schedule: Schedule, now: bigint): string | null {
  if (schedule.rejected)
    return 'The task was rejected in review: nobody can join it. Stakes already made can be withdrawn.';
  const eff = effectiveEpoch(schedule, now);
  const limit = role === 'trainer' ? schedule.submissionEpochs : scoringEpochs(schedule);
  if (eff < limit) return null;
  const { epoch } = epochAt(schedule, now);
  if (epoch >= totalEpochs(schedule)) return `The task is over: no ${role} can join it any more.`;
  const lastEpoch = limit - 1;
  const what = role === 'trainer' ? 'submission' : 'scoring';
  // Epochs are numbered from 0 on chain and on every page; "epoch N" names that number.
  return `${role === 'trainer' ? 'Trainer' : 'Validator'} staking is closed: a stake sent now would first count in epoch ${eff}, after the task's last ${what} epoch (epoch ${lastEpoch}).`;
}

/** Note keys (the trainer and validator machines) that say a join was not sent or was refused. */
const REFUSAL_KEYS = [/^failed\/join\//, /^join-below-minimum\//, /^staking-closed$/];
const isJoinNote = (n: Note) => REFUSAL_KEYS.some((k) => k.test(n.key));

export type JoinStatus =
  /** No stake asked for (or nothing to say). */
  | { kind: 'idle' }
  /** The agent holds the stake request and sends it; `warning`: the last try failed and is retried. */
  | { kind: 'pending'; amount: bigint; warning: string | null }
  /**
   * The stake was not sent or was refused. `cancel`: the agent still holds the request (it would
   * wait forever), so the way out is to withdraw it; otherwise the form is offered again.
   */
  | { kind: 'refused'; text: string; cancel: boolean };

export interface JoinStatusInput {
  role: StakeRole;
  schedule: Schedule;
  now: bigint;
  /** The agent's pending join request (state.join), or null. */
  join: { amount: bigint } | null;
  /** The agent's notes. */
  notes: readonly Note[];
  /** Keys of the notes that existed when the user asked to stake, or null if they did not ask in this tab. */
  askedWith: ReadonlySet<string> | null;
}

/** Where the stake the user asked for stands. */
export function joinStatus(p: JoinStatusInput): JoinStatus {
  const fresh = p.notes.filter((n) => isJoinNote(n) && (p.askedWith === null || !p.askedWith.has(n.key)));
  const newest = fresh.at(-1) ?? null;
  if (p.join !== null) {
    const closed = stakingClosedReason(p.role, p.schedule, p.now);
    if (closed !== null) return { kind: 'refused', text: `${closed} Nothing was sent.`, cancel: true };
    const warning = newest && newest.level !== 'info' && newest.key.startsWith('failed/join/') ? newest.message : null;
    return { kind: 'pending', amount: p.join.amount, warning };
  }
  if (p.askedWith === null) return { kind: 'idle' };
  // The request is gone without a stake: the agent refused it or the chain did. Its sentence says why;
  // the same refusal twice keeps one note, so fall back to the newest of its kind.
  const why = newest ?? p.notes.filter(isJoinNote).at(-1) ?? null;
  return { kind: 'refused', text: why ? why.message : 'The stake was not sent.', cancel: false };
}

export interface StakeFactsInput {
  role: StakeRole;
  amount: bigint;
  /** Own reward share, WAD. */
  sigma: bigint;
  schedule: Schedule;
  now: bigint;
  /** feeText(...) from confirm-facts.ts. */
  fee: string;
}

/** What the confirmation says before a stake leaves the wallet (issue 10, 1.8). */
export function stakeFacts(p: StakeFactsInput): { label: string; value: string }[] {
  const eff = effectiveEpoch(p.schedule, p.now);
  const end = endTime(p.schedule);
  const left = end > p.now ? Number(end - p.now) : 0;
  const pct = Number((p.sigma * 10_000n) / WAD) / 100;
  return [
    { label: 'Stake', value: `${formatTokens(p.amount, 4)} ARENA` },
    { label: 'As', value: p.role === 'trainer' ? 'trainer (the stake also commits your watermark key)' : 'validator' },
    { label: 'Own reward share (σ)', value: `${pct} %` },
    { label: 'Counts from', value: `epoch ${eff}` },
    { label: 'Locked', value: `until the task ends, in about ${durationText(left)}; then you withdraw it` },
    { label: 'Network fee', value: p.fee },
  ];
}
