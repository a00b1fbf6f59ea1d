// Role agents: the automation inside the Train and Validate pages (docs/app/agents.md).
export {
  AgentError,
  formatTime,
  type AgentScope,
  type AgentErrorCode,
  type ChainRole,
  type Note,
  type NoteLevel,
} from './common.ts';
export {
  initialTrainerState,
  trainerStep,
  trainerRecord,
  trainerCommand,
  trainerReads,
  trainerResultReads,
  sealReserve,
  DEFAULT_TRAINER_CONFIG,
  type TrainerState,
  type TrainerObservation,
  type TrainerAction,
  type TrainerOutcome,
  type TrainerCommand,
  type TrainerConfig,
  type TrainerPhase,
  type TrainerEpochRecord,
  type Candidate,
  type SealRecord,
  type TrainerEpochResult,
  type EpochOutcomeObservation,
} from './trainer/machine.ts';
export {
  initialValidatorState,
  openValidatorEpoch,
  validatorStep,
  validatorRecord,
  validatorCommand,
  validatorReads,
  columnProgress,
  epochDataHash,
  evaluationKey,
  resultKey,
  subsetTag,
  DEFAULT_VALIDATOR_CONFIG,
  type ValidatorState,
  type ValidatorObservation,
  type ValidatorAction,
  type ValidatorOutcome,
  type ValidatorCommand,
  type ValidatorConfig,
  type ValidatorPhase,
  type ValidatorEpochRecord,
  type ScoreCommitRecord,
  type ColumnView,
  type ColumnProgress,
  type ScoreResult,
  type ScoreCheck,
  type EvaluationRecord,
  type ScoreItem,
} from './validator/machine.ts';
export { subsetScore, subsetIndices, type SampleVectors, type SubsetSpec } from './validator/subset-score.ts';
export {
  PortError,
  type ChainPort,
  type StorePort,
  type ProverPort,
  type MlPort,
  type ChallengePort,
  type SegmentReplayRequest,
  type SegmentReplayResult,
  type TaskInfo,
  type PoolView,
  type TrainRequest,
  type TrainResult,
  type EvalRequest,
  type EvalScore,
  type SampleEval,
  type EpochOutcomeView,
} from './ports.ts';
export {
  openAgentStore,
  openAgentDatabase,
  agentStoreOn,
  scopeKey,
  AGENT_DB_NAME,
  type AgentStore,
  type StoredSamples,
} from './store.ts';
export {
  keyStoreOn,
  ensureTaskKey,
  exportTaskKey,
  importTaskKey,
  keyCommitHex,
  type KeyStore,
  type KeyRef,
  type ImportOptions,
} from './keys.ts';
export {
  checkSubmission,
  hashArtifact,
  inspectCandidate,
  weightsWmCommit,
  expectedArtifactBytes,
  type HashedArtifact,
  type SubmissionVerdict,
  type CandidateReport,
} from './artifact-checks.ts';
export { AgentRunner, type MachineDriver, type RunnerEvent, type RunnerOptions } from './runner.ts';
export { RoleAgent, taskFingerprint, type AgentEnvBase } from './role-agent.ts';
export {
  TrainerAgent,
  trainerRunId,
  transcriptRunId,
  type TrainerAgentEnv,
  type TrainerEvent,
} from './trainer/agent.ts';
export {
  ValidatorAgent,
  type ValidatorAgentEnv,
  type ValidatorEvent,
  type TranscriptCheckEvent,
} from './validator/agent.ts';
export {
  DEFAULT_CHALLENGE_SETTINGS,
  checkKey,
  segmentToDispute,
  verdictOf,
  voteWindow,
  type ChallengeObs,
  type ChallengeSettings,
  type LearningState,
  type OwnChallenge,
  type SimilarityHint,
  type VerdictRecord,
  type DisputeRecord,
} from './validator/learning.ts';
export {
  DEFAULT_CHALLENGE_THRESHOLD,
  PROBE_COUNT,
  PROBE_RANGE,
  TOKEN_PROBE_POSITIONS,
  probeSettings,
  type Match,
} from './validator/similarity.ts';
export { storeDisclosureReader } from './validator/disclosure-reader.ts';
export { DisclosureFetchError, type DisclosureReader } from './validator/transcript-checker.ts';
export { actionsChainPort, chainPortError } from './adapters/chain.ts';
export { actionsChallengePort } from './adapters/challenges.ts';
export { casStorePort, storePortError } from './adapters/store.ts';
export { mlPort, mlPortError, type MlPortOptions, type TrainerHandle, type EvaluatorHandle } from './adapters/ml.ts';
export { webLocks, type TabLock } from './lock.ts';
export { ownershipProverPort } from './adapters/prover.ts';
export {
  openDisclosure,
  uploadDisclosure,
  MAX_STATE_BYTES,
  type DisclosureProgress,
  type OpenedDisclosure,
} from './disclosure.ts';
export { carryOver, commitmentOf, finishPrefix, prefixIdOf, transcriptIdOf } from './transcript-runs.ts';
export {
  answerChallenges,
  recordChallenge,
  type ChallengeObservation,
  type ChallengeRecord,
} from './trainer/challenges.ts';
