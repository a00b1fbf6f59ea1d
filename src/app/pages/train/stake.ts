// The account's stake in a task as the page shows it, the join form's rules (at least the task's
// minimum: SPEC 3, revision 2), and what a change of sigma does and when it applies (an increase
// from the epoch after next, a decrease from the next). Pure.
import { zeroHash, type Hex } from 'viem';
import { formatTokens } from '../../../lib/format.ts';
import { parseTokenAmount, type Parsed } from '../../../lib/app-logic/amount.ts';
import { eligibleEpoch } from '../../../lib/chain/actions/participants.ts';
import { sigmaEffectiveEpoch } from '../../../lib/chain/actions/set-sigma.ts';
import { effectiveEpoch, scoringEpochs, type Schedule } from '../../../lib/chain/schedule.ts';
import { chainRoleOf } from '../../../lib/chain/roles.ts';
import { WAD } from '../../../lib/protocol/wad.ts';

/** StakeManager.getPool, the fields the pages use. */
export interface PoolRead {
  ownLatest: bigint;
  delegatedLatest: bigint;
  sigmaLatest: bigint;
  /** The sigma of the epoch the task is rolled into (absent: treated as sigmaLatest). */
  sigma?: bigint;
  /** The epoch the latest sigma change applies from (StakeManager's "never" marker when none). */
  lastSigmaEpoch?: number;
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
  /** The sigma in force before the latest change, and the epoch the latest change applies from (null: never changed since joining). */
  sigmaChange: { fromPercent: string; toPercent: string; epoch: number } | null;
}

/** StakeManager's "never" marker for epochs (type(uint32).max). */
const NEVER = 2 ** 32 - 1;
const pctOf = (sigma: bigint) => `${(Number((sigma * 1000n) / WAD) / 10).toFixed(1)} %`;

export function stakeView(p: PoolRead): StakeView {
  const role = chainRoleOf(p.role);
  return {
    role,
    own: p.ownLatest,
    delegated: p.delegatedLatest,
    sigmaPercent: `${(Number((p.sigmaLatest * 1000n) / WAD) / 10).toFixed(1)} %`,
    keyCommit: p.keyCommit === zeroHash ? null : p.keyCommit,
    eligibleFrom: role === 'None' ? null : eligibleEpoch(p.eligibleFrom),
    sigmaChange:
      p.lastSigmaEpoch === undefined || p.lastSigmaEpoch === NEVER || p.sigma === undefined || p.sigma === p.sigmaLatest
        ? null
        : { fromPercent: pctOf(p.sigma), toPercent: pctOf(p.sigmaLatest), epoch: p.lastSigmaEpoch },
  };
}

/** A pending sigma change in words, relative to the current epoch; null when none is pending. */
export function sigmaChangeText(change: StakeView['sigmaChange'], schedule: Schedule, now: bigint): string | null {
  if (!change) return null;
  // effectiveEpoch: the first epoch a change made now would count in; the running one is one less.
  const running = effectiveEpoch(schedule, now) - 1;
  if (change.epoch <= running) return null;
  return `σ changes from ${change.fromPercent} to ${change.toPercent} from epoch ${change.epoch}${change.epoch === running + 1 ? ' (the next epoch)' : change.epoch === running + 2 ? ' (the epoch after next)' : ''}.`;
}

export interface SigmaPreview {
  /** Null when the change can be sent; else why not (said before the wallet is asked). */
  refusal: string | null;
  /** When it would apply, in words. */
  text: string;
  effectiveEpoch: number | null;
}

/**
 * What setting sigma to `next` now would do (StakeManager.setSigma): a decrease or the same value
 * applies from the next epoch; an increase from the epoch after next, so every delegator has a
 * whole epoch to undelegate first (SPEC 3). At most once per cooldown, and never after the last
 * scoring epoch.
 */
export function sigmaPreview(p: {
  schedule: Schedule;
  now: bigint;
  current: bigint;
  next: bigint;
  cooldown: number;
  /** The epoch the last change applied from (NEVER or undefined: none since joining). */
  lastSigmaEpoch?: number;
}): SigmaPreview {
  const eff = effectiveEpoch(p.schedule, p.now);
  const last = scoringEpochs(p.schedule) - 1;
  if (p.lastSigmaEpoch !== undefined && p.lastSigmaEpoch !== NEVER && eff < p.lastSigmaEpoch + p.cooldown) {
    const again = p.lastSigmaEpoch + p.cooldown;
    const when = again - 1 <= 0 ? 'once the task starts' : `once epoch ${again - 1} has started`;
    return {
      refusal: `σ can change at most once every ${p.cooldown} epoch${p.cooldown === 1 ? '' : 's'}: your last change applies from epoch ${p.lastSigmaEpoch}, so the next can be made ${when}.`,
      text: '',
      effectiveEpoch: null,
    };
  }
  const at = sigmaEffectiveEpoch(p.schedule, p.now, p.current, p.next);
  const increase = p.next > p.current;
  if (at > last) {
    return {
      refusal: increase
        ? `An increase applies only from the epoch after next (epoch ${at}), and the task's last scoring epoch is ${last}: it would never apply.`
        : `It would apply from epoch ${at}, after the task's last scoring epoch (${last}).`,
      text: '',
      effectiveEpoch: null,
    };
  }
  const text = increase
    ? `An increase applies from epoch ${at}, the epoch after next, so your delegators have a whole epoch to undelegate first.`
    : p.next === p.current
      ? `The same σ; it would be recorded from epoch ${at} and start a new cooldown.`
      : `A decrease applies from epoch ${at}, the next epoch.`;
  return { refusal: null, text, effectiveEpoch: at };
}

/** "50" or "12.5" (percent) to WAD sigma, 0..1. */
export function parseSigmaPercent(text: string): Parsed<bigint> {
  const raw = text.trim().replace(/\s*%$/, '');
  if (!/^\d+(\.\d{1,2})?$/.test(raw))
    return { ok: false, error: 'Own reward share must be a percentage between 0 and 100, like 50 or 12.5.' };
  const [whole, frac = ''] = raw.split('.');
  const hundredths = BigInt(whole!) * 100n + BigInt(frac.padEnd(2, '0'));
  if (hundredths > 10_000n) return { ok: false, error: 'Own reward share cannot be more than 100 %.' };
  return { ok: true, value: (hundredths * WAD) / 10_000n };
}

export interface JoinInput {
  amount: bigint;
  sigma: bigint;
}

/**
 * Checks the join form: at least the task's minimum for the role (the chain refuses less:
 * StakeBelowMinimum), at most the balance, a valid share.
 */
export function parseJoin(
  amountText: string,
  sigmaText: string,
  rules: { min: bigint; balance: bigint | null; role?: 'trainer' | 'validator' },
): Parsed<JoinInput> {
  const amount = parseTokenAmount(amountText, {
    label: 'Stake',
    ...(rules.balance !== null ? { max: { value: rules.balance, what: 'your balance' } } : {}),
  });
  if (!amount.ok) return amount;
  if (amount.value < rules.min) {
    const who = rules.role ? `a ${rules.role}` : 'a participant';
    return {
      ok: false,
      error: `Stake must be at least ${formatTokens(rules.min, 4)} ARENA: ${who} joins this task with at least the task's minimum stake, so no place is held with less.`,
    };
  }
  const sigma = parseSigmaPercent(sigmaText);
  if (!sigma.ok) return sigma;
  return { ok: true, value: { amount: amount.value, sigma: sigma.value } };
}
