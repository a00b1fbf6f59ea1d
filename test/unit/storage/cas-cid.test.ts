// CID parsing: the client's names for content (the store's request parsing:
// test/unit/storage/blob-store-request.test.ts).
import { createHash } from 'node:crypto';
import { base36 } from 'multiformats/bases/base36';
import { base58btc } from 'multiformats/bases/base58';
import { CID } from 'multiformats/cid';
import * as Digest from 'multiformats/hashes/digest';
import { describe, expect, it } from 'vitest';
import { InvalidCidError, parseContentCid } from '../../../src/lib/storage/cas/index.ts';

const digest = createHash('sha256').update('hello').digest();
const HELLO = 'bafkreibm6jg3ux5qumhcn2b3flc3tyu6dmlb4xa7u5bf44yegnrjhc4yeq';

describe('parseContentCid', () => {
  it('gives the canonical base32 CID and the digest it names', () => {
    const r = parseContentCid(HELLO);
    expect(r.cid).toBe(HELLO);
    expect(r.inline).toBe(false);
    expect(Buffer.from(r.parsed.multihash.digest).equals(digest)).toBe(true);
  });

  it('takes a dag-pb root and an identity CID (inline content, like the probe bafkqaaa)', () => {
    const root = 'bafybeigdyrzt5sfp7udm7hu76uh7y26nf3efuylqabf3oclgtqy55fbzdi';
    expect(parseContentCid(root)).toMatchObject({ cid: root, inline: false });
    expect(parseContentCid(root).parsed.code).toBe(0x70);
    expect(parseContentCid('bafkqaaa')).toMatchObject({ cid: 'bafkqaaa', inline: true });
  });

  it('accepts the same CID in base36 and base58btc and names it in base32', () => {
    const cid = CID.parse(HELLO);
    expect(parseContentCid(cid.toString(base36)).cid).toBe(HELLO);
    expect(parseContentCid(cid.toString(base58btc)).cid).toBe(HELLO);
  });

  it.each([
    ['', /required/],
    ['hello', /not a CID/],
    [` ${HELLO}`, /surrounding spaces/],
    [`b${'a'.repeat(200)}`, /too long/],
    ['QmdfTbBqBPQ7VNxZEYEj14VmRuZBkqFbiwReogJgS1zR1n', /CIDv0/],
    [CID.createV1(0x55, Digest.create(0x13, new Uint8Array(64))).toString(), /multihash 0x13/],
    [CID.createV1(0x70, Digest.create(0x00, new Uint8Array(5))).toString(), /multihash 0x0 \(5 bytes\)/],
    [CID.createV1(0x55, Digest.create(0x00, new Uint8Array(65))).toString(), /multihash 0x0 \(65 bytes\)/],
    [CID.createV1(0x0129, Digest.create(0x12, new Uint8Array(32))).toString(), /codec 0x129/],
  ])('rejects %j', (input, message) => {
    const err = (() => {
      try {
        parseContentCid(input);
      } catch (e) {
        return e;
      }
    })() as InvalidCidError;
    expect(err).toBeInstanceOf(InvalidCidError);
    expect(err.code).toBe('invalid_cid');
    expect(err.message).toMatch(message);
  });
});
