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

/** A WAD fraction (1e18 = 1) as a decimal with `decimals` places, truncated: scores, distances. */
export function formatWad(wad: bigint, decimals = 4): string {
  const negative = wad < 0n;
  const abs = negative ? -wad : wad;
  const unit = 10n ** 18n;
  const scaled = (abs * 10n ** BigInt(decimals)) / unit;
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
