// Errors of the transcript code (SPEC section 8), in a module without tfjs so the ML client can
// rebuild them from a worker's rejection (src/lib/error-registry.ts).
import { ArenaError } from '../../errors.ts';

export type TranscriptErrorCode =
  /** Seed inputs: a chain id, task id or trainer address that cannot be encoded. */
  | 'identity'
  /** A float that cannot be put on the grid (NaN, Infinity, or rounding overflows). */
  | 'nonfinite'
  /** State bytes that are not a state of this spec. */
  | 'state'
  /** A Merkle tree, proof or index that does not fit. */
  | 'merkle'
  /** A transcript run or replay asked for something the fixed program does not allow. */
  | 'program'
  /** A transcript's stored states are missing or do not match their leaves. */
  | 'store'
  /** A disclosure manifest or a disclosed state that is malformed or does not match its leaf. */
  | 'disclosure';

export class TranscriptError extends ArenaError<TranscriptErrorCode> {
  constructor(code: TranscriptErrorCode, message: string, options?: { cause?: unknown }) {
    super(code, message, options);
    this.name = 'TranscriptError';
  }
}
