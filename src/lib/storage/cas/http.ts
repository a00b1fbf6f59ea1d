// HTTP plumbing shared by downloads, uploads and pinning: a watchdog that aborts a request that
// stops making progress, network failures and error statuses turned into typed errors, and retry
// with exponential backoff for the failures that are worth retrying.
import { CasHttpError, CasNetworkError, isTransientStatus } from './errors.ts';

export type FetchFn = (input: string, init?: RequestInit) => Promise<Response>;

export function defaultFetch(): FetchFn {
  // Called through globalThis: some browsers throw "Illegal invocation" for a detached fetch.
  return (input, init) => globalThis.fetch(input, init);
}

/**
 * An AbortSignal for one request: aborted when the caller's signal is, or when `stallMs` pass
 * without a call to `alive()` (so a slow but steady download never times out, a stuck one does).
 */
export function watchdog(stallMs: number, outer?: AbortSignal) {
  const controller = new AbortController();
  let stalled = false;
  let timer: ReturnType<typeof setTimeout> | undefined;
  const arm = () => {
    if (timer !== undefined) clearTimeout(timer);
    timer = setTimeout(() => {
      stalled = true;
      controller.abort(new Error(`no progress for ${stallMs} ms`));
    }, stallMs);
  };
  const onOuter = () => controller.abort(outer!.reason);
  if (outer?.aborted) controller.abort(outer.reason);
  else outer?.addEventListener('abort', onOuter, { once: true });
  arm();
  return {
    signal: controller.signal,
    alive: arm,
    get stalled() {
      return stalled;
    },
    done() {
      if (timer !== undefined) clearTimeout(timer);
      outer?.removeEventListener('abort', onOuter);
    },
  };
}

/** The caller's abort reason when it cancelled; otherwise the failure as a typed network error. */
export function networkFailure(
  url: string,
  e: unknown,
  outer: AbortSignal | undefined,
  stallMs: number,
  stalled: boolean,
): unknown {
  if (outer?.aborted) return outer.reason;
  if (stalled) return new CasNetworkError(url, `no data for ${stallMs} ms`, { cause: e });
  return new CasNetworkError(url, e instanceof Error ? e.message : String(e), { cause: e });
}

/** A server's own explanation of an error: the JSON `error` (ours, the pinning API's) or text. */
export async function errorDetail(res: Response): Promise<string> {
  let text: string;
  try {
    text = await readPrefix(res, 4096);
  } catch {
    return res.statusText;
  }
  try {
    const body = JSON.parse(text) as { error?: unknown; Message?: unknown };
    if (typeof body.error === 'string') return body.error;
    if (body.error && typeof body.error === 'object') {
      // Pinning Service API: {"error": {"reason": "...", "details": "..."}}
      const { reason, details } = body.error as { reason?: unknown; details?: unknown };
      return [reason, details].filter((s) => typeof s === 'string' && s).join(': ');
    }
    if (typeof body.Message === 'string') return body.Message; // Kubo RPC
  } catch {
    // not JSON
  }
  return text.replace(/\s+/g, ' ').trim().slice(0, 300) || res.statusText;
}

/** The first `limit` bytes of a body as text: an error page can be arbitrarily large. */
async function readPrefix(res: Response, limit: number): Promise<string> {
  if (!res.body) return '';
  const reader = res.body.getReader();
  const chunks: Uint8Array[] = [];
  let size = 0;
  while (size < limit) {
    const { done, value } = await reader.read();
    if (done) break;
    chunks.push(value);
    size += value.byteLength;
  }
  await reader.cancel().catch(() => {});
  const all = new Uint8Array(size);
  let at = 0;
  for (const c of chunks) {
    all.set(c, at);
    at += c.byteLength;
  }
  return new TextDecoder().decode(all.subarray(0, limit));
}

export async function httpError(url: string, res: Response): Promise<CasHttpError> {
  return new CasHttpError(url, res.status, await errorDetail(res), parseRetryAfter(res.headers.get('retry-after')));
}

export interface RetryOptions {
  /** Further attempts after the first (default 2). */
  retries?: number;
  /** First delay; doubled after each failure (default 500 ms). */
  backoffMs?: number;
  maxBackoffMs?: number;
  signal?: AbortSignal;
}

export function isRetryable(e: unknown): boolean {
  return e instanceof CasNetworkError || (e instanceof CasHttpError && isTransientStatus(e.status));
}

/** Delay before retry number `attempt` (0-based): exponential, capped, honouring Retry-After. */
export function backoffDelay(
  attempt: number,
  opts: { backoffMs: number; maxBackoffMs: number },
  retryAfterMs?: number,
): number {
  const exp = Math.min(opts.maxBackoffMs, opts.backoffMs * 2 ** attempt);
  return retryAfterMs !== undefined ? Math.min(opts.maxBackoffMs, Math.max(exp, retryAfterMs)) : exp;
}

export function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) return reject(signal.reason);
    const onAbort = () => {
      clearTimeout(t);
      reject(signal!.reason);
    };
    const t = setTimeout(() => {
      signal?.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}

/** Runs `fn` until it succeeds, fails for good, or the retries are spent (the last error is thrown). */
export async function withRetry<T>(fn: () => Promise<T>, opts: RetryOptions = {}): Promise<T> {
  const retries = opts.retries ?? 2;
  const timing = { backoffMs: opts.backoffMs ?? 500, maxBackoffMs: opts.maxBackoffMs ?? 8_000 };
  for (let attempt = 0; ; attempt++) {
    try {
      return await fn();
    } catch (e) {
      if (attempt >= retries || !isRetryable(e) || opts.signal?.aborted) throw e;
      await sleep(backoffDelay(attempt, timing, e instanceof CasHttpError ? e.retryAfterMs : undefined), opts.signal);
    }
  }
}

/** Retry-After as milliseconds (seconds or an HTTP date); undefined when absent or unreadable. */
export function parseRetryAfter(value: string | null, now = Date.now()): number | undefined {
  if (value === null || value.trim() === '') return undefined;
  if (/^\d+$/.test(value.trim())) return Number(value.trim()) * 1000;
  const at = Date.parse(value);
  return Number.isNaN(at) ? undefined : Math.max(0, at - now);
}
