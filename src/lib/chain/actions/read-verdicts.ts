// Reads of the verdict stage of a challenge (SPEC 8.4): the revealed tally and the jury's pot, a
// juror's vote, what a juror could claim now, and a validator's weight as a juror (its own stake
// counted in the current epoch; docs/contracts.md, "Verdicts").
import type { Address, Hex } from 'viem';
import { challengeModuleAbi, stakeManagerAbi } from '../abi.generated.ts';
import { ActionInputError, type ReadContext } from './context.ts';
import { challengeModuleOf, readChallenge, type StoredChallenge } from './read-challenges.ts';

export type VerdictName = 'replays' | 'does-not-replay';
const VERDICTS: Record<number, VerdictName | null> = { 0: null, 1: 'replays', 2: 'does-not-replay' };

export interface TallyView {
  /** Revealed stake and jurors on each side. */
  replaysStake: bigint;
  doesNotReplayStake: bigint;
  replaysVoters: number;
  doesNotReplayVoters: number;
  /** The side found in the majority at the settlement; null before it, and after a tie or no votes. */
  majority: VerdictName | null;
  /** The jury's share of the losing side's stake, what of it was paid, and by how many claims. */
  juryPot: bigint;
  juryPaid: bigint;
  claims: number;
}

export interface VoteView {
  /** Zero hash when the juror did not commit. */
  commitment: Hex;
  /** Its weight: own validator stake at the commit, lowered to the stake at the reveal. */
  weight: bigint;
  /** null until revealed. */
  verdict: VerdictName | null;
  claimed: boolean;
}

export async function readTally(ctx: ReadContext, challengeId: bigint): Promise<TallyView> {
  const t = await ctx.publicClient.readContract({
    address: challengeModuleOf(ctx.deployment),
    abi: challengeModuleAbi,
    functionName: 'getTally',
    args: [challengeId],
  });
  return {
    replaysStake: t.replaysStake,
    doesNotReplayStake: t.doesNotReplayStake,
    replaysVoters: t.replaysVoters,
    doesNotReplayVoters: t.doesNotReplayVoters,
    majority: VERDICTS[t.majority] ?? null,
    juryPot: t.juryPot,
    juryPaid: t.juryPaid,
    claims: t.claims,
  };
}

export async function readVote(ctx: ReadContext, challengeId: bigint, juror: Address): Promise<VoteView> {
  const v = await ctx.publicClient.readContract({
    address: challengeModuleOf(ctx.deployment),
    abi: challengeModuleAbi,
    functionName: 'getVote',
    args: [challengeId, juror],
  });
  return { commitment: v.commitment, weight: v.weight, verdict: VERDICTS[v.verdict] ?? null, claimed: v.claimed };
}

/** What ChallengeModule.claimJuryShare would pay `juror` now (0 when nothing). */
export async function readJuryShare(ctx: ReadContext, challengeId: bigint, juror: Address): Promise<bigint> {
  return ctx.publicClient.readContract({
    address: challengeModuleOf(ctx.deployment),
    abi: challengeModuleAbi,
    functionName: 'juryShareOf',
    args: [challengeId, juror],
  });
}

/**
 * A validator's weight as a juror now: its own stake counted in the current epoch
 * (StakeManager.validatorStakeNow); 0 for anyone who cannot dispute or vote.
 */
export async function readJurorWeight(ctx: ReadContext, taskId: bigint, account: Address): Promise<bigint> {
  return ctx.publicClient.readContract({
    address: ctx.deployment.contracts.stakeManager,
    abi: stakeManagerAbi,
    functionName: 'validatorStakeNow',
    args: [taskId, account],
  });
}

/** The stored challenge, or ActionInputError naming `challengeId` when it does not exist. */
export async function requireChallenge(ctx: ReadContext, challengeId: bigint): Promise<StoredChallenge> {
  const c = await readChallenge(ctx, challengeId);
  if (!c) throw new ActionInputError('challengeId', `Challenge ${challengeId} does not exist.`);
  return c;
}
