// The blob store as `npm start` runs it: in the start script's own process (it is a few hundred
// lines of node:http, nothing to supervise), on its own port, seeded with the public content,
// accepting uploads from the app's origin.
import type { BlobStoreConfig } from './config.ts';
import { publicContentFiles, seedFiles, type SeededFile } from './seed.ts';
import { startBlobStore, type BlobStore } from './server.ts';

export interface StackBlobStore {
  store: BlobStore;
  seededFiles: number;
  seededBytes: number;
  /** Each seeded file with its root CID. */
  seeded: SeededFile[];
  /** The app's Vite env for reading and uploading through this store (see src/lib/storage/cas/config.ts). */
  viteEnv: Record<string, string>;
}

export async function startStackBlobStore(opts: {
  config: BlobStoreConfig;
  port: number;
  appPort: number;
  log: (line: string) => void;
}): Promise<StackBlobStore> {
  const store = await startBlobStore({
    dir: opts.config.dir,
    port: opts.port,
    maxBlobBytes: opts.config.maxBlobBytes,
    uploadOrigins: [`http://127.0.0.1:${opts.appPort}`, `http://localhost:${opts.appPort}`],
    log: opts.log,
  });
  try {
    const seeded = await seedFiles(store.disk, publicContentFiles(), opts.config.maxBlobBytes);
    return {
      store,
      seededFiles: seeded.length,
      seededBytes: seeded.reduce((n, f) => n + f.size, 0),
      seeded,
      viteEnv: {
        VITE_IPFS_GATEWAYS: store.url,
        VITE_UPLOAD_URL: `${store.url}/upload`,
        VITE_BLOB_MAX_BYTES: String(opts.config.maxBlobBytes),
      },
    };
  } catch (e) {
    await store.close();
    throw e;
  }
}
