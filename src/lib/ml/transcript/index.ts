// Training transcripts (SPEC section 8; docs/transcript.md).
export { TranscriptError, type TranscriptErrorCode } from './errors.ts';
export {
  DATA_TAG,
  INIT_TAG,
  NOISE_TAG,
  deriveSeed,
  transcriptSeeds,
  type TranscriptIdentity,
  type TranscriptSeeds,
} from './seeds.ts';
export { gridCell, onGrid, roundArray, roundToGrid } from './round.ts';
export {
  STATE_TRAILER_ID,
  deserializeState,
  leafOf,
  serializeState,
  slotGroups,
  stateArtifact,
  stateByteLength,
  type ReadStateOptions,
  type TranscriptState,
} from './state.ts';
export { MAX_LEAVES, ZERO_LEAF, hashPair, merkleDepth, merkleProof, merkleRoot, verifyMerkleProof } from './merkle.ts';
export {
  cellDeviation,
  compareStates,
  type CompareOptions,
  type CoordinateFailure,
  type SegmentCheck,
} from './compare.ts';
export { TRANSCRIPT_DEFAULTS, TRANSCRIPT_LIMITS, maxTolerance, transcriptSettings } from '../spec/transcript.ts';
export {
  REFUSED_OPTIONS,
  createProgram,
  type Program,
  type ProgramOptions,
  type SegmentRun,
  type StepHooks,
} from './program.ts';
export {
  runTranscript,
  loadState,
  type SegmentDone,
  type TranscriptRunOptions,
  type TranscriptRunResult,
} from './run.ts';
export { isSeededStart, replaySegment, type ReplayOptions, type ReplayResult } from './replay.ts';
export {
  TRANSCRIPT_FORMAT,
  TRANSCRIPT_VERSION,
  type TranscriptMeta,
  type TranscriptStart,
  type TranscriptStore,
} from './store.ts';
export {
  DISCLOSURE_FORMAT,
  DISCLOSURE_VERSION,
  MAX_DISCLOSURE_BYTES,
  buildDisclosure,
  canonicalJson,
  checkDisclosure,
  disclosedKey,
  encodeDisclosure,
  parseDisclosure,
  type DisclosedWatermark,
  type DisclosureExpectation,
  type DisclosureProblem,
  type DisclosureProblemCode,
  type DisclosureStart,
  type TranscriptDisclosure,
} from './disclosure.ts';
