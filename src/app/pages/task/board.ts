// One epoch of the Task page in words (revision 2): who qualified for a rank and why the others
// did not (SPEC 4.3), the creator's canary columns once revealed (excluded from trainer rewards),
// validators that failed a canary or were outside the tolerance, what rolled over and why (SPEC
// 4.6), and the epoch's evaluation subset (SPEC 2.2). Pure: from the app's event log and the task.
import type { Address, Hex } from 'viem';
import type { EpochResult } from '../../../lib/chain/reads/activity.ts';
import type { ArenaEvent } from '../../../lib/chain/reads/events.ts';
import type { RewardParams } from '../../../lib/chain/reads/task-record.ts';
import { scoringEpochs, type Schedule } from '../../../lib/chain/schedule.ts';
import { formatTokens, formatWad, shortHex } from '../../../lib/format.ts';

export interface BoardTask {
  id: bigint;
  schedule: Schedule;
  reward: Pick<RewardParams, 'minScore' | 'floorBps' | 'tolV' | 'minValidators'>;
  evalSubsetSize: number;
}

export interface TrainerRow {
  trainer: Address;
  submissionId: bigint;
  /** 1 = best; null: did not qualify. */
  rank: number | null;
  /** The stake-weighted median, WAD. */
  aggregate: bigint;
  /** "qualified", or why not ("did not qualify: ..."). */
  result: string;
  qualified: boolean;
  pool: bigint;
  own: bigint;
  delegators: bigint;
}

export interface CanaryRow {
  submissionId: bigint;
  /** The account that revealed it (a trainer account of the creator); null when not in the log. */
  trainer: Address | null;
  /** Its median, WAD; null before finalization (revealed, not scored yet). */
  aggregate: bigint | null;
  /** Null before finalization. */
  valid: boolean | null;
  text: string;
}

export interface ValidatorNote {
  validator: Address;
  /** Null: earned normally. */
  note: string | null;
  failedCanary: boolean;
  outOfTolerance: boolean;
}

export interface EpochBoard {
  trainers: TrainerRow[];
  canaries: CanaryRow[];
  validators: ValidatorNote[];
  /** Null while the epoch is not finalized, or nothing rolled over. */
  rollover: { amount: bigint; text: string } | null;
  subset: { size: number; seed: Hex | null; text: string };
  /** "2 of 3 submissions qualified (the floor is 50% of the best, 0.4650)", once finalized. */
  qualifying: string | null;
}

const score = (wad: bigint) => formatWad(wad, 4);
const arena = (wei: bigint) => `${formatTokens(wei)} ARENA`;
const plural = (n: number, one: string, many = `${one}s`) => `${n} ${n === 1 ? one : many}`;

/** Why a scored submission did not qualify (SPEC 4.3), given the epoch's best score. */
export function notQualifiedReason(aggregate: bigint, best: bigint, rules: BoardTask['reward']): string {
  if (aggregate <= rules.minScore)
    return `score ${score(aggregate)} is at or below the minimum score ${score(rules.minScore)}`;
  const floor = (best * BigInt(rules.floorBps)) / 10_000n;
  return `score ${score(aggregate)} is below the floor of ${rules.floorBps / 100}% of the best (${score(best)}), ${score(floor)}`;
}

/** The columns of an epoch in the chain's order (SubmissionBook.columns), from the reveal events. */
export function epochColumns(
  events: readonly ArenaEvent[],
  taskId: bigint,
  epoch: number,
  schedule: Schedule,
): { submissionId: bigint; trainer: Address }[] {
  const reveals = events.filter(
    (e): e is Extract<ArenaEvent, { kind: 'SubmissionRevealed' }> =>
      e.kind === 'SubmissionRevealed' && e.taskId === taskId,
  );
  if (epoch < schedule.submissionEpochs) {
    return reveals
      .filter((e) => e.epoch === BigInt(epoch))
      .map((e) => ({ submissionId: e.submissionId, trainer: e.trainer }));
  }
  // Final phase: every trainer that ever revealed, in order of its first reveal, with its latest submission.
  const latest = new Map<string, { submissionId: bigint; trainer: Address }>();
  for (const e of reveals) latest.set(e.trainer.toLowerCase(), { submissionId: e.submissionId, trainer: e.trainer });
  return [...latest.values()];
}

/** Submission ids the creator revealed as canaries for the epoch (CanariesRevealed's mask over its columns). */
export function revealedCanaries(
  events: readonly ArenaEvent[],
  taskId: bigint,
  epoch: number,
  schedule: Schedule,
): Set<bigint> {
  const ev = events.find(
    (e): e is Extract<ArenaEvent, { kind: 'CanariesRevealed' }> =>
      e.kind === 'CanariesRevealed' && e.taskId === taskId && e.epoch === BigInt(epoch),
  );
  const out = new Set<bigint>();
  if (!ev) return out;
  epochColumns(events, taskId, epoch, schedule).forEach((c, i) => {
    if ((ev.mask >> BigInt(i)) & 1n) out.add(c.submissionId);
  });
  return out;
}

function subsetOf(result: EpochResult, task: BoardTask) {
  const size = task.evalSubsetSize;
  const seed = result.evalSeed;
  const samples = `${size.toLocaleString('en-US')} sample${size === 1 ? '' : 's'} of the eval set (all of it if it has fewer)`;
  const text =
    seed === null
      ? `Evaluation subset: ${samples}; seed not drawn yet (the first validator in the score commit window draws it, after every submission is revealed).`
      : `Evaluation subset: ${samples}, chosen by the seed ${shortHex(seed, 6)}, which nobody knew before the reveal window closed.`;
  return { size, seed, text };
}

function rolloverOf(result: EpochResult, task: BoardTask, last: boolean, columns: number): EpochBoard['rollover'] {
  if (!result.finalized || result.rollover === 0n) return null;
  const where = last
    ? 'returns to the creator (the last scoring epoch: it joins the remainder)'
    : 'rolls over to the next scoring epoch';
  let why: string;
  if (result.degenerate) {
    const m = result.scoreReveals;
    why =
      columns === 0
        ? 'no submission was there to score, so nobody earned the epoch’s reward'
        : m < task.reward.minValidators
          ? `only ${plural(m, 'validator')} revealed scores and the task needs at least ${task.reward.minValidators}: an epoch with fewer pays nobody`
          : 'nothing could be scored, so nobody earned the epoch’s reward';
  } else if (result.split && result.split.qualified === 0) {
    why = 'no submission qualified, so the trainers’ share went unearned';
  } else {
    why = 'what nobody earned: the validators’ share of submissions that no validator scored within the tolerance';
  }
  return { amount: result.rollover, text: `${arena(result.rollover)} ${where}: ${why}.` };
}

export function epochBoard(result: EpochResult, task: BoardTask, events: readonly ArenaEvent[]): EpochBoard {
  const best = result.trainers.reduce((m, t) => (t.aggregate > m ? t.aggregate : m), 0n);
  const trainers: TrainerRow[] = result.trainers.map((t) => ({
    trainer: t.trainer,
    submissionId: t.submissionId,
    rank: t.qualified ? t.rank : null,
    aggregate: t.aggregate,
    qualified: t.qualified,
    result: t.qualified ? 'qualified' : `did not qualify: ${notQualifiedReason(t.aggregate, best, task.reward)}`,
    pool: t.pool,
    own: t.own,
    delegators: t.delegators,
  }));

  const trainerOf = new Map<bigint, Address>();
  for (const e of events)
    if (e.kind === 'SubmissionRevealed' && e.taskId === task.id) trainerOf.set(e.submissionId, e.trainer);
  let canaries: CanaryRow[];
  if (result.finalized) {
    canaries = result.canaries.map((c) => ({
      submissionId: c.submissionId,
      trainer: trainerOf.get(c.submissionId) ?? null,
      aggregate: c.aggregate,
      valid: c.valid,
      text: c.valid
        ? `valid: validators further than the tolerance (${score(task.reward.tolV)}) from its median ${score(c.aggregate)} earned nothing this epoch`
        : `not valid (less than half of the validator stake agreed on it): it failed nobody`,
    }));
  } else {
    canaries = [...revealedCanaries(events, task.id, result.epoch, task.schedule)].map((id) => ({
      submissionId: id,
      trainer: trainerOf.get(id) ?? null,
      aggregate: null,
      valid: null,
      text: 'revealed by the creator; checked against the validators’ scores at finalization',
    }));
  }

  const validators: ValidatorNote[] = result.validators.map((v) => {
    const outOfTolerance = !v.failedCanary && v.pool === 0n;
    return {
      validator: v.validator,
      failedCanary: v.failedCanary,
      outOfTolerance,
      note: v.failedCanary
        ? 'failed a canary: further than the tolerance from a valid canary’s median, so it earned nothing this epoch'
        : outOfTolerance
          ? `outside the tolerance (${score(task.reward.tolV)}) of the consensus on every submission: it earned nothing`
          : null,
    };
  });

  let qualifying: string | null = null;
  if (result.finalized && !result.degenerate) {
    const n = trainers.filter((t) => t.qualified).length;
    const floor = (best * BigInt(task.reward.floorBps)) / 10_000n;
    const min =
      task.reward.minScore > 0n ? ` and above the minimum score ${score(task.reward.minScore)}` : ' and above 0';
    qualifying = `${n} of ${plural(trainers.length, 'submission')} qualified for a rank: a score of at least ${task.reward.floorBps / 100}% of the best (${score(best)}), so ${score(floor)},${min}.`;
  }
  const last = result.epoch === scoringEpochs(task.schedule) - 1;
  const columns = epochColumns(events, task.id, result.epoch, task.schedule).length;
  return {
    trainers,
    canaries,
    validators,
    rollover: rolloverOf(result, task, last, columns),
    subset: subsetOf(result, task),
    qualifying,
  };
}
