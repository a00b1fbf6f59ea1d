// One call to publish content: upload it where the configuration says (the local store, or a
// Kubo RPC API in production), check the CID it was stored under, and pin it through the Pinning
// Service API when one is configured.
import type { CasConfig } from './config.ts';
import { BlobTooLargeError } from './errors.ts';
import { pinCid, type PinStatus } from './pinning.ts';
import { uploadToKubo } from './upload-kubo.ts';
import { uploadToStore, type TransferOptions } from './upload-store.ts';

export interface UploadBlobOptions extends TransferOptions {
  /** A human-readable name for the pin (e.g. `task 3 artifact`). */
  name?: string;
  onPinStatus?: (status: PinStatus) => void;
}

export interface UploadedBlob {
  /** The file's root CID (settings in src/lib/storage/unixfs/settings.ts). */
  cid: string;
  size: number;
  /** The pinning service's final status, when pinning is configured. */
  pin?: PinStatus;
}

export async function uploadBlob(
  bytes: Uint8Array,
  config: CasConfig,
  opts: UploadBlobOptions = {},
): Promise<UploadedBlob> {
  if (bytes.length > config.maxBytes) {
    throw new BlobTooLargeError(`upload of a ${bytes.length}-byte file`, config.maxBytes, bytes.length);
  }
  const stored =
    config.upload.kind === 'store'
      ? await uploadToStore(bytes, config.upload.url, opts)
      : await uploadToKubo(bytes, config.upload, opts);
  if (!config.pinning) return stored;
  const pin = await pinCid(stored.cid, config.pinning, { ...opts, onStatus: opts.onPinStatus });
  return { ...stored, pin };
}
