// The one place where an agent seals a model that has no training transcript: a plain run (a
// trainer agent without a transcript store, the canary producer; docs/transcript.md section 11)
// carries `transcript: null`. A seal must still commit to some transcript (SPEC 8.2), so such a
// model is sealed with MISSING_TRANSCRIPT: a fixed, documented marker (docs/contracts.md,
// "Transcript commitments"), never a root made to look real. The agents say so in a warning
// every time, because a submission sealed with it cannot be defended: its trainer has no
// transcript to disclose, so a challenge of it fails (SPEC 7 step 2 or the vote).
import { keccak256, stringToHex, type Hex } from 'viem';
import { SEEDED_START, type TranscriptCommitment } from '../chain/transcript-commit.ts';

/** keccak256("aiarena/transcript/missing/v1"): the root of a transcript that does not exist. */
export const MISSING_TRANSCRIPT_ROOT: Hex = keccak256(stringToHex('aiarena/transcript/missing/v1'));

/** What a model without a transcript is sealed with: the marker root, one segment, a seeded start. */
export const MISSING_TRANSCRIPT: TranscriptCommitment = {
  trajRoot: MISSING_TRANSCRIPT_ROOT,
  segments: 1,
  startRoot: SEEDED_START,
  startLeaf: 0,
};

/** Why a model sealed without a transcript cannot be defended, for the agents' warnings. */
export const MISSING_TRANSCRIPT_WARNING =
  'it has no training transcript (it was trained without one), so it is sealed with the placeholder commitment MISSING_TRANSCRIPT: a challenge of it cannot be answered with a disclosure and fails (SPEC 7)';

/** The transcript a model is sealed with, and whether it is the placeholder. Deterministic, so a seal and its reveal agree. */
export function sealTranscript(transcript: TranscriptCommitment | null): {
  transcript: TranscriptCommitment;
  missing: boolean;
} {
  return transcript === null ? { transcript: MISSING_TRANSCRIPT, missing: true } : { transcript, missing: false };
}

export function isMissingTranscript(t: TranscriptCommitment): boolean {
  return t.trajRoot.toLowerCase() === MISSING_TRANSCRIPT_ROOT;
}
