// What an account can take out, across tasks, and when: rewards (own and from delegations) and
// principal (own stake, delegations). Mirrors the contracts' vesting and unlocking rules so the
// UI can show "claimable now" or "vests at ..." without a failed transaction.
import type { Address } from 'viem';
import { stakeManagerAbi } from '../abi.generated.ts';
import { endTime, epochStart, type Schedule } from '../schedule.ts';
import type { ReadContext } from './context.ts';
import { chainTime, readSchedule } from './chain-now.ts';
import { readAccountPositions } from './positions.ts';

export interface RewardClaim {
  taskId: bigint;
  kind: 'own' | 'delegation';
  delegatee?: Address;
  amount: bigint;
  /** Claimable now; otherwise see `availableAt` or `blockedBy`. */
  now: boolean;
  availableAt?: bigint;
  blockedBy?: 'vesting' | 'open-challenge' | 'forfeited';
}

export interface PrincipalWithdrawal {
  taskId: bigint;
  kind: 'stake' | 'delegation';
  delegatee?: Address;
  amount: bigint;
  now: boolean;
  availableAt?: bigint;
}

export interface Claimables {
  rewards: RewardClaim[];
  withdrawals: PrincipalWithdrawal[];
  claimableNow: bigint;
  withdrawableNow: bigint;
}

export async function readClaimables(ctx: ReadContext, account: Address): Promise<Claimables> {
  const [positions, now] = await Promise.all([readAccountPositions(ctx, account), chainTime(ctx)]);
  const stakeManager = ctx.deployment.contracts.stakeManager;
  const rewards: RewardClaim[] = [];
  const withdrawals: PrincipalWithdrawal[] = [];
  const schedules = new Map<bigint, Schedule>();
  for (const p of positions) schedules.set(p.taskId, await readSchedule(ctx, p.taskId));

  /** Whether a trainer's rewards can be paid, and if not why (the contract's _requireVested). */
  const trainerGate = async (taskId: bigint, trainer: Address, s: Schedule, forfeited: boolean, open: number) => {
    if (forfeited) return { now: false, blockedBy: 'forfeited' as const };
    if (now < endTime(s)) return { now: false, blockedBy: 'vesting' as const, availableAt: endTime(s) };
    if (open > 0) return { now: false, blockedBy: 'open-challenge' as const };
    const vested = await ctx.publicClient.readContract({
      address: stakeManager,
      abi: stakeManagerAbi,
      functionName: 'isVested',
      args: [taskId, trainer],
    });
    return vested ? { now: true } : { now: false, blockedBy: 'vesting' as const };
  };

  for (const p of positions) {
    const s = schedules.get(p.taskId)!;
    const over = s.rejected || now >= endTime(s);
    if (p.own) {
      const o = p.own;
      if (o.unclaimed > 0n) {
        const gate =
          o.role === 'validator'
            ? { now: true }
            : await trainerGate(p.taskId, account, s, o.forfeited, o.openChallenges);
        rewards.push({ taskId: p.taskId, kind: 'own', amount: o.unclaimed, ...gate });
      }
      if (!o.stakeWithdrawn && o.stake > 0n) {
        const free = s.rejected || (over && o.openChallenges === 0);
        withdrawals.push({
          taskId: p.taskId,
          kind: 'stake',
          amount: o.stake,
          now: free,
          ...(free ? {} : { availableAt: endTime(s) }),
        });
      }
    }
    for (const d of p.delegations) {
      if (d.pendingRewards > 0n) {
        let gate: Omit<RewardClaim, 'taskId' | 'kind' | 'amount'> = { now: true };
        if (d.delegateeRole === 'trainer') {
          const pool = await ctx.publicClient.readContract({
            address: stakeManager,
            abi: stakeManagerAbi,
            functionName: 'getPool',
            args: [p.taskId, d.delegatee],
          });
          gate = await trainerGate(p.taskId, d.delegatee, s, pool.forfeited, pool.openChallenges);
        }
        rewards.push({
          taskId: p.taskId,
          kind: 'delegation',
          delegatee: d.delegatee,
          amount: d.pendingRewards,
          ...gate,
        });
      }
      if (d.unbonding > 0n) {
        const at = epochStart(s, d.unbondFrom);
        const free = over || now >= at;
        withdrawals.push({
          taskId: p.taskId,
          kind: 'delegation',
          delegatee: d.delegatee,
          amount: d.unbonding,
          now: free,
          ...(free ? {} : { availableAt: at }),
        });
      }
      if (!d.exited && d.principal > 0n) {
        withdrawals.push({
          taskId: p.taskId,
          kind: 'delegation',
          delegatee: d.delegatee,
          amount: d.principal,
          now: over,
          ...(over ? {} : { availableAt: endTime(s) }),
        });
      }
    }
  }
  const sum = (xs: { amount: bigint; now: boolean }[]) => xs.reduce((t, x) => (x.now ? t + x.amount : t), 0n);
  return { rewards, withdrawals, claimableNow: sum(rewards), withdrawableNow: sum(withdrawals) };
}
