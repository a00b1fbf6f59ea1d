// Human-readable amounts and durations for the UI; pure, so every rounding rule is testable.
import { formatUnits } from 'viem';

/** Token amount (18 decimals) with thousands separators and at most `maxDecimals` decimals, truncated. */
export function formatTokens(wei: bigint, maxDecimals = 2): string {
  const negative = wei < 0n;
  const [whole = '0', frac = ''] = formatUnits(negative ? -wei : wei, 18).split('.');
  const grouped = whole.replace(/\B(?=(\d{3})+(?!\d))/g, ',');
  const kept = frac.slice(0, maxDecimals).replace(/0+$/, '');
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
