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
