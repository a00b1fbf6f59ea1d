// The local stack's content store, started for real on a free port over a temporary folder and
// driven over HTTP: uploads (bytes and CARs), the trustless gateway (raw blocks with ranges, CARs
// with dag-scope), the file's bytes, the conformance points of docs/app/artifact-store.md, and the
// app's client (src/lib/storage/cas) against it.
import { createHash } from 'node:crypto';
import { mkdtempSync, readdirSync, readFileSync, rmSync, unlinkSync, writeFileSync } from 'node:fs';
import { createServer, request, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CarBufferWriter, CarReader } from '@ipld/car';
import { base36 as base36Codec } from 'multiformats/bases/base36';
import { CID } from 'multiformats/cid';
import * as Digest from 'multiformats/hashes/digest';
import { pseudoRandomBytes as randomBytes } from '../unit/storage/support/bytes.ts';
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
import { carOfDag, readCar } from '../../src/lib/storage/unixfs/car.ts';
import { fileDag, type DagBlock, type FileDag } from '../../src/lib/storage/unixfs/dag.ts';

const MIB = 1024 * 1024;
const LIMIT = 6 * MIB;
const APP_ORIGIN = 'http://127.0.0.1:5173';
const RAW = 'application/vnd.ipld.raw';
const CAR = 'application/vnd.ipld.car';
const CAR_ANSWER = 'application/vnd.ipld.car; version=1; order=dfs; dups=n';
const IMMUTABLE = 'public, max-age=29030400, immutable';

function carOf(roots: CID[], blocks: DagBlock[]): Uint8Array {
  const length = blocks.reduce((n, b) => n + CarBufferWriter.blockLength(b), CarBufferWriter.headerLength({ roots }));
  const writer = CarBufferWriter.createWriter(new ArrayBuffer(length), { roots });
  for (const b of blocks) writer.write(b);
  return writer.close();
}

const bodyOf = (b: Uint8Array) => new Blob([new Uint8Array(b)]);
const sha256Hex0x = (b: Uint8Array) => `0x${createHash('sha256').update(b).digest('hex')}` as const;
/** Byte equality without vitest's element-by-element diff, which takes seconds on a MiB. */
const same = (a: Uint8Array, b: Uint8Array) => Buffer.from(a.buffer, a.byteOffset, a.byteLength).equals(b);

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

describe('content store over HTTP', () => {
  let dir: string;
  let store: BlobStore;
  let logs: string[];
  let config: CasConfig;
  /** 2.5 MiB: a dag-pb root and three raw leaves (1 MiB, 1 MiB, 0.5 MiB). */
  let big: Uint8Array;
  let bigDag: FileDag;

  const blocksDir = () => join(dir, 'blocks');
  const get = (path: string, init?: RequestInit) => fetch(`${store.url}${path}`, init);
  const post = (body: Uint8Array | string, type?: string, query = '') =>
    fetch(`${store.url}/upload${query}`, {
      method: 'POST',
      headers: type ? { 'Content-Type': type } : {},
      body: typeof body === 'string' ? body : bodyOf(body),
    });
  const bytesOf = async (res: Response) => new Uint8Array(await res.arrayBuffer());

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
    big = randomBytes(2.5 * MIB, 11);
    bigDag = await fileDag(big);
  });

  afterAll(async () => {
    await store?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  describe('uploads', () => {
    it('bytes become the DAG fileDag builds: root CID, size and block count; every block on disk', async () => {
      const res = await post(big, 'application/octet-stream');
      expect(res.status).toBe(201);
      const root = bigDag.root.toString();
      expect(root.startsWith('bafybei')).toBe(true);
      expect(await res.json()).toEqual({ cid: root, size: big.length, blocks: 4 });
      expect(res.headers.get('location')).toBe(`/ipfs/${root}`);
      for (const b of bigDag.blocks)
        expect(same(readFileSync(join(blocksDir(), b.cid.toString())), b.bytes)).toBe(true);

      const again = await post(big);
      expect(again.status).toBe(200);
      expect(await again.json()).toEqual({ cid: root, size: big.length, blocks: 4 });
    });

    it('a CAR of a DAG is checked and stored: the answer is its root, equal to fileDag of the file', async () => {
      const bytes = randomBytes(3 * MIB + 17, 12);
      const dag = await fileDag(bytes);
      const res = await post(carOfDag(dag), CAR);
      expect(res.status).toBe(201);
      expect(await res.json()).toEqual({ cid: dag.root.toString(), size: bytes.length, blocks: 5 });
      const back = await get(`/ipfs/${dag.root.toString()}`);
      expect(same(await bytesOf(back), bytes)).toBe(true);
      // The same file as bytes: the same root, already held.
      const asBytes = await post(bytes);
      expect(asBytes.status).toBe(200);
      expect(((await asBytes.json()) as { cid: string }).cid).toBe(dag.root.toString());
    });

    it('a CAR may leave out blocks the store already holds, but not others', async () => {
      const bytes = randomBytes(2 * MIB + 5, 13);
      const dag = await fileDag(bytes);
      const [root, firstLeaf, ...rest] = dag.blocks;
      const missing = await post(carOf([dag.root], [root!, ...rest]), CAR);
      expect(missing.status).toBe(400);
      expect(await missing.json()).toMatchObject({ code: 'incomplete_dag', missing: firstLeaf!.cid.toString() });
      expect(readdirSync(blocksDir())).not.toContain(dag.root.toString());
      expect(readdirSync(blocksDir())).not.toContain(rest[0]!.cid.toString());

      writeFileSync(join(blocksDir(), firstLeaf!.cid.toString()), firstLeaf!.bytes);
      const completed = await post(carOf([dag.root], [root!, ...rest]), CAR);
      expect(completed.status).toBe(201);
      expect(await completed.json()).toEqual({ cid: dag.root.toString(), size: bytes.length, blocks: 4 });
    });

    it('refuses a CAR with a tampered block (422), several roots, a block over 2 MiB, or no CAR at all (400)', async () => {
      const bytes = randomBytes(MIB + 100, 14);
      const dag = await fileDag(bytes);
      const tamperedLeaf = new Uint8Array(dag.blocks[1]!.bytes);
      tamperedLeaf[5]! ^= 1;
      const tampered = await post(
        carOf([dag.root], [dag.blocks[0]!, { cid: dag.blocks[1]!.cid, bytes: tamperedLeaf }, dag.blocks[2]!]),
        CAR,
      );
      expect(tampered.status).toBe(422);
      expect(await tampered.json()).toMatchObject({ code: 'block_mismatch', block: dag.blocks[1]!.cid.toString() });

      const two = await post(carOf([dag.root, dag.blocks[1]!.cid], dag.blocks), CAR);
      expect(two.status).toBe(400);
      expect(((await two.json()) as { error: string }).error).toMatch(/2 roots/);

      const whole = randomBytes(2 * MIB + 1, 15);
      const wholeCid = CID.parse(await cidFromBytes(whole));
      const tooBig = await post(carOf([wholeCid], [{ cid: wholeCid, bytes: whole }]), CAR);
      expect(tooBig.status).toBe(400);
      expect(await tooBig.json()).toMatchObject({ code: 'block_too_large', limit: 2 * MIB });

      const junk = await post('not a car', CAR);
      expect(junk.status).toBe(400);
      expect(await junk.json()).toMatchObject({ code: 'bad_car' });
      for (const b of [...dag.blocks, { cid: wholeCid }])
        expect(readdirSync(blocksDir())).not.toContain(b.cid.toString());
      expect(readdirSync(join(dir, 'tmp'))).toEqual([]);
    });

    it('refuses a CAR of a file over the limit (413) and a DAG that is not a file (400)', async () => {
      const over = await fileDag(randomBytes(LIMIT + 1, 16));
      const res = await post(carOfDag(over), CAR);
      expect(res.status).toBe(413);
      expect(await res.json()).toMatchObject({ code: 'too_large', limit: LIMIT });

      // A root whose size claims differ from its leaves.
      const small = await fileDag(randomBytes(MIB + 10, 17));
      const lyingRoot = await fileDag(randomBytes(MIB + 11, 18));
      const mixed = await post(carOf([lyingRoot.root], [lyingRoot.blocks[0]!, ...small.blocks.slice(1)]), CAR);
      expect(mixed.status).toBe(400);
      expect(await mixed.json()).toMatchObject({ code: 'incomplete_dag' });
      const wrongLeaf = await post(
        carOf([lyingRoot.root], [lyingRoot.blocks[0]!, small.blocks[2]!, lyingRoot.blocks[2]!]),
        CAR,
      );
      expect(wrongLeaf.status).toBe(400);
    });

    it('?cid= must be the root (422 with both CIDs, for bytes and for CARs); 400 for a bad ?cid=; 415 for multipart', async () => {
      const bytes = new TextEncoder().encode('some content');
      const other = await cidFromBytes(new TextEncoder().encode('other content'));
      const res = await post(bytes, undefined, `?cid=${other}`);
      expect(res.status).toBe(422);
      expect(await res.json()).toMatchObject({
        code: 'cid_mismatch',
        expected: other,
        actual: await cidFromBytes(bytes),
      });
      expect(readdirSync(blocksDir())).not.toContain(await cidFromBytes(bytes));

      const dag = await fileDag(randomBytes(MIB + 1, 19));
      const wrongRoot = await post(carOfDag(dag), CAR, `?cid=${other}`);
      expect(wrongRoot.status).toBe(422);
      expect(await wrongRoot.json()).toMatchObject({ expected: other, actual: dag.root.toString() });
      const right = await post(carOfDag(dag), CAR, `?cid=${dag.root.toString()}`);
      expect(right.status).toBe(201);

      const form = new FormData();
      form.append('file', new Blob([bytes]));
      expect((await fetch(`${store.url}/upload`, { method: 'POST', body: form })).status).toBe(415);
      expect((await post(bytes, undefined, '?cid=nope')).status).toBe(400);
      expect(readdirSync(join(dir, 'tmp'))).toEqual([]);
    });

    it('413 for bytes over the limit, announced or streamed, and nothing is left on disk', async () => {
      const before = readdirSync(blocksDir()).length;
      const res = await post(randomBytes(LIMIT + 1, 2));
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
          while (sent < LIMIT * 2) {
            sent += chunk.length;
            if (!req.write(chunk)) return void req.once('drain', pump);
          }
          req.end();
        };
        pump();
      });
      expect(status).toBe(413);
      await new Promise((r) => setTimeout(r, 50));
      expect(readdirSync(blocksDir()).length).toBe(before);
      expect(readdirSync(join(dir, 'tmp'))).toEqual([]);
    });

    it('stores the same file once however often it is uploaded, in turn or at the same time', async () => {
      const bytes = randomBytes(MIB + 3, 4);
      const dag = await fileDag(bytes);
      const all = await Promise.all([1, 2, 3, 4].map(() => post(bytes)));
      const answers = await Promise.all(all.map((r) => r.json() as Promise<{ cid: string }>));
      expect(answers.map((a) => a.cid)).toEqual(Array(4).fill(dag.root.toString()));
      expect(all.map((r) => r.status).filter((s) => s === 200 || s === 201)).toHaveLength(4);
      expect((await post(bytes)).status).toBe(200);
      for (const b of dag.blocks)
        expect(readdirSync(blocksDir()).filter((n) => n === b.cid.toString())).toHaveLength(1);
      expect(readdirSync(join(dir, 'tmp'))).toEqual([]);
    });
  });

  describe('gateway', () => {
    it("the file's bytes by default: octet-stream, its size, inline under its CID or ?filename=; HEAD the same, no body", async () => {
      const root = bigDag.root.toString();
      const res = await get(`/ipfs/${root}`);
      expect(res.status).toBe(200);
      const h = Object.fromEntries(res.headers);
      expect(h).toMatchObject({
        'content-type': 'application/octet-stream',
        'content-length': String(big.length),
        'content-disposition': `inline; filename="${root}"`,
        etag: `"${root}"`,
        'cache-control': IMMUTABLE,
        'x-ipfs-path': `/ipfs/${root}`,
        'x-ipfs-roots': root,
        'x-content-type-options': 'nosniff',
        'access-control-allow-origin': '*',
        vary: 'Accept',
      });
      for (const exposed of ['Content-Range', 'Content-Disposition', 'X-Ipfs-Roots'])
        expect(h['access-control-expose-headers']).toContain(exposed);
      expect(Buffer.from(await bytesOf(res)).equals(Buffer.from(big))).toBe(true);

      const head = await get(`/ipfs/${root}/?filename=weights%20v1.bin&download=true`, {
        method: 'HEAD',
        headers: { Accept: 'text/html,*/*;q=0.8' },
      });
      expect(head.status).toBe(200);
      expect(head.headers.get('content-length')).toBe(String(big.length));
      expect(head.headers.get('content-disposition')).toBe('attachment; filename="weights v1.bin"');
      expect((await head.arrayBuffer()).byteLength).toBe(0);
      expect((await get(`/ipfs/${root}`, { headers: { 'If-None-Match': `"${root}"` } })).status).toBe(304);
    });

    it('a file whose chunks repeat is sent whole (its CAR holds the shared leaf once)', async () => {
      const zeros = new Uint8Array(3 * MIB + 9);
      const dag = await fileDag(zeros);
      expect(dag.blocks).toHaveLength(3);
      await post(zeros);
      const file = await bytesOf(await get(`/ipfs/${dag.root.toString()}`));
      expect(file.length).toBe(zeros.length);
      expect(file.every((b) => b === 0)).toBe(true);
      const car = await readCar(await bytesOf(await get(`/ipfs/${dag.root.toString()}?format=car`)));
      expect(car.blocks.map((b) => b.cid.toString())).toEqual(dag.blocks.map((b) => b.cid.toString()));
    });

    it('format=raw or Accept raw: any block, with ranges (206, 416), 304 on its ETag, attachment .bin', async () => {
      const [rootBlock, leaf] = bigDag.blocks;
      const root = bigDag.root.toString();
      const res = await get(`/ipfs/${root}?format=raw`);
      expect(res.status).toBe(200);
      expect(res.headers.get('content-type')).toBe(RAW);
      expect(res.headers.get('accept-ranges')).toBe('bytes');
      expect(res.headers.get('etag')).toBe(`"${root}.raw"`);
      expect(res.headers.get('content-disposition')).toBe(`attachment; filename="${root}.bin"`);
      expect(await bytesOf(res)).toEqual(rootBlock!.bytes);

      const leafCid = leaf!.cid.toString();
      const byAccept = await get(`/ipfs/${leafCid}`, { headers: { Accept: RAW } });
      expect(byAccept.headers.get('content-length')).toBe(String(MIB));
      expect(same(await bytesOf(byAccept), leaf!.bytes)).toBe(true);

      const ranges: [string, number, number][] = [
        ['bytes=0-9', 0, 9],
        ['bytes=1048570-', MIB - 6, MIB - 1],
        ['bytes=-100', MIB - 100, MIB - 1],
      ];
      for (const [range, start, end] of ranges) {
        const part = await get(`/ipfs/${leafCid}?format=raw`, { headers: { Range: range } });
        expect([range, part.status]).toEqual([range, 206]);
        expect(part.headers.get('content-range')).toBe(`bytes ${start}-${end}/${MIB}`);
        expect(part.headers.get('content-length')).toBe(String(end - start + 1));
        expect(await bytesOf(part)).toEqual(leaf!.bytes.subarray(start, end + 1));
      }
      const past = await get(`/ipfs/${leafCid}?format=raw`, { headers: { Range: `bytes=${MIB}-` } });
      expect(past.status).toBe(416);
      expect(past.headers.get('content-range')).toBe(`bytes */${MIB}`);
      expect(await past.json()).toMatchObject({ code: 'range_not_satisfiable' });

      const head = await get(`/ipfs/${leafCid}?format=raw`, { method: 'HEAD', headers: { Range: 'bytes=0-99' } });
      expect(head.status).toBe(206);
      expect(head.headers.get('content-length')).toBe('100');
      expect(
        (await get(`/ipfs/${leafCid}`, { headers: { Accept: RAW, 'If-None-Match': `"${leafCid}.raw"` } })).status,
      ).toBe(304);

      // Another multibase names the same block; answers use the canonical base32 form.
      const other = await get(`/ipfs/${leaf!.cid.toString(base36Codec)}?format=raw`);
      expect(other.headers.get('etag')).toBe(`"${leafCid}.raw"`);
      expect(same(await bytesOf(other), leaf!.bytes)).toBe(true);
    });

    it('format=car or Accept car: the DAG depth-first, every block verifiable; dag-scope block, entity, HEAD', async () => {
      const root = bigDag.root.toString();
      const res = await get(`/ipfs/${root}?format=car`);
      expect(res.status).toBe(200);
      expect(res.headers.get('content-type')).toBe(CAR_ANSWER);
      expect(res.headers.get('etag')).toBe(`"${root}.car.all"`);
      expect(res.headers.get('content-disposition')).toBe(`attachment; filename="${root}.car"`);
      const body = await bytesOf(res);
      expect(res.headers.get('content-length')).toBe(String(body.length));
      const car = await readCar(body);
      expect(car.roots.map(String)).toEqual([root]);
      expect(car.blocks.map((b) => b.cid.toString())).toEqual(bigDag.blocks.map((b) => b.cid.toString()));
      expect(Buffer.concat(car.blocks.slice(1).map((b) => b.bytes)).equals(Buffer.from(big))).toBe(true);

      const entity = await bytesOf(await get(`/ipfs/${root}?dag-scope=entity`, { headers: { Accept: CAR } }));
      expect(Buffer.from(entity).equals(Buffer.from(body))).toBe(true);

      const block = await get(`/ipfs/${root}?format=car&dag-scope=block`);
      expect(block.headers.get('etag')).toBe(`"${root}.car.block"`);
      const rootOnly = await readCar(await bytesOf(block));
      expect(rootOnly.blocks.map((b) => b.cid.toString())).toEqual([root]);

      const head = await get(`/ipfs/${root}?format=car`, { method: 'HEAD' });
      expect(head.status).toBe(200);
      expect(head.headers.get('content-length')).toBe(String(body.length));
      expect((await head.arrayBuffer()).byteLength).toBe(0);
    });

    it('identity CIDs answer their inline bytes: the probe bafkqaaa, raw, file and CAR', async () => {
      for (const init of [{}, { method: 'HEAD' }, { headers: { Accept: RAW } }]) {
        const probe = await get('/ipfs/bafkqaaa', init);
        expect(probe.status).toBe(200);
        expect(probe.headers.get('content-length')).toBe('0');
      }
      const hello = CID.createV1(0x55, Digest.create(0, new TextEncoder().encode('hello')));
      expect(new TextDecoder().decode(await bytesOf(await get(`/ipfs/${hello.toString()}`)))).toBe('hello');
      const raw = await get(`/ipfs/${hello.toString()}?format=raw`, { headers: { Range: 'bytes=1-2' } });
      expect(raw.status).toBe(206);
      expect(new TextDecoder().decode(await bytesOf(raw))).toBe('el');
      const car = await CarReader.fromBytes(await bytesOf(await get(`/ipfs/${hello.toString()}?format=car`)));
      const blocks = [];
      for await (const b of car.blocks()) blocks.push(b);
      expect(blocks.map((b) => [b.cid.toString(), new TextDecoder().decode(b.bytes)])).toEqual([
        [hello.toString(), 'hello'],
      ]);
    });

    it('Cache-Control: only-if-cached: 412 for content not held (or held in part), the normal answer otherwise', async () => {
      const absent = cidFromDigest(createHash('sha256').update('never stored').digest());
      const onlyCached = { 'Cache-Control': 'only-if-cached' };
      for (const path of [`/ipfs/${absent}`, `/ipfs/${absent}?format=raw`, `/ipfs/${absent}?format=car`]) {
        const res = await get(path, { headers: onlyCached });
        expect([path, res.status]).toEqual([path, 412]);
        expect(await res.json()).toMatchObject({ code: 'not_cached' });
      }
      const root = bigDag.root.toString();
      expect((await get(`/ipfs/${root}`, { method: 'HEAD', headers: onlyCached })).status).toBe(200);
      const held = await get(`/ipfs/${root}?format=raw`, { headers: onlyCached });
      expect(await bytesOf(held)).toEqual(bigDag.blocks[0]!.bytes);
    });

    it('a DAG missing a block: 404 naming it before any header (412 with only-if-cached); an upload completes it', async () => {
      const bytes = randomBytes(2 * MIB + 77, 21);
      const dag = await fileDag(bytes);
      await post(bytes);
      const leaf = dag.blocks[2]!.cid.toString();
      unlinkSync(join(blocksDir(), leaf));
      const root = dag.root.toString();
      for (const q of ['', '?format=car']) {
        const res = await get(`/ipfs/${root}${q}`);
        expect([q, res.status]).toEqual([q, 404]);
        expect(await res.json()).toMatchObject({ code: 'incomplete_dag', missing: leaf });
        expect(res.headers.get('etag')).toBeNull();
      }
      expect((await get(`/ipfs/${root}`, { headers: { 'Cache-Control': 'only-if-cached' } })).status).toBe(412);
      // The root block itself is held.
      expect((await get(`/ipfs/${root}?format=raw`)).status).toBe(200);
      expect((await get(`/ipfs/${root}?format=car&dag-scope=block`)).status).toBe(200);
      expect((await post(bytes)).status).toBe(200);
      expect(Buffer.from(await bytesOf(await get(`/ipfs/${root}`))).equals(Buffer.from(bytes))).toBe(true);
    });

    it('a whole-file raw block of an older store is still a raw block, a file and a one-block CAR', async () => {
      const whole = randomBytes(3 * MIB, 22);
      const cid = await cidFromBytes(whole);
      writeFileSync(join(blocksDir(), cid), whole);
      expect(same(await bytesOf(await get(`/ipfs/${cid}`)), whole)).toBe(true);
      const part = await get(`/ipfs/${cid}?format=raw`, { headers: { Range: 'bytes=2097152-2097155' } });
      expect(await bytesOf(part)).toEqual(whole.subarray(2 * MIB, 2 * MIB + 4));
      const car = await readCar(await bytesOf(await get(`/ipfs/${cid}?format=car`)));
      expect(car.blocks.map((b) => b.cid.toString())).toEqual([cid]);
    });

    it('errors: 404 not held, 400 bad CID/path/format/scope, 406 what it cannot give, 405, no-store', async () => {
      const absent = cidFromDigest(createHash('sha256').update('never stored').digest());
      const cases: [string, RequestInit, number, string][] = [
        [`/ipfs/${absent}`, {}, 404, 'not_found'],
        // dag-pb and CIDv0 name blocks the store could hold.
        [`/ipfs/bafybeigdyrzt5sfp7udm7hu76uh7y26nf3efuylqabf3oclgtqy55fbzdi`, {}, 404, 'not_found'],
        [`/ipfs/QmdfTbBqBPQ7VNxZEYEj14VmRuZBkqFbiwReogJgS1zR1n`, {}, 404, 'not_found'],
        [`/ipfs/not-a-cid`, {}, 400, 'invalid_cid'],
        [
          `/ipfs/bafkrgqhhyivzstcz3hhswshfjgy6ertgmnqeleynhwt4dlfsthi4hn7zgh4uvlsb5xncykzapi3ocd4lzogukir6ksdy6wzrnz6ohnv4aglcs`,
          {},
          400,
          'invalid_cid',
        ],
        [`/ipfs/${absent}/file.txt`, {}, 400, 'path_in_block'],
        [`/ipfs/${absent}?format=tar`, {}, 406, 'not_acceptable'],
        [`/ipfs/${absent}`, { headers: { Accept: 'application/vnd.ipld.dag-json' } }, 406, 'not_acceptable'],
        [`/ipfs/${absent}?format=zip`, {}, 400, 'bad_format'],
        [`/ipfs/${absent}?format=car&dag-scope=deep`, {}, 400, 'bad_request'],
        [`/ipfs/${absent}`, { method: 'DELETE' }, 405, 'method_not_allowed'],
        [`/elsewhere`, {}, 404, 'no_route'],
      ];
      for (const [path, init, status, code] of cases) {
        const res = await get(path, init);
        const body = (await res.json()) as { code: string; error: string };
        expect([path, res.status, body.code]).toEqual([path, status, code]);
        expect(body.error.length).toBeGreaterThan(10);
        expect(res.headers.get('cache-control')).toBe('no-store');
      }
    });

    it('a block changed on disk: raw answers 500 and quarantines it; a file cut short; then 404; an upload repairs', async () => {
      const bytes = randomBytes(2 * MIB + 3, 23);
      const dag = await fileDag(bytes);
      await post(bytes);
      const root = dag.root.toString();
      const leaf = dag.blocks[1]!.cid.toString();
      const tampered = Buffer.from(dag.blocks[1]!.bytes);
      tampered[1234] = tampered[1234]! ^ 0xff;
      writeFileSync(join(blocksDir(), leaf), tampered);

      const raw = await get(`/ipfs/${leaf}?format=raw`);
      expect(raw.status).toBe(500);
      expect(await raw.json()).toMatchObject({ code: 'corrupt_block', block: leaf });
      expect(readdirSync(join(dir, 'corrupt')).some((n) => n.startsWith(`${leaf}.`))).toBe(true);
      expect(logs.some((l) => l.includes(leaf) && l.includes('failed its hash check'))).toBe(true);
      expect((await get(`/ipfs/${leaf}?format=raw`)).status).toBe(404);

      // Headers are out before a leaf is read: the file stops short instead of carrying bad bytes.
      await post(bytes);
      writeFileSync(join(blocksDir(), leaf), tampered);
      // The socket closes before or after the headers reach the client: either way no file.
      const got = await get(`/ipfs/${root}`)
        .then((r) => r.arrayBuffer())
        .then(
          (b) => b.byteLength,
          () => -1,
        );
      expect(got).toBeLessThan(bytes.length);
      expect((await get(`/ipfs/${root}`)).status).toBe(404);

      await post(bytes);
      expect(Buffer.from(await bytesOf(await get(`/ipfs/${root}`))).equals(Buffer.from(bytes))).toBe(true);
    });

    it('GET / says what the store serves and its limits', async () => {
      const info = (await (await get('/')).json()) as Record<string, unknown>;
      expect(info).toMatchObject({
        maxBlobBytes: LIMIT,
        maxBlockBytes: 2 * MIB,
        gateway: {
          formats: ['raw', 'car', 'file'],
          car: { dagScopes: ['all', 'entity', 'block'] },
          onlyIfCached: true,
        },
        dagSettings: { cidVersion: 1, rawLeaves: true, chunkBytes: MIB, maxLinksPerNode: 1024 },
      });
    });

    it('CORS: reads from any origin with Range and Cache-Control allowed; uploads and their preflight only from the app', async () => {
      const readPre = await get(`/ipfs/${bigDag.root.toString()}`, {
        method: 'OPTIONS',
        headers: {
          Origin: 'https://anyone.example',
          'Access-Control-Request-Method': 'GET',
          'Access-Control-Request-Headers': 'accept, range, cache-control',
        },
      });
      expect(readPre.status).toBe(204);
      expect(readPre.headers.get('access-control-allow-origin')).toBe('*');
      expect(readPre.headers.get('access-control-allow-headers')).toMatch(/Range/);
      expect(readPre.headers.get('access-control-allow-headers')).toMatch(/Cache-Control/);

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
    });
  });

  // The app's client as it is now: files of one chunk, whose root is their raw CID.
  describe("the app's client (src/lib/storage/cas)", () => {
    it('round-trips a file of one chunk and one of several: uploaded as a CAR, read block by block with progress', async () => {
      const small = randomBytes(100_000, 1);
      const smallCid = await cidFromBytes(small);
      expect(await uploadBlob(small, config)).toEqual({ cid: smallCid, size: 100_000 });
      expect(same(readFileSync(join(blocksDir(), smallCid)), small)).toBe(true);
      const one = await fetchVerified(smallCid, { gateways: config.gateways });
      expect([one.cid, one.gateway, one.failures, one.blockCount]).toEqual([smallCid, store.url, [], 1]);

      const bytes = randomBytes(3 * MIB + 1000, 2);
      const up = await uploadBlob(bytes, config);
      expect(up).toEqual({ cid: (await fileDag(bytes)).root.toString(), size: bytes.length });
      const progress: [number, number | undefined][] = [];
      const got = await fetchVerified(up.cid, {
        gateways: config.gateways,
        sha256: sha256Hex0x(bytes),
        onProgress: (p) => progress.push([p.loaded, p.total]),
      });
      expect(Buffer.from(got.bytes).equals(Buffer.from(bytes))).toBe(true);
      expect(got.blockCount).toBe(5);
      expect(progress.at(-1)).toEqual([bytes.length, bytes.length]);
      expect(progress.length).toBeGreaterThanOrEqual(4);
    });

    it('a tampered block from one gateway is rejected and the rest of the file comes from the next', async () => {
      const bytes = randomBytes(3 * MIB + 1000, 3);
      const dag = await fileDag(bytes);
      await uploadBlob(bytes, config);
      const victim = dag.blocks[2]!.cid.toString();
      // A gateway that serves the store's blocks but flips a byte of one leaf.
      const liar = await startCarelessGateway((cid) => {
        const block = dag.blocks.find((b) => b.cid.toString() === cid)?.bytes;
        if (!block || cid !== victim) return block;
        const bad = new Uint8Array(block);
        bad[7] = bad[7]! ^ 0x80;
        return bad;
      });
      try {
        const seen: string[] = [];
        const got = await fetchVerified(dag.root.toString(), {
          gateways: [liar.url, store.url],
          sha256: sha256Hex0x(bytes),
          concurrency: 1,
          onFailure: (f) => seen.push(`${f.code} ${(f as CidMismatchError).expected}`),
        });
        expect(Buffer.from(got.bytes).equals(Buffer.from(bytes))).toBe(true);
        expect(seen).toEqual([`cid_mismatch ${victim}`]);
        // The liar served the root and the first leaf, lied once, and was asked nothing more.
        expect(liar.hits).toEqual([dag.root.toString(), dag.blocks[1]!.cid.toString(), victim]);
      } finally {
        liar.server.close();
      }
    });

    it('resumes after a dropped connection: only the block in flight is asked for again', async () => {
      const bytes = randomBytes(3 * MIB + 1000, 4);
      const dag = await fileDag(bytes);
      await uploadBlob(bytes, config);
      const requests: string[] = [];
      let dropped = false;
      // In front of the store: the third block's first answer is cut off half way.
      const flaky = createServer((req, res) => {
        const cid = /^\/ipfs\/([a-z0-9]+)/.exec(req.url ?? '')?.[1] ?? '';
        requests.push(cid);
        const block = dag.blocks.find((b) => b.cid.toString() === cid)!.bytes;
        res.writeHead(200, { 'Content-Type': RAW, 'Content-Length': block.length });
        if (cid === dag.blocks[2]!.cid.toString() && !dropped) {
          dropped = true;
          res.write(block.subarray(0, block.length >> 1), () => res.destroy());
          return;
        }
        res.end(block);
      });
      await new Promise<void>((resolve) => flaky.listen(0, '127.0.0.1', resolve));
      try {
        const url = `http://127.0.0.1:${(flaky.address() as AddressInfo).port}`;
        const got = await fetchVerified(dag.root.toString(), { gateways: [url], concurrency: 1, backoffMs: 1 });
        expect(Buffer.from(got.bytes).equals(Buffer.from(bytes))).toBe(true);
        expect(got.failures).toEqual([]); // retried on the same gateway, not given up
        const victim = dag.blocks[2]!.cid.toString();
        expect(requests.filter((c) => c === victim)).toHaveLength(2);
        expect(requests).toHaveLength(dag.blocks.length + 1);
      } finally {
        flaky.close();
        flaky.closeAllConnections();
      }
    });

    it('a store that took a block out of service gives the client nothing until it is uploaded again', async () => {
      const bytes = randomBytes(20_000, 5);
      const { cid } = await uploadToStore(bytes, `${store.url}/upload`);
      const tampered = Buffer.from(bytes);
      tampered[1234] = tampered[1234]! ^ 0xff;
      writeFileSync(join(blocksDir(), cid), tampered);
      const err = await fetchVerified(cid, { gateways: [store.url], backoffMs: 1, retries: 0 }).catch(
        (e: unknown) => e,
      );
      expect(err).toBeInstanceOf(CasFetchError);
      expect(await fetchVerified(cid, { gateways: [store.url], backoffMs: 1 }).catch((e: unknown) => e)).toBeInstanceOf(
        BlobNotFoundError,
      );
      await uploadToStore(bytes, `${store.url}/upload`);
      const repaired = await fetchVerified(cid, { gateways: [store.url] });
      expect(Buffer.from(repaired.bytes).equals(Buffer.from(bytes))).toBe(true);
    });

    it('catches a tampered blob from a gateway that does not check, and takes the next gateway after a liar', async () => {
      const bytes = randomBytes(30_000, 6);
      const { cid } = await uploadToStore(bytes, `${store.url}/upload`);
      const tampered = Buffer.from(bytes);
      tampered[0] = tampered[0]! ^ 1;
      const careless = await startCarelessGateway(() => tampered);
      try {
        const err = (await fetchVerified(cid, { gateways: [careless.url] }).catch(
          (e: unknown) => e,
        )) as CidMismatchError;
        expect(err).toBeInstanceOf(CidMismatchError);
        expect([err.gateway, err.expected, err.actual]).toEqual([careless.url, cid, await cidFromBytes(tampered)]);
        // Never retried against the gateway that lied.
        expect(careless.hits).toEqual([cid]);
        const seen: string[] = [];
        const got = await fetchVerified(cid, {
          gateways: [careless.url, store.url],
          onFailure: (f) => seen.push(f.code),
        });
        expect(Buffer.from(got.bytes).equals(Buffer.from(bytes))).toBe(true);
        expect([got.gateway, seen]).toEqual([store.url, ['cid_mismatch']]);
      } finally {
        careless.server.close();
      }
    });

    it('refuses a download over its cap, and reports the store refusing an upload as a typed HTTP error', async () => {
      const bytes = randomBytes(10_000, 8);
      const { cid } = await uploadToStore(bytes, `${store.url}/upload`);
      const err = (await fetchVerified(cid, { gateways: [store.url], maxBytes: 9_999 }).catch(
        (e: unknown) => e,
      )) as CasFetchError;
      expect(err).toBeInstanceOf(CasFetchError);
      expect(err.failures.map((f) => f.code)).toEqual(['too_large']);
      const refused = (await uploadBlob(randomBytes(LIMIT + 1, 9), { ...config, maxBytes: LIMIT * 2 }).catch(
        (e: unknown) => e,
      )) as CasHttpError;
      expect(refused).toBeInstanceOf(CasHttpError);
      expect(refused.status).toBe(413);
      expect(refused.message).toMatch(new RegExp(`limit of ${LIMIT} bytes`));
    });
  });
});
