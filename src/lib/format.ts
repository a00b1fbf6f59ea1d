// Human-readable amounts and durations for the UI; pure, so every rounding rule is testable.
import { formatUnits } from 'viem';
import { WAD } from './protocol/wad.ts';

/** How many decimals every amount in the app shows: one precision everywhere, so the same amount reads the same on every page. */
export const TOKEN_DECIMALS = 4;

/**
 * Token amount (18 decimals) with thousands separators and at most `maxDecimals` decimals (trailing
 * zeros dropped), rounded half away from zero (truncating made parts that do not add up to their
 * sum). A non-zero amount too small to show reads "<0.0001", never "0". Pages use the default;
 * the parameter stays for callers outside the pages.
 */
export function formatTokens(wei: bigint, maxDecimals = TOKEN_DECIMALS): string {
  const negative = wei < 0n;
  const abs = negative ? -wei : wei;
  const places = Math.max(0, Math.min(18, Math.floor(maxDecimals)));
  const step = 10n ** BigInt(18 - places);
  const rounded = ((abs + step / 2n) / step) * step;
  if (rounded === 0n && abs > 0n)
    return `${negative ? '>-' : '<'}${places === 0 ? '1' : `0.${'0'.repeat(places - 1)}1`}`;
  const [whole = '0', frac = ''] = formatUnits(rounded, 18).split('.');
  const grouped = whole.replace(/\B(?=(\d{3})+(?!\d))/g, ',');
  const kept = frac.slice(0, places).replace(/0+$/, '');
  return `${negative ? '-' : ''}${grouped}${kept ? `.${kept}` : ''}`;
}

/** Seconds as a short countdown: "45 s", "3 min 05 s", "2 h 07 min", "3 d 4 h". Negative counts as 0. */
export function formatDuration(seconds: number): string {
  const s = Math.max(0, Math.floor(seconds));
  if (s < 60) return `${s} s`;
  const pad = (n: number) => String(n).padStart(2, '0');
  if (s < 3_600) return `${Math.floor(s / 60)} min ${pad(s % 60)} s`;
  if (s < 86_400) return `${Math.floor(s / 3_600)} h ${pad(Math.floor((s % 3_600) / 60))} min`;
  return `${Math.floor(s / 86_400)} d ${Math.floor((s % 86_400) / 3_600)} h`;
}

/** 0x1234…abcd */
export function shortHex(hex: string, keep = 4): string {
  return hex.length <= 2 + 2 * keep + 1 ? hex : `${hex.slice(0, 2 + keep)}…${hex.slice(-keep)}`;
}

/** A WAD fraction (1e18 = 1) as a decimal with `decimals` places, truncated: scores, distances. */
export function formatWad(wad: bigint, decimals = 4): string {
  const negative = wad < 0n;
  const abs = negative ? -wad : wad;
  const scaled = (abs * 10n ** BigInt(decimals)) / WAD;
  const whole = scaled / 10n ** BigInt(decimals);
  const frac = (scaled % 10n ** BigInt(decimals)).toString().padStart(decimals, '0');
  return `${negative ? '-' : ''}${whole}${decimals > 0 ? `.${frac}` : ''}`;
}

/** A WAD fraction as a percentage with one decimal, truncated: 0.705e18 -> "70.5 %". */
export function formatWadPercent(wad: bigint): string {
  return `${formatWad(wad * 100n, 1)} %`;
}

/** How long ago, coarse: "just now", "42 s ago", "5 min ago", "3 h ago", "2 d ago". */
export function formatAge(seconds: number): string {
  const s = Math.max(0, Math.floor(seconds));
  if (s < 5) return 'just now';
  if (s < 60) return `${s} s ago`;
  if (s < 3_600) return `${Math.floor(s / 60)} min ago`;
  if (s < 86_400) return `${Math.floor(s / 3_600)} h ago`;
  return `${Math.floor(s / 86_400)} d ago`;
}

/** A count with its noun in the right number: "1 trainer", "3 trainers", "0 epochs". */
export function counted(n: number | bigint, one: string, many = `${one}s`): string {
  return `${n.toLocaleString('en-US')} ${n === 1 || n === 1n ? one : many}`;
}
