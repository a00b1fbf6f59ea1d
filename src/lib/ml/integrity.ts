// Every blob a client downloads (dataset manifests and shards, specs, artifacts) is named by its
// sha256 and checked before use (SPEC section 5): a gateway, a cache or a disk can hand back
// wrong bytes, and a trainer must never train or score on them.
import { sha256Hex } from './hash.ts';
import { ArenaError } from '../errors.ts';

export class IntegrityError extends ArenaError<'integrity'> {
  constructor(
    readonly expected: string,
    readonly actual: string,
    /** What was fetched and from where, for the message. */
    readonly what: string,
  ) {
    super('integrity', `${what}: content hash mismatch, expected sha256 ${expected}, got ${actual}`);
    this.name = 'IntegrityError';
  }
}

const HEX64 = /^[0-9a-f]{64}$/;

export function isSha256Hex(value: unknown): value is string {
  return typeof value === 'string' && HEX64.test(value);
}

/** Returns `bytes` if their sha256 is `expected` (lowercase hex); throws IntegrityError if not. */
export async function verifySha256(bytes: Uint8Array, expected: string, what: string): Promise<Uint8Array> {
  const actual = await sha256Hex(bytes);
  if (actual !== expected.toLowerCase()) throw new IntegrityError(expected, actual, what);
  return bytes;
}
