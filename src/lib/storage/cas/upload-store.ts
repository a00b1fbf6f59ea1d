// Upload to the local stack's blob store: the file's DAG as a CAR (the blocks we computed, so the
// store stores exactly them), with the root CID as `?cid=` so the store refuses anything that
// arrives different (HTTP 422).
import { CAR_TYPE, carOfDag } from '../unixfs/car.ts';
import { fileDag } from '../unixfs/dag.ts';
import { bodyBytes } from './body.ts';
import { CasHttpError, UploadCidMismatchError, UploadError } from './errors.ts';
import {
  defaultFetch,
  httpError,
  networkFailure,
  watchdog,
  withRetry,
  type FetchFn,
  type RetryOptions,
} from './http.ts';

export interface TransferOptions extends RetryOptions {
  fetch?: FetchFn;
  /** Give up on a request that makes no progress for this long (default 60 s). */
  stallMs?: number;
}

export interface StoredBlobRef {
  cid: string;
  size: number;
}

export async function uploadToStore(
  bytes: Uint8Array,
  url: string,
  opts: TransferOptions = {},
): Promise<StoredBlobRef> {
  const dag = await fileDag(bytes);
  const cid = dag.root.toString();
  const car = carOfDag(dag);
  const endpoint = `${url}${url.includes('?') ? '&' : '?'}cid=${cid}`;
  const doFetch = opts.fetch ?? defaultFetch();
  const stallMs = opts.stallMs ?? 60_000;
  const body = await withRetry(async () => {
    const dog = watchdog(stallMs, opts.signal);
    try {
      const res = await doFetch(endpoint, {
        method: 'POST',
        headers: { 'Content-Type': CAR_TYPE },
        body: bodyBytes(car),
        signal: dog.signal,
      });
      if (!res.ok) throw await httpError(url, res);
      return (await res.json()) as unknown;
    } catch (e) {
      if (e instanceof CasHttpError) throw e;
      if (e instanceof SyntaxError)
        throw new UploadError(`${url} answered the upload with something other than JSON.`, { cause: e });
      throw networkFailure(url, e, opts.signal, stallMs, dog.stalled);
    } finally {
      dog.done();
    }
  }, opts);
  const answer = body as { cid?: unknown; size?: unknown };
  if (typeof answer?.cid !== 'string' || typeof answer.size !== 'number') {
    throw new UploadError(`${url} answered the upload without a CID and size.`);
  }
  if (answer.cid !== cid) throw new UploadCidMismatchError(url, cid, answer.cid);
  if (answer.size !== bytes.length)
    throw new UploadError(`${url} stored ${answer.size} bytes of a ${bytes.length}-byte upload.`);
  return { cid, size: bytes.length };
}
