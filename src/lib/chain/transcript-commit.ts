// What a seal commits to about a submission's training transcript (SPEC 8.1-8.2), exactly as
// SubmissionBook takes it (struct TranscriptCommit; docs/contracts.md, "Transcript
// commitments"). The chain keeps the leaf format out: it stores the root, the number of segments
// K and the start, and refuses any start but the seeded one or the last leaf of the trainer's own
// earlier revealed transcript in the task.
import { keccak256, stringToHex, type Hex } from 'viem';

/** SubmissionBook.SEEDED_START: the start of a transcript that begins at the seeded initialization. */
export const SEEDED_START: Hex = keccak256(stringToHex('aiarena/transcript/seeded/v1'));

/** The contracts' TranscriptCommit, field for field (four words inline in the seal commitment). */
export interface TranscriptCommitment {
  /** Merkle root over the transcript's leaves (the ML engine's leaf format, docs/transcript.md). */
  trajRoot: Hex;
  /** K: leaves 0..K, leaf K is the submitted weights. At least 1, below 2^32. */
  segments: number;
  /** SEEDED_START, or the trajRoot of the trainer's own earlier revealed transcript it continues. */
  startRoot: Hex;
  /** 0 for the seeded start; else the continued transcript's last leaf (its K). */
  startLeaf: number;
}

const MAX_UINT32 = 2 ** 32 - 1;
const BYTES32 = /^0x[0-9a-fA-F]{64}$/;
const ZERO32 = `0x${'0'.repeat(64)}`;

/** A transcript that starts at the seeded initialization (SPEC 8.1). */
export function seededTranscript(trajRoot: Hex, segments: number): TranscriptCommitment {
  return checkedTranscript({ trajRoot, segments, startRoot: SEEDED_START, startLeaf: 0 });
}

/** A transcript that continues the final state (leaf `fromLeaf` = its K) of the trainer's earlier transcript `fromRoot`. */
export function continuedTranscript(
  trajRoot: Hex,
  segments: number,
  fromRoot: Hex,
  fromLeaf: number,
): TranscriptCommitment {
  return checkedTranscript({ trajRoot, segments, startRoot: fromRoot, startLeaf: fromLeaf });
}

/**
 * The commitment if the contracts would accept its shape (RangeError otherwise, before a seal is
 * made that could never be revealed): a non-zero root, 1 <= K < 2^32, a seeded start with leaf 0
 * or a continuation from a non-zero root. Whether a continued root is the trainer's own earlier
 * transcript only the chain knows (SubmissionBook refuses UnknownStart / StartNotFinal).
 */
export function checkedTranscript(t: TranscriptCommitment): TranscriptCommitment {
  if (!BYTES32.test(t.trajRoot) || t.trajRoot === ZERO32)
    throw new RangeError(`trajRoot must be a non-zero 32-byte hex value, got ${t.trajRoot}`);
  if (!Number.isInteger(t.segments) || t.segments < 1 || t.segments > MAX_UINT32)
    throw new RangeError(`segments (K) must be an integer in 1..${MAX_UINT32}, got ${t.segments}`);
  if (!BYTES32.test(t.startRoot) || t.startRoot === ZERO32)
    throw new RangeError(`startRoot must be SEEDED_START or an earlier transcript's root, got ${t.startRoot}`);
  if (!Number.isInteger(t.startLeaf) || t.startLeaf < 0 || t.startLeaf > MAX_UINT32)
    throw new RangeError(`startLeaf must be an integer in 0..${MAX_UINT32}, got ${t.startLeaf}`);
  if (t.startRoot.toLowerCase() === SEEDED_START && t.startLeaf !== 0)
    throw new RangeError(`a seeded start has leaf 0, got ${t.startLeaf}`);
  return t;
}

export function isSeeded(t: TranscriptCommitment): boolean {
  return t.startRoot.toLowerCase() === SEEDED_START;
}
