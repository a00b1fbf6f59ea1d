// The local stack's content store over HTTP (node:http, no framework): a trustless IPFS gateway
// over a block store.
//
//   GET/HEAD /ipfs/<cid>   a block (format=raw), the file's DAG as a CAR (format=car), or the
//                          file's bytes (no format); gateway.ts
//   POST /upload[?cid=]    a file as its bytes or as a CAR of its UnixFS DAG; {cid, size, blocks}
//   GET /                  what this is, what it serves and its limits, as JSON
//
// Reads are public (any origin, like an IPFS gateway); uploads are accepted from the app's
// origins and from clients that send no Origin (scripts, tests), never from other web pages.
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { CID } from 'multiformats/cid';
import { CHUNK_BYTES, MAX_BLOCK_BYTES, MAX_LINKS_PER_NODE } from '../../../src/lib/storage/unixfs/settings.ts';
import { BlockDisk } from './disk.ts';
import { BlobStoreError } from './errors.ts';
import { GATEWAY_EXPOSED_HEADERS, header, serveIpfs } from './gateway.ts';
import { ingestBytes, ingestCar, maxCarBytes, tooLarge, type StoredFile } from './ingest.ts';
import { CAR_TYPE, parseCid, uploadForm } from './request.ts';

/**
 * Large enough for the largest artifact the protocol allows (MAX_ARTIFACT_BYTES, about 80 MB:
 * 20M float32 parameters plus headers) and for dataset shards; see docs/app/artifact-store.md.
 */
export const DEFAULT_MAX_BLOB_BYTES = 96 * 1024 * 1024;

export interface BlobStoreOptions {
  /** Folder of the store (created if missing). */
  dir: string;
  port: number;
  host?: string;
  /** The largest file (not CAR, not block) an upload may hold. */
  maxBlobBytes?: number;
  /** Origins allowed to upload from a browser; '*' allows any. */
  uploadOrigins?: readonly string[];
  log?: (line: string) => void;
}

export interface BlobStore {
  /** Base URL, no trailing slash: `${url}/ipfs/<cid>`, `${url}/upload`. */
  url: string;
  port: number;
  disk: BlockDisk;
  maxBlobBytes: number;
  server: Server;
  close(): Promise<void>;
}

export async function startBlobStore(opts: BlobStoreOptions): Promise<BlobStore> {
  const log = opts.log ?? (() => {});
  const disk = new BlockDisk(opts.dir, log);
  const maxBlobBytes = opts.maxBlobBytes ?? DEFAULT_MAX_BLOB_BYTES;
  const handler = requestHandler({ disk, maxBlobBytes, uploadOrigins: opts.uploadOrigins ?? [], log });
  const server = createServer((req, res) => {
    handler(req, res).catch((e: unknown) => {
      log(`blob store: ${req.method} ${req.url} failed: ${e instanceof Error ? e.message : String(e)}`);
      if (!res.headersSent)
        sendError(res, new BlobStoreError(500, 'internal', 'The store failed to answer; see its log.'));
      else res.destroy();
    });
  });
  const host = opts.host ?? '127.0.0.1';
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(opts.port, host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const port = (server.address() as AddressInfo).port;
  return {
    url: `http://${host}:${port}`,
    port,
    disk,
    maxBlobBytes,
    server,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}

interface HandlerContext {
  disk: BlockDisk;
  maxBlobBytes: number;
  uploadOrigins: readonly string[];
  log: (line: string) => void;
}

/** What GET / answers: enough for a client to know what to ask for. */
export function storeInfo(maxBlobBytes: number) {
  return {
    service: 'aiarena blob store',
    read: '/ipfs/<cid>',
    upload: '/upload',
    maxBlobBytes,
    maxBlockBytes: MAX_BLOCK_BYTES,
    maxCarBytes: maxCarBytes(maxBlobBytes),
    gateway: {
      formats: ['raw', 'car', 'file'],
      raw: { type: 'application/vnd.ipld.raw', ranges: true },
      car: { type: `${CAR_TYPE}; version=1; order=dfs; dups=n`, dagScopes: ['all', 'entity', 'block'] },
      file: { type: 'application/octet-stream', params: ['filename', 'download'] },
      cids: 'CIDv1 (CIDv0 read as its v1), raw or dag-pb, sha2-256; identity (inline) CIDs',
      onlyIfCached: true,
      paths: false,
    },
    uploadForms: {
      car: `${CAR_TYPE}: one root, a complete UnixFS file DAG, blocks <= ${MAX_BLOCK_BYTES} bytes`,
      bytes: 'any other Content-Type: the file, made into a DAG with the settings below',
      multipart: false,
    },
    dagSettings: { cidVersion: 1, rawLeaves: true, chunkBytes: CHUNK_BYTES, maxLinksPerNode: MAX_LINKS_PER_NODE },
  };
}

export function requestHandler(ctx: HandlerContext) {
  return async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    const url = new URL(req.url ?? '/', 'http://store.invalid');
    res.setHeader('X-Content-Type-Options', 'nosniff');
    if (url.pathname.startsWith('/ipfs/')) return gateway(ctx, req, res, url);
    if (url.pathname === '/upload') return upload(ctx, req, res, url);
    if (url.pathname === '/') {
      if (req.method === 'OPTIONS') return preflight(req, res, ['GET', 'HEAD'], '*');
      if (req.method !== 'GET' && req.method !== 'HEAD') return methodNotAllowed(res, 'GET, HEAD, OPTIONS');
      res.setHeader('Access-Control-Allow-Origin', '*');
      return sendJson(res, 200, storeInfo(ctx.maxBlobBytes), req.method === 'HEAD');
    }
    sendError(res, new BlobStoreError(404, 'no_route', `Nothing at ${url.pathname}: use /ipfs/<cid> or /upload.`));
  };
}

async function gateway(ctx: HandlerContext, req: IncomingMessage, res: ServerResponse, url: URL): Promise<void> {
  if (req.method === 'OPTIONS') return preflight(req, res, ['GET', 'HEAD'], '*');
  if (req.method !== 'GET' && req.method !== 'HEAD') return methodNotAllowed(res, 'GET, HEAD, OPTIONS');
  res.setHeader('Access-Control-Allow-Origin', '*');
  res.setHeader('Access-Control-Expose-Headers', GATEWAY_EXPOSED_HEADERS);
  res.setHeader('Vary', 'Accept');
  try {
    await serveIpfs(ctx, req, res, url);
  } catch (e) {
    if (!(e instanceof BlobStoreError) || res.headersSent) throw e;
    sendError(res, e, req.method === 'HEAD');
  }
}

async function upload(ctx: HandlerContext, req: IncomingMessage, res: ServerResponse, url: URL): Promise<void> {
  const origin = header(req, 'origin');
  const allowed = origin === undefined || ctx.uploadOrigins.includes('*') || ctx.uploadOrigins.includes(origin);
  if (origin !== undefined && allowed) {
    res.setHeader('Access-Control-Allow-Origin', origin);
    res.setHeader('Access-Control-Expose-Headers', 'Location');
  }
  res.setHeader('Vary', 'Origin');
  const forbidden = () => new BlobStoreError(403, 'origin_not_allowed', `Uploads from ${origin} are not accepted.`);
  if (req.method === 'OPTIONS') {
    if (!allowed) return refuse(req, res, forbidden());
    return preflight(req, res, ['POST'], origin!);
  }
  if (req.method !== 'POST') return refuse(req, res, methodError('POST, OPTIONS'), 'POST, OPTIONS');
  if (!allowed) return refuse(req, res, forbidden());

  let expected: CID | undefined;
  const expectedParam = url.searchParams.get('cid');
  if (expectedParam !== null) {
    const parsed = parseCid(expectedParam);
    if (!parsed.ok) return refuse(req, res, new BlobStoreError(400, parsed.code, parsed.message));
    expected = parsed.cid;
  }
  const form = uploadForm(header(req, 'content-type'));
  if (form === 'multipart') {
    return refuse(
      req,
      res,
      new BlobStoreError(
        415,
        'multipart',
        `Send the file as the raw request body (application/octet-stream) or as a CAR (${CAR_TYPE}), not as a multipart form.`,
      ),
    );
  }
  const bodyLimit = form === 'car' ? maxCarBytes(ctx.maxBlobBytes) : ctx.maxBlobBytes;
  const declared = header(req, 'content-length');
  if (declared !== undefined && Number(declared) > bodyLimit) return refuse(req, res, tooLarge(bodyLimit));
  try {
    const body = await readBody(req, bodyLimit);
    const opts = { maxFileBytes: ctx.maxBlobBytes, expected };
    const stored: StoredFile =
      form === 'car' ? await ingestCar(ctx.disk, body, opts) : await ingestBytes(ctx.disk, body, opts);
    const cid = stored.cid.toString();
    if (stored.created) ctx.log(`blob store: stored ${cid} (${stored.size} bytes, ${stored.blocks} blocks)`);
    res.setHeader('Location', `/ipfs/${cid}`);
    sendJson(res, stored.created ? 201 : 200, { cid, size: stored.size, blocks: stored.blocks });
  } catch (e) {
    if (e instanceof BlobStoreError) return refuse(req, res, e);
    throw e;
  }
}

/** The request body, refused (413) as soon as it passes `limit` bytes. */
async function readBody(req: IncomingMessage, limit: number): Promise<Uint8Array> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req.iterator({ destroyOnReturn: false })) {
    size += (chunk as Buffer).length;
    if (size > limit) throw tooLarge(limit);
    chunks.push(chunk as Buffer);
  }
  const all = Buffer.concat(chunks, size);
  return new Uint8Array(all.buffer, all.byteOffset, all.byteLength);
}

function methodError(allow: string): BlobStoreError {
  return new BlobStoreError(405, 'method_not_allowed', `Method not allowed here; use ${allow}.`);
}

function methodNotAllowed(res: ServerResponse, allow: string): void {
  res.setHeader('Allow', allow);
  sendError(res, methodError(allow));
}

/** How long the rest of a refused body is read and dropped before the connection is closed. */
const REFUSED_DRAIN_MS = 1_000;

/**
 * Answers an upload early, then reads and drops the rest of the body for at most
 * REFUSED_DRAIN_MS before closing the connection: an oversized upload costs us at most that
 * moment's bytes, and a client still writing its body reads the answer. Answering with
 * `Connection: close` instead made Node close the socket at once, and a client streaming a
 * chunked body got EPIPE rather than the 413 (blob-store.test.ts, on this project's machines).
 */
function refuse(req: IncomingMessage, res: ServerResponse, error: BlobStoreError, allow?: string): void {
  if (allow) res.setHeader('Allow', allow);
  sendError(res, error);
  if (!req.complete) {
    req.resume();
    res.once('finish', () => setTimeout(() => req.destroy(), REFUSED_DRAIN_MS).unref());
  }
}

function preflight(req: IncomingMessage, res: ServerResponse, methods: string[], origin: string): void {
  res.setHeader('Access-Control-Allow-Origin', origin);
  res.setHeader('Access-Control-Allow-Methods', [...methods, 'OPTIONS'].join(', '));
  res.setHeader('Access-Control-Allow-Headers', 'Accept, Cache-Control, Content-Type, If-None-Match, Range');
  res.setHeader('Access-Control-Max-Age', '86400');
  // Chrome's Private Network Access: a page on a public address may talk to this local store.
  if (header(req, 'access-control-request-private-network') === 'true') {
    res.setHeader('Access-Control-Allow-Private-Network', 'true');
  }
  res.writeHead(204).end();
}

function sendError(res: ServerResponse, e: BlobStoreError, headOnly = false): void {
  // Errors are never cached: the content may arrive later, a tampered file may be repaired.
  res.setHeader('Cache-Control', 'no-store');
  // Headers meant for the content do not describe an error.
  for (const h of ['ETag', 'Content-Disposition', 'X-Ipfs-Path', 'X-Ipfs-Roots']) res.removeHeader(h);
  sendJson(res, e.status, { error: e.message, code: e.code, ...e.details }, headOnly);
}

function sendJson(res: ServerResponse, status: number, body: unknown, headOnly = false): void {
  const text = `${JSON.stringify(body)}\n`;
  res.writeHead(status, {
    'Content-Type': 'application/json; charset=utf-8',
    'Content-Length': Buffer.byteLength(text),
  });
  res.end(headOnly ? undefined : text);
}
