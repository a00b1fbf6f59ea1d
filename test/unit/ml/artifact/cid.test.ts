import { describe, expect, it } from 'vitest';
import { CID } from 'multiformats/cid';
import * as raw from 'multiformats/codecs/raw';
import * as json from 'multiformats/codecs/json';
import { sha256 } from 'multiformats/hashes/sha2';
import { identity } from 'multiformats/hashes/identity';
import { base58btc } from 'multiformats/bases/base58';
import { createHash } from 'node:crypto';
import {
  CidError,
  cidFromBytes,
  cidFromDigest,
  digestFromCid,
  hashFromCid,
} from '../../../../src/lib/ml/artifact/cid.ts';

const text = (s: string) => new TextEncoder().encode(s);

// RFC 4648 base32, lowercase, no padding, written out here so the check does not rest on
// multiformats alone.
function base32(bytes: Uint8Array): string {
  const alphabet = 'abcdefghijklmnopqrstuvwxyz234567';
  let out = '';
  let acc = 0;
  let bits = 0;
  for (const b of bytes) {
    acc = (acc << 8) | b;
    bits += 8;
    while (bits >= 5) {
      out += alphabet[(acc >>> (bits - 5)) & 31];
      bits -= 5;
    }
    acc &= (1 << bits) - 1;
  }
  if (bits > 0) out += alphabet[(acc << (5 - bits)) & 31];
  return out;
}

function byHand(content: Uint8Array): string {
  const digest = createHash('sha256').update(content).digest();
  return `b${base32(new Uint8Array([0x01, 0x55, 0x12, 0x20, ...digest]))}`;
}

describe('CIDs', () => {
  // Well-known: the raw CIDv1 of the empty file, as IPFS gateways list it.
  const EMPTY = 'bafkreihdwdcefgh4dqkjv67uzcmw7ojee6xedzdetojuzjevtenxquvyku';
  const HELLO_WORLD_NL = 'bafkreifjjcie6lypi6ny7amxnfftagclbuxndqonfipmb64f2km2devei4';

  it('the empty file has the well-known raw CID', async () => {
    expect(byHand(new Uint8Array())).toBe(EMPTY);
    expect(await cidFromBytes(new Uint8Array())).toBe(EMPTY);
  });

  it('"hello world\\n" agrees three ways: hard-coded, by hand, and multiformats', async () => {
    const bytes = text('hello world\n');
    const mf = CID.create(1, raw.code, await sha256.digest(bytes)).toString();
    expect(byHand(bytes)).toBe(HELLO_WORLD_NL);
    expect(mf).toBe(HELLO_WORLD_NL);
    expect(await cidFromBytes(bytes)).toBe(HELLO_WORLD_NL);
    expect(hashFromCid(HELLO_WORLD_NL)).toBe('0xa948904f2f0f479b8f8197694b30184b0d2ed1c1cd2a1ec0fb85d299a192a447');
  });

  it('agrees with the by-hand construction on random contents', async () => {
    for (let n = 0; n < 40; n++) {
      const bytes = new Uint8Array(n * 37).map((_, i) => (i * 131 + n) & 255);
      expect(await cidFromBytes(bytes)).toBe(byHand(bytes));
    }
  });

  it('converts both ways between digest and CID', () => {
    const digest = createHash('sha256').update('x').digest();
    const cid = cidFromDigest(new Uint8Array(digest));
    expect(cid.startsWith('bafkrei')).toBe(true);
    expect(cidFromDigest(`0x${digest.toString('hex')}`)).toBe(cid);
    expect([...digestFromCid(cid)]).toEqual([...digest]);
    expect(hashFromCid(cid)).toBe(`0x${digest.toString('hex')}`);
    // The same CID in another multibase names the same bytes.
    const b58 = CID.parse(cid).toString(base58btc);
    expect(b58.startsWith('z')).toBe(true);
    expect(hashFromCid(b58)).toBe(`0x${digest.toString('hex')}`);
  });

  it('rejects other versions, codecs and hashes with a reason', async () => {
    const bytes = text('{}');
    const digest = await sha256.digest(bytes);
    const v0 = CID.createV0(digest).toString();
    expect(() => digestFromCid(v0)).toThrow(/CIDv0/);
    const dagJson = CID.create(1, json.code, digest).toString();
    expect(() => digestFromCid(dagJson)).toThrow(/codec 0x200, expected raw/);
    const ident = CID.create(1, raw.code, identity.digest(bytes)).toString();
    expect(() => digestFromCid(ident)).toThrow(/multihash 0x0 .*expected sha2-256/);
    expect(() => digestFromCid('not a cid')).toThrow(CidError);
    expect(() => cidFromDigest(new Uint8Array(31))).toThrow(CidError);
    expect(() => cidFromDigest('0x1234')).toThrow(CidError);
  });
});
