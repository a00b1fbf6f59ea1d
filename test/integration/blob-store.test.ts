// The local stack's blob store, started for real on a free port over a temporary folder, driven
// over HTTP by raw requests and by the app's client (src/lib/storage/cas).
import { createHash } from 'node:crypto';
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, request, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { base36 as base36Codec } from 'multiformats/bases/base36';
import { CID } from 'multiformats/cid';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startBlobStore, type BlobStore } from '../../scripts/lib/blob-store/index.ts';
import { cidFromBytes, cidFromDigest } from '../../src/lib/ml/artifact/cid.ts';
import {
  BlobNotFoundError,
  CasFetchError,
  CasHttpError,
  CidMismatchError,
  fetchVerified,
  uploadBlob,
  uploadToStore,
  type CasConfig,
} from '../../src/lib/storage/cas/index.ts';

const LIMIT = 256 * 1024;
const APP_ORIGIN = 'http://127.0.0.1:5173';
const RAW = 'application/vnd.ipld.raw';

function randomBytes(n: number, seed: number): Uint8Array<ArrayBuffer> {
  const out = new Uint8Array(n);
  let x = seed >>> 0 || 1;
  for (let i = 0; i < n; i++) {
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    out[i] = x & 0xff;
  }
  return out;
}

/** A gateway that serves whatever file it finds for a CID, with no check: what a careless or hostile gateway does. */
async function startCarelessGateway(
  files: (cid: string) => Uint8Array | undefined,
): Promise<{ url: string; hits: string[]; server: Server }> {
  const hits: string[] = [];
  const server = createServer((req, res) => {
    const cid = /^\/ipfs\/([a-z0-9]+)/.exec(req.url ?? '')?.[1] ?? '';
    hits.push(cid);
    const bytes = files(cid);
    if (!bytes) return void res.writeHead(404).end('not here');
    res.writeHead(200, { 'Content-Type': RAW, 'Content-Length': bytes.length }).end(bytes);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, hits, server };
}

describe('blob store over HTTP', () => {
  let dir: string;
  let store: BlobStore;
  let logs: string[];
  let config: CasConfig;

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'aiarena-blob-store-'));
    logs = [];
    store = await startBlobStore({
      dir,
      port: 0,
      maxBlobBytes: LIMIT,
      uploadOrigins: [APP_ORIGIN],
      log: (l) => logs.push(l),
    });
    config = { gateways: [store.url], upload: { kind: 'store', url: `${store.url}/upload` }, maxBytes: LIMIT };
  });

  afterAll(async () => {
    await store?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('round-trips bytes through the client: upload, then a verified download with progress', async () => {
    const bytes = randomBytes(100_000, 1);
    const cid = await cidFromBytes(bytes);
    const up = await uploadBlob(bytes, config);
    expect(up).toEqual({ cid, size: 100_000 });
    expect(readFileSync(join(dir, 'blocks', cid))).toEqual(Buffer.from(bytes));

    const progress: number[] = [];
    const got = await fetchVerified(cid, { gateways: config.gateways, onProgress: (p) => progress.push(p.loaded) });
    expect(got.cid).toBe(cid);
    expect(got.gateway).toBe(store.url);
    expect(got.failures).toEqual([]);
    expect(Buffer.from(got.bytes).equals(Buffer.from(bytes))).toBe(true);
    expect(progress[0]).toBe(0);
    expect(progress.at(-1)).toBe(100_000);
  });

  it('answers GET with the trustless-gateway headers and HEAD with the same headers and no body', async () => {
    const bytes = new TextEncoder().encode('{"hello":"world"}');
    const { cid } = await uploadToStore(bytes, `${store.url}/upload`);
    const get = await fetch(`${store.url}/ipfs/${cid}`, { headers: { Accept: RAW } });
    expect(get.status).toBe(200);
    expect(get.headers.get('content-type')).toBe(RAW);
    expect(get.headers.get('cache-control')).toBe('public, max-age=29030400, immutable');
    expect(get.headers.get('etag')).toBe(`"${cid}.raw"`);
    expect(get.headers.get('x-content-type-options')).toBe('nosniff');
    expect(get.headers.get('access-control-allow-origin')).toBe('*');
    expect(get.headers.get('content-length')).toBe(String(bytes.length));
    expect(new Uint8Array(await get.arrayBuffer())).toEqual(bytes);

    const head = await fetch(`${store.url}/ipfs/${cid}?format=raw`, { method: 'HEAD' });
    expect(head.status).toBe(200);
    expect(head.headers.get('content-type')).toBe(RAW);
    expect(head.headers.get('content-length')).toBe(String(bytes.length));
    expect(head.headers.get('content-disposition')).toBe(`attachment; filename="${cid}.bin"`);
    expect((await head.arrayBuffer()).byteLength).toBe(0);

    const again = await fetch(`${store.url}/ipfs/${cid}`, { headers: { 'If-None-Match': `"${cid}.raw"` } });
    expect(again.status).toBe(304);

    const octets = await fetch(`${store.url}/ipfs/${cid}`, { headers: { Accept: 'application/octet-stream' } });
    expect(octets.headers.get('content-type')).toBe('application/octet-stream');

    // Another multibase names the same content; answers use the canonical base32 form.
    const base36 = CID.parse(cid).toString(base36Codec);
    expect(base36.startsWith('k')).toBe(true);
    const other = await fetch(`${store.url}/ipfs/${base36}`);
    expect(other.status).toBe(200);
    expect(other.headers.get('etag')).toBe(`"${cid}.raw"`);
    expect(new Uint8Array(await other.arrayBuffer())).toEqual(bytes);
  });

  it('404 for content it does not hold, 400 for malformed or unsupported CIDs, 406 for representations it cannot give', async () => {
    const absent = cidFromDigest(createHash('sha256').update('never stored').digest());
    const cases: [string, RequestInit, number, string][] = [
      [`/ipfs/${absent}`, {}, 404, 'not_found'],
      [`/ipfs/not-a-cid`, {}, 400, 'invalid_cid'],
      // dag-pb (a UnixFS directory), CIDv0, and a sha2-512 raw CID.
      [`/ipfs/bafybeigdyrzt5sfp7udm7hu76uh7y26nf3efuylqabf3oclgtqy55fbzdi`, {}, 400, 'invalid_cid'],
      [`/ipfs/QmdfTbBqBPQ7VNxZEYEj14VmRuZBkqFbiwReogJgS1zR1n`, {}, 400, 'invalid_cid'],
      [
        `/ipfs/bafkrgqhhyivzstcz3hhswshfjgy6ertgmnqeleynhwt4dlfsthi4hn7zgh4uvlsb5xncykzapi3ocd4lzogukir6ksdy6wzrnz6ohnv4aglcs`,
        {},
        400,
        'invalid_cid',
      ],
      [`/ipfs/${absent}/file.txt`, {}, 400, 'path_in_block'],
      [`/ipfs/${absent}`, { headers: { Accept: 'application/vnd.ipld.car' } }, 406, 'not_acceptable'],
      [`/ipfs/${absent}?format=car`, {}, 406, 'not_acceptable'],
      [`/ipfs/${absent}?format=zip`, {}, 400, 'bad_format'],
      [`/ipfs/${absent}`, { method: 'DELETE' }, 405, 'method_not_allowed'],
      [`/elsewhere`, {}, 404, 'no_route'],
    ];
    for (const [path, init, status, code] of cases) {
      const res = await fetch(`${store.url}${path}`, init);
      const body = (await res.json()) as { code: string; error: string };
      expect([path, res.status, body.code]).toEqual([path, status, code]);
      expect(body.error.length).toBeGreaterThan(10);
      expect(res.headers.get('cache-control')).toBe('no-store');
    }
  });

  it('413 for an upload over the limit, announced or streamed, and nothing is left on disk', async () => {
    const before = readdirSync(join(dir, 'blocks')).length;
    const big = randomBytes(LIMIT + 1, 2);
    const res = await fetch(`${store.url}/upload`, { method: 'POST', body: big });
    expect(res.status).toBe(413);
    expect((await res.json()) as { code: string; limit: number }).toMatchObject({ code: 'too_large', limit: LIMIT });

    // Chunked, no Content-Length: the limit is enforced while reading.
    const status = await new Promise<number>((resolve, reject) => {
      const req = request(
        `${store.url}/upload`,
        { method: 'POST', headers: { 'Transfer-Encoding': 'chunked' } },
        (r) => {
          r.resume();
          resolve(r.statusCode ?? 0);
        },
      );
      req.on('error', reject);
      const chunk = randomBytes(64 * 1024, 3);
      let sent = 0;
      const pump = () => {
        while (sent < LIMIT * 4) {
          sent += chunk.length;
          if (!req.write(chunk)) return void req.once('drain', pump);
        }
        req.end();
      };
      pump();
    });
    expect(status).toBe(413);
    await new Promise((r) => setTimeout(r, 50));
    expect(readdirSync(join(dir, 'blocks')).length).toBe(before);
    expect(readdirSync(join(dir, 'tmp'))).toEqual([]);
  });

  it('422 when the bytes are not the CID the uploader expected; 415 for a multipart form; 400 for a bad ?cid=', async () => {
    const bytes = new TextEncoder().encode('some content');
    const other = await cidFromBytes(new TextEncoder().encode('other content'));
    const res = await fetch(`${store.url}/upload?cid=${other}`, { method: 'POST', body: bytes });
    expect(res.status).toBe(422);
    expect(await res.json()).toMatchObject({
      code: 'cid_mismatch',
      expected: other,
      actual: await cidFromBytes(bytes),
    });
    expect(readdirSync(join(dir, 'blocks'))).not.toContain(await cidFromBytes(bytes));

    const form = new FormData();
    form.append('file', new Blob([bytes]));
    expect((await fetch(`${store.url}/upload`, { method: 'POST', body: form })).status).toBe(415);
    expect((await fetch(`${store.url}/upload?cid=nope`, { method: 'POST', body: bytes })).status).toBe(400);
    expect(readdirSync(join(dir, 'tmp'))).toEqual([]);
  });

  it('stores the same bytes once however often they are uploaded, in turn or at the same time', async () => {
    const bytes = randomBytes(50_000, 4);
    const cid = await cidFromBytes(bytes);
    const first = await fetch(`${store.url}/upload`, { method: 'POST', body: bytes });
    const second = await fetch(`${store.url}/upload`, { method: 'POST', body: bytes });
    expect([first.status, second.status]).toEqual([201, 200]);
    expect(await first.json()).toEqual({ cid, size: 50_000 });
    expect(await second.json()).toEqual({ cid, size: 50_000 });
    expect(first.headers.get('location')).toBe(`/ipfs/${cid}`);
    const together = await Promise.all([1, 2, 3, 4].map(() => uploadToStore(bytes, `${store.url}/upload`)));
    expect(together.map((r) => r.cid)).toEqual([cid, cid, cid, cid]);
    expect(readdirSync(join(dir, 'blocks')).filter((n) => n === cid)).toHaveLength(1);
    expect(readdirSync(join(dir, 'tmp'))).toEqual([]);
  });

  it('refuses to serve a blob changed on disk (500, taken out of service, then 404) and a re-upload repairs it', async () => {
    const bytes = randomBytes(20_000, 5);
    const { cid } = await uploadToStore(bytes, `${store.url}/upload`);
    const file = join(dir, 'blocks', cid);
    const tampered = Buffer.from(bytes);
    tampered[1234] = tampered[1234]! ^ 0xff;
    writeFileSync(file, tampered);

    const res = await fetch(`${store.url}/ipfs/${cid}`);
    expect(res.status).toBe(500);
    expect(await res.json()).toMatchObject({ code: 'corrupt_blob' });
    expect(readdirSync(join(dir, 'corrupt')).some((n) => n.startsWith(`${cid}.`))).toBe(true);
    expect(logs.some((l) => l.includes(cid) && l.includes('failed its hash check'))).toBe(true);
    expect((await fetch(`${store.url}/ipfs/${cid}`)).status).toBe(404);

    // The client gets no bytes from this store until the content is uploaded again.
    const err = await fetchVerified(cid, { gateways: [store.url], backoffMs: 1 }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(BlobNotFoundError);

    await uploadToStore(bytes, `${store.url}/upload`);
    const repaired = await fetchVerified(cid, { gateways: [store.url] });
    expect(Buffer.from(repaired.bytes).equals(Buffer.from(bytes))).toBe(true);
  });

  it('the client catches a tampered blob served by a gateway that does not check: CidMismatchError naming it', async () => {
    const bytes = randomBytes(30_000, 6);
    const { cid } = await uploadToStore(bytes, `${store.url}/upload`);
    const tampered = Buffer.from(bytes);
    tampered[0] = tampered[0]! ^ 1;
    writeFileSync(join(dir, 'blocks', cid), tampered);
    // Serves the store's files as they are on disk, without the read check.
    const careless = await startCarelessGateway((c) => {
      try {
        return readFileSync(join(dir, 'blocks', c));
      } catch {
        return undefined;
      }
    });
    try {
      const err = (await fetchVerified(cid, { gateways: [careless.url] }).catch((e: unknown) => e)) as CidMismatchError;
      expect(err).toBeInstanceOf(CidMismatchError);
      expect(err.code).toBe('cid_mismatch');
      expect(err.gateway).toBe(careless.url);
      expect(err.expected).toBe(cid);
      expect(err.actual).toBe(await cidFromBytes(tampered));
      expect(err.message).toContain(careless.url);
      expect(err.message).toContain(cid);
      // Never retried against the gateway that lied.
      expect(careless.hits).toEqual([cid]);
    } finally {
      careless.server.close();
      await uploadToStore(bytes, `${store.url}/upload`);
    }
  });

  it('a gateway that returns wrong bytes is reported and the next gateway serves the right ones', async () => {
    const bytes = randomBytes(40_000, 7);
    const { cid } = await uploadToStore(bytes, `${store.url}/upload`);
    const liar = await startCarelessGateway(() => randomBytes(40_000, 99));
    try {
      const seen: string[] = [];
      const got = await fetchVerified(cid, { gateways: [liar.url, store.url], onFailure: (f) => seen.push(f.code) });
      expect(Buffer.from(got.bytes).equals(Buffer.from(bytes))).toBe(true);
      expect(got.gateway).toBe(store.url);
      expect(seen).toEqual(['cid_mismatch']);
      expect(got.failures).toHaveLength(1);
      const mismatch = got.failures[0] as CidMismatchError;
      expect(mismatch).toBeInstanceOf(CidMismatchError);
      expect(mismatch.gateway).toBe(liar.url);
      expect(mismatch.actual).toBe(await cidFromBytes(randomBytes(40_000, 99)));
      expect(liar.hits).toEqual([cid]);
    } finally {
      liar.server.close();
    }
  });

  it('CORS: reads from any origin; uploads and their preflight only from the app', async () => {
    const pre = await fetch(`${store.url}/upload`, {
      method: 'OPTIONS',
      headers: {
        Origin: APP_ORIGIN,
        'Access-Control-Request-Method': 'POST',
        'Access-Control-Request-Headers': 'content-type',
      },
    });
    expect(pre.status).toBe(204);
    expect(pre.headers.get('access-control-allow-origin')).toBe(APP_ORIGIN);
    expect(pre.headers.get('access-control-allow-methods')).toContain('POST');
    expect(pre.headers.get('access-control-allow-headers')?.toLowerCase()).toContain('content-type');

    const evil = await fetch(`${store.url}/upload`, {
      method: 'OPTIONS',
      headers: { Origin: 'https://evil.example', 'Access-Control-Request-Method': 'POST' },
    });
    expect(evil.status).toBe(403);
    expect(evil.headers.get('access-control-allow-origin')).toBeNull();
    const evilPost = await fetch(`${store.url}/upload`, {
      method: 'POST',
      headers: { Origin: 'https://evil.example' },
      body: 'x',
    });
    expect(evilPost.status).toBe(403);

    const ok = await fetch(`${store.url}/upload`, {
      method: 'POST',
      headers: { Origin: APP_ORIGIN },
      body: 'from the app',
    });
    expect(ok.status).toBe(201);
    expect(ok.headers.get('access-control-allow-origin')).toBe(APP_ORIGIN);

    const readPre = await fetch(`${store.url}/ipfs/${((await ok.json()) as { cid: string }).cid}`, {
      method: 'OPTIONS',
      headers: {
        Origin: 'https://anyone.example',
        'Access-Control-Request-Method': 'GET',
        'Access-Control-Request-Headers': 'accept',
      },
    });
    expect(readPre.status).toBe(204);
    expect(readPre.headers.get('access-control-allow-origin')).toBe('*');
  });

  it('the client refuses a download over its size cap without reading it all', async () => {
    const bytes = randomBytes(10_000, 8);
    const { cid } = await uploadToStore(bytes, `${store.url}/upload`);
    const err = (await fetchVerified(cid, { gateways: [store.url], maxBytes: 9_999 }).catch(
      (e: unknown) => e,
    )) as CasFetchError;
    expect(err).toBeInstanceOf(CasFetchError);
    expect(err.failures.map((f) => f.code)).toEqual(['too_large']);
  });

  it('the client reports the store refusing an upload as a typed HTTP error', async () => {
    const err = (await uploadBlob(randomBytes(LIMIT + 1, 9), { ...config, maxBytes: LIMIT * 2 }).catch(
      (e: unknown) => e,
    )) as CasHttpError;
    expect(err).toBeInstanceOf(CasHttpError);
    expect(err.status).toBe(413);
    expect(err.message).toMatch(/limit of 262144 bytes/);
  });
});
