// What a validator's check of a disclosed transcript reports while it runs and when it ends
// (SPEC 8.3, 8.4): shared by the validator agent, which replays, and the Challenges page, which
// shows the replay's progress and the segments checked. Plain data, so it crosses workers and is
// stored with the agent's state.
import type { Hex } from 'viem';

/** Why a check stopped short of a verdict on the transcript as a whole. */
export type TranscriptCheckProblem =
  /** The manifest or a state could not be fetched (after retries), or is not what it claims to be. */
  | 'unavailable'
  /** The manifest does not match the seal's commitment (root, K, start, key commitment, identity). */
  | 'mismatch'
  /** The transcript starts from a state that is not the trainer's seeded start or its own earlier transcript. */
  | 'foreign-start'
  /** The last state's weights are not the submitted artifact. */
  | 'not-the-artifact';

export interface SegmentOutcome {
  segment: number;
  replays: boolean;
  /** Coordinates outside the rule, and the largest deviation from the claimed cell (scaled). */
  failing: number;
  maxDeviation: number;
  seconds: number;
  /** The backend of the replay this outcome reports (absent in older records). */
  backend?: string;
}

export interface TranscriptCheckProgress {
  challengeId: string;
  taskId: string;
  trainer: Hex;
  /** The disclosure's content address (bytes32 sha256 of the manifest). */
  manifest: Hex;
  /** 'whole': the challenger replays every segment; 'segment': a juror replays the disputed one. */
  mode: 'whole' | 'segment';
  status: 'fetching' | 'replaying' | 'replays' | 'fails' | 'problem' | 'cancelled';
  /** Segments of the transcript (K) and those to check in this mode. */
  segments: number;
  toCheck: number[];
  /** Results so far, in the order checked. */
  checked: SegmentOutcome[];
  /** Steps of the segment now replaying, for a progress bar. */
  step?: { segment: number; done: number; of: number };
  /** The first segment that does not replay (what a challenger disputes). */
  firstFailing: number | null;
  problem?: { kind: TranscriptCheckProblem; message: string };
  startedAt: number;
  updatedAt: number;
}
