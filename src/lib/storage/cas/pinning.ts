// The IPFS Pinning Service API (ipfs/pinning-services-api-spec): ask a provider to keep a CID,
// then follow the request until the content is pinned. A pin that fails or is still pending at
// the deadline is an error, so an upload is only reported done once someone keeps the bytes.
import { parseContentCid } from './cid.ts';
import { CasHttpError, PinningError } from './errors.ts';
import {
  defaultFetch,
  httpError,
  networkFailure,
  sleep,
  watchdog,
  withRetry,
  type FetchFn,
  type RetryOptions,
} from './http.ts';

export type PinState = 'queued' | 'pinning' | 'pinned' | 'failed';

export interface PinStatus {
  requestid: string;
  status: PinState;
  created: string;
  pin: { cid: string; name?: string };
  delegates: string[];
  info?: Record<string, string>;
}

export interface PinTarget {
  url: string;
  token: string;
  origins?: string[];
  pollMs: number;
  timeoutMs: number;
}

export interface PinOptions extends RetryOptions {
  fetch?: FetchFn;
  name?: string;
  onStatus?: (status: PinStatus) => void;
}

const STATES = new Set<PinState>(['queued', 'pinning', 'pinned', 'failed']);

function parsePinStatus(body: unknown, url: string, cid: string): PinStatus {
  const s = body as Partial<PinStatus> | null;
  if (!s || typeof s.requestid !== 'string' || !STATES.has(s.status as PinState) || typeof s.pin?.cid !== 'string') {
    throw new PinningError('pin_failed', cid, `${url} answered with something that is not a pin status.`);
  }
  return { ...s, delegates: Array.isArray(s.delegates) ? s.delegates : [] } as PinStatus;
}

export async function pinCid(cidInput: string, target: PinTarget, opts: PinOptions = {}): Promise<PinStatus> {
  const { cid } = parseContentCid(cidInput);
  const base = target.url.replace(/\/+$/, '');
  const doFetch = opts.fetch ?? defaultFetch();
  const call = (url: string, init: RequestInit) =>
    withRetry(async () => {
      const dog = watchdog(30_000, opts.signal);
      try {
        const res = await doFetch(url, {
          ...init,
          headers: {
            Authorization: `Bearer ${target.token}`,
            Accept: 'application/json',
            ...(init.body ? { 'Content-Type': 'application/json' } : {}),
          },
          signal: dog.signal,
        });
        if (!res.ok) throw await httpError(url, res);
        return parsePinStatus(await res.json().catch(() => null), url, cid);
      } catch (e) {
        if (e instanceof CasHttpError || e instanceof PinningError) throw e;
        throw networkFailure(url, e, opts.signal, 30_000, dog.stalled);
      } finally {
        dog.done();
      }
    }, opts);

  const request = {
    cid,
    ...(opts.name ? { name: opts.name } : {}),
    ...(target.origins?.length ? { origins: target.origins } : {}),
  };
  let status = await call(`${base}/pins`, { method: 'POST', body: JSON.stringify(request) });
  const deadline = Date.now() + target.timeoutMs;
  for (;;) {
    opts.onStatus?.(status);
    if (!sameCid(status.pin.cid, cid)) {
      throw new PinningError('pin_failed', cid, `${base} answered with a pin of ${status.pin.cid} instead of ${cid}.`);
    }
    if (status.status === 'pinned') return status;
    if (status.status === 'failed') {
      const why = status.info ? Object.values(status.info).join('; ') : '';
      throw new PinningError('pin_failed', cid, `${base} could not pin ${cid}${why ? `: ${why}` : ''}.`);
    }
    if (Date.now() + target.pollMs > deadline) {
      throw new PinningError(
        'pin_timeout',
        cid,
        `${base} had not pinned ${cid} after ${Math.round(target.timeoutMs / 1000)} s (still ${status.status}).`,
      );
    }
    await sleep(target.pollMs, opts.signal);
    status = await call(`${base}/pins/${encodeURIComponent(status.requestid)}`, { method: 'GET' });
  }
}

function sameCid(a: string, b: string): boolean {
  try {
    return parseContentCid(a).cid === b;
  } catch {
    return false;
  }
}
