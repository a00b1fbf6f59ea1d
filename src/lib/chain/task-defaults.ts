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
