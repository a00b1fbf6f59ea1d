// The CIDs this store deals in (SPEC section 5): CIDv1 with a sha2-256 multihash, of a raw block
// (a whole one-chunk file, or a leaf) or of a dag-pb UnixFS node (the root of a larger file), and
// identity CIDs (content inline in the CID, such as the trustless gateway's probe `bafkqaaa`).
// Any multibase the multiformats parser knows (base32 `b...`, base36 `k...`, base58btc `z...`) is
// accepted on input; the canonical form (lowercase base32) is what we name files, URLs and errors
// with, so the same content always has the same name.
import { CID } from 'multiformats/cid';
import { DAG_PB_CODEC, RAW_CODEC, SHA2_256 } from '../unixfs/ref.ts';
import { InvalidCidError } from './errors.ts';

export const IDENTITY_HASH = 0x00;

export interface ContentCid {
  /** Canonical base32 form. */
  cid: string;
  parsed: CID;
  /** True when the CID carries its content (identity multihash): nothing to fetch. */
  inline: boolean;
}

/** Longer than any CID we could accept; keeps hostile input out of the parser and the messages. */
const MAX_CID_LENGTH = 128;
/** Identity CIDs carry their bytes; more than this is not a CID anyone should send. */
const MAX_INLINE_BYTES = 64;

function parseAny(input: string): CID {
  if (typeof input !== 'string' || input.length === 0) throw new InvalidCidError(String(input), 'A CID is required.');
  if (input.length > MAX_CID_LENGTH) {
    throw new InvalidCidError(input.slice(0, MAX_CID_LENGTH), `"${input.slice(0, 20)}..." is too long to be a CID.`);
  }
  if (input !== input.trim()) throw new InvalidCidError(input, `"${input}" has surrounding spaces.`);
  try {
    return CID.parse(input);
  } catch (e) {
    throw new InvalidCidError(input, `"${input}" is not a CID: ${e instanceof Error ? e.message : String(e)}`);
  }
}

/** A CID of a file or block this store can fetch, serve or pin; InvalidCidError otherwise. */
export function parseContentCid(input: string): ContentCid {
  const parsed = parseAny(input);
  if (parsed.version !== 1)
    throw new InvalidCidError(input, `${input} is a CIDv0; content here is addressed by CIDv1.`);
  if (parsed.code !== RAW_CODEC && parsed.code !== DAG_PB_CODEC) {
    throw new InvalidCidError(
      input,
      `${input} has codec 0x${parsed.code.toString(16)}; only raw (0x55) and dag-pb (0x70) content is served here.`,
    );
  }
  const mh = parsed.multihash;
  const inline = mh.code === IDENTITY_HASH && parsed.code === RAW_CODEC && mh.digest.length <= MAX_INLINE_BYTES;
  if (!inline && (mh.code !== SHA2_256 || mh.digest.length !== 32)) {
    throw new InvalidCidError(
      input,
      `${input} uses multihash 0x${mh.code.toString(16)} (${mh.digest.length} bytes); content here is hashed with sha2-256.`,
    );
  }
  return { cid: parsed.toString(), parsed, inline };
}

export function toHex(bytes: Uint8Array): string {
  let s = '';
  for (const b of bytes) s += b.toString(16).padStart(2, '0');
  return s;
}
