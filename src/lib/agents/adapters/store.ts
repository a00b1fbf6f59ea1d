// StorePort over the content-addressed store client (src/lib/storage/cas): uploads where the
// configuration says (and pins when configured), downloads through the gateways by the file's
// root CID with every block and the whole file hash-checked. Failures become PortErrors that say whether trying again can help.
import { CasError, fetchVerified, uploadBlob, type CasConfig, type FetchFn } from '../../storage/cas/index.ts';
import { cidOfRef } from '../../storage/unixfs/ref.ts';
import { PortError, type StorePort } from '../ports.ts';

/**
 * A CasError as the port's error, keeping whether it is worth another try (CasError.retryable:
 * permanent when the content is larger than the model's artifact can be, the CID is malformed,
 * or the upload endpoint stores other bytes than it was given; not found yet, network, a gateway
 * that sent wrong bytes may pass on a later try).
 */
export function storePortError(error: unknown): unknown {
  if (!(error instanceof CasError)) return error;
  return new PortError('store', error.code, error.message, error.retryable, { cause: error });
}

export function casStorePort(config: CasConfig, options: { fetch?: FetchFn; name?: string } = {}): StorePort {
  return {
    async upload(bytes) {
      try {
        const stored = await uploadBlob(bytes, config, {
          ...(options.fetch ? { fetch: options.fetch } : {}),
          ...(options.name ? { name: options.name } : {}),
        });
        return stored.cid;
      } catch (e) {
        throw storePortError(e);
      }
    },
    async fetchVerified(ref, opts = {}) {
      try {
        const blob = await fetchVerified(cidOfRef(ref).toString(), {
          gateways: config.gateways,
          sha256: ref.hash,
          maxBytes: Math.min(opts.maxBytes ?? config.maxBytes, config.maxBytes),
          ...(opts.signal ? { signal: opts.signal } : {}),
          ...(opts.onProgress ? { onProgress: (p) => opts.onProgress!(p.loaded, p.total) } : {}),
          ...(options.fetch ? { fetch: options.fetch } : {}),
        });
        return blob.bytes;
      } catch (e) {
        throw storePortError(e);
      }
    },
  };
}
