// A task's trainers and validators with their stakes, sigma, eligibility and the rewards booked
// to them so far (summed from the reward engine's events): what a delegator chooses from.
import { parseEventLogs, type Address, type Hex } from 'viem';
import { rewardEngineAbi, stakeManagerAbi } from '../abi.generated.ts';
import type { ReadContext } from './context.ts';
import { readLogs } from './events.ts';
import { roleName, type RoleName } from './task-params.ts';

/** StakeManager's "not eligible yet" marker for eligibleFrom (type(uint32).max). */
const NEVER = 2 ** 32 - 1;

/** The first epoch a pool may act in, or null while its own stake is below the minimum. */
export const eligibleEpoch = (eligibleFrom: number): number | null => (eligibleFrom === NEVER ? null : eligibleFrom);

export interface Participant {
  account: Address;
  role: RoleName;
  /** Own and delegated stake including changes not yet in effect. */
  own: bigint;
  delegated: bigint;
  /** The values the epoch being scored uses. */
  ownActive: bigint;
  delegatedActive: bigint;
  /** Own share of pool rewards, WAD; the latest setting. */
  sigma: bigint;
  /** The sigma of the epoch the task is rolled into, and the epoch the latest change applies from (null: none since joining). */
  sigmaActive: bigint;
  sigmaFrom: number | null;
  /** First epoch the participant may act in (own stake reached the minimum), or null. */
  eligibleFrom: number | null;
  excluded: boolean;
  forfeited: boolean;
  openChallenges: number;
  keyCommit: Hex;
  /** Booked and not yet claimed: own part, and the part held for its delegators. */
  unclaimedOwn: bigint;
  unclaimedDelegators: bigint;
  /** Summed over the finalized epochs that booked it something: whole pool rewards, the own part, and how many epochs. */
  pastRewards: { pool: bigint; own: bigint; epochs: number };
}

export interface Participants {
  trainers: Participant[];
  validators: Participant[];
}

export async function readPool(ctx: ReadContext, taskId: bigint, account: Address) {
  return ctx.publicClient.readContract({
    address: ctx.deployment.contracts.stakeManager,
    abi: stakeManagerAbi,
    functionName: 'getPool',
    args: [taskId, account],
  });
}

export async function readParticipants(ctx: ReadContext, taskId: bigint): Promise<Participants> {
  const { stakeManager, rewardEngine } = ctx.deployment.contracts;
  const read = ctx.publicClient;
  const [trainers, validators, trainerLogs, validatorLogs] = await Promise.all([
    read.readContract({ address: stakeManager, abi: stakeManagerAbi, functionName: 'trainersOf', args: [taskId] }),
    read.readContract({ address: stakeManager, abi: stakeManagerAbi, functionName: 'validatorsOf', args: [taskId] }),
    readLogs(ctx, { address: rewardEngine, abi: rewardEngineAbi, eventName: 'TrainerRewarded', args: { taskId } }),
    readLogs(ctx, { address: rewardEngine, abi: rewardEngineAbi, eventName: 'ValidatorRewarded', args: { taskId } }),
  ]);
  const past = new Map<string, { pool: bigint; own: bigint; epochs: number }>();
  // Revision 2 books a column that did not qualify (rank 0) and a validator outside the tolerance
  // with pool 0: those epochs earned nothing and are not counted.
  const add = (who: Address, pool: bigint, own: bigint) => {
    if (pool === 0n) return;
    const p = past.get(who) ?? { pool: 0n, own: 0n, epochs: 0 };
    past.set(who, { pool: p.pool + pool, own: p.own + own, epochs: p.epochs + 1 });
  };
  for (const ev of parseEventLogs({ abi: rewardEngineAbi, eventName: 'TrainerRewarded', logs: trainerLogs }))
    add(ev.args.trainer, ev.args.pool, ev.args.own);
  for (const ev of parseEventLogs({ abi: rewardEngineAbi, eventName: 'ValidatorRewarded', logs: validatorLogs })) {
    add(ev.args.validator, ev.args.pool, ev.args.own);
  }
  const describe = async (account: Address): Promise<Participant> => {
    const pool = await readPool(ctx, taskId, account);
    return {
      account,
      role: roleName(pool.role) ?? 'trainer',
      own: pool.ownLatest,
      delegated: pool.delegatedLatest,
      ownActive: pool.own,
      delegatedActive: pool.delegated,
      sigma: pool.sigmaLatest,
      sigmaActive: pool.sigma,
      sigmaFrom: eligibleEpoch(pool.lastSigmaEpoch),
      eligibleFrom: eligibleEpoch(pool.eligibleFrom),
      excluded: pool.excluded,
      forfeited: pool.forfeited,
      openChallenges: pool.openChallenges,
      keyCommit: pool.keyCommit,
      unclaimedOwn: pool.ownRewards,
      unclaimedDelegators: pool.delegatorRewards,
      pastRewards: past.get(account) ?? { pool: 0n, own: 0n, epochs: 0 },
    };
  };
  return {
    trainers: await Promise.all(trainers.map(describe)),
    validators: await Promise.all(validators.map(describe)),
  };
}
