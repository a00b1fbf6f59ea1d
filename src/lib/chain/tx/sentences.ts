// One plain sentence per custom error of the protocol's contracts, with the error's arguments
// filled in. The table is typed against the generated ABIs, so a new contract error that has no
// sentence here is a type error (and the unit test walks the ABIs as well).
import type { Address } from 'viem';
import {
  arenaTokenAbi,
  challengeModuleAbi,
  rewardEngineAbi,
  stakeManagerAbi,
  submissionBookAbi,
  taskRegistryAbi,
  watermarkOwnershipVerifierAbi,
} from '../abi.generated.ts';
import { formatTokens, shortHex } from '../../format.ts';
import { WINDOWS } from '../schedule.ts';

type AbiErrorNames<abi extends readonly unknown[]> =
  Extract<abi[number], { type: 'error' }> extends { name: infer N } ? N & string : never;

export type ProtocolErrorName =
  | AbiErrorNames<typeof arenaTokenAbi>
  | AbiErrorNames<typeof taskRegistryAbi>
  | AbiErrorNames<typeof stakeManagerAbi>
  | AbiErrorNames<typeof submissionBookAbi>
  | AbiErrorNames<typeof rewardEngineAbi>
  | AbiErrorNames<typeof challengeModuleAbi>
  | AbiErrorNames<typeof watermarkOwnershipVerifierAbi>;

/** Where the error came from, when known: some errors read differently per function. */
export interface ErrorContext {
  functionName?: string;
}

type Sentence = (args: readonly unknown[], ctx: ErrorContext) => string;

/** Unix seconds as "2026-05-01 12:00:00 UTC": chain time, so no local time zone guesswork. */
export function formatChainTime(seconds: unknown): string {
  const n = Number(seconds);
  // Beyond what a Date holds (year 275760), say the number rather than throw.
  if (!Number.isFinite(n) || Math.abs(n) > 8.64e12) return `time ${String(seconds)}`;
  return `${new Date(n * 1000).toISOString().replace('T', ' ').slice(0, 19)} UTC`;
}

const tokens = (v: unknown) => `${formatTokens(BigInt(v as bigint), 4)} ARENA`;
const addr = (v: unknown) => shortHex(String(v as Address));
const ROLE_NAMES = ['no role', 'trainer', 'validator'];
const role = (v: unknown) => ROLE_NAMES[Number(v)] ?? `role ${String(v)}`;
const WINDOW_NAMES: Record<string, string> = {
  None: 'no window',
  Seal: 'seal window',
  Reveal: 'reveal window',
  ScoreCommit: 'score commit window',
  ScoreReveal: 'score reveal window',
};
const windowName = (v: unknown) => WINDOW_NAMES[WINDOWS[Number(v)] ?? ''] ?? `window ${String(v)}`;
const DELEGATOR_FUNCTIONS = new Set([
  'delegate',
  'delegateWithPermit',
  'undelegate',
  'withdrawDelegation',
  'claimDelegationRewards',
]);
const isScores = (ctx: ErrorContext) => ctx.functionName === 'revealScores' || ctx.functionName === 'commitScores';
const isCanary = (ctx: ErrorContext) => ctx.functionName === 'commitCanaries' || ctx.functionName === 'revealCanaries';
const isVerdict = (ctx: ErrorContext) => ctx.functionName === 'commitVerdict' || ctx.functionName === 'revealVerdict';
const CHALLENGE_STATUS = [
  'does not exist',
  'is waiting for the accused to answer',
  'is in its dispute window',
  'is in its verdict vote',
  'was upheld',
  'was cleared',
  'was voided',
];
const challengeStatus = (v: unknown) => CHALLENGE_STATUS[Number(v)] ?? `is in state ${String(v)}`;

export const ERROR_SENTENCES: Record<ProtocolErrorName, Sentence> = {
  // ArenaToken (OpenZeppelin ERC-20 + permit, faucet)
  ECDSAInvalidSignature: () => 'The permit signature is invalid; sign it again.',
  ECDSAInvalidSignatureLength: ([length]) => `The permit signature has the wrong length (${String(length)} bytes).`,
  ECDSAInvalidSignatureS: () => 'The permit signature is malformed (its s value is out of range).',
  ERC20InsufficientAllowance: ([spender, allowance, needed]) =>
    `The protocol contract ${addr(spender)} may spend ${tokens(allowance)} of yours but needs ${tokens(needed)}: approve or sign a permit for at least that much.`,
  ERC20InsufficientBalance: ([sender, balance, needed]) =>
    `The account ${addr(sender)} holds ${tokens(balance)} but this needs ${tokens(needed)}.`,
  ERC20InvalidApprover: ([approver]) => `${addr(approver)} cannot approve spending.`,
  ERC20InvalidReceiver: ([receiver]) => `Tokens cannot be sent to ${addr(receiver)}.`,
  ERC20InvalidSender: ([sender]) => `Tokens cannot be sent from ${addr(sender)}.`,
  ERC20InvalidSpender: ([spender]) => `${addr(spender)} cannot be approved as a spender.`,
  ERC2612ExpiredSignature: ([deadline]) =>
    `The permit signature expired at ${formatChainTime(deadline)}; sign a new one.`,
  ERC2612InvalidSigner: ([signer, owner]) =>
    `The permit was signed by ${addr(signer)}, not by the token owner ${addr(owner)}.`,
  FaucetDisabled: () => 'The faucet exists only on a local development chain.',
  FaucetLimit: ([limit]) => `The faucet gives at most ${tokens(limit)} per request.`,
  InvalidAccountNonce: ([account, nonce]) =>
    `The permit is stale: the current permit nonce of ${addr(account)} is ${String(nonce)}. Sign a new permit.`,
  InvalidShortString: () => "The token's name does not fit its signing domain.",
  StringTooLong: ([str]) => `The text "${String(str)}" is too long.`,

  // TaskRegistry
  AlreadyBound: () => 'The contracts are already wired together (a deployment step that runs once).',
  DepositTooLarge: () => 'The deposit (reward per epoch times the number of scoring epochs) is too large.',
  EpochOutOfOrder: ([expected]) => `Epochs are closed in order: epoch ${String(expected)} comes next.`,
  FinalEvalAlreadyRevealed: () => 'The final eval set was already revealed.',
  FinalEvalClosed: ([closedAt]) =>
    `The time to reveal the final eval set ended at ${formatChainTime(closedAt)}; the final phase uses the public eval set.`,
  FinalEvalMismatch: () => "This final eval hash and salt do not match the task's commitment.",
  FinalEvalNotOpen: ([opensAt]) =>
    `The final eval set can be revealed from ${formatChainTime(opensAt)}, when the final phase starts.`,
  FinalEvalStillOpen: ([deadline]) =>
    `The creator may still reveal the final eval set until ${formatChainTime(deadline)}.`,
  InvalidChallengeParams: () =>
    'The challenge parameters are invalid: the bond must be at least 1 ARENA, the slash at most 100% and the response time more than zero.',
  InvalidHash: () =>
    'The model spec, training data and eval data hashes must be set, and a final eval commitment is needed exactly when the task has a final phase.',
  InvalidRewardParams: () =>
    'The reward parameters are out of range: gamma, q, alphaT, alphaV and tolV must be between 0 and 1, lambdaV at most 50, minScore at least 0 and below 1, floorBps at most 10000 (100%), and minValidators from 1 to 512.',
  InvalidSchedule: () =>
    "The schedule is invalid: epochs last 10 s to 30 days, a task has 1 to 1000 submission epochs and at most 1000 final and challenge epochs, the review period is at least the protocol's minimum, and each epoch scores at least one eval sample (evalSubsetSize).",
  InvalidStakeRules: () =>
    'The stake rules are invalid: minimum stakes of at least 1 ARENA, 1 to 256 trainers, 1 to 512 validators, and a sigma cooldown of at least one epoch.',
  InvalidWindows: () =>
    'The windows are out of order: seal, reveal and score commit must end in that order before the end of the epoch, and the final-phase commit window must end inside the epoch.',
  NoFinalPhase: () => 'This task has no final phase.',
  NotCreator: (_args, ctx) =>
    isCanary(ctx)
      ? "Only the task's creator commits and reveals its canaries."
      : "Only the task's creator can do this.",
  NotDeployer: () => 'Only the deployer of the contracts can do this.',
  NotInReview: () => 'Objections are possible only while the task is in review.',
  NotRewardEngine: () => 'Only the reward engine contract can do this.',
  NothingToWithdraw: () => 'There is nothing to withdraw.',
  ObjectionLocked: ([until]) =>
    `Your objection stays locked until the review ends at ${formatChainTime(until)}, also when the task was already rejected: a rejection must cost the objectors their capital for the review period.`,
  OverBudget: ([budget]) => `The epoch booked more than its budget of ${tokens(budget)}.`,
  SafeERC20FailedOperation: ([token]) => `The token transfer through ${addr(token)} failed.`,
  StartTooEarly: ([earliest]) =>
    `The task cannot start before its review ends: choose a start at or after ${formatChainTime(earliest)}.`,
  UnknownTask: ([taskId]) => `Task ${String(taskId)} does not exist.`,
  ZeroAmount: () => 'The amount must be more than zero.',

  // StakeManager
  AlreadyForfeited: () => 'This trainer has already forfeited its rewards.',
  AlreadyJoined: ([r]) => `You already joined this task as a ${role(r)}.`,
  AlreadyVested: () => "This trainer's rewards have vested and can no longer be taken.",
  DelegateeExcluded: () => 'This participant was excluded after a failed challenge and takes no new stake.',
  EpochNotRollable: ([expected]) => `Stake changes are applied in order: epoch ${String(expected)} comes next.`,
  InsufficientDelegation: ([available]) => `You can undelegate at most ${tokens(available)} from this participant.`,
  InvalidKeyCommit: () => 'A trainer must commit a watermark key when joining, and a validator must not.',
  InvalidRole: () => 'The account does not have the role this needs in this task (trainer or validator).',
  InvalidSigma: () => 'Sigma must be between 0 and 1.',
  InvalidSlash: ([bps]) => `A slash of ${Number(bps) / 100}% is more than 100%.`,
  LengthMismatch: () => 'The lists given to the contract have different lengths.',
  NoDelegators: ([pool]) => `Rewards were booked for the delegators of ${addr(pool)}, which has none.`,
  NoOpenChallenge: () => 'There is no open challenge against this trainer.',
  NotChallengeModule: () => 'Only the challenge module can do this.',
  NotJoined: (_args, ctx) =>
    DELEGATOR_FUNCTIONS.has(ctx.functionName ?? '')
      ? 'The participant you chose has not joined this task.'
      : 'You have not joined this task.',
  NotVested: ([vestsAt]) => `These rewards vest when the task ends, at ${formatChainTime(vestsAt)}.`,
  NothingToClaim: () => 'There is nothing to claim yet.',
  OpenChallenges: ([open]) =>
    `${String(open)} challenge${Number(open) === 1 ? ' is' : 's are'} still open against this trainer; wait until ${Number(open) === 1 ? 'it is' : 'they are'} settled.`,
  PoolCapExceeded: ([cap]) => `This pool would exceed its cap of ${tokens(cap)}.`,
  RewardsForfeited: () => 'These rewards were forfeited after a failed challenge.',
  RoleFull: ([max]) => `This task already has its maximum of ${String(max)} participants in that role.`,
  SelfDelegation: () => 'You cannot delegate to yourself.',
  SigmaCooldown: ([next]) => `Sigma was changed recently; it can change again from epoch ${String(next)}.`,
  StakeBelowMinimum: ([min]) =>
    `Joining this role takes a stake of at least ${tokens(min)}, the task's minimum for the role (a slot in the role's list is never held with less).`,
  StakeLocked: ([until]) => `Your stake is locked until the task ends, at ${formatChainTime(until)}.`,
  StakingClosed: (_args, ctx) =>
    ctx.functionName === 'setSigma'
      ? 'It is too late to change sigma in this task: the change would first apply after the last scoring epoch (an increase applies only from the epoch after next).'
      : 'It is too late for this in this task: the stake would not count in any epoch left.',
  TaskIsRejected: () => 'This task was rejected in review.',
  TooManyPendingChanges: () =>
    'You already have two delegation changes waiting for epochs to be finalized; try again after the next finalization.',

  // SubmissionBook
  AlreadyRevealed: (_args, ctx) =>
    isVerdict(ctx)
      ? 'You already revealed your verdict on this challenge.'
      : isScores(ctx)
        ? 'You already revealed your scores for this epoch.'
        : 'You already revealed your submission for this epoch.',
  CommitmentMismatch: (_args, ctx) =>
    isVerdict(ctx)
      ? 'This verdict and salt do not match your verdict commitment (it names the challenge, the disputed segment and your address).'
      : isScores(ctx)
        ? 'These scores and salt do not match your score commitment.'
        : 'The artifact hash, watermark commitment, transcript or salt does not match your seal.',
  EmptyTranscript: () => 'A transcript commitment needs a non-zero root and at least one segment.',
  InvalidSeededStart: () => 'A transcript that starts at the seeded initialization starts at leaf 0.',
  UnknownStart: ([root]) =>
    `The transcript continues ${shortHex(String(root))}, which is not a transcript you revealed earlier in this task: a transcript starts at the seeded initialization or at your own earlier transcript's final state.`,
  StartNotFinal: ([finalLeaf]) =>
    `A continued transcript starts at the earlier transcript's final state, leaf ${String(finalLeaf)}.`,
  EmptyArtifact: () => 'The artifact hash is empty.',
  EmptyArtifactRoot: () =>
    'The artifact root is empty: reveal with the root CID of your uploaded artifact (the store answers it), so validators can fetch it.',
  EmptyCommitment: () => 'The commitment is empty.',
  FinalEvalUnsettled: (_args, ctx) =>
    ctx.functionName === 'drawEvalSeed'
      ? "A final-phase epoch's evaluation seed can be drawn only once the creator has revealed the final eval set or the deadline for it has passed."
      : 'Final-phase scores can be committed only once the creator has revealed the final eval set or the deadline for it has passed.',
  EvalSeedNotDrawn: () =>
    "This epoch's evaluation seed has not been drawn yet: draw it (drawEvalSeed, anyone in the score commit window) and score the subset it selects before committing.",
  SeedDrawerNotEOA: () =>
    'The evaluation seed can be drawn only by an ordinary account (not a contract), so nobody can draw, look at the seed and undo the draw.',
  NotScoringEpoch: ([epoch]) => `Epoch ${String(epoch)} is not a scoring epoch of this task.`,
  CanaryCommitClosed: ([startedAt]) =>
    `Canaries for this epoch had to be committed before it started at ${formatChainTime(startedAt)}.`,
  NoCanaryCommit: () => 'No canary key was committed for this epoch, so there is nothing to reveal.',
  CanaryKeyMismatch: () => "This canary key does not match the epoch's canary commitment.",
  CanariesAlreadyRevealed: () => "This epoch's canaries were already revealed.",
  MedianScratch: () =>
    'The reward engine ran out of scratch space computing a median; this is a contract bug, please report it.',
  TooManyCanaries: () =>
    "More than 16 of this epoch's submissions open as canaries of this key; an epoch may have at most 16.",
  NoScoreCommit: () => 'You did not commit scores in this epoch, so there is nothing to reveal.',
  NoSeal: () => 'You did not seal a submission in this epoch, so there is nothing to reveal.',
  NonZeroPadding: ([column]) => `The packed scores carry data after the last column (at column ${String(column)}).`,
  NotEligible: () =>
    "Your own stake does not count in this epoch: stake counts from the epoch after you staked and must reach the task's minimum.",
  ScoreOutOfRange: ([column, value]) =>
    `The score of column ${String(column)} is ${String(value)}; scores go from 0 to 10000.`,
  WrongScoreCount: ([expected, got]) =>
    `This epoch's scores fill ${String(expected)} word${Number(expected) === 1 ? '' : 's'} but ${String(got)} ${Number(got) === 1 ? 'was' : 'were'} sent: score exactly the epoch's revealed submissions.`,
  WrongWindow: ([expected, current]) =>
    Number(current) === 0
      ? `This can be done only in the ${windowName(expected)}, and the task is in no window now.`
      : `This can be done only in the ${windowName(expected)}; the task is in the ${windowName(current)} now.`,

  // RewardEngine
  AllEpochsFinalized: () => 'Every scoring epoch of this task is already finalized.',
  EpochNotOver: ([endsAt]) => `This epoch ends at ${formatChainTime(endsAt)}; it can be finalized only after that.`,

  // ChallengeModule (AlreadyForfeited is shared with the StakeManager above)
  WrongStatus: ([id, status], ctx) =>
    `Challenge ${String(id)} ${challengeStatus(status)}, so ${
      ctx.functionName === 'resolve' ? 'it cannot be settled now' : 'this step does not apply to it now'
    }.`,
  ChallengePeriodOver: ([endedAt]) => `Challenges closed with the challenge phase at ${formatChainTime(endedAt)}.`,
  AlreadyProven: () => 'The ownership proof of this challenge was already posted.',
  EmptyDisclosure: () => "The disclosure needs the transcript manifest's content address.",
  AlreadyDisclosed: () => 'The transcript of this challenge was already disclosed; it cannot be replaced.',
  DisputeTooLate: ([deadline]) =>
    `The time to name a segment of this transcript ended at ${formatChainTime(deadline)}.`,
  DisputeWindowOpen: ([deadline]) =>
    `A segment of this transcript may still be disputed until ${formatChainTime(deadline)}; the challenge can be resolved after that.`,
  NotJuror: () =>
    'Only a validator of this task whose own stake counts in the current epoch (and was not withdrawn) can dispute or vote; stake added this epoch counts from the next.',
  SegmentOutOfRange: ([segment, segments]) =>
    `The transcript has ${String(segments)} segment${Number(segments) === 1 ? '' : 's'} (0 to ${String(Number(segments) - 1)}); segment ${String(segment)} does not exist.`,
  CommitClosed: ([commitEnd]) => `Verdicts on this dispute could be committed until ${formatChainTime(commitEnd)}.`,
  AlreadyCommitted: () => 'You already committed a verdict on this challenge.',
  RevealNotOpen: ([commitEnd]) =>
    `Verdicts are revealed from ${formatChainTime(commitEnd)}, once the commit half of the vote is over.`,
  RevealClosed: ([voteEnd]) => `The vote on this dispute ended at ${formatChainTime(voteEnd)}.`,
  NoCommitment: () => 'You did not commit a verdict on this challenge, so there is nothing to reveal.',
  VoteOpen: ([voteEnd]) =>
    `The vote on this dispute runs until ${formatChainTime(voteEnd)}; it can be resolved after that.`,
  NotSettledByVote: () =>
    'This challenge was not settled by a vote with a majority (no dispute, a tie or no votes), so no jury is paid.',
  NotInMajority: () => "Only validators who revealed the majority's verdict share the jury's pot.",
  AlreadyClaimed: () => "You already took your share of this challenge's jury pot.",
  ChallengeAlreadyOpen: ([challengeId]) =>
    `Challenge ${String(challengeId)} of this submission is still open; a submission has at most one open challenge at a time.`,
  InvalidMaxErr: ([maxErr]) =>
    `A tolerance of ${String(maxErr)} wrong watermark bits is too loose: it must be below half of the 64 bits.`,
  InvalidProof: () =>
    "The proof does not show that the challenged submission carries your address under the key you committed when joining the task, within the task's tolerance.",
  NotAccused: () => 'Only the challenged trainer can answer this challenge.',
  NotValidator: () => "Only a validator of this task whose own stake reached the task's minimum can challenge.",
  ResponseTooLate: ([deadline]) => `The time to answer this challenge ended at ${formatChainTime(deadline)}.`,
  ResponseWindowOpen: ([deadline]) =>
    `The challenged trainer may still answer until ${formatChainTime(deadline)}; the challenge can be resolved after that.`,
  TooManyChallenges: () =>
    'This trainer already has the most open challenges the protocol can count; settle some first.',
  UnknownChallenge: ([id]) => `Challenge ${String(id)} does not exist.`,
  UnknownSubmission: ([submissionId]) =>
    `Submission ${String(submissionId)} does not exist in this task: only revealed submissions can be challenged.`,

  // WatermarkOwnershipVerifier (its constructor, at deployment)
  DevelopmentCeremonyOnPublicChain: ([chainId]) =>
    `This verifier comes from the development ceremony, whose secret anyone can recompute: it deploys only on a local development chain, not on chain ${String(chainId)}. Deploy a verifier from a production ceremony.`,
};

export function isProtocolErrorName(name: string): name is ProtocolErrorName {
  return Object.prototype.hasOwnProperty.call(ERROR_SENTENCES, name);
}

/** The sentence for a decoded custom error, or undefined if the name is not the protocol's. */
export function protocolErrorSentence(
  name: string,
  args: readonly unknown[] = [],
  ctx: ErrorContext = {},
): string | undefined {
  return isProtocolErrorName(name) ? ERROR_SENTENCES[name](args, ctx) : undefined;
}
