// Raw CIDs (CIDv1, raw codec, sha2-256 multihash, base32): the sha256 digest with a fixed 4-byte
// prefix, so they convert both ways with a bytes32 hash on chain. A file of one UnixFS chunk is
// addressed by the raw CID of its sha256 (SPEC section 5); larger files have a dag-pb root
// (src/lib/storage/unixfs), which no hash converts to.
import { CID } from 'multiformats/cid';
import * as Digest from 'multiformats/hashes/digest';
import { sha256Bytes } from '../hash.ts';
import { ArenaError } from '../../errors.ts';

const RAW_CODEC = 0x55;
const SHA2_256 = 0x12;

export class CidError extends ArenaError<'cid'> {
  constructor(message: string) {
    super('cid', message);
    this.name = 'CidError';
  }
}

/** The CID (`bafkrei...`) of a sha256 digest, given as 32 bytes or as 0x-prefixed hex. */
export function cidFromDigest(digest: Uint8Array | `0x${string}`): string {
  const bytes = typeof digest === 'string' ? hexToBytes32(digest) : digest;
  if (bytes.length !== 32) throw new CidError(`a sha2-256 digest is 32 bytes, got ${bytes.length}`);
  return CID.createV1(RAW_CODEC, Digest.create(SHA2_256, bytes)).toString();
}

/** The CID of some bytes. */
export async function cidFromBytes(bytes: Uint8Array): Promise<string> {
  return cidFromDigest(await sha256Bytes(bytes));
}

/** The sha256 digest a CID names; rejects anything but CIDv1 raw sha2-256. */
export function digestFromCid(cid: string): Uint8Array {
  let parsed: CID;
  try {
    parsed = CID.parse(cid.trim());
  } catch (e) {
    throw new CidError(`"${cid}" is not a CID: ${(e as Error).message}`);
  }
  if (parsed.version !== 1)
    throw new CidError(`${cid} is a CIDv${parsed.version}; content here is addressed by CIDv1 (raw, sha2-256)`);
  if (parsed.code !== RAW_CODEC) {
    throw new CidError(
      `${cid} has codec 0x${parsed.code.toString(16)}, expected raw (0x55): it does not address plain bytes`,
    );
  }
  const mh = parsed.multihash;
  if (mh.code !== SHA2_256 || mh.digest.length !== 32) {
    throw new CidError(
      `${cid} uses multihash 0x${mh.code.toString(16)} (${mh.digest.length} bytes), expected sha2-256 (0x12, 32 bytes)`,
    );
  }
  return new Uint8Array(mh.digest);
}

/** The sha256 a CID names as 0x-prefixed hex (the on-chain bytes32). */
export function hashFromCid(cid: string): `0x${string}` {
  let s = '0x';
  for (const b of digestFromCid(cid)) s += b.toString(16).padStart(2, '0');
  return s as `0x${string}`;
}

function hexToBytes32(h: string): Uint8Array {
  if (!/^0x[0-9a-fA-F]{64}$/.test(h)) throw new CidError(`expected a 0x-prefixed 32-byte hex digest, got "${h}"`);
  const out = new Uint8Array(32);
  for (let i = 0; i < 32; i++) out[i] = parseInt(h.slice(2 + 2 * i, 4 + 2 * i), 16);
  return out;
}
