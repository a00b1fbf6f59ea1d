// Upload through a Kubo RPC API (an IPFS node we or a provider run), so the content gets the
// same raw CID as here: sha2-256 over the bytes, raw codec, CIDv1.
//
// - Up to `maxAddBytes` (Kubo's 1 MiB chunk limit): `add` with raw leaves and one chunk, which
//   some hosted RPC endpoints offer as their only write call.
// - Above: `block/put` with `allow-big-block`, one raw block of the whole file (see docs/app/artifact-store.md
//   for what blocks over 1 MiB mean for the rest of the IPFS network).
// Both pin on that node, so it keeps the content until the pinning service has it.
import { cidFromBytes } from '../../ml/artifact/cid.ts';
import { bodyBytes } from './body.ts';
import { CasHttpError, UploadCidMismatchError, UploadError } from './errors.ts';
import { defaultFetch, httpError, networkFailure, watchdog, withRetry } from './http.ts';
import type { StoredBlobRef, TransferOptions } from './upload-store.ts';

export interface KuboTarget {
  /** The RPC base, ending in `/api/v0`. */
  url: string;
  /** Authorization header value (`Bearer ...` or `Basic ...`), if the node wants one. */
  authorization?: string;
  maxAddBytes: number;
}

export function kuboUploadUrl(target: KuboTarget, size: number): string {
  const base = target.url.replace(/\/+$/, '');
  if (size <= target.maxAddBytes) {
    const chunk = Math.max(1, target.maxAddBytes);
    return `${base}/add?cid-version=1&raw-leaves=true&hash=sha2-256&chunker=size-${chunk}&pin=true&quieter=true`;
  }
  return `${base}/block/put?cid-codec=raw&mhtype=sha2-256&mhlen=32&pin=true&allow-big-block=true`;
}

export async function uploadToKubo(
  bytes: Uint8Array,
  target: KuboTarget,
  opts: TransferOptions = {},
): Promise<StoredBlobRef> {
  const cid = await cidFromBytes(bytes);
  const url = kuboUploadUrl(target, bytes.length);
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
      // `add` streams one JSON object per line (one line for one file); block/put sends one object.
      const lines = (await res.text()).split('\n').filter((l) => l.trim() !== '');
      return JSON.parse(lines[lines.length - 1] ?? 'null') as { Hash?: unknown; Key?: unknown; Size?: unknown } | null;
    } catch (e) {
      if (e instanceof CasHttpError) throw e;
      if (e instanceof SyntaxError)
        throw new UploadError(`${target.url} answered the upload with something other than JSON.`, { cause: e });
      throw networkFailure(url, e, opts.signal, stallMs, dog.stalled);
    } finally {
      dog.done();
    }
  }, opts);
  const stored = answer?.Hash ?? answer?.Key;
  if (typeof stored !== 'string') throw new UploadError(`${target.url} answered the upload without a CID.`);
  if (stored !== cid) throw new UploadCidMismatchError(target.url, cid, stored);
  return { cid, size: bytes.length };
}
