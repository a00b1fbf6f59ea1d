// One account across every task, from the chain data the app already holds: the tasks it staked
// in (as trainer or validator), its delegations (net of undelegations) and what was delegated to
// it, and its earnings per epoch (its own share of each booked pool) as a running total per task
// for the chart. Pure.
import { formatUnits, getAddress, isAddress, type Address } from 'viem';
import type { ArenaEvent } from '../chain/reads/events.ts';

export interface AddressTaskLike {
  id: bigint;
  trainers: readonly Address[];
  validators: readonly Address[];
}

export interface AddressView {
  address: Address;
  roles: { taskId: bigint; role: 'trainer' | 'validator' }[];
  delegations: { taskId: bigint; delegatee: Address; amount: bigint }[];
  delegatedToIt: { taskId: bigint; amount: bigint; delegators: number }[];
  earnings: { taskId: bigint; epoch: bigint; role: 'trainer' | 'validator'; own: bigint }[];
  totalEarned: bigint;
  /** One series per task: x = epoch, y = ARENA earned up to and including it. */
  series: { label: string; points: { x: number; y: number }[] }[];
}

/** The checksummed address a route names, or null when it is not one. */
export function parseAddress(text: string): Address | null {
  return isAddress(text, { strict: false }) ? getAddress(text) : null;
}

const same = (a: string, b: string) => a.toLowerCase() === b.toLowerCase();

export function addressView(
  address: Address,
  tasks: readonly AddressTaskLike[],
  events: readonly ArenaEvent[],
): AddressView {
  const roles: AddressView['roles'] = [];
  for (const t of tasks) {
    if (t.trainers.some((a) => same(a, address))) roles.push({ taskId: t.id, role: 'trainer' });
    if (t.validators.some((a) => same(a, address))) roles.push({ taskId: t.id, role: 'validator' });
  }
  const out = new Map<string, { taskId: bigint; delegatee: Address; amount: bigint }>();
  const into = new Map<bigint, { amount: bigint; delegators: Set<string> }>();
  const earnings: AddressView['earnings'] = [];
  for (const e of events) {
    if (e.kind === 'Delegated' || e.kind === 'Undelegated') {
      const sign = e.kind === 'Delegated' ? 1n : -1n;
      if (same(e.delegator, address)) {
        const key = `${e.taskId}:${e.delegatee.toLowerCase()}`;
        const d = out.get(key) ?? { taskId: e.taskId, delegatee: e.delegatee, amount: 0n };
        d.amount += sign * e.amount;
        out.set(key, d);
      }
      if (same(e.delegatee, address)) {
        const d = into.get(e.taskId) ?? { amount: 0n, delegators: new Set<string>() };
        d.amount += sign * e.amount;
        d.delegators.add(e.delegator.toLowerCase());
        into.set(e.taskId, d);
      }
    } else if (e.kind === 'TrainerRewarded' && same(e.trainer, address)) {
      earnings.push({ taskId: e.taskId, epoch: e.epoch, role: 'trainer', own: e.own });
    } else if (e.kind === 'ValidatorRewarded' && same(e.validator, address)) {
      earnings.push({ taskId: e.taskId, epoch: e.epoch, role: 'validator', own: e.own });
    }
  }
  const byTask = new Map<bigint, Map<bigint, bigint>>();
  for (const e of earnings) {
    const m = byTask.get(e.taskId) ?? new Map<bigint, bigint>();
    m.set(e.epoch, (m.get(e.epoch) ?? 0n) + e.own);
    byTask.set(e.taskId, m);
  }
  const series = [...byTask.entries()]
    .sort(([a], [b]) => (a < b ? -1 : 1))
    .map(([taskId, m]) => {
      let sum = 0n;
      const points = [...m.entries()]
        .sort(([a], [b]) => (a < b ? -1 : 1))
        .map(([epoch, own]) => {
          sum += own;
          return { x: Number(epoch), y: Number(formatUnits(sum, 18)) };
        });
      return { label: `Task #${taskId}`, points };
    });
  return {
    address,
    roles,
    delegations: [...out.values()].filter((d) => d.amount > 0n),
    delegatedToIt: [...into.entries()]
      .filter(([, d]) => d.amount > 0n)
      .map(([taskId, d]) => ({ taskId, amount: d.amount, delegators: d.delegators.size })),
    earnings,
    totalEarned: earnings.reduce((n, e) => n + e.own, 0n),
    series,
  };
}
