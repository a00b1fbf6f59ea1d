// Transaction and RPC accounting of a network simulation: every receipt an action's sender got
// (its kind, gas, sender role, the phase of the run it was sent in) and every RPC request each
// account's clients made. Recording is the only side effect; the summaries are pure.
import type { Address, Transport } from 'viem';
import type { AccountRole } from './population.ts';

export interface TxRecord {
  /** The run's phase when it was sent: 'setup', 'epoch 0', ..., 'end'. */
  phase: string;
  /** The action's request kind ('joinTask', 'commitScores', 'finalize', ...). */
  kind: string;
  gas: bigint;
  from: Address;
  role: AccountRole;
}

export class Ledger {
  /** Set by the run as it moves on; a transaction is booked under the phase it was sent in. */
  phase = 'setup';
  readonly txs: TxRecord[] = [];

  record(kind: string, gas: bigint, from: Address, role: AccountRole): void {
    this.txs.push({ phase: this.phase, kind, gas, from, role });
  }
}

/** RPC requests of one account's clients, by method. */
export class RpcCounter {
  requests = 0;
  readonly methods = new Map<string, number>();

  count(method: string): void {
    this.requests += 1;
    this.methods.set(method, (this.methods.get(method) ?? 0) + 1);
  }
}

/** `inner`, counting every request it carries into `counter`. */
export function countingTransport(inner: Transport, counter: RpcCounter): Transport {
  return ((config: Parameters<Transport>[0]) => {
    const t = inner(config);
    const request = (async (args: { method: string }, options?: unknown) => {
      counter.count(args.method);
      return (t.request as (a: unknown, o?: unknown) => Promise<unknown>)(args, options);
    }) as typeof t.request;
    return { ...t, request };
  }) as Transport;
}

export interface KindCost {
  kind: string;
  count: number;
  gas: bigint;
  maxGas: bigint;
}

export interface PhaseCost {
  phase: string;
  count: number;
  gas: bigint;
  kinds: KindCost[];
}

/** Transactions and gas per phase and kind, phases in the order first seen, kinds by gas (largest first). */
export function costsByPhase(txs: readonly TxRecord[]): PhaseCost[] {
  const phases = new Map<string, Map<string, KindCost>>();
  for (const t of txs) {
    let kinds = phases.get(t.phase);
    if (!kinds) phases.set(t.phase, (kinds = new Map()));
    const k = kinds.get(t.kind) ?? { kind: t.kind, count: 0, gas: 0n, maxGas: 0n };
    k.count += 1;
    k.gas += t.gas;
    if (t.gas > k.maxGas) k.maxGas = t.gas;
    kinds.set(t.kind, k);
  }
  return [...phases].map(([phase, kinds]) => {
    const list = [...kinds.values()].sort((a, b) =>
      b.gas > a.gas ? 1 : b.gas < a.gas ? -1 : a.kind.localeCompare(b.kind),
    );
    return {
      phase,
      count: list.reduce((s, k) => s + k.count, 0),
      gas: list.reduce((s, k) => s + k.gas, 0n),
      kinds: list,
    };
  });
}

/** The transaction that used the most gas (null when there was none). */
export function largestTx(txs: readonly TxRecord[]): TxRecord | null {
  let best: TxRecord | null = null;
  for (const t of txs) if (best === null || t.gas > best.gas) best = t;
  return best;
}
