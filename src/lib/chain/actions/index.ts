// Protocol actions, one per file, each `(ctx, params)`; reads take a ReadContext.
export { ActionInputError, accountOf, writeCall, type ActionContext, type ReadContext } from './context.ts';
export { Role, roleName, roleNumber, taskDeposit, type RoleName, type TaskParamsInput } from './task-params.ts';
export { randomSalt } from './salt.ts';
export { chainTime, readSchedule } from './chain-now.ts';
export { approve, authorizeSpend, permitDomain, signPermit, splitSignature, NO_PERMIT, type PermitSig, type SpendAuthorization } from './permit.ts';
export { faucet, FAUCET_LIMIT } from './faucet.ts';
export { createTask, type CreateTaskResult } from './create-task.ts';
export { joinTask, type JoinTaskParams, type JoinTaskResult } from './join-task.ts';
export { addStake } from './add-stake.ts';
export { setSigma } from './set-sigma.ts';
export { delegate } from './delegate.ts';
export { undelegate } from './undelegate.ts';
export { withdrawStake } from './withdraw-stake.ts';
export { withdrawDelegation } from './withdraw-delegation.ts';
export { claimOwnRewards } from './claim-own-rewards.ts';
export { claimDelegationRewards } from './claim-delegation-rewards.ts';
export { sealSubmission, type SealParams, type SealResult } from './seal-submission.ts';
export { revealSubmission, type RevealSubmissionResult } from './reveal-submission.ts';
export { commitScores, type CommitScoresParams } from './commit-scores.ts';
export { revealScores } from './reveal-scores.ts';
export { finalizeStep, finalizeEpoch, type FinalizeStepResult } from './finalize.ts';
export { revealFinalEval, recordFinalEvalFallback } from './final-eval.ts';
export { objectToTask, withdrawObjection } from './objection.ts';
export { withdrawRemainder } from './withdraw-remainder.ts';
export { readTaskView, FINAL_EVAL_STATES, type TaskView, type FinalEvalState } from './task-view.ts';
export { readLeaderboard, type Leaderboard, type LeaderboardRow, type ValidatorRow } from './leaderboard.ts';
export { readParticipants, readPool, eligibleEpoch, type Participant, type Participants } from './participants.ts';
export { readAccountPositions, readDelegation, accountActivity, type TaskPosition, type OwnPosition, type DelegationPosition } from './positions.ts';
export { readClaimables, type Claimables, type RewardClaim, type PrincipalWithdrawal } from './claimables.ts';
export { readLogs } from './events.ts';
export { advanceTo, advanceToWindow, advanceToEpoch, devClock, NotLocalChainError, type DevClock } from './dev/time.ts';
export { challenge, type ChallengeResult } from './challenge.ts';
export { respondChallenge, prepareResponse, type RespondResult, type PreparedResponse } from './respond-challenge.ts';
export { resolveChallenge, type ResolveResult } from './resolve-challenge.ts';
export { claimTheft, prepareTheftClaim, type ClaimTheftResult, type PreparedTheftClaim } from './claim-theft.ts';
export {
  readChallenges,
  readChallenge,
  readSubmissions,
  readSubmission,
  readResponseInputs,
  readTheftInputs,
  readMaxErr,
  checkedProofWords,
  challengeModuleOf,
  ChallengesUnavailableError,
  type ChallengeView,
  type ChallengeState,
  type TheftClaimView,
  type SubmissionView,
  type ProofInputs,
  type ProofArgument,
  type TaskChallenges,
  type ChainMoment,
} from './read-challenges.ts';
