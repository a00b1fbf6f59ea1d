// Token amounts typed by people ("12.5", "1,000") into wei, with a sentence for every way the
// text can be wrong. Pure, so every form shares one set of rules.
import { formatTokens } from '../format.ts';

export const TOKEN_DECIMALS = 18;
const UNIT = 10n ** BigInt(TOKEN_DECIMALS);

export type Parsed<T> = { ok: true; value: T } | { ok: false; error: string };

export interface AmountRules {
  /** What the field is called in sentences: "Amount". */
  label?: string;
  /** Smallest allowed value (default: more than zero). */
  min?: bigint;
  /** Largest allowed value, with what it is (shown in the sentence): "your balance". */
  max?: { value: bigint; what: string };
  allowZero?: boolean;
  unit?: string;
}

/**
 * "1,000.25" -> 1000250000000000000000n. Thousands separators (comma, thin or plain space, '_')
 * are ignored; a decimal comma is not accepted (it would be ambiguous with the separator).
 */
export function parseTokenAmount(text: string, rules: AmountRules = {}): Parsed<bigint> {
  const label = rules.label ?? 'Amount';
  const unit = rules.unit ?? 'ARENA';
  const raw = text.trim().replace(/[,_\s\u202f\u00a0]/g, '');
  if (raw === '') return { ok: false, error: `${label} is empty: type a number of ${unit}.` };
  if (raw.startsWith('-')) return { ok: false, error: `${label} cannot be negative.` };
  const m = /^(\d*)(?:\.(\d*))?$/.exec(raw);
  if (!m || (m[1] === '' && (m[2] ?? '') === ''))
    return { ok: false, error: `${label} "${text.trim()}" is not a number.` };
  const whole = m[1] || '0';
  const frac = m[2] ?? '';
  if (frac.length > TOKEN_DECIMALS) return { ok: false, error: `${label} has more than ${TOKEN_DECIMALS} decimals.` };
  const value = BigInt(whole) * UNIT + BigInt(frac.padEnd(TOKEN_DECIMALS, '0') || '0');
  if (value === 0n && !rules.allowZero) return { ok: false, error: `${label} must be more than zero.` };
  if (rules.min !== undefined && value < rules.min) {
    return { ok: false, error: `${label} must be at least ${formatTokens(rules.min, 4)} ${unit}.` };
  }
  if (rules.max !== undefined && value > rules.max.value) {
    return {
      ok: false,
      error: `${label} is more than ${rules.max.what} (${formatTokens(rules.max.value, 4)} ${unit}).`,
    };
  }
  return { ok: true, value };
}

/** Wei as the plain decimal a form field shows ("1000.5"): no separators, no trailing zeros. */
export function tokenInputText(wei: bigint): string {
  const whole = wei / UNIT;
  const frac = (wei % UNIT).toString().padStart(TOKEN_DECIMALS, '0').replace(/0+$/, '');
  return frac ? `${whole}.${frac}` : String(whole);
}

/** A whole number in a range, from a form field. */
export function parseInteger(text: string, label: string, min: number, max: number, unit = ''): Parsed<number> {
  const raw = text.trim().replace(/[,_\s]/g, '');
  const suffix = unit ? ` ${unit}` : '';
  if (raw === '') return { ok: false, error: `${label} is empty.` };
  if (!/^-?\d+$/.test(raw)) return { ok: false, error: `${label} must be a whole number${unit ? ` of ${unit}` : ''}.` };
  const n = Number(raw);
  if (!Number.isSafeInteger(n) || n < min || n > max) {
    return {
      ok: false,
      error: `${label} must be from ${min.toLocaleString('en-US')} to ${max.toLocaleString('en-US')}${suffix}.`,
    };
  }
  return { ok: true, value: n };
}

/** A decimal fraction typed as a number ("0.7") into WAD, within [min, max] (as decimals). */
export function parseDecimalWad(text: string, label: string, min: number, max: number): Parsed<bigint> {
  const raw = text.trim();
  const m = /^(\d*)(?:\.(\d*))?$/.exec(raw);
  if (raw === '' || !m || (m[1] === '' && (m[2] ?? '') === ''))
    return { ok: false, error: `${label} must be a decimal number from ${min} to ${max}.` };
  const frac = m[2] ?? '';
  if (frac.length > 18) return { ok: false, error: `${label} has more than 18 decimals.` };
  const value = BigInt(m[1] || '0') * UNIT + BigInt(frac.padEnd(18, '0') || '0');
  const lo = BigInt(Math.round(min * 1e6)) * 10n ** 12n;
  const hi = BigInt(Math.round(max * 1e6)) * 10n ** 12n;
  if (value < lo || value > hi) return { ok: false, error: `${label} must be from ${min} to ${max}.` };
  return { ok: true, value };
}

/** A percentage typed as a number ("20" or "12.5") into basis points (0..10000). */
export function parsePercentBps(text: string, label: string, minBps = 0, maxBps = 10_000): Parsed<number> {
  const raw = text.trim().replace(/%$/, '').trim();
  const m = /^(\d+)(?:\.(\d{1,2}))?$/.exec(raw);
  const range = `${minBps / 100} to ${maxBps / 100} %`;
  if (!m) return { ok: false, error: `${label} must be a percentage from ${range} with at most two decimals.` };
  const bps = Number(m[1]) * 100 + Number((m[2] ?? '').padEnd(2, '0'));
  if (bps < minBps || bps > maxBps) return { ok: false, error: `${label} must be from ${range}.` };
  return { ok: true, value: bps };
}

/** WAD as the decimal a form field shows: 0.7e18 -> "0.7". */
export function wadInputText(wad: bigint): string {
  return tokenInputText(wad);
}

/**
 * What a "Max" button puts in an amount field: the whole balance less what must be kept (ARENA
 * pays no fee, so nothing by default), or null while the balance is unknown: the button is then
 * disabled rather than guessing.
 */
export function maxAmountText(balance: bigint | null | undefined, keep = 0n): string | null {
  if (balance === null || balance === undefined) return null;
  const left = balance - keep;
  return tokenInputText(left > 0n ? left : 0n);
}
