// Downloads a file by its root CID through the configured gateways, block by block, the way a
// trustless IPFS client does (docs/app/artifact-store.md "Reading"): every block is fetched as
// `application/vnd.ipld.raw`, checked against its CID before it is read, and the UnixFS file is
// put together from the verified blocks; when the caller knows the file's sha-256 (the chain's
// hash), the whole file is checked against it too.
//
// Each block is asked of the gateways in order, starting with the one that served the last
// block. Transient failures (network errors, 5xx, 429) are retried on the same gateway with
// backoff first; a gateway that sends a block with other bytes is reported and not asked again
// during this download. A dropped connection costs at most the block in flight: blocks already
// received are kept (in `opts.blocks`, when the caller passes a map, even across calls).
import { CID } from 'multiformats/cid';
import * as Digest from 'multiformats/hashes/digest';
import type { Hex } from 'viem';
import { sha256Bytes } from '../../ml/hash.ts';
import { BlockError, readFileNode, verifyBlock, type FileNode } from '../unixfs/block.ts';
import { RAW_CODEC, SHA2_256 } from '../unixfs/ref.ts';
import { MAX_BLOCK_BYTES } from '../unixfs/settings.ts';
import { walkFileDag } from '../unixfs/walk.ts';
import { parseContentCid, toHex } from './cid.ts';
import {
  BlobNotFoundError,
  BlobTooLargeError,
  CasConfigError,
  CasFetchError,
  CasHttpError,
  CasNetworkError,
  CidMismatchError,
  ContentMismatchError,
  DagFormatError,
  type GatewayFailure,
} from './errors.ts';
import {
  defaultFetch,
  httpError,
  networkFailure,
  watchdog,
  withRetry,
  type FetchFn,
  type RetryOptions,
} from './http.ts';

export const RAW_BLOCK_TYPE = 'application/vnd.ipld.raw';
/** Matches the local store's default limit: the largest artifact the protocol allows fits. */
export const DEFAULT_MAX_BLOB_BYTES = 96 * 1024 * 1024;
const DEFAULT_STALL_MS = 30_000;
/** Blocks in flight at once: enough to hide a gateway's latency, few enough to be polite. */
const DEFAULT_CONCURRENCY = 4;

export interface FetchProgress {
  /** The gateway that served the latest block. */
  gateway: string;
  /** File bytes received and verified so far. */
  loaded: number;
  /** The file's size, once the root block has told it. */
  total: number | undefined;
  /** Blocks received and verified so far. */
  blocks: number;
}

export interface FetchVerifiedOptions extends RetryOptions {
  /** Gateway base URLs (`https://ipfs.io`, path style) or templates with `{cid}` (subdomain style). */
  gateways: readonly string[];
  fetch?: FetchFn;
  onProgress?: (progress: FetchProgress) => void;
  /** Told about each gateway's failure as it happens (the UI can warn about a mismatch at once). */
  onFailure?: (failure: GatewayFailure) => void;
  /** Refuse files larger than this (default DEFAULT_MAX_BLOB_BYTES). */
  maxBytes?: number;
  /** Give up on a request that receives nothing for this long (default 30 s). */
  stallMs?: number;
  /** The sha-256 the whole file must have (the chain's content hash), as 0x hex or 32 bytes. */
  sha256?: Hex | Uint8Array;
  /** Verified blocks by CID: read before asking a gateway, filled as blocks arrive (resume). */
  blocks?: Map<string, Uint8Array>;
  /** Blocks fetched at once (default 4). */
  concurrency?: number;
}

export interface VerifiedBlob {
  /** Canonical form of the CID asked for. */
  cid: string;
  bytes: Uint8Array;
  /** The gateway that served the root block (or the first one, when nothing had to be fetched). */
  gateway: string;
  /** Every gateway's failure on the way, in order (a CidMismatchError among them deserves a warning). */
  failures: GatewayFailure[];
  /** Blocks the file is made of (1 for a one-chunk file). */
  blockCount: number;
}

/** The URL of a raw block on a gateway. */
export function gatewayUrl(gateway: string, cid: string): string {
  if (gateway.includes('{cid}')) return gateway.replaceAll('{cid}', cid);
  const base = gateway.replace(/\/+$/, '');
  return `${base.endsWith('/ipfs') ? base : `${base}/ipfs`}/${cid}?format=raw`;
}

export async function fetchVerified(cidInput: string, opts: FetchVerifiedOptions): Promise<VerifiedBlob> {
  const { cid, parsed, inline } = parseContentCid(cidInput);
  if (opts.gateways.length === 0)
    throw new CasConfigError('VITE_IPFS_GATEWAYS', 'No IPFS gateway is configured to download from.');
  const maxBytes = opts.maxBytes ?? DEFAULT_MAX_BLOB_BYTES;
  const reader = new BlockReader(cid, opts);
  let bytes: Uint8Array;
  let blockCount = 1;
  if (inline) {
    bytes = new Uint8Array(parsed.multihash.digest);
  } else {
    // A raw root is the whole file; a node root lists children and is small whatever the file's size.
    const rootCap = parsed.code === RAW_CODEC ? maxBytes : MAX_BLOCK_BYTES;
    const root = readNode(parsed, await reader.block(parsed, rootCap));
    if (root.kind === 'leaf') {
      bytes = root.data;
      if (bytes.length > maxBytes) throw new BlobTooLargeError(reader.lastGateway, maxBytes, bytes.length);
      reader.progress(bytes.length, bytes.length);
    } else {
      if (root.fileSize > maxBytes) throw new BlobTooLargeError(reader.lastGateway, maxBytes, root.fileSize);
      bytes = new Uint8Array(root.fileSize);
      blockCount = 1 + (await assemble(parsed, bytes, reader, opts.concurrency ?? DEFAULT_CONCURRENCY));
    }
  }
  if (opts.sha256 !== undefined) {
    const expected = typeof opts.sha256 === 'string' ? opts.sha256.slice(2).toLowerCase() : toHex(opts.sha256);
    const actual = toHex(await sha256Bytes(bytes));
    if (actual !== expected) throw new ContentMismatchError(cid, `0x${expected}`, `0x${actual}`);
  }
  return { cid, bytes, gateway: reader.rootGateway ?? opts.gateways[0]!, failures: reader.failures, blockCount };
}

function readNode(cid: CID, bytes: Uint8Array): FileNode {
  try {
    return readFileNode(cid, bytes);
  } catch (e) {
    if (e instanceof BlockError) throw new DagFormatError(cid.toString(), e.problem.message);
    throw e;
  }
}

/**
 * Fills `out` with the file under `root`: the nodes are read in depth-first order (the shared
 * walk checks their sizes and depth), each node's own data written where it starts, and the raw
 * leaves, whose places the nodes fix, fetched `concurrency` at a time. Resolves with the number of
 * blocks below the root.
 */
async function assemble(root: CID, out: Uint8Array, reader: BlockReader, concurrency: number): Promise<number> {
  let loaded = 0;
  const write = (data: Uint8Array, at: number) => {
    if (at + data.length > out.length) throw new DagFormatError(reader.cid, 'its parts hold more bytes than the file');
    out.set(data, at);
    loaded += data.length;
    reader.progress(loaded, out.length);
  };
  const leaves: { cid: CID; size: number; at: number }[] = [];
  let offset = 0;
  let blocks = 0;
  try {
    const steps = walkFileDag(root, (cid) => reader.block(cid, MAX_BLOCK_BYTES), { repeats: 'walk' });
    for await (const step of steps) {
      if (step.depth > 0) blocks++;
      if (step.node) {
        write(step.node.data, offset);
        offset += step.node.data.length;
      } else {
        leaves.push({ cid: step.cid, size: step.size!, at: offset });
        offset += step.size!;
      }
    }
  } catch (e) {
    if (e instanceof BlockError) throw new DagFormatError(reader.cid, `${e.cid}: ${e.problem.message}`);
    throw e;
  }
  let next = 0;
  let failed = false;
  const worker = async () => {
    while (next < leaves.length && !failed) {
      const { cid, size, at } = leaves[next++]!;
      const data = await reader.block(cid, Math.min(MAX_BLOCK_BYTES, size));
      if (data.length !== size) {
        throw new DagFormatError(
          reader.cid,
          `leaf ${cid.toString()} holds ${data.length} bytes, its parent says ${size}`,
        );
      }
      write(data, at);
    }
  };
  const run = () =>
    worker().catch((e: unknown) => {
      failed = true; // the others stop asking for blocks nobody will use
      throw e;
    });
  await Promise.all(Array.from({ length: Math.min(concurrency, leaves.length) }, run));
  return blocks;
}

/** Fetches single verified blocks, gateway by gateway, remembering who lied and who answered. */
class BlockReader {
  readonly failures: GatewayFailure[] = [];
  rootGateway: string | undefined;
  lastGateway: string;
  private readonly banned = new Set<string>();
  private blocks = 0;
  private readonly counted = new Set<string>();
  private readonly cache: Map<string, Uint8Array>;

  constructor(
    readonly cid: string,
    private readonly opts: FetchVerifiedOptions,
  ) {
    this.lastGateway = opts.gateways[0]!;
    this.cache = opts.blocks ?? new Map();
  }

  progress(loaded: number, total: number | undefined): void {
    this.opts.onProgress?.({ gateway: this.lastGateway, loaded, total, blocks: this.blocks });
  }

  private fail(f: GatewayFailure): void {
    this.failures.push(f);
    this.opts.onFailure?.(f);
  }

  async block(cid: CID, maxBytes: number): Promise<Uint8Array> {
    const key = cid.toString();
    const cached = this.cache.get(key);
    if (cached) {
      await verifyBlock(cid, cached).catch(() => this.cache.delete(key));
      if (this.cache.has(key)) return this.countBlock(cached, this.lastGateway, key);
    }
    const order = [this.lastGateway, ...this.opts.gateways.filter((g) => g !== this.lastGateway)];
    const tried: GatewayFailure[] = [];
    for (const gateway of order) {
      if (this.banned.has(gateway)) continue;
      let bytes: Uint8Array;
      try {
        bytes = await withRetry(() => download(gatewayUrl(gateway, key), gateway, maxBytes, this.opts), this.opts);
      } catch (e) {
        if (e instanceof CasHttpError || e instanceof CasNetworkError || e instanceof BlobTooLargeError) {
          tried.push(e);
          this.fail(e);
          continue;
        }
        throw e; // aborted by the caller, or a bug
      }
      try {
        await verifyBlock(cid, bytes);
      } catch (e) {
        if (!(e instanceof BlockError)) throw e;
        const actual = CID.createV1(cid.code, Digest.create(SHA2_256, await sha256Bytes(bytes))).toString();
        const mismatch = new CidMismatchError(gateway, key, actual, bytes.length);
        this.banned.add(gateway);
        tried.push(mismatch);
        this.fail(mismatch);
        continue;
      }
      this.lastGateway = gateway;
      this.cache.set(key, bytes);
      return this.countBlock(bytes, gateway, key);
    }
    const mismatch =
      tried.find((f): f is CidMismatchError => f instanceof CidMismatchError) ??
      this.failures.find((f): f is CidMismatchError => f instanceof CidMismatchError);
    if (mismatch) {
      mismatch.failures = this.failures;
      throw mismatch;
    }
    const subject = key === this.cid ? key : `block ${key} of ${this.cid}`;
    if (tried.length > 0 && tried.every((f) => f instanceof CasHttpError && f.status === 404)) {
      throw new BlobNotFoundError(subject, this.failures);
    }
    throw new CasFetchError(subject, this.failures);
  }

  private countBlock(bytes: Uint8Array, gateway: string, key: string): Uint8Array {
    // The root is read twice (its size first, then by the walk); count each block once.
    if (!this.counted.has(key)) this.blocks++;
    this.counted.add(key);
    if (key === this.cid) this.rootGateway = gateway;
    return bytes;
  }
}

/** One GET of one block, streamed with the size cap; no verification here. */
async function download(
  url: string,
  gateway: string,
  maxBytes: number,
  opts: FetchVerifiedOptions,
): Promise<Uint8Array> {
  const stallMs = opts.stallMs ?? DEFAULT_STALL_MS;
  const doFetch = opts.fetch ?? defaultFetch();
  const dog = watchdog(stallMs, opts.signal);
  try {
    const res = await doFetch(url, { headers: { Accept: RAW_BLOCK_TYPE }, signal: dog.signal });
    dog.alive();
    if (!res.ok) throw await httpError(url, res);
    const header = res.headers.get('content-length');
    const total = header !== null && /^\d+$/.test(header) ? Number(header) : undefined;
    if (total !== undefined && total > maxBytes) {
      await res.body?.cancel().catch(() => {});
      throw new BlobTooLargeError(gateway, maxBytes, total);
    }
    const chunks: Uint8Array[] = [];
    let loaded = 0;
    if (res.body) {
      const reader = res.body.getReader();
      for (;;) {
        const { done, value } = await reader.read();
        if (done) break;
        dog.alive();
        loaded += value.byteLength;
        if (loaded > maxBytes) {
          await reader.cancel().catch(() => {});
          throw new BlobTooLargeError(gateway, maxBytes, loaded);
        }
        chunks.push(value);
      }
    }
    return concat(chunks, loaded);
  } catch (e) {
    if (e instanceof CasHttpError || e instanceof BlobTooLargeError) throw e;
    throw networkFailure(url, e, opts.signal, stallMs, dog.stalled);
  } finally {
    dog.done();
  }
}

function concat(chunks: Uint8Array[], length: number): Uint8Array {
  if (chunks.length === 1) return chunks[0]!;
  const out = new Uint8Array(length);
  let at = 0;
  for (const c of chunks) {
    out.set(c, at);
    at += c.byteLength;
  }
  return out;
}
