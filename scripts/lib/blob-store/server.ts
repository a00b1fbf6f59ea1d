// The local stack's content-addressed blob store over HTTP (node:http, no framework):
//
//   GET/HEAD /ipfs/<cid>   the subset of the IPFS trustless gateway the client needs: raw blocks
//   POST /upload[?cid=]    raw request body in, {cid, size} out; size-limited, hashed as written
//   GET /                  what this is and its limit, as JSON
//
// Reads are public (any origin, like an IPFS gateway); uploads are accepted from the app's
// origins and from clients that send no Origin (scripts, tests), never from other web pages.
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { pipeline } from 'node:stream/promises';
import { parseRawCid } from '../../../src/lib/storage/cas/cid.ts';
import { InvalidCidError } from '../../../src/lib/storage/cas/errors.ts';
import { BlobDisk } from './disk.ts';
import { BlobStoreError } from './errors.ts';
import { matchesEtag, negotiateRaw, parseIpfsPath, type Rejection } from './request.ts';

/**
 * Large enough for the largest artifact the protocol allows (MAX_ARTIFACT_BYTES, about 80 MB:
 * 20M float32 parameters plus headers) and for dataset shards; see docs/app/artifact-store.md on block sizes.
 */
export const DEFAULT_MAX_BLOB_BYTES = 96 * 1024 * 1024;

/** A year, the trustless gateway convention for content that can never change. */
const IMMUTABLE = 'public, max-age=29030400, immutable';

export interface BlobStoreOptions {
  /** Folder of the store (created if missing). */
  dir: string;
  port: number;
  host?: string;
  maxBlobBytes?: number;
  /** Origins allowed to upload from a browser; '*' allows any. */
  uploadOrigins?: readonly string[];
  log?: (line: string) => void;
}

export interface BlobStore {
  /** Base URL, no trailing slash: `${url}/ipfs/<cid>`, `${url}/upload`. */
  url: string;
  port: number;
  disk: BlobDisk;
  maxBlobBytes: number;
  server: Server;
  close(): Promise<void>;
}

export async function startBlobStore(opts: BlobStoreOptions): Promise<BlobStore> {
  const log = opts.log ?? (() => {});
  const disk = new BlobDisk(opts.dir, log);
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
  disk: BlobDisk;
  maxBlobBytes: number;
  uploadOrigins: readonly string[];
  log: (line: string) => void;
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
      return sendJson(
        res,
        200,
        { service: 'aiarena blob store', maxBlobBytes: ctx.maxBlobBytes, read: '/ipfs/<cid>', upload: '/upload' },
        req.method === 'HEAD',
      );
    }
    sendError(res, new BlobStoreError(404, 'no_route', `Nothing at ${url.pathname}: use /ipfs/<cid> or /upload.`));
  };
}

async function gateway(ctx: HandlerContext, req: IncomingMessage, res: ServerResponse, url: URL): Promise<void> {
  if (req.method === 'OPTIONS') return preflight(req, res, ['GET', 'HEAD'], '*');
  if (req.method !== 'GET' && req.method !== 'HEAD') return methodNotAllowed(res, 'GET, HEAD, OPTIONS');
  res.setHeader('Access-Control-Allow-Origin', '*');
  res.setHeader('Access-Control-Expose-Headers', 'Content-Length, Content-Type, ETag, X-Ipfs-Path');
  res.setHeader('Vary', 'Accept');
  const path = parseIpfsPath(url.pathname);
  if (!path.ok) return reject(res, path);
  const type = negotiateRaw(header(req, 'accept'), url.searchParams.get('format'));
  if (!type.ok) return reject(res, type);
  const { cid } = path.blob;
  const etag = `"${cid}.raw"`;

  if (!(await ctx.disk.has(cid)))
    return sendError(res, new BlobStoreError(404, 'not_found', `This store does not hold ${cid}.`));
  const headers = {
    'Content-Type': type.contentType,
    'Cache-Control': IMMUTABLE,
    ETag: etag,
    'X-Ipfs-Path': `/ipfs/${cid}`,
    'X-Ipfs-Roots': cid,
    'Accept-Ranges': 'none',
    ...(url.searchParams.get('format') === 'raw' ? { 'Content-Disposition': `attachment; filename="${cid}.bin"` } : {}),
  };
  // The client already holds (and has checked) these bytes: no need to read them again.
  if (matchesEtag(header(req, 'if-none-match'), etag)) {
    res.writeHead(304, headers).end();
    return;
  }
  const blob = await ctx.disk.get(path.blob).catch((e: unknown) => {
    if (e instanceof BlobStoreError) return e;
    throw e;
  });
  if (blob instanceof BlobStoreError) return sendError(res, blob);
  if (blob === undefined)
    return sendError(res, new BlobStoreError(404, 'not_found', `This store does not hold ${cid}.`));
  for (const [k, v] of Object.entries(headers)) res.setHeader(k, v);
  res.setHeader('Content-Length', String(blob.size));
  if (req.method === 'HEAD') {
    await blob.close();
    res.writeHead(200).end();
    return;
  }
  res.writeHead(200);
  await pipeline(blob.stream(), res).catch(() => {
    // The client went away mid-download; nothing to answer.
  });
}

async function upload(ctx: HandlerContext, req: IncomingMessage, res: ServerResponse, url: URL): Promise<void> {
  const origin = header(req, 'origin');
  const allowed = origin === undefined || ctx.uploadOrigins.includes('*') || ctx.uploadOrigins.includes(origin);
  if (origin !== undefined && allowed) {
    res.setHeader('Access-Control-Allow-Origin', origin);
    res.setHeader('Access-Control-Expose-Headers', 'Location');
  }
  res.setHeader('Vary', 'Origin');
  if (req.method === 'OPTIONS') {
    if (!allowed)
      return refuse(
        req,
        res,
        new BlobStoreError(403, 'origin_not_allowed', `Uploads from ${origin} are not accepted.`),
      );
    return preflight(req, res, ['POST'], origin!);
  }
  if (req.method !== 'POST') return refuse(req, res, methodError('POST, OPTIONS'), 'POST, OPTIONS');
  if (!allowed)
    return refuse(req, res, new BlobStoreError(403, 'origin_not_allowed', `Uploads from ${origin} are not accepted.`));

  let expectedCid: string | undefined;
  const expected = url.searchParams.get('cid');
  if (expected !== null) {
    try {
      expectedCid = parseRawCid(expected).cid;
    } catch (e) {
      return refuse(
        req,
        res,
        new BlobStoreError(400, 'invalid_cid', e instanceof InvalidCidError ? e.message : String(e)),
      );
    }
  }
  const type = header(req, 'content-type') ?? '';
  if (/^multipart\//i.test(type)) {
    return refuse(
      req,
      res,
      new BlobStoreError(
        415,
        'multipart',
        'Send the blob as the raw request body (e.g. application/octet-stream), not as a multipart form.',
      ),
    );
  }
  const declared = header(req, 'content-length');
  if (declared !== undefined && Number(declared) > ctx.maxBlobBytes) {
    return refuse(req, res, tooLarge(ctx.maxBlobBytes));
  }
  try {
    const put = await ctx.disk.put(req.iterator({ destroyOnReturn: false }), {
      maxBytes: ctx.maxBlobBytes,
      expectedCid,
    });
    if (put.created) ctx.log(`blob store: stored ${put.cid} (${put.size} bytes)`);
    res.setHeader('Location', `/ipfs/${put.cid}`);
    sendJson(res, put.created ? 201 : 200, { cid: put.cid, size: put.size });
  } catch (e) {
    if (e instanceof BlobStoreError) return refuse(req, res, e);
    throw e;
  }
}

function tooLarge(limit: number): BlobStoreError {
  return new BlobStoreError(413, 'too_large', `The upload is larger than this store's limit of ${limit} bytes.`, {
    limit,
  });
}

function methodError(allow: string): BlobStoreError {
  return new BlobStoreError(405, 'method_not_allowed', `Method not allowed here; use ${allow}.`);
}

function methodNotAllowed(res: ServerResponse, allow: string): void {
  res.setHeader('Allow', allow);
  sendError(res, methodError(allow));
}

/**
 * Answers an upload early. The rest of the body is not read: the connection is closed after the
 * answer, so an oversized upload costs us no more than what was already received.
 */
function refuse(req: IncomingMessage, res: ServerResponse, error: BlobStoreError, allow?: string): void {
  if (allow) res.setHeader('Allow', allow);
  if (!req.complete) res.setHeader('Connection', 'close');
  sendError(res, error);
  if (!req.complete) res.once('finish', () => setTimeout(() => req.destroy(), 100).unref());
}

function preflight(req: IncomingMessage, res: ServerResponse, methods: string[], origin: string): void {
  res.setHeader('Access-Control-Allow-Origin', origin);
  res.setHeader('Access-Control-Allow-Methods', [...methods, 'OPTIONS'].join(', '));
  res.setHeader('Access-Control-Allow-Headers', 'Accept, Content-Type, If-None-Match, Range');
  res.setHeader('Access-Control-Max-Age', '86400');
  // Chrome's Private Network Access: a page on a public address may talk to this local store.
  if (header(req, 'access-control-request-private-network') === 'true') {
    res.setHeader('Access-Control-Allow-Private-Network', 'true');
  }
  res.writeHead(204).end();
}

function reject(res: ServerResponse, r: Rejection): void {
  sendError(res, new BlobStoreError(r.status, r.code, r.message));
}

function sendError(res: ServerResponse, e: BlobStoreError): void {
  // Errors are never cached: the content may arrive later, a tampered file may be repaired.
  res.setHeader('Cache-Control', 'no-store');
  sendJson(res, e.status, { error: e.message, code: e.code, ...e.details });
}

function sendJson(res: ServerResponse, status: number, body: unknown, headOnly = false): void {
  const text = `${JSON.stringify(body)}\n`;
  res.writeHead(status, {
    'Content-Type': 'application/json; charset=utf-8',
    'Content-Length': Buffer.byteLength(text),
  });
  res.end(headOnly ? undefined : text);
}

function header(req: IncomingMessage, name: string): string | undefined {
  const v = req.headers[name];
  return Array.isArray(v) ? v.join(', ') : v;
}
