// ContentRef <-> CID: the chain's (hash, root) pair names one CID, raw when the root is the hash
// (a file of one chunk), dag-pb otherwise; a root CID gives back the bytes32 the chain stores.
import { CID } from 'multiformats/cid';
import * as Digest from 'multiformats/hashes/digest';
import { describe, expect, it } from 'vitest';
import { cidFromBytes, hashFromCid } from '../../../src/lib/ml/artifact/cid.ts';
import { fileCid } from '../../../src/lib/storage/unixfs/dag.ts';
import { cidOfRef, ContentRefError, rootOfCid } from '../../../src/lib/storage/unixfs/ref.ts';
import { CHUNK_BYTES } from '../../../src/lib/storage/unixfs/settings.ts';
import { pseudoRandomBytes } from './support/bytes.ts';

const small = new TextEncoder().encode('a document of one chunk');
const big = pseudoRandomBytes(CHUNK_BYTES + 1, 3);

describe('cidOfRef and rootOfCid', () => {
  it('a one-chunk file: root == hash, the raw CID; no root or a zero root means the same', async () => {
    const cid = await fileCid(small);
    expect(cid).toBe(await cidFromBytes(small));
    const hash = hashFromCid(cid);
    expect(rootOfCid(cid)).toBe(hash);
    for (const ref of [{ hash, root: hash }, { hash }, { hash, root: `0x${'00'.repeat(32)}` as const }]) {
      expect(cidOfRef(ref).toString()).toBe(cid);
    }
  });

  it('a larger file: the root differs from the hash and names the dag-pb root CID', async () => {
    const cid = await fileCid(big);
    const hash = hashFromCid(await cidFromBytes(big));
    const root = rootOfCid(cid);
    expect(root).not.toBe(hash);
    expect(cidOfRef({ hash, root }).toString()).toBe(cid);
    expect(cidOfRef({ hash, root }).code).toBe(0x70);
    // Upper-case hex is the same value.
    expect(cidOfRef({ hash: hash.toUpperCase().replace('0X', '0x') as `0x${string}`, root }).toString()).toBe(cid);
  });

  it.each([
    ['QmdfTbBqBPQ7VNxZEYEj14VmRuZBkqFbiwReogJgS1zR1n', /CIDv0/],
    [CID.createV1(0x0129, Digest.create(0x12, new Uint8Array(32))).toString(), /codec 0x129, not raw or dag-pb/],
    [CID.createV1(0x55, Digest.create(0x13, new Uint8Array(64))).toString(), /not hashed with sha2-256/],
    ['not a cid', /is not a CID/],
  ])('rootOfCid refuses %s', (cid, message) => {
    expect(() => rootOfCid(cid)).toThrow(ContentRefError);
    expect(() => rootOfCid(cid)).toThrow(message);
  });

  it('refuses a malformed hash or root', () => {
    expect(() => cidOfRef({ hash: '0x1234' })).toThrow(/a content hash must be a 0x-prefixed 32-byte hex value/);
    expect(() => cidOfRef({ hash: `0x${'11'.repeat(32)}`, root: '0xzz' })).toThrow(/a content root must be/);
  });
});
