// How the app reaches the chain: viem's http transport retries failed requests with exponential
// backoff (retryDelay * 2^attempt); with more than one URL, a fallback tries them in order on
// each attempt, so a dead primary costs one timeout, not the session.
import { fallback, http, type Transport } from 'viem';

export interface TransportOptions {
  /** Retries after the first attempt. */
  retryCount?: number;
  /** Base delay of the exponential backoff, ms. */
  retryDelayMs?: number;
  /** Per-request timeout, ms. */
  timeoutMs?: number;
  /** JSON-RPC batching (several reads in one HTTP request). */
  batch?: boolean;
}

export const TRANSPORT_DEFAULTS: Required<TransportOptions> = {
  retryCount: 4,
  retryDelayMs: 250,
  timeoutMs: 15_000,
  batch: true,
};

export function arenaTransport(urls: readonly string[], options: TransportOptions = {}): Transport {
  const o = { ...TRANSPORT_DEFAULTS, ...options };
  if (urls.length === 0) throw new Error('arenaTransport needs at least one RPC URL');
  const one = (url: string) =>
    http(url, {
      retryCount: o.retryCount,
      retryDelay: o.retryDelayMs,
      timeout: o.timeoutMs,
      ...(o.batch ? { batch: { wait: 10 } } : {}),
    });
  if (urls.length === 1) return one(urls[0]!);
  // The fallback runs each inner transport once per attempt and retries the whole round.
  return fallback(urls.map(one), { retryCount: o.retryCount, retryDelay: o.retryDelayMs });
}
