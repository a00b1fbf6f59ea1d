// The one kind of CID this store deals in (SPEC section 5): CIDv1, raw codec, sha2-256. Any
// multibase the multiformats parser knows (base32 `b...`, base36 `k...`, base58btc `z...`) is
// accepted on input; the canonical form (lowercase base32, `bafkrei...`) is what we name files,
// URLs and errors with, so the same content always has the same name.
import { cidFromDigest, digestFromCid } from '../../ml/artifact/cid.ts';
import { InvalidCidError } from './errors.ts';

export interface RawCid {
  /** Canonical base32 form. */
  cid: string;
  /** The sha-256 the CID names. */
  digest: Uint8Array;
  /** The same digest as 64 lowercase hex characters, no prefix. */
  sha256: string;
}

/** Longer than any CID we could accept; keeps hostile input out of the parser and the messages. */
const MAX_CID_LENGTH = 128;

export function parseRawCid(input: string): RawCid {
  if (typeof input !== 'string' || input.length === 0) throw new InvalidCidError(String(input), 'A CID is required.');
  if (input.length > MAX_CID_LENGTH) {
    throw new InvalidCidError(input.slice(0, MAX_CID_LENGTH), `"${input.slice(0, 20)}..." is too long to be a CID.`);
  }
  if (input !== input.trim()) throw new InvalidCidError(input, `"${input}" has surrounding spaces.`);
  let digest: Uint8Array;
  try {
    digest = digestFromCid(input);
  } catch (e) {
    throw new InvalidCidError(input, e instanceof Error ? e.message : String(e));
  }
  return { cid: cidFromDigest(digest), digest, sha256: toHex(digest) };
}

export function toHex(bytes: Uint8Array): string {
  let s = '';
  for (const b of bytes) s += b.toString(16).padStart(2, '0');
  return s;
}
