// Where a trainer keeps its transcripts until its rewards vest (SPEC 8.2): every rounded state
// and a small record of the run. IndexedDB in the browser (src/lib/storage/transcripts.ts), a
// directory in Node (src/lib/storage/transcripts-fs.ts); both behind this interface.
import type { Address, Hex } from 'viem';
import type { TranscriptSpec } from '../spec/types.ts';

export const TRANSCRIPT_FORMAT = 'aiarena-transcript';
export const TRANSCRIPT_VERSION = 1;

/** How a transcript starts (SPEC 8.1): seeded, or the final state of an earlier one of the same trainer and task. */
export type TranscriptStart =
  | { kind: 'seeded' }
  | {
      kind: 'continued';
      /** Id of the earlier transcript in the same store. */
      from: string;
      /** Its trajRoot and segment count: what a seal names as the start. */
      root: Hex;
      segments: number;
      /** Its last leaf: leaf 0 of this transcript. */
      leaf: Hex;
    };

export interface TranscriptMeta {
  format: typeof TRANSCRIPT_FORMAT;
  version: typeof TRANSCRIPT_VERSION;
  id: string;
  /** sha256 of the spec file, lowercase hex without 0x. */
  specHash: string;
  /** Decimal strings (uint256). */
  chainId: string;
  task: string;
  trainer: Address;
  settings: TranscriptSpec;
  /** K: segments of the finished transcript. */
  segments: number;
  start: TranscriptStart;
  /** Leaves of the states stored so far: leaves[i] = sha256(state i). */
  leaves: Hex[];
  /** trajRoot, once all K + 1 states are stored. */
  root?: Hex;
  /** Backend the states were computed on (informative: any backend replays within tolerance). */
  backend: string;
  createdAt: number;
  updatedAt: number;
}

export interface TranscriptStore {
  meta(id: string): Promise<TranscriptMeta | undefined>;
  /**
   * Stores state `index` and the record (whose `leaves` already include it) together: once it
   * resolves, both survive a closed tab or a killed process.
   */
  save(meta: TranscriptMeta, index: number, state: Uint8Array): Promise<void>;
  state(id: string, index: number): Promise<Uint8Array | undefined>;
  /** Records, newest first. */
  list(): Promise<TranscriptMeta[]>;
  delete(id: string): Promise<void>;
  close(): void;
}
