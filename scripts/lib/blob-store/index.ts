export { startBlobStore, storeInfo, DEFAULT_MAX_BLOB_BYTES, type BlobStore, type BlobStoreOptions } from './server.ts';
export { BlockDisk, type OpenBlock } from './disk.ts';
export { ingestBytes, ingestCar, maxCarBytes, type StoredFile } from './ingest.ts';
export { BlobStoreError } from './errors.ts';
export { readBlobStoreConfig, DEFAULT_BLOB_PORT, type BlobStoreConfig } from './config.ts';
export { publicContentFiles, seedFiles, type SeededFile } from './seed.ts';
export { negotiate, parseCid, parseIpfsPath, CAR_TYPE, RAW_BLOCK_TYPE } from './request.ts';
export { startStackBlobStore, type StackBlobStore } from './stack.ts';
