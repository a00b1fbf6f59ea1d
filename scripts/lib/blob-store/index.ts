export { startBlobStore, DEFAULT_MAX_BLOB_BYTES, type BlobStore, type BlobStoreOptions } from './server.ts';
export { BlobDisk, type PutResult, type StoredBlob } from './disk.ts';
export { BlobStoreError } from './errors.ts';
export { readBlobStoreConfig, DEFAULT_BLOB_PORT, type BlobStoreConfig } from './config.ts';
export { publicContentFiles, seedFiles, type SeededFile } from './seed.ts';
export { negotiateRaw, parseIpfsPath, RAW_BLOCK_TYPE } from './request.ts';
export { startStackBlobStore, type StackBlobStore } from './stack.ts';
