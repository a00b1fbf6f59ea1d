// The Delegate page's forms as data: which actions a position allows and the checks on the
// amount typed, with a sentence for each refusal, before any wallet prompt. Pure.
import { formatTokens } from '../format.ts';
import { parseTokenAmount, type Parsed } from './amount.ts';

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
export function delegateModes(mine: MyDelegation | null, opts: { ended: boolean }): ModeInfo[] {
  const principal = mine?.principal ?? 0n;
  return [
    { mode: 'delegate', label: 'Delegate', unavailable: opts.ended ? 'The task has ended: there is no epoch left to delegate for.' : null },
    { mode: 'undelegate', label: 'Undelegate', unavailable: principal > 0n ? null : 'You have nothing delegated here.' },
    {
      mode: 'withdraw',
      label: 'Withdraw',
      unavailable: principal > 0n || (mine?.unbonding ?? 0n) > 0n ? null : 'You have nothing here to withdraw.',
    },
    { mode: 'claim', label: 'Claim', unavailable: (mine?.pendingRewards ?? 0n) > 0n ? null : 'No rewards to claim from this pool yet.' },
  ];
}

/** The amount for `delegate` (within the balance) or `undelegate` (within the delegation). */
export function checkDelegateAmount(
  mode: 'delegate' | 'undelegate',
  text: string,
  limits: { balance: bigint | null; principal: bigint },
): Parsed<bigint> {
  if (mode === 'delegate') {
    if (limits.balance === 0n) return { ok: false, error: 'Your ARENA balance is 0: get tokens first (on a local chain, from the faucet in the Dev panel).' };
    return parseTokenAmount(text, { label: 'Amount', ...(limits.balance !== null ? { max: { value: limits.balance, what: 'your balance' } } : {}) });
  }
  if (limits.principal === 0n) return { ok: false, error: 'You have nothing delegated here.' };
  return parseTokenAmount(text, { label: 'Amount', max: { value: limits.principal, what: 'what you delegated here' } });
}

/** "32 %" from a WAD share. */
export function sigmaPercent(sigma: bigint): string {
  const bps = Number((sigma * 10_000n) / 10n ** 18n);
  return `${bps / 100} %`;
}

/** The estimate's return per epoch as a percentage with two decimals: "0.84 %". */
export function ratePercent(rateWad: bigint): string {
  const bps100 = (rateWad * 1_000_000n) / 10n ** 18n; // hundredths of a basis point
  const whole = bps100 / 10_000n;
  const frac = (bps100 % 10_000n).toString().padStart(4, '0').slice(0, 2);
  return `${whole}.${frac} %`;
}

/** "≈ 12.5 ARENA" */
export const approxTokens = (wei: bigint): string => `≈ ${formatTokens(wei, 4)} ARENA`;
