// Where dataset bytes come from. The side effects (fetch, file reads) live here, at the edge; every
// source checks the sha256 of what it returns, so nothing downstream ever sees unverified bytes.
//
// Dataset folder layout (what scripts/data/convert.ts writes and the app serves from public/):
//
//   <folder>/manifest.json       the manifest; its sha256 is the dataset hash
//   <folder>/<sha256>.bin        one file per shard (gzip inside), named by the hash of its bytes
//
// so a folder is a small content-addressed store, and the same files can be pinned to IPFS or any
// static host. The shard files deliberately do not end in .gz: static servers (Vite's dev server
// among them) send .gz files with `Content-Encoding: gzip`, and fetch then hands back the
// decompressed layout, which fails the hash check. Hosts must serve shards as opaque bytes.
import { IntegrityError, isSha256Hex, verifySha256 } from '../integrity.ts';
import { parseManifestBytes } from './manifest.ts';
import type { BlobSource, DatasetManifest } from './types.ts';

export const MANIFEST_FILE = 'manifest.json';

export function shardFileName(sha256: string): string {
  return `${sha256}.bin`;
}

/** A dataset folder: shards by hash plus the manifest file. */
export interface DatasetSource extends BlobSource {
  /** Human-readable location, for messages. */
  readonly location: string;
  /** Reads and parses `manifest.json`; with `expectedHash` (the task's data hash) it must match. */
  manifest(expectedHash?: string): Promise<{ manifest: DatasetManifest; hash: string }>;
}

function checkName(sha256: string): string {
  // The hash becomes part of a path or URL, so it must be exactly a hash.
  if (!isSha256Hex(sha256)) throw new TypeError(`not a sha256 hex string: ${JSON.stringify(sha256)}`);
  return sha256;
}

function join(base: string, name: string): string {
  return `${base.replace(/\/+$/, '')}/${name}`;
}

export interface UrlSourceOptions {
  /** Defaults to the global fetch; tests and workers may pass their own. */
  fetch?: typeof fetch;
}

/**
 * A dataset folder over HTTP: `${baseUrl}/manifest.json` and `${baseUrl}/<sha256>.bin`.
 * `baseUrl` may be absolute or relative to the page (e.g. `/datasets/digits-train`).
 */
export function urlSource(baseUrl: string, options: UrlSourceOptions = {}): DatasetSource {
  const doFetch = options.fetch ?? ((input: RequestInfo | URL, init?: RequestInit) => fetch(input, init));
  async function load(url: string): Promise<Uint8Array> {
    let res: Response;
    try {
      res = await doFetch(url);
    } catch (e) {
      throw new Error(`GET ${url} failed: ${e instanceof Error ? e.message : String(e)}`, { cause: e });
    }
    if (!res.ok) throw new Error(`GET ${url}: HTTP ${res.status} ${res.statusText}`.trimEnd());
    return new Uint8Array(await res.arrayBuffer());
  }
  return {
    location: baseUrl,
    async get(sha256) {
      const url = join(baseUrl, shardFileName(checkName(sha256)));
      return verifySha256(await load(url), sha256, url);
    },
    async manifest(expectedHash) {
      return parseManifestBytes(await load(join(baseUrl, MANIFEST_FILE)), expectedHash);
    },
  };
}

/**
 * A dataset folder on disk (Node only). node:fs is imported on first use, through a specifier
 * bundlers do not follow, so browser bundles never pull it in.
 */
export function fsSource(dir: string): DatasetSource {
  const fsModule = 'node:fs/promises';
  const pathModule = 'node:path';
  async function read(name: string): Promise<{ bytes: Uint8Array; path: string }> {
    const fs = (await import(/* @vite-ignore */ fsModule)) as typeof import('node:fs/promises');
    const path = (await import(/* @vite-ignore */ pathModule)) as typeof import('node:path');
    const file = path.join(dir, name);
    const buf = await fs.readFile(file);
    return { bytes: new Uint8Array(buf.buffer, buf.byteOffset, buf.byteLength), path: file };
  }
  return {
    location: dir,
    async get(sha256) {
      const { bytes, path } = await read(shardFileName(checkName(sha256)));
      return verifySha256(bytes, sha256, path);
    },
    async manifest(expectedHash) {
      return parseManifestBytes((await read(MANIFEST_FILE)).bytes, expectedHash);
    },
  };
}

/** Blobs held in memory (tests, caches filled from IndexedDB); checked like any other source. */
export function memorySource(blobs: ReadonlyMap<string, Uint8Array>, location = 'memory'): BlobSource {
  return {
    async get(sha256) {
      const bytes = blobs.get(checkName(sha256));
      if (bytes === undefined) throw new Error(`${location}: no blob ${sha256}`);
      return verifySha256(bytes, sha256, `${location}/${sha256}`);
    },
  };
}

/** Wraps a source that does not check hashes itself (a cache, a custom store). */
export function verified(source: BlobSource, location = 'blob source'): BlobSource {
  return {
    async get(sha256) {
      return verifySha256(await source.get(checkName(sha256)), sha256, `${location}/${sha256}`);
    },
  };
}

export { IntegrityError };
