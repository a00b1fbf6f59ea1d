// The task creator's canary producer (docs/canaries.md): probe models from a pool of trainer
// accounts, indistinguishable from submissions until the epoch's canary key is revealed.
export {
  CanarySecretError,
  checkSecret,
  epochCanaryKey,
  decoySalt,
  poolAccountKey,
  poolWatermarkKey,
  watermarkKeyCommit,
  seededRandom,
  trainingDraw,
  timingDraw,
  orderKey,
  type CanaryScope,
} from './derive.ts';
export {
  planCanaries,
  checkPlanInput,
  minPoolSize,
  freshPoolSize,
  CanaryPlanError,
  type CanaryPlan,
  type PlanInput,
  type PlannedSubmission,
  type SubmissionUse,
} from './plan.ts';
export {
  DEFAULT_CANARY_CONFIG,
  initialCanaryState,
  canaryStep,
  canaryRecord,
  canaryReads,
  canarySummary,
  subKey,
  type CanaryConfig,
  type CanaryState,
  type CanaryObservation,
  type CanaryAction,
  type CanaryOutcome,
  type CanaryIdentity,
  type MemberView,
  type ModelRecord,
  type SubRecord,
  type CommitRecord,
  type RevealRecord,
} from './machine.ts';
export { CanaryProducer, planId, type CanaryProducerOptions } from './producer.ts';
export { actionsCanaryPort } from './adapter.ts';
export type {
  CanaryPorts,
  CanaryCreatorPort,
  CanaryModelPort,
  CanaryPersistence,
  CanaryTaskInfo,
  CanaryTrainRequest,
} from './ports.ts';
