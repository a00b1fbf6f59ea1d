// Protocol actions, one per file, each `(ctx, params)`; reads take a ReadContext.
export { ActionInputError, accountOf, writeCall, type ActionContext, type ReadContext } from './context.ts';
export {
  Role,
  roleName,
  roleNumber,
  taskDeposit,
  checkTaskParams,
  MIN_CHALLENGE_BOND,
  MIN_VOTE_TIME,
  type RoleName,
  type TaskParamsInput,
} from './task-params.ts';
export { randomSalt } from './salt.ts';
export { chainTime, readSchedule } from './chain-now.ts';
export {
  approve,
  authorizeSpend,
  permitDomain,
  signPermit,
  splitSignature,
  NO_PERMIT,
  type PermitSig,
  type SpendAuthorization,
} from './permit.ts';
export { faucet, FAUCET_LIMIT } from './faucet.ts';
export { createTask, type CreateTaskResult } from './create-task.ts';
export { joinTask, readMinStake, type JoinTaskParams, type JoinTaskResult } from './join-task.ts';
export { addStake } from './add-stake.ts';
export { setSigma, sigmaEffectiveEpoch, type SetSigmaResult } from './set-sigma.ts';
export { delegate } from './delegate.ts';
export { undelegate } from './undelegate.ts';
export { withdrawStake } from './withdraw-stake.ts';
export { withdrawDelegation } from './withdraw-delegation.ts';
export { claimOwnRewards } from './claim-own-rewards.ts';
export { claimDelegationRewards } from './claim-delegation-rewards.ts';
export { sealSubmission, sendSeal, type SealParams, type SealResult } from './seal-submission.ts';
export { revealSubmission, type RevealSubmissionResult } from './reveal-submission.ts';
export { commitScores, sendScores, type CommitScoresParams, type CommitScoresResult } from './commit-scores.ts';
export { drawEvalSeed, readEvalSeed, type DrawEvalSeedResult } from './draw-eval-seed.ts';
export { revealScores } from './reveal-scores.ts';
export { commitCanaries, readCanaryCommit, readTaskCreator, type CommitCanariesResult } from './commit-canaries.ts';
export {
  revealCanaries,
  readCanaryReveal,
  type RevealCanariesResult,
  type CanaryRevealView,
} from './reveal-canaries.ts';
export { finalizeStep, finalizeEpoch, type FinalizeStepResult } from './finalize.ts';
export { revealFinalEval, recordFinalEvalFallback } from './final-eval.ts';
export { objectToTask, withdrawObjection, readObjection, type ObjectionView } from './objection.ts';
export { withdrawRemainder } from './withdraw-remainder.ts';
export { readTaskView, FINAL_EVAL_STATES, type TaskView, type FinalEvalState } from './task-view.ts';
export { readLeaderboard, type Leaderboard, type LeaderboardRow, type ValidatorRow } from './leaderboard.ts';
export { readParticipants, readPool, eligibleEpoch, type Participant, type Participants } from './participants.ts';
export {
  readAccountPositions,
  readDelegation,
  accountActivity,
  type TaskPosition,
  type OwnPosition,
  type DelegationPosition,
} from './positions.ts';
export { readClaimables, type Claimables, type RewardClaim, type PrincipalWithdrawal } from './claimables.ts';
export { readLogs } from './events.ts';
export { advanceTo, advanceToWindow, advanceToEpoch, devClock, NotLocalChainError, type DevClock } from './dev/time.ts';
export { challenge, CHALLENGE_OUTCOMES, type ChallengeResult } from './challenge.ts';
export {
  respondChallenge,
  prepareResponse,
  ANSWER_OUTCOME,
  type RespondResult,
  type PreparedResponse,
} from './respond-challenge.ts';
export { resolveChallenge, type ResolveResult } from './resolve-challenge.ts';
export { discloseTranscript, type DiscloseResult } from './disclose-transcript.ts';
export { disputeSegment, type DisputeResult } from './dispute-segment.ts';
export { commitVerdict, type CommitVerdictResult } from './commit-verdict.ts';
export { revealVerdict, type RevealVerdictResult } from './reveal-verdict.ts';
export { claimJuryShare } from './claim-jury-share.ts';
export {
  readTally,
  readVote,
  readJuryShare,
  readJurorWeight,
  requireChallenge,
  type TallyView,
  type VoteView,
  type VerdictName,
} from './read-verdicts.ts';
export {
  readChallenges,
  readChallenge,
  isUnsettled,
  UNSETTLED_STATES,
  readSubmissions,
  readSubmission,
  readOpenChallengeOf,
  readResponseInputs,
  readMaxErr,
  checkedProofWords,
  challengeModuleOf,
  ChallengesUnavailableError,
  type ChallengeView,
  type StoredChallenge,
  type ChallengeState,
  type SubmissionView,
  type ProofInputs,
  type ProofArgument,
  type TaskChallenges,
  type ChainMoment,
} from './read-challenges.ts';
