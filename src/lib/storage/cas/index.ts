export {
  fetchVerified,
  gatewayUrl,
  DEFAULT_MAX_BLOB_BYTES,
  RAW_BLOCK_TYPE,
  type FetchVerifiedOptions,
  type FetchProgress,
  type VerifiedBlob,
} from './fetch.ts';
export { uploadBlob, type UploadBlobOptions, type UploadedBlob } from './upload.ts';
export { uploadToStore, type TransferOptions, type StoredBlobRef } from './upload-store.ts';
export { uploadToKubo, kuboUploadUrl, type KuboTarget } from './upload-kubo.ts';
export { pinCid, type PinStatus, type PinState, type PinTarget, type PinOptions } from './pinning.ts';
export {
  casConfigFromEnv,
  isKuboRpcUrl,
  LOCAL_STORE_URL,
  type CasConfig,
  type UploadTarget,
  type PinningConfig,
} from './config.ts';
export { parseContentCid, type ContentCid } from './cid.ts';
export { backoffDelay, isRetryable, parseRetryAfter, type FetchFn, type RetryOptions } from './http.ts';
export {
  CasError,
  InvalidCidError,
  CasConfigError,
  CidMismatchError,
  ContentMismatchError,
  DagFormatError,
  BlobTooLargeError,
  CasHttpError,
  CasNetworkError,
  BlobNotFoundError,
  CasFetchError,
  UploadError,
  UploadCidMismatchError,
  PinningError,
  isTransientStatus,
  type CasErrorCode,
  type GatewayFailure,
} from './errors.ts';
