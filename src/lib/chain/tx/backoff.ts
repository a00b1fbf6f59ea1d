// Exponential backoff with a cap, for RPC calls that may fail while a node restarts or a public
// endpoint rate-limits. Pure schedule plus one small async loop.
import { ArenaError } from '../../errors.ts';

export interface BackoffOptions {
  /** Attempts after the first; Infinity keeps trying until aborted. */
  retries: number;
  /** Delay before the first retry, ms. */
  baseMs: number;
  /** Longest delay between attempts, ms. */
  maxMs: number;
  /** Whether an error is worth retrying (default: every error). */
  shouldRetry?: (error: unknown) => boolean;
  /** Called before each wait, for logs and UI hints. */
  onRetry?: (error: unknown, attempt: number, delayMs: number) => void;
  signal?: AbortSignal;
}

export const DEFAULT_BACKOFF: BackoffOptions = { retries: 5, baseMs: 250, maxMs: 8_000 };

/** Delay before retry number `attempt` (1-based): base * 2^(attempt-1), capped. */
export function backoffDelay(attempt: number, baseMs: number, maxMs: number): number {
  return Math.min(maxMs, baseMs * 2 ** Math.max(0, attempt - 1));
}

export class AbortedError extends ArenaError<'aborted'> {
  constructor() {
    super('aborted', 'The operation was stopped.');
    this.name = 'AbortedError';
  }
}

export function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) return reject(new AbortedError());
    const timer = setTimeout(() => {
      signal?.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    const onAbort = () => {
      clearTimeout(timer);
      reject(new AbortedError());
    };
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}

export async function withBackoff<T>(
  fn: (attempt: number) => Promise<T>,
  options: Partial<BackoffOptions> = {},
): Promise<T> {
  const o = { ...DEFAULT_BACKOFF, ...options };
  for (let attempt = 0; ; attempt++) {
    if (o.signal?.aborted) throw new AbortedError();
    try {
      return await fn(attempt);
    } catch (error) {
      if (error instanceof AbortedError || attempt >= o.retries || !(o.shouldRetry?.(error) ?? true)) throw error;
      const delay = backoffDelay(attempt + 1, o.baseMs, o.maxMs);
      o.onRetry?.(error, attempt + 1, delay);
      await sleep(delay, o.signal);
    }
  }
}
