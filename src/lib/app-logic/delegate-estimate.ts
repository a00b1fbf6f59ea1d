// What a delegation would earn, estimated with the TypeScript twin of the reward math
// (src/lib/protocol/rewards.ts): the epoch's pools are recomputed with the delegation added to
// its pool, and the delegator's part is its pro-rata share of what the pool keeps for its
// delegators. The inputs nobody knows in advance (scores) come from the last scored epoch, or
// are taken as even when there is none. docs/app/pages.md (Delegate) gives the formula.
import type { Address } from 'viem';
import { epochRewards, SCORE_UNIT, type RewardParams } from '../protocol/rewards.ts';
import { mulDiv, WAD } from '../protocol/wad.ts';
import { effectiveEpoch, scoringEpochs, type Schedule } from '../chain/schedule.ts';
import { formatTokens } from '../format.ts';

export interface PoolStake {
  account: Address;
  /** Own and delegated stake as they will count next epoch (the "latest" values). */
  own: bigint;
  delegated: bigint;
  /** Share of the pool the participant keeps before its delegators are paid (WAD). */
  sigma: bigint;
  /** Reached the minimum own stake (takes part in scoring). */
  eligible: boolean;
}

/** The last epoch with scores: its columns' trainers and each revealed validator's scores (0..10000). */
export interface ScoredEpoch {
  epoch: number;
  trainers: Address[];
  validators: Address[];
  scores: number[][];
}

export interface EstimateInput {
  rewardPerEpoch: bigint;
  params: RewardParams;
  trainers: PoolStake[];
  validators: PoolStake[];
  lastScored?: ScoredEpoch | null;
  target: { account: Address; role: 'trainer' | 'validator' };
  amount: bigint;
  /** Scoring epochs the delegation would count in. */
  epochsLeft: number;
}

export type Estimate =
  | {
      kind: 'ok';
      /** 'last-epoch': scores of `basisEpoch` replayed; 'even': every score equal, ranks unknown. */
      basis: 'last-epoch' | 'even';
      basisEpoch?: number;
      /** The target's whole pool reward per epoch with the delegation. */
      pool: bigint;
      /** This delegation's part per epoch. */
      perEpoch: bigint;
      epochs: number;
      total: bigint;
      /** perEpoch / amount (WAD): the return per epoch. */
      rateWad: bigint;
    }
  | { kind: 'none'; reason: string };

/** Scoring epochs a delegation made at chain time `now` counts in (it counts from the next epoch). */
export function epochsLeftFor(schedule: Schedule, now: bigint): number {
  if (schedule.rejected) return 0;
  return Math.max(0, scoringEpochs(schedule) - effectiveEpoch(schedule, now));
}

const EVEN_SCORE = 5_000;

interface Field {
  trainers: PoolStake[];
  validators: PoolStake[];
  scores: number[][];
  params: RewardParams;
  basis: 'last-epoch' | 'even';
  basisEpoch?: number;
}

function byAccount(list: PoolStake[]): Map<string, PoolStake> {
  return new Map(list.map((p) => [p.account.toLowerCase(), p]));
}

/** The participants and scores the estimate replays, or why there is no estimate. */
function field(input: EstimateInput): Field | { reason: string } {
  const { target, lastScored } = input;
  const trainers = byAccount(input.trainers.filter((p) => p.own + p.delegated > 0n));
  const validators = byAccount(input.validators.filter((p) => p.own + p.delegated > 0n));
  const key = target.account.toLowerCase();
  if (lastScored && lastScored.trainers.length > 0 && lastScored.validators.length > 0) {
    const columns = lastScored.trainers
      .map((a, i) => ({ p: trainers.get(a.toLowerCase()), i }))
      .filter((c) => c.p !== undefined);
    const rows = lastScored.validators
      .map((a, j) => ({ p: validators.get(a.toLowerCase()), j }))
      .filter((r) => r.p !== undefined);
    if (target.role === 'trainer' && !columns.some((c) => c.p!.account.toLowerCase() === key)) {
      return {
        reason: `It did not submit in epoch ${lastScored.epoch}, the last scored one: a trainer earns only in epochs it submits in.`,
      };
    }
    if (target.role === 'validator' && !rows.some((r) => r.p!.account.toLowerCase() === key)) {
      return {
        reason: `It did not reveal scores in epoch ${lastScored.epoch}, the last scored one: a validator earns only in epochs it scores.`,
      };
    }
    if (columns.length > 0 && rows.length > 0) {
      return {
        trainers: columns.map((c) => c.p!),
        validators: rows.map((r) => r.p!),
        scores: rows.map((r) => columns.map((c) => lastScored.scores[r.j]?.[c.i] ?? 0)),
        params: input.params,
        basis: 'last-epoch',
        basisEpoch: lastScored.epoch,
      };
    }
  }
  const t = [...trainers.values()].filter((p) => p.eligible);
  const v = [...validators.values()].filter((p) => p.eligible);
  const mine = (target.role === 'trainer' ? t : v).some((p) => p.account.toLowerCase() === key);
  if (!mine) return { reason: 'It has not staked the task’s minimum, so it takes no part in scoring yet.' };
  // Ranks are unknown before any scoring: with q = 1 every rank weighs the same, which is the
  // rank-weight a trainer gets on average when every order is equally likely (to first order).
  return {
    trainers: t,
    validators: v,
    scores: v.map(() => t.map(() => EVEN_SCORE)),
    params: { ...input.params, q: WAD },
    basis: 'even',
  };
}

export function estimateDelegation(input: EstimateInput): Estimate {
  if (input.amount <= 0n) return { kind: 'none', reason: 'Type an amount to see an estimate.' };
  if (input.epochsLeft <= 0)
    return { kind: 'none', reason: 'No scoring epoch is left for a new delegation to count in.' };
  const f = field(input);
  if ('reason' in f) return { kind: 'none', reason: f.reason };
  if (f.trainers.length === 0 || f.validators.length === 0) {
    return { kind: 'none', reason: 'An epoch pays nothing until the task has at least one trainer and one validator.' };
  }
  const key = input.target.account.toLowerCase();
  const list = input.target.role === 'trainer' ? f.trainers : f.validators;
  const index = list.findIndex((p) => p.account.toLowerCase() === key);
  const before = list[index]!;
  const withMine = (p: PoolStake, i: number) => (i === index ? { ...p, delegated: p.delegated + input.amount } : p);
  const trainers = input.target.role === 'trainer' ? f.trainers.map(withMine) : f.trainers;
  const validators = input.target.role === 'validator' ? f.validators.map(withMine) : f.validators;
  const result = epochRewards({
    R: input.rewardPerEpoch,
    params: f.params,
    trainers: trainers.map((p, i) => ({ own: p.own, delegated: p.delegated, sigma: p.sigma, seal: BigInt(i) })),
    validators: validators.map((p) => ({ own: p.own, delegated: p.delegated, sigma: p.sigma })),
    scores: f.scores.map((row) => row.map((s) => BigInt(s) * SCORE_UNIT)),
  });
  if (result.degenerate && validators.length < input.params.minValidators) {
    const n = input.params.minValidators;
    return {
      kind: 'none',
      reason: `An epoch pays nobody while fewer than ${n} validator${n === 1 ? '' : 's'} (the task's minimum) reveal scores: its reward rolls over. ${f.basis === 'last-epoch' ? `Epoch ${f.basisEpoch} had` : 'The task has'} ${validators.length}.`,
    };
  }
  const mine = (input.target.role === 'trainer' ? result.trainers : result.validators)[index];
  if (!mine)
    return { kind: 'none', reason: 'An epoch pays nothing until the task has at least one trainer and one validator.' };
  // The contract pays a pool's delegators pro rata to their delegated stake.
  const perEpoch = mulDiv(mine.delegators, input.amount, before.delegated + input.amount);
  return {
    kind: 'ok',
    basis: f.basis,
    ...(f.basisEpoch !== undefined ? { basisEpoch: f.basisEpoch } : {}),
    pool: mine.pool,
    perEpoch,
    epochs: input.epochsLeft,
    total: perEpoch * BigInt(input.epochsLeft),
    rateWad: mulDiv(perEpoch, WAD, input.amount),
  };
}

/** A return per epoch above this (10 %) is flagged: it comes from a nearly empty pool, not from a typical one. */
export const PLAUSIBLE_RATE_WAD = WAD / 10n;

export interface EstimateContext {
  role: 'trainer' | 'validator';
  rewardPerEpoch: bigint;
  /** The first epoch a delegation made now counts in. */
  countsFrom: number;
}

/**
 * What an 'ok' estimate assumes, in sentences the page lists under it, and a warning when the
 * rate is implausible (issue 10, 1.9: "125 % per epoch" shown as if it were a promise).
 */
export function estimateAssumptions(
  e: Extract<Estimate, { kind: 'ok' }>,
  ctx: EstimateContext,
): { assumptions: string[]; warning: string | null } {
  const who = ctx.role === 'trainer' ? 'this trainer submits a model that qualifies' : 'this validator reveals scores';
  const assumptions = [
    `${formatTokens(ctx.rewardPerEpoch, 4)} ARENA is paid in each of the ${e.epochs} scoring epoch${e.epochs === 1 ? '' : 's'} from epoch ${ctx.countsFrom} on, and nobody else stakes, delegates or leaves: more stake anywhere lowers your share.`,
    e.basis === 'last-epoch'
      ? `Every model scores as in epoch ${e.basisEpoch} (the last scored one), and ${who} in every epoch.`
      : `Every model scores the same (nothing is scored yet), and ${who} in every epoch.`,
  ];
  if (ctx.role === 'trainer')
    assumptions.push(
      'Trainer rewards vest when the task ends, and a trainer that fails a challenge forfeits them, its delegators’ part too.',
    );
  let warning: string | null = null;
  if (e.rateWad > PLAUSIBLE_RATE_WAD) {
    warning = `${e.rateWad > WAD ? 'More than 100 %' : 'Over 10 %'} per epoch is not a typical return: this pool holds little stake, so a small delegation takes a large share of its reward, and the share shrinks as soon as anyone else stakes or delegates. Treat it as an upper bound, not a promise.`;
  }
  return { assumptions, warning };
}
