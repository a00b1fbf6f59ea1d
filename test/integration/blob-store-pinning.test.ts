// The production upload path: Kubo RPC upload, then the IPFS Pinning Service API. Neither a Kubo
// node nor a pinning provider can be reached from this offline machine, so both are small local
// stand-ins written from their API documents (Kubo's /api/v0/add, the
// ipfs/pinning-services-api-spec). The Kubo stand-in chunks with ipfs-unixfs-importer as Kubo
// does from the query's flags (and Kubo's default of 174 links a node), so a flag the client got
// wrong gives another CID; it checks auth and chunk limits and holds blocks in memory. The client
// under test is the real one, over real HTTP.
import { createHash, randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { importBytes } from 'ipfs-unixfs-importer';
import { fixedSize } from 'ipfs-unixfs-importer/chunker';
import { balanced } from 'ipfs-unixfs-importer/layout';
import type { CID } from 'multiformats/cid';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cidFromDigest } from '../../src/lib/ml/artifact/cid.ts';
import { fileCid } from '../../src/lib/storage/unixfs/dag.ts';
import {
  CasHttpError,
  fetchVerified,
  PinningError,
  UploadCidMismatchError,
  uploadBlob,
  type CasConfig,
  type PinState,
  type PinStatus,
} from '../../src/lib/storage/cas/index.ts';

const KUBO_AUTH = 'Basic a3VibzpzZWNyZXQ=';
const PIN_TOKEN = 'pin-token';
const MIB = 1024 * 1024;

async function body(req: IncomingMessage): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const c of req) chunks.push(c as Buffer);
  return Buffer.concat(chunks);
}

async function listen(server: Server): Promise<string> {
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
}

function rawCid(bytes: Uint8Array): string {
  return cidFromDigest(createHash('sha256').update(bytes).digest());
}

/** Stand-in for a Kubo node's RPC API and its gateway. */
function fakeKubo() {
  const blocks = new Map<string, Buffer>();
  const calls: string[] = [];
  let ignoreRawLeaves = false;
  const server = createServer(async (req, res) => {
    const url = new URL(req.url!, 'http://kubo');
    calls.push(`${req.method} ${url.pathname}`);
    if (req.method === 'GET' && url.pathname.startsWith('/ipfs/')) {
      const b = blocks.get(url.pathname.slice(6));
      return void (b
        ? res.writeHead(200, { 'Content-Type': 'application/vnd.ipld.raw' }).end(b)
        : res.writeHead(404).end());
    }
    if (req.headers.authorization !== KUBO_AUTH) return void res.writeHead(401).end('401 - Unauthorized');
    if (req.method !== 'POST') return void res.writeHead(405).end();
    const form = await new Response(new Uint8Array(await body(req)), {
      headers: { 'content-type': req.headers['content-type'] ?? '' },
    }).formData();
    const file = form.get('file');
    if (!(file instanceof Blob))
      return void res.writeHead(400).end(JSON.stringify({ Message: 'file argument required', Code: 1, Type: 'error' }));
    const bytes = Buffer.from(await file.arrayBuffer());
    const q = url.searchParams;
    if (url.pathname === '/api/v0/add') {
      const chunk = Number(/^size-(\d+)$/.exec(q.get('chunker') ?? 'size-262144')?.[1]);
      if (chunk > MIB)
        return void res.writeHead(500).end(
          JSON.stringify({
            Message: 'chunker parameters may not exceed the maximum chunk size of 1048576',
            Code: 0,
            Type: 'error',
          }),
        );
      const cidVersion = q.get('cid-version') === '1' ? 1 : 0;
      const root = await importBytes(
        bytes,
        {
          put: (cid: CID, block: Uint8Array) => {
            blocks.set(cid.toString(), Buffer.from(block));
            return Promise.resolve(cid);
          },
        },
        {
          cidVersion,
          // Kubo: raw leaves by default with CIDv1 unless told otherwise.
          rawLeaves:
            !ignoreRawLeaves && q.get('raw-leaves') !== 'false' && (cidVersion === 1 || q.get('raw-leaves') === 'true'),
          chunker: fixedSize({ chunkSize: chunk }),
          layout: balanced({ maxChildrenPerNode: 174 }),
          reduceSingleLeafToSelf: true,
        },
      );
      return void res
        .writeHead(200)
        .end(`${JSON.stringify({ Name: file.name, Hash: root.cid.toString(), Size: String(bytes.length) })}\n`);
    }
    res.writeHead(404).end('404 page not found');
  });
  return { server, blocks, calls, setIgnoreRawLeaves: (v: boolean) => (ignoreRawLeaves = v) };
}

/** Stand-in for a pinning provider: pins what the node holds, after a couple of status polls. */
function fakePinning(holds: (cid: string) => boolean) {
  const pins = new Map<string, PinStatus & { polls: number }>();
  let stallForever = false;
  const server = createServer(async (req, res) => {
    const send = (status: number, value: unknown) =>
      res.writeHead(status, { 'Content-Type': 'application/json' }).end(JSON.stringify(value));
    if (req.headers.authorization !== `Bearer ${PIN_TOKEN}`) {
      return send(401, { error: { reason: 'UNAUTHORIZED', details: 'Access token is missing or invalid' } });
    }
    const url = new URL(req.url!, 'http://pin');
    if (req.method === 'POST' && url.pathname === '/pins') {
      const pin = JSON.parse((await body(req)).toString()) as { cid: string; name?: string };
      const status: PinStatus & { polls: number } = {
        requestid: randomUUID(),
        status: 'queued',
        created: new Date().toISOString(),
        pin,
        delegates: ['/dns4/pin.example/tcp/4001/p2p/12D3KooWFake'],
        polls: 0,
      };
      pins.set(status.requestid, status);
      const { polls: _, ...shown } = status;
      return send(202, shown);
    }
    const m = /^\/pins\/([^/]+)$/.exec(url.pathname);
    if (req.method === 'GET' && m) {
      const p = pins.get(decodeURIComponent(m[1]!));
      if (!p) return send(404, { error: { reason: 'NOT_FOUND', details: 'no such pin request' } });
      p.polls++;
      if (!stallForever) {
        const next: PinState = p.polls === 1 ? 'pinning' : holds(p.pin.cid) ? 'pinned' : 'failed';
        p.status = next;
        if (next === 'failed') p.info = { status_details: 'content could not be found on the network' };
      }
      const { polls: _, ...shown } = p;
      return send(200, shown);
    }
    send(404, { error: { reason: 'NOT_FOUND', details: url.pathname } });
  });
  return { server, pins, setStall: (v: boolean) => (stallForever = v) };
}

describe('production upload: Kubo RPC then the Pinning Service API (local stand-ins)', () => {
  const kubo = fakeKubo();
  const pinning = fakePinning((cid) => kubo.blocks.has(cid));
  let config: CasConfig;

  beforeAll(async () => {
    const kuboUrl = await listen(kubo.server);
    const pinUrl = await listen(pinning.server);
    config = {
      gateways: [kuboUrl],
      upload: { kind: 'kubo', url: `${kuboUrl}/api/v0`, authorization: KUBO_AUTH },
      pinning: { url: pinUrl, token: PIN_TOKEN, pollMs: 5, timeoutMs: 2_000 },
      maxBytes: 8 * MIB,
    };
  });

  afterAll(() => {
    kubo.server.close();
    pinning.server.close();
  });

  it('a small blob goes through add, is pinned after polling, and reads back verified', async () => {
    const bytes = new TextEncoder().encode(JSON.stringify({ spec: 'digits-mlp', v: 1 }));
    const statuses: string[] = [];
    const up = await uploadBlob(bytes, config, { name: 'spec', onPinStatus: (s) => statuses.push(s.status) });
    expect(up.cid).toBe(await fileCid(bytes));
    expect(up.cid).toMatch(/^bafkrei/); // one chunk: the raw CID of its sha-256
    expect(up.size).toBe(bytes.length);
    expect(up.pin).toMatchObject({ status: 'pinned', pin: { cid: up.cid, name: 'spec' } });
    expect(statuses).toEqual(['queued', 'pinning', 'pinned']);
    expect(kubo.calls).toContain('POST /api/v0/add');
    const got = await fetchVerified(up.cid, { gateways: config.gateways });
    expect(Buffer.from(got.bytes).equals(Buffer.from(bytes))).toBe(true);
  });

  it('a file over one chunk is added as a UnixFS DAG with the CID computed here, and reads back', async () => {
    const bytes = new Uint8Array(3 * MIB + 17).map((_, i) => ((i * 31) ^ (i >>> 20)) & 0xff);
    kubo.calls.length = 0;
    const up = await uploadBlob(bytes, config);
    expect(up.cid).toBe(await fileCid(bytes));
    expect(up.cid).toMatch(/^bafybei/);
    expect(up.pin?.status).toBe('pinned');
    expect(kubo.calls).toEqual(['POST /api/v0/add']);
    // The node holds the root and four leaves; the client reads them block by block.
    expect(kubo.blocks.size).toBeGreaterThanOrEqual(5);
    const got = await fetchVerified(up.cid, {
      gateways: config.gateways,
      sha256: `0x${createHash('sha256').update(bytes).digest('hex')}`,
    });
    expect(got.blockCount).toBe(5);
    expect(Buffer.from(got.bytes).equals(Buffer.from(bytes))).toBe(true);
  });

  it('a node that stores the bytes under another CID (no raw leaves) is caught', async () => {
    kubo.setIgnoreRawLeaves(true);
    try {
      const bytes = new TextEncoder().encode('chunked elsewhere');
      const err = (await uploadBlob(bytes, config).catch((e: unknown) => e)) as UploadCidMismatchError;
      expect(err).toBeInstanceOf(UploadCidMismatchError);
      expect(err.expected).toBe(await fileCid(bytes));
      expect(err.actual).toMatch(/^bafybei/);
    } finally {
      kubo.setIgnoreRawLeaves(false);
    }
  });

  it('HTTP failures are typed: a rejected token at the node or at the pinning service', async () => {
    const bytes = new TextEncoder().encode('auth');
    const node = (await uploadBlob(bytes, {
      ...config,
      upload: { ...config.upload, authorization: 'Basic bm9wZQ==' } as CasConfig['upload'],
    }).catch((e: unknown) => e)) as CasHttpError;
    expect(node).toBeInstanceOf(CasHttpError);
    expect(node.status).toBe(401);

    const pin = (await uploadBlob(bytes, { ...config, pinning: { ...config.pinning!, token: 'wrong' } }).catch(
      (e: unknown) => e,
    )) as CasHttpError;
    expect(pin).toBeInstanceOf(CasHttpError);
    expect(pin.status).toBe(401);
    expect(pin.message).toContain('UNAUTHORIZED: Access token is missing or invalid');
  });

  it('a pin that fails, or stays queued past the deadline, is an error naming the CID', async () => {
    // Pinning a CID the node does not hold: the provider cannot find it.
    const missing = rawCid(Buffer.from('never uploaded'));
    const { pinCid } = await import('../../src/lib/storage/cas/index.ts');
    const failed = (await pinCid(missing, config.pinning!).catch((e: unknown) => e)) as PinningError;
    expect(failed).toBeInstanceOf(PinningError);
    expect(failed.code).toBe('pin_failed');
    expect(failed.message).toContain(missing);
    expect(failed.message).toContain('content could not be found');

    pinning.setStall(true);
    try {
      const slow = (await pinCid(missing, { ...config.pinning!, timeoutMs: 40 }).catch(
        (e: unknown) => e,
      )) as PinningError;
      expect(slow).toBeInstanceOf(PinningError);
      expect(slow.code).toBe('pin_timeout');
      expect(slow.message).toMatch(/still queued/);
    } finally {
      pinning.setStall(false);
    }
  });
});
