// Downloads by CID through the configured gateways, in order, and returns only bytes whose
// sha-256 is the one the CID names. A gateway that sends other bytes is reported (never retried:
// it would send the same again) and the next gateway is tried; transient failures (network
// errors, 5xx, 429) are retried on the same gateway with backoff first.
import { cidFromDigest } from '../../ml/artifact/cid.ts';
import { sha256Bytes } from '../../ml/hash.ts';
import { parseRawCid } from './cid.ts';
import {
  BlobNotFoundError,
  BlobTooLargeError,
  CasConfigError,
  CasFetchError,
  CasHttpError,
  CasNetworkError,
  CidMismatchError,
  type GatewayFailure,
} from './errors.ts';
import {
  defaultFetch,
  httpError,
  networkFailure,
  watchdog,
  withRetry,
  type FetchFn,
  type RetryOptions,
} from './http.ts';

export const RAW_BLOCK_TYPE = 'application/vnd.ipld.raw';
/** Matches the local store's default limit: the largest artifact the protocol allows fits. */
export const DEFAULT_MAX_BLOB_BYTES = 96 * 1024 * 1024;
const DEFAULT_STALL_MS = 30_000;

export interface FetchProgress {
  gateway: string;
  loaded: number;
  /** From Content-Length, when the gateway sent one. */
  total: number | undefined;
}

export interface FetchVerifiedOptions extends RetryOptions {
  /** Gateway base URLs (`https://ipfs.io`, path style) or templates with `{cid}` (subdomain style). */
  gateways: readonly string[];
  fetch?: FetchFn;
  onProgress?: (progress: FetchProgress) => void;
  /** Told about each gateway's failure as it happens (the UI can warn about a mismatch at once). */
  onFailure?: (failure: GatewayFailure) => void;
  /** Refuse bodies larger than this (default DEFAULT_MAX_BLOB_BYTES). */
  maxBytes?: number;
  /** Give up on a request that receives nothing for this long (default 30 s). */
  stallMs?: number;
}

export interface VerifiedBlob {
  /** Canonical form of the CID asked for. */
  cid: string;
  bytes: Uint8Array;
  /** The gateway that served the right bytes. */
  gateway: string;
  /** Gateways tried before it, and why they failed (a CidMismatchError among them deserves a warning). */
  failures: GatewayFailure[];
}

/** The URL of a raw block on a gateway. */
export function gatewayUrl(gateway: string, cid: string): string {
  if (gateway.includes('{cid}')) return gateway.replaceAll('{cid}', cid);
  const base = gateway.replace(/\/+$/, '');
  return `${base.endsWith('/ipfs') ? base : `${base}/ipfs`}/${cid}?format=raw`;
}

export async function fetchVerified(cidInput: string, opts: FetchVerifiedOptions): Promise<VerifiedBlob> {
  const { cid, digest } = parseRawCid(cidInput);
  if (opts.gateways.length === 0)
    throw new CasConfigError('VITE_IPFS_GATEWAYS', 'No IPFS gateway is configured to download from.');
  const failures: GatewayFailure[] = [];
  const fail = (f: GatewayFailure) => {
    failures.push(f);
    opts.onFailure?.(f);
  };
  for (const gateway of opts.gateways) {
    const url = gatewayUrl(gateway, cid);
    let bytes: Uint8Array;
    try {
      bytes = await withRetry(() => download(url, gateway, opts), opts);
    } catch (e) {
      if (e instanceof CasHttpError || e instanceof CasNetworkError || e instanceof BlobTooLargeError) {
        fail(e);
        continue;
      }
      throw e; // aborted by the caller, or a bug
    }
    const actual = await sha256Bytes(bytes);
    if (!sameBytes(actual, digest)) {
      fail(new CidMismatchError(gateway, cid, cidFromDigest(actual), bytes.length));
      continue;
    }
    return { cid, bytes, gateway, failures };
  }
  const mismatch = failures.find((f): f is CidMismatchError => f instanceof CidMismatchError);
  if (mismatch) {
    mismatch.failures = failures;
    throw mismatch;
  }
  if (failures.every((f) => f instanceof CasHttpError && f.status === 404)) throw new BlobNotFoundError(cid, failures);
  throw new CasFetchError(cid, failures);
}

/** One GET, streamed with progress and the size cap; no verification here. */
async function download(url: string, gateway: string, opts: FetchVerifiedOptions): Promise<Uint8Array> {
  const maxBytes = opts.maxBytes ?? DEFAULT_MAX_BLOB_BYTES;
  const stallMs = opts.stallMs ?? DEFAULT_STALL_MS;
  const doFetch = opts.fetch ?? defaultFetch();
  const dog = watchdog(stallMs, opts.signal);
  try {
    const res = await doFetch(url, { headers: { Accept: RAW_BLOCK_TYPE }, signal: dog.signal });
    dog.alive();
    if (!res.ok) throw await httpError(url, res);
    const header = res.headers.get('content-length');
    const total = header !== null && /^\d+$/.test(header) ? Number(header) : undefined;
    if (total !== undefined && total > maxBytes) {
      await res.body?.cancel().catch(() => {});
      throw new BlobTooLargeError(gateway, maxBytes, total);
    }
    const chunks: Uint8Array[] = [];
    let loaded = 0;
    opts.onProgress?.({ gateway, loaded, total });
    if (res.body) {
      const reader = res.body.getReader();
      for (;;) {
        const { done, value } = await reader.read();
        if (done) break;
        dog.alive();
        loaded += value.byteLength;
        if (loaded > maxBytes) {
          await reader.cancel().catch(() => {});
          throw new BlobTooLargeError(gateway, maxBytes, loaded);
        }
        chunks.push(value);
        opts.onProgress?.({ gateway, loaded, total });
      }
    }
    return concat(chunks, loaded);
  } catch (e) {
    if (e instanceof CasHttpError || e instanceof BlobTooLargeError) throw e;
    throw networkFailure(url, e, opts.signal, stallMs, dog.stalled);
  } finally {
    dog.done();
  }
}

function concat(chunks: Uint8Array[], length: number): Uint8Array {
  if (chunks.length === 1) return chunks[0]!;
  const out = new Uint8Array(length);
  let at = 0;
  for (const c of chunks) {
    out.set(c, at);
    at += c.byteLength;
  }
  return out;
}

function sameBytes(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}
