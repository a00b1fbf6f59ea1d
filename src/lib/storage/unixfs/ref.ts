// What the chain holds for a file and how a client finds it (docs/app/artifact-store.md
// "Addresses"). The chain commits to the file's sha-256 (SPEC 5: the duplicate rule, seals and
// circuits use it). Where it names a file that may be larger than one chunk it also holds the
// file's root: the sha2-256 digest of its UnixFS root CID. Both CIDs here use sha2-256, so 32 bytes
// name the root, and the codec follows from the two values:
//   root == hash  ->  the raw CID of the file (a one-chunk file is its own single raw block);
//   root != hash  ->  a dag-pb CID (a raw root's digest is always the file's sha-256).
// A client fetches by the root, checks every block against its CID, and checks the whole file
// against the hash before using it: a wrong root can only make the file unavailable.
import { CID } from 'multiformats/cid';
import * as Digest from 'multiformats/hashes/digest';
import type { Hex } from 'viem';
import { ArenaError } from '../../errors.ts';

export const RAW_CODEC = 0x55;
export const DAG_PB_CODEC = 0x70;
export const SHA2_256 = 0x12;

export class ContentRefError extends ArenaError<'content-ref'> {
  constructor(message: string) {
    super('content-ref', message);
    this.name = 'ContentRefError';
  }
}

/** A file as the chain names it. `root` is omitted for files of one chunk (documents). */
export interface ContentRef {
  hash: Hex;
  root?: Hex;
}

function digestBytes(h: Hex, what: string): Uint8Array {
  if (!/^0x[0-9a-fA-F]{64}$/.test(h))
    throw new ContentRefError(`${what} must be a 0x-prefixed 32-byte hex value, got "${h}"`);
  const out = new Uint8Array(32);
  for (let i = 0; i < 32; i++) out[i] = parseInt(h.slice(2 + 2 * i, 4 + 2 * i), 16);
  return out;
}

function hexOf(bytes: Uint8Array): Hex {
  let s = '0x';
  for (const b of bytes) s += b.toString(16).padStart(2, '0');
  return s as Hex;
}

/**
 * The root CID a reference names. A missing or zero root (the contracts refuse zero; records from
 * before roots have none) means a file of one chunk: the raw CID of the hash.
 */
export function cidOfRef(ref: ContentRef): CID {
  digestBytes(ref.hash, 'a content hash');
  const root = ref.root === undefined || /^0x0{64}$/.test(ref.root) ? ref.hash : ref.root;
  const codec = root.toLowerCase() === ref.hash.toLowerCase() ? RAW_CODEC : DAG_PB_CODEC;
  return CID.createV1(codec, Digest.create(SHA2_256, digestBytes(root, 'a content root')));
}

/**
 * The bytes32 root to publish for a root CID: its sha2-256 digest. Refuses what a ContentRef
 * cannot name (CIDv0, other hashes, codecs other than raw and dag-pb).
 */
export function rootOfCid(cid: CID | string): Hex {
  let parsed: CID;
  try {
    parsed = typeof cid === 'string' ? CID.parse(cid.trim()) : cid;
  } catch (e) {
    throw new ContentRefError(`"${String(cid)}" is not a CID: ${(e as Error).message}`);
  }
  if (parsed.version !== 1) throw new ContentRefError(`${parsed.toString()} is a CIDv0; roots here are CIDv1`);
  if (parsed.code !== RAW_CODEC && parsed.code !== DAG_PB_CODEC) {
    throw new ContentRefError(`${parsed.toString()} has codec 0x${parsed.code.toString(16)}, not raw or dag-pb`);
  }
  if (parsed.multihash.code !== SHA2_256 || parsed.multihash.digest.length !== 32) {
    throw new ContentRefError(`${parsed.toString()} is not hashed with sha2-256`);
  }
  return hexOf(parsed.multihash.digest);
}
