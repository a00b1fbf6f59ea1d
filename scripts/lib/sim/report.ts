// What a network simulation measured, pure: the paper's Table 1 columns for the run, fairness
// (Spearman between true model quality and reward per unit of stake, honest trainers), each
// adversary's reward over its honest twin's, conservation of the emission, and the costs
// (transactions and gas by phase and kind, the largest transaction, RPC requests per participant,
// wall time, memory). Statistics come from the incentive benchmark (scripts/lib/incentives/stats.ts).
import { spearman } from '../incentives/stats.ts';
import { WAD } from '../../../src/lib/protocol/wad.ts';
import { costsByPhase, largestTx, type PhaseCost, type TxRecord } from './ledger.ts';
import type { SimRun } from './run.ts';

/** The per-transaction gas every transaction must stay under (SPEC 4: below EIP-7825's cap). */
export const GAS_TARGET = 15_000_000n;

export interface RewardStats {
  participants: number;
  /** Tokens. */
  mean: number;
  std: number;
  min: number;
  max: number;
  total: number;
}

export const toTokens = (wei: bigint): number => Number(wei / 10n ** 9n) / 1e9;

export function rewardStats(amounts: readonly bigint[]): RewardStats {
  const t = amounts.map(toTokens);
  const n = t.length;
  if (n === 0) return { participants: 0, mean: 0, std: 0, min: 0, max: 0, total: 0 };
  const total = t.reduce((s, x) => s + x, 0);
  const mean = total / n;
  // The population's spread (every participant is counted, not a sample of them).
  const std = Math.sqrt(t.reduce((s, x) => s + (x - mean) ** 2, 0) / n);
  return { participants: n, mean, std, min: Math.min(...t), max: Math.max(...t), total };
}

export interface Fairness {
  /** Spearman's rho of (hidden-set accuracy, pool reward / pool stake) over honest trainers. */
  spearman: number;
  trainers: number;
  quality: { min: number; max: number };
}

export interface AdversaryRow {
  label: string;
  side: 'trainer' | 'validator';
  /** Tokens claimed by the adversary (every identity of a sybil group) and by its twin. */
  adversary: number;
  twin: number;
  /** adversary / twin. */
  ratio: number;
}

export interface Conservation {
  /** R0 x scoring epochs: what the creator deposited. */
  emission: bigint;
  /** Booked by finalization (all epochs), and the remainder refunded to the creator. */
  booked: bigint;
  remainder: bigint;
  /** Claimed by trainers, validators and delegators, and forfeited to challengers. */
  claimed: bigint;
  forfeited: bigint;
  /** booked - claimed - forfeited: per-claim flooring left in the stake manager (at most a wei a claim). */
  dust: bigint;
  claims: number;
}

export interface RpcStats {
  role: string;
  accounts: number;
  mean: number;
  median: number;
  max: number;
  /** The most requested methods of the role, with their share of its requests (largest first, at most 3). */
  methods: { method: string; share: number }[];
}

export interface SimReport {
  table1: { trainers: RewardStats; validators: RewardStats; delegators: RewardStats };
  fairness: Fairness;
  adversaries: AdversaryRow[];
  conservation: Conservation;
  costs: PhaseCost[];
  largest: TxRecord | null;
  txCount: number;
  gasTotal: bigint;
  overTarget: number;
  rpc: RpcStats[];
  agentColumns: { compared: number; differing: number };
}

const ratio = (a: number, b: number) => (b === 0 ? (a === 0 ? 0 : Number.POSITIVE_INFINITY) : a / b);

export function fairness(run: SimRun): Fairness {
  const honest = run.pop.trainers.filter((t) => t.role === 'honest');
  const quality = honest.map((t) => run.world.quality.get(run.world.trained.get(t.index)!.artifactHash)!);
  const perStake = honest.map((t) => {
    const pool = run.world.bookings.trainers.filter((b) => b.index === t.index).reduce((s, b) => s + b.pool, 0n);
    return Number((pool * WAD) / run.poolStakes.trainers[t.index]!) / 1e18;
  });
  return {
    spearman: spearman(quality, perStake),
    trainers: honest.length,
    quality: { min: Math.min(...quality), max: Math.max(...quality) },
  };
}

export function adversaryRows(run: SimRun): AdversaryRow[] {
  const rows: AdversaryRow[] = [];
  const { trainers, validators } = run.pop;
  const t = run.claims.trainers.map(toTokens);
  const v = run.claims.validators.map(toTokens);
  const TRAINER_LABELS: Record<string, string> = {
    thief: "thief: last epoch's best model, re-watermarked, behind a fabricated transcript",
    freeRider: 'free rider: an untrained model',
    duplicate: "duplicate: last epoch's best model, byte for byte",
  };
  for (const a of trainers.filter((x) => x.role !== 'honest')) {
    const twin = trainers.find((x) => x.twinOf === a.index)!;
    rows.push({
      label: TRAINER_LABELS[a.role]!,
      side: 'trainer',
      adversary: t[a.index]!,
      twin: t[twin.index]!,
      ratio: ratio(t[a.index]!, t[twin.index]!),
    });
  }
  const VALIDATOR_LABELS: Record<string, string> = {
    'lazy-constant': "lazy validator: one constant score (last epoch's median aggregate)",
    'lazy-random': "lazy validator: random scores in last epoch's aggregate range",
    'lazy-previous': "lazy validator: last epoch's public aggregate",
  };
  for (const a of validators.filter((x) => x.role.startsWith('lazy-'))) {
    const twin = validators.find((x) => x.twinOf === a.index)!;
    rows.push({
      label: VALIDATOR_LABELS[a.role]!,
      side: 'validator',
      adversary: v[a.index]!,
      twin: v[twin.index]!,
      ratio: ratio(v[a.index]!, v[twin.index]!),
    });
  }
  const members = validators.filter((x) => x.role === 'colluding');
  if (members.length > 0) {
    const twins = members.map((m) => validators.find((x) => x.twinOf === m.index)!);
    const sum = (xs: { index: number }[]) => xs.reduce((s, x) => s + v[x.index]!, 0);
    rows.push({
      label: `colluding group of ${members.length}: raise the median trainer, zero better models`,
      side: 'validator',
      adversary: sum(members),
      twin: sum(twins),
      ratio: ratio(sum(members), sum(twins)),
    });
  }
  const sybils = validators.filter((x) => x.role === 'sybil');
  if (sybils.length > 0) {
    const twin = validators.find((x) => x.twinOf === sybils[0]!.index)!;
    const total = sybils.reduce((s, x) => s + v[x.index]!, 0);
    rows.push({
      label: `validator sybil: one stake split over ${sybils.length} identities`,
      side: 'validator',
      adversary: total,
      twin: v[twin.index]!,
      ratio: ratio(total, v[twin.index]!),
    });
  }
  return rows;
}

export function conservation(run: SimRun): Conservation {
  const c = run.claims;
  const claimed = [...c.trainers, ...c.validators, ...c.delegators].reduce((s, x) => s + x, 0n);
  const forfeited = run.challenges.reduce((s, r) => s + r.forfeited, 0n);
  const booked = run.world.epochs.reduce((s, e) => s + e.booked, 0n);
  const claims = [...c.trainers, ...c.validators, ...c.delegators].filter((x) => x > 0n).length;
  return {
    emission: 1_000n * WAD * BigInt(run.config.submissionEpochs + run.config.finalEpochs),
    booked,
    remainder: c.remainder,
    claimed,
    forfeited,
    dust: booked - claimed - forfeited,
    claims,
  };
}

export function rpcStats(run: SimRun): RpcStats[] {
  const groups = new Map<string, SimRun['rpc']>();
  for (const r of run.rpc) {
    const role = r.agent ? 'validator (agent)' : r.role;
    groups.set(role, [...(groups.get(role) ?? []), r]);
  }
  return [...groups].map(([role, rs]) => {
    const xs = rs.map((r) => r.requests);
    const sorted = [...xs].sort((a, b) => a - b);
    const total = xs.reduce((s, x) => s + x, 0);
    const byMethod = new Map<string, number>();
    for (const r of rs) for (const [m, n] of Object.entries(r.methods)) byMethod.set(m, (byMethod.get(m) ?? 0) + n);
    return {
      role,
      accounts: xs.length,
      mean: total / xs.length,
      median: sorted[Math.floor(sorted.length / 2)]!,
      max: sorted.at(-1)!,
      methods: [...byMethod]
        .sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0]))
        .slice(0, 3)
        .map(([method, n]) => ({ method, share: total === 0 ? 0 : n / total })),
    };
  });
}

export function buildReport(run: SimRun): SimReport {
  const agentColumns = run.world.epochs.reduce(
    (s, e) => ({ compared: s.compared + e.agentColumns.compared, differing: s.differing + e.agentColumns.differing }),
    { compared: 0, differing: 0 },
  );
  return {
    table1: {
      trainers: rewardStats(run.claims.trainers),
      validators: rewardStats(run.claims.validators),
      delegators: rewardStats(run.claims.delegators),
    },
    fairness: fairness(run),
    adversaries: adversaryRows(run),
    conservation: conservation(run),
    costs: costsByPhase(run.txs),
    largest: largestTx(run.txs),
    txCount: run.txs.length,
    gasTotal: run.txs.reduce((s, t) => s + t.gas, 0n),
    overTarget: run.txs.filter((t) => t.gas >= GAS_TARGET).length,
    rpc: rpcStats(run),
    agentColumns,
  };
}
