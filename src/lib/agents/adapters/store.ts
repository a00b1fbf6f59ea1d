// StorePort over the content-addressed store client (src/lib/storage/cas): uploads where the
// configuration says (and pins when configured), downloads through the gateways with the CID's
// hash checked. Failures become PortErrors that say whether trying again can help.
import {
  BlobTooLargeError,
  CasError,
  CasFetchError,
  InvalidCidError,
  UploadCidMismatchError,
  fetchVerified,
  uploadBlob,
  type CasConfig,
  type FetchFn,
} from '../../storage/cas/index.ts';
import { PortError, type StorePort } from '../ports.ts';

/**
 * Permanent: the content is larger than the model's artifact can be, or the CID is malformed, or
 * the upload endpoint stores other bytes than it was given. Everything else (not found yet,
 * network, a gateway that sent wrong bytes) may pass on a later try.
 */
export function storePortError(error: unknown): unknown {
  if (!(error instanceof CasError)) return error;
  let retryable = true;
  if (error instanceof BlobTooLargeError || error instanceof InvalidCidError || error instanceof UploadCidMismatchError) retryable = false;
  if (error instanceof CasFetchError && error.failures.length > 0 && error.failures.every((f) => f instanceof BlobTooLargeError)) retryable = false;
  return new PortError('store', error.code, error.message, retryable, { cause: error });
}

export function casStorePort(config: CasConfig, options: { fetch?: FetchFn; name?: string } = {}): StorePort {
  return {
    async upload(bytes) {
      try {
        const stored = await uploadBlob(bytes, config, { ...(options.fetch ? { fetch: options.fetch } : {}), ...(options.name ? { name: options.name } : {}) });
        return stored.cid;
      } catch (e) {
        throw storePortError(e);
      }
    },
    async fetchVerified(cid, opts = {}) {
      try {
        const blob = await fetchVerified(cid, {
          gateways: config.gateways,
          maxBytes: Math.min(opts.maxBytes ?? config.maxBytes, config.maxBytes),
          ...(opts.signal ? { signal: opts.signal } : {}),
          ...(options.fetch ? { fetch: options.fetch } : {}),
        });
        return blob.bytes;
      } catch (e) {
        throw storePortError(e);
      }
    },
  };
}
