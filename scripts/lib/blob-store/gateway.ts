// GET/HEAD /ipfs/<cid>: the trustless gateway (a block as `application/vnd.ipld.raw`, a DAG as a
// CAR) and the file's bytes as a path gateway gives them. Every block is checked against its CID
// as it is read; a CAR or a file is planned (its DAG walked, every block present) before any
// header is sent.
import type { IncomingMessage, ServerResponse } from 'node:http';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type { CID } from 'multiformats/cid';
import { carBlockPrefix, carHeader, carLength } from './car-frames.ts';
import type { BlockDisk } from './disk.ts';
import { BlobStoreError } from './errors.ts';
import { notHeld, planDag, type DagPlan } from './plan.ts';
import {
  CAR_RESPONSE_TYPE,
  contentDisposition,
  etagOf,
  FILE_TYPE,
  matchesEtag,
  negotiate,
  onlyIfCached,
  parseCarParams,
  parseIpfsPath,
  parseRange,
  RAW_BLOCK_TYPE,
  type DagScope,
  type Representation,
} from './request.ts';

/** A year, the trustless gateway convention for content that can never change. */
export const IMMUTABLE = 'public, max-age=29030400, immutable';

export const GATEWAY_EXPOSED_HEADERS = [
  'Accept-Ranges',
  'Content-Disposition',
  'Content-Length',
  'Content-Range',
  'Content-Type',
  'ETag',
  'X-Ipfs-Path',
  'X-Ipfs-Roots',
].join(', ');

export interface GatewayContext {
  disk: BlockDisk;
  log: (line: string) => void;
}

/**
 * Answers a GET or HEAD under /ipfs/ (the caller has handled OPTIONS and other methods and set
 * the CORS headers). Throws BlobStoreError for the caller to send as JSON.
 */
export async function serveIpfs(
  ctx: GatewayContext,
  req: IncomingMessage,
  res: ServerResponse,
  url: URL,
): Promise<void> {
  const path = parseIpfsPath(url.pathname);
  if (!path.ok) throw new BlobStoreError(path.status, path.code, path.message);
  const type = negotiate(header(req, 'accept'), url.searchParams.get('format'));
  if (!type.ok) throw new BlobStoreError(type.status, type.code, type.message);
  let scope: DagScope = 'all';
  if (type.representation === 'car') {
    const params = parseCarParams(url.searchParams);
    if (!params.ok) throw new BlobStoreError(params.status, params.code, params.message);
    scope = params.scope;
  }
  const { cid } = path;
  const name = cid.toString();
  const common = {
    'Cache-Control': IMMUTABLE,
    ETag: etagOf(type.representation, name, scope),
    'X-Ipfs-Path': `/ipfs/${name}`,
    'X-Ipfs-Roots': name,
    'Content-Disposition': contentDisposition(type.representation, name, url.searchParams),
  };
  const cachedOnly = onlyIfCached(header(req, 'cache-control'));
  if (!(await ctx.disk.has(cid))) throw cachedOnly ? notCached(cid) : notHeld(cid);
  // The client holds (and has checked) this content already: no need to read it again.
  if (matchesEtag(header(req, 'if-none-match'), common.ETag)) {
    res.writeHead(304, common).end();
    return;
  }
  const head = req.method === 'HEAD';
  if (type.representation === 'raw') return sendRaw(ctx, req, res, cid, common, head, cachedOnly);

  let plan: DagPlan;
  try {
    plan = await planDag(ctx.disk, cid, {
      repeats: type.representation === 'file' ? 'walk' : 'skip',
      rootOnly: scope === 'block',
    });
  } catch (e) {
    if (cachedOnly && e instanceof BlobStoreError && e.status === 404) throw notCached(cid, e.message);
    throw e;
  }
  return type.representation === 'car' ? sendCar(ctx, res, plan, common, head) : sendFile(ctx, res, plan, common, head);
}

function notCached(cid: CID, detail?: string): BlobStoreError {
  return new BlobStoreError(
    412,
    'not_cached',
    `Cache-Control: only-if-cached, and this store does not hold ${cid.toString()}${detail ? ` (${detail})` : ''}.`,
  );
}

async function sendRaw(
  ctx: GatewayContext,
  req: IncomingMessage,
  res: ServerResponse,
  cid: CID,
  common: Record<string, string>,
  head: boolean,
  cachedOnly: boolean,
): Promise<void> {
  const block = await ctx.disk.openBlock(cid);
  if (block === undefined) throw cachedOnly ? notCached(cid) : notHeld(cid);
  const range = parseRange(header(req, 'range'), block.size);
  const headers: Record<string, string> = {
    ...common,
    'Content-Type': RAW_BLOCK_TYPE,
    'Accept-Ranges': 'bytes',
  };
  if (range.kind === 'unsatisfiable') {
    await block.close();
    res.setHeader('Content-Range', `bytes */${block.size}`);
    throw new BlobStoreError(
      416,
      'range_not_satisfiable',
      `The block is ${block.size} bytes; the range asks past its end.`,
      {
        size: block.size,
      },
    );
  }
  const part = range.kind === 'part' ? { start: range.start, end: range.end } : undefined;
  const status = part ? 206 : 200;
  if (part) headers['Content-Range'] = `bytes ${part.start}-${part.end}/${block.size}`;
  headers['Content-Length'] = String(part ? part.end - part.start + 1 : block.size);
  if (head) {
    await block.close();
    res.writeHead(status, headers).end();
    return;
  }
  res.writeHead(status, headers);
  await pipeline(block.stream(part), res).catch(() => {
    // The client went away mid-download; nothing to answer.
  });
}

async function sendCar(
  ctx: GatewayContext,
  res: ServerResponse,
  plan: DagPlan,
  common: Record<string, string>,
  head: boolean,
): Promise<void> {
  res.writeHead(200, {
    ...common,
    'Content-Type': CAR_RESPONSE_TYPE,
    'Content-Length': String(carLength(plan.root, plan.blocks)),
    'Accept-Ranges': 'none',
  });
  if (head) return void res.end();
  const disk = ctx.disk;
  async function* frames(): AsyncGenerator<Uint8Array> {
    yield carHeader(plan.root);
    for (const block of plan.blocks) {
      const bytes = block.node?.bytes ?? (await readPlanned(disk, block.cid, block.size));
      yield carBlockPrefix(block.cid, bytes.length);
      yield bytes;
    }
  }
  await stream(ctx, res, frames(), plan.root);
}

async function sendFile(
  ctx: GatewayContext,
  res: ServerResponse,
  plan: DagPlan,
  common: Record<string, string>,
  head: boolean,
): Promise<void> {
  res.writeHead(200, {
    ...common,
    'Content-Type': FILE_TYPE,
    'Content-Length': String(plan.fileSize),
    'Accept-Ranges': 'none',
  });
  if (head) return void res.end();
  const disk = ctx.disk;
  async function* bytes(): AsyncGenerator<Uint8Array> {
    for (const block of plan.blocks) {
      if (block.node) {
        if (block.node.data.length > 0) yield block.node.data;
      } else {
        yield await readPlanned(disk, block.cid, block.size);
      }
    }
  }
  await stream(ctx, res, bytes(), plan.root);
}

/** A planned block, read and checked; it vanishing or changing size since the plan is an error. */
async function readPlanned(disk: BlockDisk, cid: CID, size: number): Promise<Uint8Array> {
  const bytes = await disk.readBlock(cid);
  if (bytes === undefined || bytes.length !== size) {
    throw new Error(`block ${cid.toString()} ${bytes ? 'changed size' : 'vanished'} while it was being sent`);
  }
  return bytes;
}

/**
 * Sends a planned body. Headers are out, so a block that fails now (deleted, or corrupt and
 * quarantined) can only cut the response short: the client sees fewer bytes than Content-Length.
 */
async function stream(
  ctx: GatewayContext,
  res: ServerResponse,
  chunks: AsyncGenerator<Uint8Array>,
  root: CID,
): Promise<void> {
  await pipeline(Readable.from(chunks, { objectMode: false }), res).catch((e: unknown) => {
    if (!res.destroyed || (e as NodeJS.ErrnoException).code !== 'ERR_STREAM_PREMATURE_CLOSE') {
      ctx.log(`blob store: sending ${root.toString()} stopped: ${e instanceof Error ? e.message : String(e)}`);
    }
    res.destroy();
  });
}

export function header(req: IncomingMessage, name: string): string | undefined {
  const v = req.headers[name];
  return Array.isArray(v) ? v.join(', ') : v;
}

export type { Representation };
