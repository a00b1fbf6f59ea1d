// The Delegate page's forms as data: which actions a position allows and the checks on the
// amount typed, with a sentence for each refusal, before any wallet prompt. Pure.
import { formatTokens } from '../format.ts';
import { WAD } from '../protocol/wad.ts';
import { parseTokenAmount, type Parsed } from './amount.ts';
import { effectiveEpoch, scoringEpochs, type Schedule } from '../chain/schedule.ts';

export type DelegateMode = 'delegate' | 'undelegate' | 'withdraw' | 'claim';

/** The account's position with one delegatee (from readDelegation), or none yet. */
export interface MyDelegation {
  principal: bigint;
  unbonding: bigint;
  pendingRewards: bigint;
}

export interface ModeInfo {
  mode: DelegateMode;
  label: string;
  /** Why it cannot be used now, or null. */
  unavailable: string | null;
}

/** The forms a card offers, in order, each with why it is unavailable (if it is). */
export function delegateModes(mine: MyDelegation | null, opts: { ended: boolean; closedReason?: string }): ModeInfo[] {
  const principal = mine?.principal ?? 0n;
  return [
    {
      mode: 'delegate',
      label: 'Delegate',
      unavailable: opts.ended
        ? (opts.closedReason ?? 'No scoring epoch is left for a new delegation to count in.')
        : null,
    },
    {
      mode: 'undelegate',
      label: 'Undelegate',
      unavailable: principal > 0n ? null : 'You have nothing delegated here.',
    },
    {
      mode: 'withdraw',
      label: 'Withdraw',
      unavailable: principal > 0n || (mine?.unbonding ?? 0n) > 0n ? null : 'You have nothing here to withdraw.',
    },
    {
      mode: 'claim',
      label: 'Claim',
      unavailable: (mine?.pendingRewards ?? 0n) > 0n ? null : 'No rewards to claim from this pool yet.',
    },
  ];
}

/** The amount for `delegate` (within the balance) or `undelegate` (within the delegation). */
export function checkDelegateAmount(
  mode: 'delegate' | 'undelegate',
  text: string,
  limits: { balance: bigint | null; principal: bigint },
): Parsed<bigint> {
  if (mode === 'delegate') {
    if (limits.balance === 0n)
      return {
        ok: false,
        error: 'Your ARENA balance is 0: get tokens first (on a local chain, from the faucet in the Dev panel).',
      };
    return parseTokenAmount(text, {
      label: 'Amount',
      ...(limits.balance !== null ? { max: { value: limits.balance, what: 'your balance' } } : {}),
    });
  }
  if (limits.principal === 0n) return { ok: false, error: 'You have nothing delegated here.' };
  return parseTokenAmount(text, { label: 'Amount', max: { value: limits.principal, what: 'what you delegated here' } });
}

/** "32 %" from a WAD share. */
export function sigmaPercent(sigma: bigint): string {
  const bps = Number((sigma * 10_000n) / WAD);
  return `${bps / 100} %`;
}

/** The estimate's return per epoch as a percentage with two decimals: "0.84 %". */
export function ratePercent(rateWad: bigint): string {
  const bps100 = (rateWad * 1_000_000n) / WAD; // hundredths of a basis point
  const whole = bps100 / 10_000n;
  const frac = (bps100 % 10_000n).toString().padStart(4, '0').slice(0, 2);
  return `${whole}.${frac} %`;
}

/** "≈ 12.5 ARENA" */
export const approxTokens = (wei: bigint): string => `≈ ${formatTokens(wei, 4)} ARENA`;

/** The rate as shown: capped at "more than 100 %" (a figure beyond that reads as a promise). */
export function rateText(rateWad: bigint): string {
  return rateWad > WAD ? 'more than 100 %' : ratePercent(rateWad);
}

/**
 * When a delegation made at chain time `now` counts, in words. Epochs are numbered from 0 on
 * chain and on every page, so the sentence names epochs by number and counts them separately
 * ("from epoch 1 to epoch 2: 2 scoring epochs"), never "epoch 1 of 3".
 */
export function delegationTiming(schedule: Schedule, now: bigint): { open: boolean; text: string } {
  const last = scoringEpochs(schedule) - 1;
  const from = effectiveEpoch(schedule, now);
  if (schedule.rejected)
    return { open: false, text: 'The task was rejected in review: nothing can be delegated to it.' };
  if (from > last)
    return {
      open: false,
      text: `No scoring epoch is left for a new delegation: one made now would first count in epoch ${from}, after the last scoring epoch (epoch ${last}).`,
    };
  const n = last - from + 1;
  return {
    open: true,
    text:
      from === last
        ? `A delegation made now counts in epoch ${last} only, the last scoring epoch.`
        : `A delegation made now counts from epoch ${from} to epoch ${last}, the last scoring epoch: ${n} scoring epochs.`,
  };
}

/** What the confirmation says before a delegation leaves the wallet (issue 10, 1.8). */
export function delegateFacts(p: {
  amount: bigint;
  delegatee: string;
  role: 'trainer' | 'validator';
  countsFrom: number;
  /** "≈ 1.2 ARENA per epoch (estimate)", or null when there is no estimate. */
  estimate: string | null;
  fee: string;
}): { label: string; value: string }[] {
  return [
    { label: 'Delegate', value: `${formatTokens(p.amount, 4)} ARENA` },
    { label: 'To', value: `${p.role} ${p.delegatee}` },
    { label: 'Counts from', value: `epoch ${p.countsFrom}` },
    ...(p.estimate ? [{ label: 'Estimated return', value: p.estimate }] : []),
    {
      label: 'Locked',
      value:
        'until you undelegate: it stops counting from the next epoch and can be withdrawn once the current epoch has ended; all of it once the task ends',
    },
    { label: 'Network fee', value: p.fee },
  ];
}
