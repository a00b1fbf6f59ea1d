// What a task's events add up to: the paper's Table 1 counts and reward statistics, per-epoch
// leaderboards, scores over epochs and validators' distance to consensus. Pure.
import type { Address, Hex } from 'viem';
import { WAD } from '../../protocol/wad.ts';
import type { ArenaEvent, EventOf } from './events.ts';

export interface RewardStats {
  /** Sum of the pools booked (own share plus delegators' share). */
  total: bigint;
  /** Distinct participants that were booked more than zero (a trainer that did not qualify, or a validator out of tolerance, was booked nothing). */
  rewarded: number;
  /** total / rewarded, floored; 0 when nobody was rewarded. */
  mean: bigint;
  /** The largest total booked to one participant. */
  max: bigint;
}

export interface TaskActivity {
  /** Distinct accounts that ever delegated in the task. */
  delegators: number;
  /** Score reveals (one per validator per epoch). */
  validationSubmissions: number;
  finalizedEpochs: number;
  degenerateEpochs: number;
  /** What finalized epochs carried forward because nobody earned it (degenerate epochs, no qualifier, zero columns). */
  rolledOver: bigint;
  trainerRewards: RewardStats;
  validatorRewards: RewardStats;
  finalEvalFallback: boolean;
}

const forTask = (events: readonly ArenaEvent[], taskId: bigint) => events.filter((e) => e.taskId === taskId);
const ofKind = <K extends ArenaEvent['kind']>(events: readonly ArenaEvent[], kind: K) =>
  events.filter((e): e is EventOf<K> => e.kind === kind);

function rewardStats(entries: readonly { who: Address; pool: bigint }[]): RewardStats {
  const per = new Map<Address, bigint>();
  for (const e of entries) if (e.pool > 0n) per.set(e.who, (per.get(e.who) ?? 0n) + e.pool);
  let total = 0n;
  let max = 0n;
  for (const v of per.values()) {
    total += v;
    if (v > max) max = v;
  }
  return { total, rewarded: per.size, mean: per.size === 0 ? 0n : total / BigInt(per.size), max };
}

export function taskActivity(events: readonly ArenaEvent[], taskId: bigint): TaskActivity {
  const mine = forTask(events, taskId);
  const finalized = ofKind(mine, 'EpochFinalized');
  return {
    delegators: new Set(ofKind(mine, 'Delegated').map((e) => e.delegator)).size,
    validationSubmissions: ofKind(mine, 'ScoresRevealed').length,
    finalizedEpochs: finalized.length,
    degenerateEpochs: finalized.filter((e) => e.degenerate).length,
    rolledOver: finalized.reduce((sum, e) => sum + e.rollover, 0n),
    trainerRewards: rewardStats(ofKind(mine, 'TrainerRewarded').map((e) => ({ who: e.trainer, pool: e.pool }))),
    validatorRewards: rewardStats(ofKind(mine, 'ValidatorRewarded').map((e) => ({ who: e.validator, pool: e.pool }))),
    finalEvalFallback: ofKind(mine, 'FinalEvalFallback').length > 0,
  };
}

export interface TrainerResult {
  /** 1 = best; 0 = did not qualify (SPEC 4.3), booked nothing. */
  rank: number;
  qualified: boolean;
  trainer: Address;
  submissionId: bigint;
  /** WAD. */
  aggregate: bigint;
  pool: bigint;
  own: bigint;
  delegators: bigint;
}

export interface ValidatorResult {
  validator: Address;
  /** Mean |consensus - own score| over the epoch's submissions, WAD. */
  distance: bigint;
  pool: bigint;
  own: bigint;
  delegators: bigint;
  /** Missed a valid canary: no weight in any column of the epoch. */
  failedCanary: boolean;
}

/** A creator's canary column (docs/reward-math.md step 3): excluded from trainer rewards. */
export interface CanaryResult {
  submissionId: bigint;
  /** Its median, WAD. */
  aggregate: bigint;
  agreeingStake: bigint;
  /** At least half of the validator stake within tolV of the median: validators outside it failed. */
  valid: boolean;
}

export interface RevealedSubmission {
  trainer: Address;
  submissionId: bigint;
  artifactHash: Hex;
  /** Where the artifact is: the sha2-256 digest of its UnixFS root CID (storage/unixfs/ref.ts). */
  artifactRoot: Hex;
  duplicate: boolean;
}

export interface EpochResult {
  epoch: number;
  /** Finalized: rewards booked (or the epoch was degenerate and rolled over). */
  finalized: boolean;
  degenerate: boolean;
  booked: bigint;
  /** Carried to the next scoring epoch (the whole budget when degenerate). */
  rollover: bigint;
  /** The epoch's reward split (null until finalization scored it); `qualified`: columns that took a rank. */
  split: {
    budget: bigint;
    trainers: bigint;
    validators: bigint;
    qualified: number;
    columns: number;
    validatorsRevealed: number;
  } | null;
  /** The evaluation seed drawn in its score commit window (SPEC 2.2), null until drawn. */
  evalSeed: Hex | null;
  /** Ranked, best first, then those that did not qualify (rank 0), best aggregate first. */
  trainers: TrainerResult[];
  /** Closest to consensus first. */
  validators: ValidatorResult[];
  canaries: CanaryResult[];
  /** Submissions revealed in this epoch (submission phase), in reveal order. */
  revealed: RevealedSubmission[];
  /** Validators that revealed scores. */
  scoreReveals: number;
}

/** Per-epoch results of a task, epochs 0..epochs-1, from its events. */
export function epochResults(events: readonly ArenaEvent[], taskId: bigint, epochs: number): EpochResult[] {
  const out: EpochResult[] = Array.from({ length: epochs }, (_, epoch) => ({
    epoch,
    finalized: false,
    degenerate: false,
    booked: 0n,
    rollover: 0n,
    split: null,
    evalSeed: null,
    trainers: [],
    validators: [],
    canaries: [],
    revealed: [],
    scoreReveals: 0,
  }));
  const duplicates = new Set(ofKind(forTask(events, taskId), 'DuplicateFlagged').map((e) => e.submissionId));
  for (const e of forTask(events, taskId)) {
    if (!('epoch' in e)) continue;
    const r = out[Number(e.epoch)];
    if (r === undefined) continue;
    switch (e.kind) {
      case 'EpochFinalized':
        r.finalized = true;
        r.degenerate = e.degenerate;
        r.booked = e.booked;
        r.rollover = e.rollover;
        break;
      case 'EpochScored':
        r.split = {
          budget: e.budget,
          trainers: e.rT,
          validators: e.rV,
          qualified: Number(e.qualified),
          columns: Number(e.columns),
          validatorsRevealed: Number(e.m),
        };
        break;
      case 'EvalSeedDrawn':
        r.evalSeed = e.seed;
        break;
      case 'CanaryChecked':
        r.canaries.push({
          submissionId: e.submissionId,
          aggregate: e.aggregate,
          agreeingStake: e.agreeingStake,
          valid: e.valid,
        });
        break;
      case 'TrainerRewarded':
        r.trainers.push({
          rank: Number(e.rank),
          qualified: e.rank > 0n,
          trainer: e.trainer,
          submissionId: e.submissionId,
          aggregate: e.aggregate,
          pool: e.pool,
          own: e.own,
          delegators: e.pool - e.own,
        });
        break;
      case 'ValidatorRewarded':
        r.validators.push({
          validator: e.validator,
          distance: e.distance,
          pool: e.pool,
          own: e.own,
          delegators: e.pool - e.own,
          failedCanary: e.failedCanary,
        });
        break;
      case 'SubmissionRevealed':
        r.revealed.push({
          trainer: e.trainer,
          submissionId: e.submissionId,
          artifactHash: e.artifactHash,
          artifactRoot: e.artifactRoot,
          duplicate: e.duplicate || duplicates.has(e.submissionId),
        });
        break;
      case 'ScoresRevealed':
        r.scoreReveals++;
        break;
    }
  }
  for (const r of out) {
    r.trainers.sort((a, b) =>
      a.qualified !== b.qualified
        ? a.qualified
          ? -1
          : 1
        : a.qualified
          ? a.rank - b.rank
          : a.aggregate === b.aggregate
            ? 0
            : a.aggregate > b.aggregate
              ? -1
              : 1,
    );
    r.validators.sort((a, b) => (a.distance === b.distance ? 0 : a.distance < b.distance ? -1 : 1));
  }
  return out;
}

export interface Series {
  key: Address;
  points: { x: number; y: number }[];
}

/** One line per key: `value` of each of an epoch's `rows` at x = the epoch, in epoch order. */
function seriesOf<T>(
  results: readonly EpochResult[],
  rows: (r: EpochResult) => readonly T[],
  key: (row: T) => Address,
  value: (row: T) => bigint,
): Series[] {
  const byKey = new Map<Address, { x: number; y: number }[]>();
  for (const r of results) {
    for (const row of rows(r)) {
      const pts = byKey.get(key(row)) ?? [];
      pts.push({ x: r.epoch, y: wadToNumber(value(row)) });
      byKey.set(key(row), pts);
    }
  }
  return [...byKey].map(([key, points]) => ({ key, points }));
}

/** Each trainer's aggregate score (0..1) per finalized epoch it was scored in (qualified or not). */
export const scoreSeries = (results: readonly EpochResult[]): Series[] =>
  seriesOf(
    results,
    (r) => r.trainers,
    (t) => t.trainer,
    (t) => t.aggregate,
  );

/** Each validator's distance to consensus (0..1) per finalized epoch. */
export const distanceSeries = (results: readonly EpochResult[]): Series[] =>
  seriesOf(
    results,
    (r) => r.validators,
    (v) => v.validator,
    (v) => v.distance,
  );

/** A WAD fraction as a float, exact to the 4 decimals scores have on chain. */
export function wadToNumber(wad: bigint): number {
  const whole = wad / WAD;
  const frac = wad % WAD;
  return Number(whole) + Number(frac / 10n ** 10n) / 1e8;
}
