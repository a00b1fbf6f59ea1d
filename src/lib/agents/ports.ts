// What the agents need from the outside world, as interfaces. The machines never see these; the
// runners call them to observe and to execute actions. Adapters in ./adapters/ implement them
// over the chain client, the artifact store and the ML workers; tests implement them in memory.
import type { ContentRef } from '../storage/unixfs/ref.ts';
import type { Address, Hex } from 'viem';
import type { Schedule } from '../chain/schedule.ts';
import type { BackendSelection } from '../ml/backend/select.ts';
import type { BackendName } from '../ml/backend/types.ts';
import type { TrainProgress } from '../ml/train/trainer.ts';
import type { ChainRole } from './common.ts';
import type { FinalEvalStatus, ColumnView } from './validator/machine.ts';
import type { SealView } from './trainer/machine.ts';
import type { TranscriptCommitment } from '../chain/transcript-commit.ts';
import type { ChallengeObs } from './validator/learning.ts';
import { ArenaError } from '../errors.ts';
import type { ProofArgument } from '../chain/actions/read-challenges.ts';
import type { WatermarkKey } from '../ml/watermark/types.ts';
import type { ChallengeObservation } from './trainer/challenges.ts';

/** The task as the agents need it; read once. */
export interface TaskInfo {
  schedule: Schedule;
  modelSpec: Hex;
  trainData: Hex;
  evalData: Hex;
  /** Samples of the epoch's eval set each scoring epoch is scored on (SPEC 2.2). */
  evalSubsetSize: number;
  /** The smallest own stake each role may join with (SPEC 3). */
  minStake: { trainer: bigint; validator: bigint };
  /** The qualifying rule (SPEC 4.3) and minValidators (SPEC 4.6), for explaining results. */
  rules: { minScore: bigint; floorBps: number; tolV: bigint; minValidators: number };
}

/** What the chain booked for one finalized scoring epoch, as a trainer's notes need it. */
export interface EpochOutcomeView {
  /** False until the epoch is finalized; the rest is then empty. */
  finalized: boolean;
  /** Nothing was booked: no included column, or fewer revealed validators than minValidators. */
  degenerate: boolean;
  /** Validators that revealed scores in the epoch. */
  validators: number;
  /** This account's column (TrainerRewarded), or null if it had none. rank 0: did not qualify. */
  own: { submissionId: number; rank: number; aggregate: bigint; pool: bigint } | null;
  /** The best aggregate among the epoch's (non-canary) columns, WAD; null when none. */
  best: bigint | null;
}

export interface PoolView {
  role: ChainRole;
  /** Trainers: the key commitment recorded at join (null for validators and non-members). */
  keyCommit: Hex | null;
  /** First epoch the account may act in; null while its own stake is below the minimum. */
  eligibleFrom: number | null;
  excluded: boolean;
}

export interface TxResult {
  txHash: Hex;
}

/**
 * One account in one task on one chain. Writes resolve once the transaction is mined
 * successfully and reject otherwise (a ChainPortError says whether trying again can help).
 */
export interface ChainPort {
  readonly account: Address;
  readonly taskId: bigint;
  /** Chain time in unix seconds (the latest block's time, as the contracts see it). */
  now(): Promise<bigint>;
  task(): Promise<TaskInfo>;
  pool(): Promise<PoolView>;
  seal(epoch: number): Promise<SealView>;
  scoreCommit(epoch: number): Promise<{ commitment: Hex; revealed: boolean }>;
  /** The epoch's columns in list order (revealed submissions; latest per trainer in the final phase). */
  columns(epoch: number): Promise<ColumnView[]>;
  finalEval(): Promise<{ status: FinalEvalStatus; hash: Hex | null }>;
  /** The epoch's evaluation seed (SubmissionBook.evalSeedOf), null while not drawn. */
  evalSeed(epoch: number): Promise<Hex | null>;
  /** What finalization booked for `epoch` (for the trainer's notes). */
  epochOutcome(epoch: number): Promise<EpochOutcomeView>;

  join(role: 'Trainer' | 'Validator', amount: bigint, sigma: bigint, keyCommit: Hex): Promise<TxResult>;
  /** Seals in `epoch`; `commitment` is what the machine computed (an adapter checks it agrees). */
  sealSubmission(p: {
    epoch: number;
    commitment: Hex;
    artifactHash: Hex;
    wmCommit: Hex;
    transcript: TranscriptCommitment;
    salt: Hex;
  }): Promise<TxResult>;
  /** Reveals with the transcript the seal committed to (SPEC 8.2). */
  revealSubmission(p: {
    epoch: number;
    artifactHash: Hex;
    /** The root of the uploaded artifact (upload-sealed.ts): where validators fetch it. Not sealed. */
    artifactRoot: Hex;
    wmCommit: Hex;
    transcript: TranscriptCommitment;
    salt: Hex;
  }): Promise<TxResult>;
  /** Commits scores (units 0..10000 in column order) in `epoch`. */
  commitScores(p: { epoch: number; commitment: Hex; scores: readonly number[]; salt: Hex }): Promise<TxResult>;
  revealScores(p: { epoch: number; scores: readonly number[]; salt: Hex }): Promise<TxResult>;
  /**
   * Draws the current epoch's evaluation seed (score commit window). Resolves with the seed also
   * when another account drew it first (then `txHash` is null if nothing was sent).
   */
  drawEvalSeed(epoch: number): Promise<{ txHash: Hex | null; seed: Hex; drew: boolean }>;

  /** Challenges against this account's submissions in the task (SPEC 7); absent: none can be read. */
  challenges?(): Promise<ChallengeObservation[]>;
  /** Posts the ownership proof answering `challengeId` (respondChallenge). */
  respondChallenge?(challengeId: bigint, proof: ProofArgument): Promise<TxResult>;
  /** Posts the disclosure manifest's sha256 for `challengeId` (discloseTranscript). */
  discloseTranscript?(challengeId: bigint, manifest: Hex): Promise<TxResult>;
}

/** Makes watermark-ownership proofs (src/lib/zk): the worker in the app, in-process in Node. */
export interface ProverPort {
  /** The proof answering `challengeId` with `key`, as respondChallenge takes it. */
  proveOwnership(p: { challengeId: bigint; key: WatermarkKey }): Promise<ProofArgument>;
}

/** Content-addressed artifact storage (SPEC section 5): CIDv1 raw sha2-256. */
export interface StorePort {
  /**
   * Stores bytes; resolves with their CID once they are retrievable: the root CID of their UnixFS
   * DAG (storage/unixfs/dag.ts `fileCid`; the raw CID for a file of one chunk), which a sealed
   * artifact's upload checks (upload-sealed.ts).
   */
  upload(bytes: Uint8Array): Promise<string>;
  /**
   * Fetches the file `ref` names (by its root CID), checking every block against its CID and the
   * whole file against `ref.hash` before it is returned.
   */
  fetchVerified(
    ref: ContentRef,
    options?: {
      maxBytes?: number;
      signal?: AbortSignal;
      /** Verified file bytes so far, and the file's size once known. */
      onProgress?: (loaded: number, total: number | undefined) => void;
    },
  ): Promise<Uint8Array>;
}

export interface TrainRequest {
  runId: string;
  seed: number;
  /** Total training epochs (null: the spec's). */
  epochs: number | null;
  backend: BackendName | 'auto';
  /** The owner's watermark key bits (T*N entries 0|1) and address. */
  watermark: { keyBits: Uint8Array; owner: Address };
  /**
   * Train with a transcript (SPEC 8; src/lib/agents/transcript-runs.ts): the fixed program of
   * (chain, task, owner), so `seed` is not used. `base` names the run (the transcript's id is
   * `base` and K); `continueFrom` is the trainer's own earlier finished transcript it continues.
   * Absent: a plain run, which has no transcript to defend a seal with.
   */
  transcript?: { base: string; continueFrom: string | null; chainId: number; task: bigint };
}

export interface TrainResult {
  status: 'completed' | 'stopped' | 'cancelled';
  reason?: string;
  step: number;
  /** The training epoch the run ended in (0-based, as checkpoints count it). */
  epoch: number;
  /** Training epochs the run was planned for. */
  plannedEpochs: number;
  backend: BackendName;
  artifact: Uint8Array;
  artifactHash: Hex;
  /**
   * The run's training transcript commitment (SPEC 8.2), for the seal. Null for a plain run (no
   * `transcript` request): the agent then seals with the documented placeholder
   * (transcript-gap.ts) and warns that the model cannot be defended in a challenge.
   */
  transcript: TranscriptCommitment | null;
  /** The id of that transcript in the trainer's transcript store (what a disclosure uploads). */
  transcriptId?: string | null;
}

export interface TrainEventsPort {
  /** The backend the run uses and how it was chosen (calibrated, or forced by the user). */
  onBackend?(selection: BackendSelection): void;
  onProgress?(progress: TrainProgress): void;
}

export interface EvalRequest {
  artifact: Uint8Array;
  /** The artifact's sha256 as verified where it came from (its CID-checked download): not hashed again. */
  artifactHash: Hex;
  /** Content hash of the eval set's manifest. */
  dataHash: Hex;
  /** Also predict on these seeded probe inputs (validator/similarity.ts): the similarity hint's. */
  probes?: { seed: string; count: number; lo: number; hi: number };
}

export interface EvalScore {
  score: number;
  loss: number;
  accuracy: number;
  samples: number;
}

/**
 * One model evaluated once on every sample of an eval set, kept per sample so the score of any
 * subset follows without evaluating again (validators learn the epoch's subset only after the
 * reveal window; see validator/subset-score.ts).
 */
export interface SampleEval {
  /** Samples in the eval set; both arrays have this length, in the set's file order. */
  samples: number;
  /** 1 where the model's arg-max class is the label. */
  correct: Uint8Array;
  /** Cross-entropy of each sample. */
  losses: Float32Array;
  /** The score on the whole set (a preview: commitments use the epoch's subset). */
  score: number;
  /** The backend that computed it and its float width (never 16: see the eval service). */
  backend: BackendName;
  floatPrecision: number;
  /** Arg-max class per sample and per probe input (when asked for with `probes`): the similarity hint's. */
  predictions?: Int32Array;
  probePredictions?: Int32Array;
}

/** One transcript segment to replay (SPEC 8.3) with the task's fixed program of `identity`. */
export interface SegmentReplayRequest {
  identity: { chainId: number; task: bigint; trainer: Address };
  /** The trainer's disclosed watermark key bits (T*N entries 0|1). */
  keyBits?: Uint8Array;
  start: Uint8Array;
  claimed: Uint8Array;
  /** Also check that `start` is the identity's seeded start (the first segment of a seeded transcript). */
  checkSeededStart?: boolean;
  /** Replay on this backend instead of the port's evaluation backend (jurors name the reference backend). */
  backend?: BackendName;
}

export interface SegmentReplayResult {
  status: 'done' | 'cancelled';
  replays: boolean;
  /** Coordinates outside the rule, the largest deviation from the claimed cell (scaled). */
  failing: number;
  maxDeviation: number;
  seconds: number;
  /** With checkSeededStart: false when the start is not the seeded start (then nothing was replayed). */
  seededStart?: boolean;
  backend: BackendName;
}

/** The ML workers, bound to one task's model spec and datasets. */
export interface MlPort {
  /** The task's model spec file (its sha256 is the task's modelSpec). */
  specBytes(): Promise<Uint8Array>;
  train(request: TrainRequest, events?: TrainEventsPort): Promise<TrainResult>;
  pause(): Promise<void> | void;
  resume(): Promise<void> | void;
  /** Ends the current run; train() then resolves with status 'cancelled' and the weights so far. */
  stop(reason: string): Promise<void> | void;
  evaluate(request: EvalRequest, events?: { onProgress?(done: number, total: number): void }): Promise<EvalScore>;
  /** Evaluates once on the whole eval set, keeping what each sample contributes (validators). */
  evaluateSamples(
    request: EvalRequest,
    events?: { onProgress?(done: number, total: number): void },
  ): Promise<SampleEval>;
  /** Replays one transcript segment on the task's training set (the eval worker's EvalService.replay). */
  replaySegment?(
    request: SegmentReplayRequest,
    events?: { onProgress?(done: number, total: number): void },
  ): Promise<SegmentReplayResult>;
}

/** What the validator agent reads and sends in the learning stage of challenges (SPEC 7, 8.4). */
export interface ChallengePort {
  /** The task's challenges, oldest first, with this account's vote, the majority and its claimable share. */
  challenges(): Promise<ChallengeObs[]>;
  /** The task's challenge bond, this account's token balance and its weight as a juror now. */
  terms(): Promise<{ bond: bigint; balance: bigint; jurorWeight: bigint }>;
  /** A revealed submission, with the key commitment its trainer joined with. */
  submission(submissionId: number): Promise<{
    trainer: Address;
    artifactHash: Hex;
    /** Where the artifact is: the sha2-256 digest of its UnixFS root CID (storage/unixfs/ref.ts). */
    artifactRoot: Hex;
    transcript: TranscriptCommitment;
    keyCommit: Hex | null;
  }>;
  challenge(submissionId: number): Promise<{ challengeId: bigint; txHash: Hex }>;
  disputeSegment(challengeId: bigint, segment: number): Promise<TxResult>;
  commitVerdict(challengeId: bigint, replays: boolean, salt: Hex): Promise<TxResult>;
  revealVerdict(challengeId: bigint, replays: boolean, salt: Hex): Promise<TxResult>;
  claimJuryShare(challengeId: bigint): Promise<TxResult>;
}

/** Thrown by port implementations; `retryable` tells the machines whether to try again. */
export class PortError extends ArenaError {
  constructor(
    readonly port: 'chain' | 'store' | 'ml',
    code: string,
    message: string,
    retryable: boolean,
    options?: { cause?: unknown },
  ) {
    super(code, message, { ...options, retryable });
    this.name = 'PortError';
  }
}
