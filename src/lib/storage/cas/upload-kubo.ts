// Upload through a Kubo RPC API (an IPFS node we or a provider run): `add` with the project's
// UnixFS settings (src/lib/storage/unixfs/settings.ts), so the node computes the root CID we
// computed here, and pins it, so it keeps the content until the pinning service has it.
import { fileCid } from '../unixfs/dag.ts';
import { CHUNK_BYTES, CID_VERSION } from '../unixfs/settings.ts';
import { bodyBytes } from './body.ts';
import { CasHttpError, UploadCidMismatchError, UploadError } from './errors.ts';
import { defaultFetch, httpError, networkFailure, watchdog, withRetry } from './http.ts';
import type { StoredBlobRef, TransferOptions } from './upload-store.ts';

export interface KuboTarget {
  /** The RPC base, ending in `/api/v0`. */
  url: string;
  /** Authorization header value (`Bearer ...` or `Basic ...`), if the node wants one. */
  authorization?: string;
}

export function kuboUploadUrl(target: KuboTarget): string {
  const base = target.url.replace(/\/+$/, '');
  return `${base}/add?cid-version=${CID_VERSION}&raw-leaves=true&hash=sha2-256&chunker=size-${CHUNK_BYTES}&trickle=false&pin=true&quieter=true`;
}

export async function uploadToKubo(
  bytes: Uint8Array,
  target: KuboTarget,
  opts: TransferOptions = {},
): Promise<StoredBlobRef> {
  const cid = await fileCid(bytes);
  const url = kuboUploadUrl(target);
  const doFetch = opts.fetch ?? defaultFetch();
  const stallMs = opts.stallMs ?? 60_000;
  const answer = await withRetry(async () => {
    const form = new FormData();
    form.append('file', new Blob([bodyBytes(bytes)]), cid);
    const dog = watchdog(stallMs, opts.signal);
    try {
      const res = await doFetch(url, {
        method: 'POST',
        body: form,
        headers: target.authorization ? { Authorization: target.authorization } : {},
        signal: dog.signal,
      });
      if (!res.ok) throw await httpError(url, res);
      // `add` streams one JSON object per line (one line for one file).
      const lines = (await res.text()).split('\n').filter((l) => l.trim() !== '');
      return JSON.parse(lines[lines.length - 1] ?? 'null') as { Hash?: unknown; Size?: unknown } | null;
    } catch (e) {
      if (e instanceof CasHttpError) throw e;
      if (e instanceof SyntaxError)
        throw new UploadError(`${target.url} answered the upload with something other than JSON.`, { cause: e });
      throw networkFailure(url, e, opts.signal, stallMs, dog.stalled);
    } finally {
      dog.done();
    }
  }, opts);
  const stored = answer?.Hash;
  if (typeof stored !== 'string') throw new UploadError(`${target.url} answered the upload without a CID.`);
  if (stored !== cid) throw new UploadCidMismatchError(target.url, cid, stored);
  return { cid, size: bytes.length };
}
