// Content a task names only by sha256 (its model spec, its datasets), found on disk for the
// headless agents (Node only) and shared by every agent of a process: first what the app bundles
// (public/specs, public/datasets), then this machine's cache folder, and only then the IPFS
// gateways, whose answer is hash-checked block by block and kept in the cache. A dataset is
// downloaded into a temporary folder and renamed into place once whole, so a cached folder is
// always complete; the ML services check every byte again when they read it.
import { createHash } from 'node:crypto';
import { mkdir, readFile, readdir, rename, rm } from 'node:fs/promises';
import { join } from 'node:path';
import type { Hex } from 'viem';
import { ArenaError } from '../errors.ts';
import { cidFromDigest } from '../ml/artifact/cid.ts';
import { gatewaySource } from '../ml/data/gateway-source.ts';
import { MANIFEST_FILE, shardFileName } from '../ml/data/sources.ts';
import { fetchVerified } from './cas/fetch.ts';
import type { FetchFn } from './cas/http.ts';
import { readFileIfExists, writeFileAtomic } from './records-fs.ts';

export interface ContentCacheOptions {
  /** Folders of bundled datasets (each holds manifest.json and its shards). */
  datasetDirs: readonly string[];
  /** Folders of bundled files (model specs), found by the sha256 of their bytes. */
  fileDirs: readonly string[];
  /** This machine's cache: `<dir>/datasets/<hash>/`, `<dir>/files/<hash>`. */
  cacheDir: string;
  gateways: readonly string[];
  fetch?: FetchFn;
}

export interface ContentCache {
  /** The folder on disk holding the dataset whose manifest hashes to `hash`. */
  dataset(hash: Hex): Promise<string>;
  /** The bytes of the file that hashes to `hash` (a model spec). */
  file(hash: Hex): Promise<Uint8Array>;
}

/** What the cache could not find anywhere (the base class: this module is Node only, the error registry is bundled). */
function unavailable(what: string, hash: Hex, gateways: readonly string[], cause: unknown): ArenaError {
  return new ArenaError(
    'content-unavailable',
    `the task's ${what} (sha256 ${hash}) is not bundled here, not in the cache, and the gateways (${gateways.join(', ')}) did not serve it: ${cause instanceof Error ? cause.message : String(cause)}. Pass --gateway with a gateway that has it.`,
    { cause, retryable: true },
  );
}

const bare = (h: Hex) => h.slice(2).toLowerCase();
const sha256 = (bytes: Uint8Array) => createHash('sha256').update(bytes).digest('hex');

async function listFiles(dir: string): Promise<string[]> {
  try {
    return (await readdir(dir)).map((n) => join(dir, n));
  } catch {
    return [];
  }
}

export function openContentCache(o: ContentCacheOptions): ContentCache {
  let bundledDatasets: Promise<Map<string, string>> | null = null;
  let bundledFiles: Promise<Map<string, string>> | null = null;
  const pending = new Map<string, Promise<string>>();

  const datasetIndex = () =>
    (bundledDatasets ??= (async () => {
      const index = new Map<string, string>();
      for (const dir of o.datasetDirs) {
        const manifest = await readFileIfExists(join(dir, MANIFEST_FILE));
        if (manifest) index.set(sha256(manifest), dir);
      }
      return index;
    })());
  const fileIndex = () =>
    (bundledFiles ??= (async () => {
      const index = new Map<string, string>();
      for (const dir of o.fileDirs)
        for (const file of await listFiles(dir)) {
          const bytes = await readFileIfExists(file).catch(() => undefined);
          if (bytes) index.set(sha256(bytes), file);
        }
      return index;
    })());

  async function download(hash: Hex, dir: string): Promise<string> {
    const tmp = `${dir}.partial-${process.pid}`;
    await rm(tmp, { recursive: true, force: true });
    await mkdir(tmp, { recursive: true });
    try {
      const source = gatewaySource({
        manifestHash: hash,
        gateways: o.gateways,
        ...(o.fetch ? { fetch: o.fetch } : {}),
      });
      const { manifest } = await source.manifest(bare(hash));
      for (const shard of manifest.shards)
        await writeFileAtomic(join(tmp, shardFileName(shard.sha256)), await source.get(shard.sha256));
      const manifestBytes = await fetchVerified(cidFromDigest(hash), {
        gateways: o.gateways,
        sha256: hash,
        ...(o.fetch ? { fetch: o.fetch } : {}),
      });
      await writeFileAtomic(join(tmp, MANIFEST_FILE), manifestBytes.bytes);
      await rm(dir, { recursive: true, force: true });
      await rename(tmp, dir);
      return dir;
    } catch (e) {
      await rm(tmp, { recursive: true, force: true });
      throw unavailable('dataset', hash, o.gateways, e);
    }
  }

  return {
    async dataset(hash) {
      const key = bare(hash);
      const bundled = (await datasetIndex()).get(key);
      if (bundled) return bundled;
      const dir = join(o.cacheDir, 'datasets', key);
      const cached = await readFileIfExists(join(dir, MANIFEST_FILE));
      if (cached && sha256(cached) === key) return dir;
      let job = pending.get(key);
      if (!job) {
        job = download(hash, dir);
        pending.set(key, job);
        void job.catch(() => pending.delete(key));
      }
      return job;
    },
    async file(hash) {
      const key = bare(hash);
      const bundled = (await fileIndex()).get(key);
      if (bundled) return new Uint8Array(await readFile(bundled));
      const cached = join(o.cacheDir, 'files', key);
      const bytes = await readFileIfExists(cached);
      if (bytes && sha256(bytes) === key) return bytes;
      let got: Uint8Array;
      try {
        got = (
          await fetchVerified(cidFromDigest(hash), {
            gateways: o.gateways,
            sha256: hash,
            ...(o.fetch ? { fetch: o.fetch } : {}),
          })
        ).bytes;
      } catch (e) {
        throw unavailable('file', hash, o.gateways, e);
      }
      await writeFileAtomic(cached, got);
      return got;
    },
  };
}
