// Defaults a task creator starts from: the SPEC's window fractions (section 2.2/2.3), the reward
// parameters (section 4, kept in src/lib/protocol/params.ts with their ranges) and the size of
// the per-epoch evaluation subset, in the units TaskParams takes (basis points, WAD, counts).
export { DEFAULT_REWARD_PARAMS, DEFAULT_TOL_V } from '../protocol/params.ts';

export const DEFAULT_WINDOWS = {
  sealEnd: 5_000,
  revealEnd: 6_000,
  commitEnd: 8_500,
  finalCommitEnd: 7_000,
} as const;

/**
 * Samples each validator scores per epoch (SPEC 2.2, TaskParams.evalSubsetSize). 2000 gave the
 * lowest reward to lazy validators reusing scores among the sizes measured on 5,000-sample eval
 * sets (docs/bench/consensus.md), and honest rankings close to whole-set ones
 * (docs/bench/incentives.md). A set no larger than this is scored whole every epoch.
 */
export const DEFAULT_EVAL_SUBSET_SIZE = 2_000;

/**
 * The jury's share of the losing side's stake (SPEC 8.4, TaskParams.challenge.juryBps): 10%,
 * enough to pay a validator's replay of one segment many times over at the default bond, small
 * enough that the challenger or the cleared trainer keeps most of what it won
 * (docs/contracts.md, "Challenges").
 */
export const DEFAULT_JURY_BPS = 1_000;

/**
 * The challenge stages' times for a task of `epochSeconds` epochs: one epoch each to answer
 * (proof and disclosure), to dispute a segment (a validator replays the disclosed transcript
 * first) and to vote (half to commit, half to reveal). An epoch is a day on a public chain, a few
 * minutes on the local stack.
 */
export function defaultChallengeTimes(epochSeconds: number): {
  responseTime: number;
  disputeTime: number;
  voteTime: number;
} {
  return { responseTime: epochSeconds, disputeTime: epochSeconds, voteTime: epochSeconds };
}

/**
 * The largest challenge bond a trainer cannot farm (docs/contracts.md, "Challenges"): the slash a
 * trainer staking the task's minimum loses when it fails. A trainer that passes a challenge takes
 * the bond (SPEC 7), so a bond above this pays anyone who trains honestly and puts a near-copy of
 * its own model under a second identity at the minimum stake: challengers' agents flag the pair,
 * the real identity clears and takes the bond, and a challenged copy loses less than that
 * (docs/bench/incentives.md: 1.84x an honest trainer's reward at a bond of 100 over a 1-token
 * copy). At or below it a challenged copy loses at least what its twin wins, and a copy nobody
 * challenges leaves the farmer at most one bond per task (agents challenge a trainer once a task).
 */
export function maxUnfarmableBond(minTrainerStake: bigint, slashBps: number): bigint {
  return (minTrainerStake * BigInt(slashBps)) / 10_000n;
}
