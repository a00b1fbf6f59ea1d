// An account's stakes across tasks: its own pools (from Joined events) and its delegations (from
// Delegated events), each read back from the stake manager's current state.
import { parseEventLogs, type Address } from 'viem';
import { stakeManagerAbi } from '../abi.generated.ts';
import type { ReadContext } from './context.ts';
import { readLogs } from './events.ts';
import { readPool } from './participants.ts';
import { roleName, type RoleName } from './task-params.ts';

export interface OwnPosition {
  role: RoleName;
  /** Own stake including changes not yet in effect. */
  stake: bigint;
  sigma: bigint;
  stakeWithdrawn: boolean;
  /** Own rewards booked and not yet claimed. */
  unclaimed: bigint;
  delegatedToMe: bigint;
  excluded: boolean;
  forfeited: boolean;
  openChallenges: number;
}

export interface DelegationPosition {
  delegatee: Address;
  delegateeRole: RoleName;
  /** Still delegated (counting now or from the next epoch). */
  principal: bigint;
  /** Undelegated, waiting to be withdrawn from epoch `unbondFrom`'s start. */
  unbonding: bigint;
  unbondFrom: number;
  exited: boolean;
  /** Rewards the delegator can claim now or once the delegatee vests. */
  pendingRewards: bigint;
}

export interface TaskPosition {
  taskId: bigint;
  own?: OwnPosition;
  delegations: DelegationPosition[];
}

/** Tasks the account joined and (task, delegatee) pairs it delegated to, from events. */
export async function accountActivity(ctx: ReadContext, account: Address) {
  const stakeManager = ctx.deployment.contracts.stakeManager;
  const [joinedLogs, delegatedLogs] = await Promise.all([
    readLogs(ctx, { address: stakeManager, abi: stakeManagerAbi, eventName: 'Joined', args: { account } }),
    readLogs(ctx, {
      address: stakeManager,
      abi: stakeManagerAbi,
      eventName: 'Delegated',
      args: { delegator: account },
    }),
  ]);
  const joined = new Set<bigint>();
  for (const ev of parseEventLogs({ abi: stakeManagerAbi, eventName: 'Joined', logs: joinedLogs }))
    joined.add(ev.args.taskId);
  const delegations = new Map<string, { taskId: bigint; delegatee: Address }>();
  for (const ev of parseEventLogs({ abi: stakeManagerAbi, eventName: 'Delegated', logs: delegatedLogs })) {
    delegations.set(`${ev.args.taskId}/${ev.args.delegatee}`, { taskId: ev.args.taskId, delegatee: ev.args.delegatee });
  }
  return { joined: [...joined], delegations: [...delegations.values()] };
}

export async function readDelegation(
  ctx: ReadContext,
  taskId: bigint,
  delegatee: Address,
  delegator: Address,
): Promise<DelegationPosition> {
  const stakeManager = ctx.deployment.contracts.stakeManager;
  const [pos, pending, pool] = await Promise.all([
    ctx.publicClient.readContract({
      address: stakeManager,
      abi: stakeManagerAbi,
      functionName: 'getPosition',
      args: [taskId, delegatee, delegator],
    }),
    ctx.publicClient.readContract({
      address: stakeManager,
      abi: stakeManagerAbi,
      functionName: 'pendingDelegationRewards',
      args: [taskId, delegatee, delegator],
    }),
    readPool(ctx, taskId, delegatee),
  ]);
  return {
    delegatee,
    delegateeRole: roleName(pool.role) ?? 'trainer',
    principal: pos.exited ? 0n : pos.shares + pos.deltaA + pos.deltaB,
    unbonding: pos.unbonding,
    unbondFrom: pos.unbondFrom,
    exited: pos.exited,
    pendingRewards: pending,
  };
}

export async function readAccountPositions(ctx: ReadContext, account: Address): Promise<TaskPosition[]> {
  const { joined, delegations } = await accountActivity(ctx, account);
  const taskIds = [...new Set([...joined, ...delegations.map((d) => d.taskId)])].sort((a, b) => (a < b ? -1 : 1));
  return Promise.all(
    taskIds.map(async (taskId): Promise<TaskPosition> => {
      const [pool, delegationRows] = await Promise.all([
        joined.includes(taskId) ? readPool(ctx, taskId, account) : undefined,
        Promise.all(
          delegations.filter((d) => d.taskId === taskId).map((d) => readDelegation(ctx, taskId, d.delegatee, account)),
        ),
      ]);
      return {
        taskId,
        ...(pool
          ? {
              own: {
                role: roleName(pool.role) ?? 'trainer',
                stake: pool.ownLatest,
                sigma: pool.sigmaLatest,
                stakeWithdrawn: pool.stakeWithdrawn,
                unclaimed: pool.ownRewards,
                delegatedToMe: pool.delegatedLatest,
                excluded: pool.excluded,
                forfeited: pool.forfeited,
                openChallenges: pool.openChallenges,
              },
            }
          : {}),
        delegations: delegationRows,
      };
    }),
  );
}
