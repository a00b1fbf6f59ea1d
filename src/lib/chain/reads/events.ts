// The protocol events the app's pages read, decoded from raw logs into small plain records
// (bigints and strings only), so they can be kept in IndexedDB and compared in tests. Pure.
import { decodeEventLog, toEventSelector, type Abi, type AbiEvent, type Address, type Hex } from 'viem';
import { challengeModuleAbi, rewardEngineAbi, stakeManagerAbi, submissionBookAbi, taskRegistryAbi } from '../abi.generated.ts';
import type { ProtocolContracts } from '../deployments.ts';

/** Where a log sits in the chain: orders events and tells apart two identical ones. */
export interface LogPosition {
  block: bigint;
  logIndex: number;
}

export type ArenaEvent = LogPosition &
  (
    | { kind: 'Delegated'; taskId: bigint; delegatee: Address; delegator: Address; amount: bigint; effectiveEpoch: bigint }
    | { kind: 'Undelegated'; taskId: bigint; delegatee: Address; delegator: Address; amount: bigint }
    | {
        kind: 'SubmissionRevealed';
        taskId: bigint;
        epoch: bigint;
        trainer: Address;
        submissionId: bigint;
        artifactHash: Hex;
        duplicate: boolean;
      }
    | { kind: 'DuplicateFlagged'; taskId: bigint; submissionId: bigint; original: bigint }
    | { kind: 'ScoresRevealed'; taskId: bigint; epoch: bigint; validator: Address }
    | { kind: 'EpochScored'; taskId: bigint; epoch: bigint; budget: bigint; rT: bigint; rV: bigint; n: bigint; m: bigint }
    | {
        kind: 'TrainerRewarded';
        taskId: bigint;
        epoch: bigint;
        trainer: Address;
        submissionId: bigint;
        rank: bigint;
        /** WAD: 1e18 is a perfect score. */
        aggregate: bigint;
        pool: bigint;
        own: bigint;
      }
    | {
        kind: 'ValidatorRewarded';
        taskId: bigint;
        epoch: bigint;
        validator: Address;
        /** Mean distance to consensus over the epoch's columns, WAD. */
        distance: bigint;
        pool: bigint;
        own: bigint;
      }
    | { kind: 'EpochFinalized'; taskId: bigint; epoch: bigint; booked: bigint; degenerate: boolean }
    | { kind: 'FinalEvalRevealed'; taskId: bigint; finalEvalHash: Hex }
    | { kind: 'FinalEvalFallback'; taskId: bigint }
    | {
        kind: 'ChallengeOpened';
        challengeId: bigint;
        taskId: bigint;
        trainer: Address;
        challenger: Address;
        submissionId: bigint;
        bond: bigint;
        deadline: bigint;
      }
    | { kind: 'ChallengeAnswered'; challengeId: bigint; taskId: bigint; trainer: Address; bond: bigint }
    | { kind: 'ChallengeUpheld'; challengeId: bigint; taskId: bigint; trainer: Address; challenger: Address; bond: bigint; rewards: bigint; slashed: bigint }
    | { kind: 'ChallengeVoided'; challengeId: bigint; taskId: bigint; trainer: Address; challenger: Address; bond: bigint }
    | { kind: 'TheftClaimed'; taskId: bigint; submissionId: bigint; thief: Address; owner: Address; rewards: bigint; slashed: bigint }
  );

export type ArenaEventKind = ArenaEvent['kind'];
export type EventOf<K extends ArenaEventKind> = Extract<ArenaEvent, { kind: K }>;

type ContractKey = keyof Pick<ProtocolContracts, 'taskRegistry' | 'stakeManager' | 'submissionBook' | 'rewardEngine' | 'challengeModule'>;

/** Which contract emits each event the app reads. */
export const READ_EVENTS: Record<ArenaEventKind, ContractKey> = {
  Delegated: 'stakeManager',
  Undelegated: 'stakeManager',
  SubmissionRevealed: 'submissionBook',
  DuplicateFlagged: 'submissionBook',
  ScoresRevealed: 'submissionBook',
  EpochScored: 'rewardEngine',
  TrainerRewarded: 'rewardEngine',
  ValidatorRewarded: 'rewardEngine',
  EpochFinalized: 'rewardEngine',
  FinalEvalRevealed: 'taskRegistry',
  FinalEvalFallback: 'taskRegistry',
  // Absent from deployments made before the module: their logs are simply not asked for.
  ChallengeOpened: 'challengeModule',
  ChallengeAnswered: 'challengeModule',
  ChallengeUpheld: 'challengeModule',
  ChallengeVoided: 'challengeModule',
  TheftClaimed: 'challengeModule',
};

const ABIS: Record<ContractKey, Abi> = {
  taskRegistry: taskRegistryAbi as Abi,
  stakeManager: stakeManagerAbi as Abi,
  submissionBook: submissionBookAbi as Abi,
  rewardEngine: rewardEngineAbi as Abi,
  challengeModule: challengeModuleAbi as Abi,
};

function eventAbi(kind: ArenaEventKind): AbiEvent {
  const found = ABIS[READ_EVENTS[kind]].find((x): x is AbiEvent => x.type === 'event' && x.name === kind);
  if (!found) throw new Error(`the generated ABI has no event ${kind}`);
  return found;
}

const KINDS = Object.keys(READ_EVENTS) as ArenaEventKind[];
const BY_SELECTOR = new Map<Hex, { kind: ArenaEventKind; abi: AbiEvent }>(
  KINDS.map((kind) => {
    const abi = eventAbi(kind);
    return [toEventSelector(abi), { kind, abi }];
  }),
);

/** topic0 of every event the app reads (one eth_getLogs filter covers them all). */
export const READ_TOPICS: Hex[] = [...BY_SELECTOR.keys()];

/** The contracts whose logs the app reads. */
export function readAddresses(c: ProtocolContracts): Address[] {
  return [...new Set(KINDS.map((k) => c[READ_EVENTS[k]]).filter((a): a is Address => a !== undefined))];
}

/** A log as eth_getLogs returns it (hex quantities). */
export interface RawLog {
  address: Address;
  topics: Hex[];
  data: Hex;
  blockNumber: Hex | bigint | null;
  logIndex: Hex | number | null;
  removed?: boolean;
}

export class EventDecodeError extends Error {
  readonly code = 'EVENT_DECODE';
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'EventDecodeError';
  }
}

/**
 * Decodes logs into ArenaEvents. Logs of other events or from other addresses are skipped (a
 * filter by topic can still return a foreign contract's log with the same signature); pending
 * and removed logs are skipped. A log of a read event from a protocol contract that does not
 * decode is an error: the ABI and the deployed contract disagree.
 */
export function decodeArenaLogs(logs: readonly RawLog[], contracts: ProtocolContracts): ArenaEvent[] {
  const out: ArenaEvent[] = [];
  for (const log of logs) {
    if (log.removed || log.blockNumber === null || log.logIndex === null) continue;
    const entry = log.topics[0] ? BY_SELECTOR.get(log.topics[0]) : undefined;
    if (!entry || log.address.toLowerCase() !== contracts[READ_EVENTS[entry.kind]]?.toLowerCase()) continue;
    let args: Record<string, unknown>;
    try {
      args = decodeEventLog({ abi: [entry.abi], topics: log.topics as [Hex, ...Hex[]], data: log.data, strict: true })
        .args as unknown as Record<string, unknown>;
    } catch (cause) {
      throw new EventDecodeError(`a ${entry.kind} log at block ${BigInt(log.blockNumber)} does not match the app's ABI`, { cause });
    }
    out.push(toEvent(entry.kind, args, { block: BigInt(log.blockNumber), logIndex: Number(log.logIndex) }));
  }
  return out.sort(byPosition);
}

export function byPosition(a: LogPosition, b: LogPosition): number {
  return a.block === b.block ? a.logIndex - b.logIndex : a.block < b.block ? -1 : 1;
}

function toEvent(kind: ArenaEventKind, a: Record<string, unknown>, at: LogPosition): ArenaEvent {
  const big = (k: string) => a[k] as bigint;
  const str = <T extends string>(k: string) => a[k] as T;
  switch (kind) {
    case 'Delegated':
      return { ...at, kind, taskId: big('taskId'), delegatee: str('delegatee'), delegator: str('delegator'), amount: big('amount'), effectiveEpoch: big('effectiveEpoch') };
    case 'Undelegated':
      return { ...at, kind, taskId: big('taskId'), delegatee: str('delegatee'), delegator: str('delegator'), amount: big('amount') };
    case 'SubmissionRevealed':
      return {
        ...at,
        kind,
        taskId: big('taskId'),
        epoch: big('epoch'),
        trainer: str('trainer'),
        submissionId: big('submissionId'),
        artifactHash: str('artifactHash'),
        duplicate: a.duplicate as boolean,
      };
    case 'DuplicateFlagged':
      return { ...at, kind, taskId: big('taskId'), submissionId: big('submissionId'), original: big('original') };
    case 'ScoresRevealed':
      // The packed words are left out: the leaderboard comes from the booked results.
      return { ...at, kind, taskId: big('taskId'), epoch: big('epoch'), validator: str('validator') };
    case 'EpochScored':
      return { ...at, kind, taskId: big('taskId'), epoch: big('epoch'), budget: big('budget'), rT: big('rT'), rV: big('rV'), n: big('n'), m: big('m') };
    case 'TrainerRewarded':
      return {
        ...at,
        kind,
        taskId: big('taskId'),
        epoch: big('epoch'),
        trainer: str('trainer'),
        submissionId: big('submissionId'),
        rank: big('rank'),
        aggregate: big('aggregate'),
        pool: big('pool'),
        own: big('own'),
      };
    case 'ValidatorRewarded':
      return { ...at, kind, taskId: big('taskId'), epoch: big('epoch'), validator: str('validator'), distance: big('distance'), pool: big('pool'), own: big('own') };
    case 'EpochFinalized':
      return { ...at, kind, taskId: big('taskId'), epoch: big('epoch'), booked: big('booked'), degenerate: a.degenerate as boolean };
    case 'FinalEvalRevealed':
      return { ...at, kind, taskId: big('taskId'), finalEvalHash: str('finalEvalHash') };
    case 'FinalEvalFallback':
      return { ...at, kind, taskId: big('taskId') };
    case 'ChallengeOpened':
      return {
        ...at,
        kind,
        challengeId: big('challengeId'),
        taskId: big('taskId'),
        trainer: str('trainer'),
        challenger: str('challenger'),
        submissionId: big('submissionId'),
        bond: big('bond'),
        deadline: big('deadline'),
      };
    case 'ChallengeAnswered':
      return { ...at, kind, challengeId: big('challengeId'), taskId: big('taskId'), trainer: str('trainer'), bond: big('bond') };
    case 'ChallengeUpheld':
      return {
        ...at,
        kind,
        challengeId: big('challengeId'),
        taskId: big('taskId'),
        trainer: str('trainer'),
        challenger: str('challenger'),
        bond: big('bond'),
        rewards: big('rewards'),
        slashed: big('slashed'),
      };
    case 'ChallengeVoided':
      return { ...at, kind, challengeId: big('challengeId'), taskId: big('taskId'), trainer: str('trainer'), challenger: str('challenger'), bond: big('bond') };
    case 'TheftClaimed':
      return { ...at, kind, taskId: big('taskId'), submissionId: big('submissionId'), thief: str('thief'), owner: str('owner'), rewards: big('rewards'), slashed: big('slashed') };
  }
}
