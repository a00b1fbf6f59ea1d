// CID and request parsing: the store's names and the gateway request's path and representation.
import { createHash } from 'node:crypto';
import { base36 } from 'multiformats/bases/base36';
import { base58btc } from 'multiformats/bases/base58';
import { CID } from 'multiformats/cid';
import * as Digest from 'multiformats/hashes/digest';
import { describe, expect, it } from 'vitest';
import { matchesEtag, negotiateRaw, parseIpfsPath } from '../../../scripts/lib/blob-store/request.ts';
import { InvalidCidError, parseRawCid } from '../../../src/lib/storage/cas/index.ts';

const digest = createHash('sha256').update('hello').digest();
const HELLO = 'bafkreibm6jg3ux5qumhcn2b3flc3tyu6dmlb4xa7u5bf44yegnrjhc4yeq';
const RAW = 'application/vnd.ipld.raw';

describe('parseRawCid', () => {
  it('gives the canonical base32 CID, the digest and its hex', () => {
    const r = parseRawCid(HELLO);
    expect(r.cid).toBe(HELLO);
    expect(r.sha256).toBe(digest.toString('hex'));
    expect(Buffer.from(r.digest).equals(digest)).toBe(true);
  });

  it('accepts the same CID in base36 and base58btc and names it in base32', () => {
    const cid = CID.parse(HELLO);
    expect(parseRawCid(cid.toString(base36)).cid).toBe(HELLO);
    expect(parseRawCid(cid.toString(base58btc)).cid).toBe(HELLO);
  });

  it.each([
    ['', /required/],
    ['hello', /not a CID/],
    [` ${HELLO}`, /surrounding spaces/],
    [`b${'a'.repeat(200)}`, /too long/],
    ['QmdfTbBqBPQ7VNxZEYEj14VmRuZBkqFbiwReogJgS1zR1n', /CIDv0/],
    ['bafybeigdyrzt5sfp7udm7hu76uh7y26nf3efuylqabf3oclgtqy55fbzdi', /not a raw sha2-256 block/],
    [CID.createV1(0x55, Digest.create(0x13, new Uint8Array(64))).toString(), /multihash 0x13/],
    [CID.createV1(0x55, Digest.create(0x00, new Uint8Array(5))).toString(), /not a raw sha2-256 block/],
    [CID.createV1(0x0129, Digest.create(0x12, new Uint8Array(32))).toString(), /codec 0x129/],
  ])('rejects %j', (input, message) => {
    const err = (() => {
      try {
        parseRawCid(input);
      } catch (e) {
        return e;
      }
    })() as InvalidCidError;
    expect(err).toBeInstanceOf(InvalidCidError);
    expect(err.code).toBe('invalid_cid');
    expect(err.message).toMatch(message);
  });
});

describe('parseIpfsPath', () => {
  it('takes /ipfs/<cid> with or without a trailing slash', () => {
    for (const p of [`/ipfs/${HELLO}`, `/ipfs/${HELLO}/`]) {
      const r = parseIpfsPath(p);
      expect(r.ok && r.blob.cid).toBe(HELLO);
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

describe('negotiateRaw', () => {
  it.each([
    [undefined, null, RAW],
    ['', null, RAW],
    [RAW, null, RAW],
    ['*/*', null, RAW],
    ['application/*', null, RAW],
    ['text/html,application/xhtml+xml,*/*;q=0.8', null, RAW],
    ['application/octet-stream', null, 'application/octet-stream'],
    ['application/octet-stream;q=0.9, application/vnd.ipld.raw;q=0.5', null, 'application/octet-stream'],
    ['application/vnd.ipld.car', 'raw', RAW],
    ['garbage', null, RAW],
  ])('Accept %j, format %j gives %s', (accept, format, type) => {
    expect(negotiateRaw(accept, format)).toEqual({ ok: true, contentType: type });
  });

  it.each([
    ['application/vnd.ipld.car', null, 406],
    ['text/html', null, 406],
    ['application/vnd.ipld.raw;q=0, */*;q=0', null, 406],
    ['*/*;q=0.5, application/vnd.ipld.raw;q=0, application/octet-stream;q=0', null, 406],
    [RAW, 'car', 406],
    [RAW, 'dag-json', 406],
    [RAW, 'zip', 400],
  ])('Accept %j, format %j is refused with %d', (accept, format, status) => {
    expect(negotiateRaw(accept, format)).toMatchObject({ ok: false, status });
  });
});

describe('matchesEtag', () => {
  const etag = `"${HELLO}.raw"`;
  it('matches the exact tag, a weak form, a list and *', () => {
    expect(matchesEtag(etag, etag)).toBe(true);
    expect(matchesEtag(`W/${etag}`, etag)).toBe(true);
    expect(matchesEtag(`"x", ${etag}`, etag)).toBe(true);
    expect(matchesEtag('*', etag)).toBe(true);
    expect(matchesEtag(undefined, etag)).toBe(false);
    expect(matchesEtag(`"${HELLO}"`, etag)).toBe(false);
  });
});
