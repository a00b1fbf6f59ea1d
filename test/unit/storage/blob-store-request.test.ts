// The store's request parsing (scripts/lib/blob-store/request.ts): CIDs and paths, the
// representation a request gets, dag-scope, byte ranges, Content-Disposition, ETags, upload forms.
import { base36 } from 'multiformats/bases/base36';
import { base58btc } from 'multiformats/bases/base58';
import { CID } from 'multiformats/cid';
import * as Digest from 'multiformats/hashes/digest';
import { describe, expect, it } from 'vitest';
import {
  contentDisposition,
  etagOf,
  matchesEtag,
  negotiate,
  onlyIfCached,
  parseCarParams,
  parseCid,
  parseIpfsPath,
  parseRange,
  uploadForm,
} from '../../../scripts/lib/blob-store/request.ts';

const HELLO = 'bafkreibm6jg3ux5qumhcn2b3flc3tyu6dmlb4xa7u5bf44yegnrjhc4yeq';
const DIR = 'bafybeigdyrzt5sfp7udm7hu76uh7y26nf3efuylqabf3oclgtqy55fbzdi';
const RAW = 'application/vnd.ipld.raw';
const CAR = 'application/vnd.ipld.car';

describe('parseCid', () => {
  it('names raw and dag-pb CIDs in canonical base32 CIDv1, whatever form they came in', () => {
    const hello = CID.parse(HELLO);
    for (const form of [HELLO, hello.toString(base36), hello.toString(base58btc)]) {
      const r = parseCid(form);
      expect(r.ok && r.cid.toString()).toBe(HELLO);
    }
    const v0 = 'QmdfTbBqBPQ7VNxZEYEj14VmRuZBkqFbiwReogJgS1zR1n';
    const r = parseCid(v0);
    expect(r.ok && r.cid.toString()).toBe(CID.parse(v0).toV1().toString());
    expect(r.ok && r.cid.code).toBe(0x70);
    expect(parseCid(DIR).ok).toBe(true);
  });

  it('takes identity CIDs (the probe bafkqaaa is the empty one)', () => {
    const r = parseCid('bafkqaaa');
    expect(r.ok && r.cid.multihash.code).toBe(0);
    expect(r.ok && r.cid.multihash.digest.length).toBe(0);
  });

  it.each([
    ['', /no CID/],
    ['hello', /not a CID/],
    [`b${'a'.repeat(300)}`, /too long/],
    [CID.createV1(0x71, Digest.create(0x12, new Uint8Array(32))).toString(), /codec 0x71/],
    [CID.createV1(0x55, Digest.create(0x13, new Uint8Array(64))).toString(), /multihash 0x13/],
    [CID.createV1(0x55, Digest.create(0x00, new Uint8Array(129))).toString(), /multihash 0x0 \(129 bytes\)/],
  ])('rejects %j', (input, message) => {
    const r = parseCid(input);
    expect(r).toMatchObject({ ok: false, status: 400, code: 'invalid_cid' });
    expect(!r.ok && r.message).toMatch(message);
  });
});

describe('parseIpfsPath', () => {
  it('takes /ipfs/<cid> with or without a trailing slash', () => {
    for (const p of [`/ipfs/${HELLO}`, `/ipfs/${HELLO}/`]) {
      const r = parseIpfsPath(p);
      expect(r.ok && r.cid.toString()).toBe(HELLO);
    }
  });

  it.each([
    [`/ipfs/`, 'invalid_cid'],
    [`/ipfs/${HELLO}/a/b`, 'path_in_block'],
    [`/ipfs/%E0%A4%A`, 'invalid_cid'],
    [`/ipfs/bafyfoo`, 'invalid_cid'],
  ])('rejects %s with 400 %s', (path, code) => {
    expect(parseIpfsPath(path)).toMatchObject({ ok: false, status: 400, code });
  });
});

describe('negotiate', () => {
  it.each([
    [undefined, null, 'file'],
    ['', null, 'file'],
    ['*/*', null, 'file'],
    ['application/*', null, 'file'],
    ['text/html,application/xhtml+xml,*/*;q=0.8', null, 'file'],
    ['text/html', null, 'file'],
    ['garbage', null, 'file'],
    ['application/octet-stream', null, 'file'],
    [RAW, null, 'raw'],
    [`${RAW}, */*;q=0.8`, null, 'raw'],
    [`${RAW};q=0.5, */*`, null, 'file'],
    [CAR, null, 'car'],
    [`${CAR}; version=1; order=dfs; dups=n`, null, 'car'],
    [`${CAR};q=0.9, ${RAW}`, null, 'raw'],
    [`${CAR}, ${RAW}`, null, 'raw'],
    ['application/octet-stream;q=0.9, application/vnd.ipld.raw;q=0.5', null, 'file'],
    [CAR, 'raw', 'raw'],
    [RAW, 'car', 'car'],
    ['text/html', 'car', 'car'],
  ])('Accept %j, format %j gives the %s', (accept, format, representation) => {
    expect(negotiate(accept, format)).toEqual({ ok: true, representation });
  });

  it.each([
    ['application/vnd.ipld.dag-json', null, 406],
    ['application/x-tar', null, 406],
    [`${CAR}; version=2`, null, 406],
    [`${RAW};q=0, */*;q=0`, null, 406],
    ['*/*;q=0.5, application/vnd.ipld.raw;q=0, application/octet-stream;q=0', null, 406],
    [RAW, 'dag-json', 406],
    [RAW, 'tar', 406],
    [RAW, 'zip', 400],
  ])('Accept %j, format %j is refused with %d', (accept, format, status) => {
    const r = negotiate(accept, format);
    expect(r).toMatchObject({ ok: false, status });
    expect(!r.ok && r.message.length).toBeGreaterThan(30);
  });
});

describe('parseCarParams', () => {
  it('takes dag-scope all (the default), entity and block; refuses others and entity-bytes', () => {
    expect(parseCarParams(new URLSearchParams())).toEqual({ ok: true, scope: 'all' });
    for (const scope of ['all', 'entity', 'block'])
      expect(parseCarParams(new URLSearchParams({ 'dag-scope': scope }))).toEqual({ ok: true, scope });
    expect(parseCarParams(new URLSearchParams({ 'dag-scope': 'deep' }))).toMatchObject({ ok: false, status: 400 });
    expect(parseCarParams(new URLSearchParams({ 'entity-bytes': '0:10' }))).toMatchObject({ ok: false, status: 400 });
  });
});

describe('parseRange', () => {
  it.each([
    [undefined, 100, { kind: 'whole' }],
    ['bytes=0-9', 100, { kind: 'part', start: 0, end: 9 }],
    ['bytes=90-', 100, { kind: 'part', start: 90, end: 99 }],
    ['bytes=90-500', 100, { kind: 'part', start: 90, end: 99 }],
    ['bytes=-10', 100, { kind: 'part', start: 90, end: 99 }],
    ['bytes=-500', 100, { kind: 'part', start: 0, end: 99 }],
    ['bytes=99-99', 100, { kind: 'part', start: 99, end: 99 }],
    ['bytes=100-', 100, { kind: 'unsatisfiable' }],
    ['bytes=-0', 100, { kind: 'unsatisfiable' }],
    ['bytes=0-', 0, { kind: 'unsatisfiable' }],
    ['bytes=5-2', 100, { kind: 'whole' }],
    ['bytes=0-1,5-6', 100, { kind: 'whole' }],
    ['items=0-1', 100, { kind: 'whole' }],
    ['bytes=-', 100, { kind: 'whole' }],
  ])('%j over %d bytes', (header, size, expected) => {
    expect(parseRange(header, size)).toEqual(expected);
  });
});

describe('contentDisposition', () => {
  const q = (o: Record<string, string> = {}) => new URLSearchParams(o);
  it('names the answer after the CID, inline for the file and attachment for blocks and CARs', () => {
    expect(contentDisposition('file', HELLO, q())).toBe(`inline; filename="${HELLO}"`);
    expect(contentDisposition('raw', HELLO, q())).toBe(`attachment; filename="${HELLO}.bin"`);
    expect(contentDisposition('car', HELLO, q())).toBe(`attachment; filename="${HELLO}.car"`);
    expect(contentDisposition('file', HELLO, q({ download: 'true' }))).toBe(`attachment; filename="${HELLO}"`);
  });

  it('takes ?filename=, sanitized: no quotes, slashes or controls; non-ASCII as filename*', () => {
    expect(contentDisposition('file', HELLO, q({ filename: 'model.bin' }))).toBe('inline; filename="model.bin"');
    expect(contentDisposition('file', HELLO, q({ filename: 'a"b\\c/../d\r\n.txt' }))).toBe(
      'inline; filename="a_b_c_.._d.txt"',
    );
    expect(contentDisposition('file', HELLO, q({ filename: 'modèle.bin', download: 'true' }))).toBe(
      `attachment; filename="mod_le.bin"; filename*=UTF-8''mod%C3%A8le.bin`,
    );
    expect(contentDisposition('file', HELLO, q({ filename: '..' }))).toBe(`inline; filename="${HELLO}"`);
    expect(contentDisposition('file', HELLO, q({ filename: 'x'.repeat(500) }))).toBe(
      `inline; filename="${'x'.repeat(200)}"`,
    );
  });
});

describe('etags and cache directives', () => {
  it('tags each representation apart and matches If-None-Match lists, weak forms and *', () => {
    expect(etagOf('raw', HELLO, 'all')).toBe(`"${HELLO}.raw"`);
    expect(etagOf('car', HELLO, 'block')).toBe(`"${HELLO}.car.block"`);
    expect(etagOf('file', HELLO, 'all')).toBe(`"${HELLO}"`);
    const etag = `"${HELLO}.raw"`;
    expect(matchesEtag(etag, etag)).toBe(true);
    expect(matchesEtag(`W/${etag}`, etag)).toBe(true);
    expect(matchesEtag(`"x", ${etag}`, etag)).toBe(true);
    expect(matchesEtag('*', etag)).toBe(true);
    expect(matchesEtag(undefined, etag)).toBe(false);
    expect(matchesEtag(`"${HELLO}"`, etag)).toBe(false);
  });

  it('reads only-if-cached among other directives', () => {
    expect(onlyIfCached('only-if-cached')).toBe(true);
    expect(onlyIfCached('max-age=0, Only-If-Cached')).toBe(true);
    expect(onlyIfCached('no-cache')).toBe(false);
    expect(onlyIfCached(undefined)).toBe(false);
  });
});

describe('uploadForm', () => {
  it.each([
    ['application/vnd.ipld.car', 'car'],
    ['Application/VND.IPLD.CAR; version=1', 'car'],
    ['application/octet-stream', 'bytes'],
    [undefined, 'bytes'],
    ['text/plain;charset=UTF-8', 'bytes'],
    ['multipart/form-data; boundary=x', 'multipart'],
  ])('%j is %s', (type, form) => {
    expect(uploadForm(type)).toBe(form);
  });
});
