// The account's stake in a task as the page shows it, and the join form's rules. Pure.
import type { Hex } from 'viem';
import { parseTokenAmount, type Parsed } from '../../../lib/app-logic/amount.ts';
import { ZERO32 } from '../../../lib/agents/index.ts';
import { eligibleEpoch } from '../../../lib/chain/actions/participants.ts';

const WAD = 10n ** 18n;

/** StakeManager.getPool, the fields the pages use. */
export interface PoolRead {
  ownLatest: bigint;
  delegatedLatest: bigint;
  sigmaLatest: bigint;
  role: number;
  eligibleFrom: number;
  keyCommit: Hex;
}

export interface StakeView {
  role: 'None' | 'Trainer' | 'Validator';
  own: bigint;
  delegated: bigint;
  /** Own reward share, percent with one decimal. */
  sigmaPercent: string;
  keyCommit: Hex | null;
  /** The first epoch the stake counts in, or null (below the minimum, or not joined). */
  eligibleFrom: number | null;
}

const ROLES = ['None', 'Trainer', 'Validator'] as const;

export function stakeView(p: PoolRead): StakeView {
  const role = ROLES[p.role] ?? 'None';
  return {
    role,
    own: p.ownLatest,
    delegated: p.delegatedLatest,
    sigmaPercent: `${(Number((p.sigmaLatest * 1000n) / WAD) / 10).toFixed(1)} %`,
    keyCommit: p.keyCommit === ZERO32 ? null : p.keyCommit,
    eligibleFrom: role === 'None' ? null : eligibleEpoch(p.eligibleFrom),
  };
}

/** "50" or "12.5" (percent) to WAD sigma, 0..1. */
export function parseSigmaPercent(text: string): Parsed<bigint> {
  const raw = text.trim().replace(/\s*%$/, '');
  if (!/^\d+(\.\d{1,2})?$/.test(raw)) return { ok: false, error: 'Own reward share must be a percentage between 0 and 100, like 50 or 12.5.' };
  const [whole, frac = ''] = raw.split('.');
  const hundredths = BigInt(whole!) * 100n + BigInt(frac.padEnd(2, '0'));
  if (hundredths > 10_000n) return { ok: false, error: 'Own reward share cannot be more than 100 %.' };
  return { ok: true, value: (hundredths * WAD) / 10_000n };
}

export interface JoinInput {
  amount: bigint;
  sigma: bigint;
}

/** Checks the join form: at least the task's minimum, at most the balance, a valid share. */
export function parseJoin(amountText: string, sigmaText: string, rules: { min: bigint; balance: bigint | null }): Parsed<JoinInput> {
  const amount = parseTokenAmount(amountText, {
    label: 'Stake',
    min: rules.min,
    ...(rules.balance !== null ? { max: { value: rules.balance, what: 'your balance' } } : {}),
  });
  if (!amount.ok) return amount;
  const sigma = parseSigmaPercent(sigmaText);
  if (!sigma.ok) return sigma;
  return { ok: true, value: { amount: amount.value, sigma: sigma.value } };
}
