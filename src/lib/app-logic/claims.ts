// The Rewards page as data: what an account can take out across tasks (from readClaimables, and
// the unspent deposits of the tasks it created), one row per transaction it would take, and
// "claim all" as a plan of sequential transactions. Pure.
import type { Address } from 'viem';
import type { Claimables, PrincipalWithdrawal, RewardClaim } from '../chain/actions/claimables.ts';
import type { TaskRecord } from '../chain/reads/task-record.ts';
import { shortHex } from '../format.ts';

export type ClaimAction =
  | { kind: 'claim-own'; taskId: bigint }
  | { kind: 'claim-delegation'; taskId: bigint; delegatee: Address }
  | { kind: 'withdraw-stake'; taskId: bigint }
  | { kind: 'withdraw-delegation'; taskId: bigint; delegatee: Address }
  | { kind: 'withdraw-remainder'; taskId: bigint };

export interface ClaimRow {
  /** Stable key of the transaction (one per task, kind and delegatee). */
  key: string;
  taskId: bigint;
  what: string;
  amount: bigint;
  now: boolean;
  /** Why not now, in words, when not now. */
  waiting?: string;
  availableAt?: bigint;
  action: ClaimAction;
}

export const actionKey = (a: ClaimAction): string =>
  `${a.kind}:${a.taskId}${'delegatee' in a ? `:${a.delegatee.toLowerCase()}` : ''}`;

function rewardRow(r: RewardClaim): ClaimRow {
  const action: ClaimAction =
    r.kind === 'own'
      ? { kind: 'claim-own', taskId: r.taskId }
      : { kind: 'claim-delegation', taskId: r.taskId, delegatee: r.delegatee! };
  const what = r.kind === 'own' ? 'Your own rewards' : `Delegation rewards from ${shortHex(r.delegatee!, 4)}`;
  const waiting = r.now
    ? undefined
    : r.blockedBy === 'forfeited'
      ? 'Forfeited: the trainer lost an ownership challenge.'
      : r.blockedBy === 'open-challenge'
        ? 'Locked while an ownership challenge is open.'
        : 'Trainer rewards vest when the task ends (after its challenge epochs).';
  return {
    key: actionKey(action),
    taskId: r.taskId,
    what,
    amount: r.amount,
    now: r.now,
    ...(waiting ? { waiting } : {}),
    ...(r.availableAt !== undefined ? { availableAt: r.availableAt } : {}),
    action,
  };
}

/** Reward rows; rows for the same transaction are merged (amounts added). */
export function rewardRows(c: Claimables): ClaimRow[] {
  return merge(c.rewards.map(rewardRow));
}

/** Principal rows (stake, delegations): one per withdraw transaction, now-parts and later parts apart. */
export function withdrawalRows(c: Claimables): ClaimRow[] {
  return merge(
    c.withdrawals.map((w: PrincipalWithdrawal): ClaimRow => {
      const action: ClaimAction =
        w.kind === 'stake'
          ? { kind: 'withdraw-stake', taskId: w.taskId }
          : { kind: 'withdraw-delegation', taskId: w.taskId, delegatee: w.delegatee! };
      return {
        key: actionKey(action),
        taskId: w.taskId,
        what: w.kind === 'stake' ? 'Your stake' : `Delegation to ${shortHex(w.delegatee!, 4)}`,
        amount: w.amount,
        now: w.now,
        ...(w.now
          ? {}
          : {
              waiting:
                w.kind === 'stake'
                  ? 'Stake is locked until the task ends.'
                  : 'Locked until the delegation unbonds or the task ends.',
            }),
        ...(w.availableAt !== undefined ? { availableAt: w.availableAt } : {}),
        action,
      };
    }),
  );
}

/**
 * The creator's rows: what each task it created did not pay out and it has not taken back yet
 * (the contract's remainder minus refunded: budgets of epochs that paid nobody once the last
 * scoring epoch is closed, rounding dust, or a rejected task's whole deposit). The contract lets
 * the creator take it at any time, so every row is available now.
 */
export function depositRows(
  tasks: readonly Pick<TaskRecord, 'id' | 'creator' | 'remainder' | 'refunded'>[],
  account: Address,
): ClaimRow[] {
  return tasks
    .filter((t) => t.creator.toLowerCase() === account.toLowerCase() && t.remainder > t.refunded)
    .map((t) => {
      const action: ClaimAction = { kind: 'withdraw-remainder', taskId: t.id };
      return {
        key: actionKey(action),
        taskId: t.id,
        what: 'Unspent deposit of a task you created',
        amount: t.remainder - t.refunded,
        now: true,
        action,
      };
    })
    .sort((a, b) => (a.taskId < b.taskId ? -1 : a.taskId > b.taskId ? 1 : 0));
}

function merge(rows: ClaimRow[]): ClaimRow[] {
  const out: ClaimRow[] = [];
  for (const row of rows) {
    // Available-now and later parts of one position stay apart: only the first is claimable.
    const same = out.find((r) => r.key === row.key && r.now === row.now);
    if (same) same.amount += row.amount;
    else out.push({ ...row });
  }
  return out.sort((a, b) => (a.taskId === b.taskId ? Number(b.now) - Number(a.now) : a.taskId < b.taskId ? -1 : 1));
}

/** "Claim all": every reward claimable now, one transaction each, in task order. */
export function claimAllPlan(rows: readonly ClaimRow[]): ClaimRow[] {
  return rows.filter((r) => r.now && r.amount > 0n);
}

export type StepOutcome<T> =
  | { key: string; status: 'done'; value: T }
  | { key: string; status: 'failed'; error: unknown }
  | { key: string; status: 'skipped' };

/**
 * Runs `run` for each item in turn (transactions from one account go one after another). A
 * failure does not stop the others, except one `stop` says ends the run (a declined wallet
 * prompt: the person said no); the rest are then 'skipped'.
 */
export async function runInSequence<I extends { key: string }, T>(
  items: readonly I[],
  run: (item: I, index: number) => Promise<T>,
  opts: { onStep?: (outcome: StepOutcome<T>, index: number) => void; stop?: (error: unknown) => boolean } = {},
): Promise<StepOutcome<T>[]> {
  const outcomes: StepOutcome<T>[] = [];
  let stopped = false;
  for (const [i, item] of items.entries()) {
    let outcome: StepOutcome<T>;
    if (stopped) outcome = { key: item.key, status: 'skipped' };
    else {
      try {
        outcome = { key: item.key, status: 'done', value: await run(item, i) };
      } catch (error) {
        outcome = { key: item.key, status: 'failed', error };
        if (opts.stop?.(error)) stopped = true;
      }
    }
    outcomes.push(outcome);
    opts.onStep?.(outcome, i);
  }
  return outcomes;
}
