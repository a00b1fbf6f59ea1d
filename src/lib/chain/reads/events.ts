// The protocol events the app's pages read, decoded from raw logs into small plain records
// (bigints and strings only), so they can be kept in IndexedDB and compared in tests. Pure.
import { decodeEventLog, toEventSelector, type Abi, type AbiEvent, type Address, type Hex } from 'viem';
import {
  challengeModuleAbi,
  rewardEngineAbi,
  stakeManagerAbi,
  submissionBookAbi,
  taskRegistryAbi,
} from '../abi.generated.ts';
import type { ProtocolContracts } from '../deployments.ts';
import { ArenaError } from '../../errors.ts';

/** Where a log sits in the chain: orders events and tells apart two identical ones. */
export interface LogPosition {
  block: bigint;
  logIndex: number;
}

export type ArenaEvent = LogPosition &
  (
    | {
        kind: 'Delegated';
        taskId: bigint;
        delegatee: Address;
        delegator: Address;
        amount: bigint;
        effectiveEpoch: bigint;
      }
    | { kind: 'Undelegated'; taskId: bigint; delegatee: Address; delegator: Address; amount: bigint }
    | {
        kind: 'SubmissionRevealed';
        taskId: bigint;
        epoch: bigint;
        trainer: Address;
        submissionId: bigint;
        artifactHash: Hex;
        /** Where the artifact is: its UnixFS root's sha2-256 digest (storage/unixfs/ref.ts). */
        artifactRoot: Hex;
        duplicate: boolean;
      }
    | { kind: 'DuplicateFlagged'; taskId: bigint; submissionId: bigint; original: bigint }
    | { kind: 'ScoresRevealed'; taskId: bigint; epoch: bigint; validator: Address }
    /** The epoch's evaluation subset was fixed (SPEC 2.2): drawn in its score commit window. */
    | { kind: 'EvalSeedDrawn'; taskId: bigint; epoch: bigint; seed: Hex }
    | { kind: 'CanariesCommitted'; taskId: bigint; epoch: bigint; keyHash: Hex }
    /** Bit i of `mask` set: column i of the epoch is one of the creator's canaries. */
    | { kind: 'CanariesRevealed'; taskId: bigint; epoch: bigint; canaryKey: Hex; mask: bigint }
    | {
        kind: 'EpochScored';
        taskId: bigint;
        epoch: bigint;
        budget: bigint;
        rT: bigint;
        rV: bigint;
        /** Columns that qualified for a rank (SPEC 4.3). */
        qualified: bigint;
        /** Included columns, canaries included. */
        columns: bigint;
        /** Validators that revealed. */
        m: bigint;
      }
    | {
        kind: 'TrainerRewarded';
        taskId: bigint;
        epoch: bigint;
        trainer: Address;
        submissionId: bigint;
        /** 1 = best; 0 = did not qualify (SPEC 4.3: not above minScore or under the floor), pool 0. */
        rank: bigint;
        /** The stake-weighted median, WAD: 1e18 is a perfect score. */
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
        /** Missed a valid canary's consensus by more than tolV: no weight in any column this epoch. */
        failedCanary: boolean;
      }
    | {
        kind: 'CanaryChecked';
        taskId: bigint;
        epoch: bigint;
        submissionId: bigint;
        /** The canary's median, WAD. */
        aggregate: bigint;
        /** Validator stake within tolV of it; a canary is valid with at least half of the stake. */
        agreeingStake: bigint;
        valid: boolean;
      }
    | {
        kind: 'EpochFinalized';
        taskId: bigint;
        epoch: bigint;
        booked: bigint;
        /** What nobody earned, carried to the next scoring epoch (the whole budget when degenerate). */
        rollover: bigint;
        degenerate: boolean;
      }
    | {
        kind: 'EpochClosed';
        taskId: bigint;
        epoch: bigint;
        booked: bigint;
        rollover: bigint;
        /** Carried into the next scoring epoch's budget (0 after the last one: it joins the remainder). */
        carry: bigint;
        /** The creator's refundable remainder so far. */
        remainder: bigint;
      }
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
    /** The accused posted its ownership proof (half of its answer). */
    | { kind: 'OwnershipProven'; challengeId: bigint; taskId: bigint; trainer: Address }
    /** The accused disclosed its transcript: the manifest's content address (half of its answer). */
    | { kind: 'TranscriptDisclosed'; challengeId: bigint; taskId: bigint; trainer: Address; manifest: Hex }
    /** Proof and disclosure are in: a segment may be disputed until `disputeDeadline`. */
    | { kind: 'ChallengeAnswered'; challengeId: bigint; taskId: bigint; trainer: Address; disputeDeadline: bigint }
    | {
        kind: 'SegmentDisputed';
        challengeId: bigint;
        taskId: bigint;
        disputer: Address;
        segment: bigint;
        commitEnd: bigint;
        voteEnd: bigint;
      }
    | {
        kind: 'ChallengeUpheld';
        challengeId: bigint;
        taskId: bigint;
        trainer: Address;
        challenger: Address;
        bond: bigint;
        rewards: bigint;
        slashed: bigint;
        /** Of the forfeit, kept for the majority jurors. */
        juryShare: bigint;
      }
    /** The trainer passed: `toTrainer` of the bond went to it, `juryShare` to the majority jurors. */
    | {
        kind: 'ChallengeCleared';
        challengeId: bigint;
        taskId: bigint;
        trainer: Address;
        challenger: Address;
        bond: bigint;
        toTrainer: bigint;
        juryShare: bigint;
      }
    | {
        kind: 'ChallengeVoided';
        challengeId: bigint;
        taskId: bigint;
        trainer: Address;
        challenger: Address;
        bond: bigint;
      }
  );

export type ArenaEventKind = ArenaEvent['kind'];
export type EventOf<K extends ArenaEventKind> = Extract<ArenaEvent, { kind: K }>;

type ContractKey = keyof Pick<
  ProtocolContracts,
  'taskRegistry' | 'stakeManager' | 'submissionBook' | 'rewardEngine' | 'challengeModule'
>;

/** Which contract emits each event the app reads. */
export const READ_EVENTS = {
  Delegated: 'stakeManager',
  Undelegated: 'stakeManager',
  SubmissionRevealed: 'submissionBook',
  DuplicateFlagged: 'submissionBook',
  ScoresRevealed: 'submissionBook',
  EvalSeedDrawn: 'submissionBook',
  CanariesCommitted: 'submissionBook',
  CanariesRevealed: 'submissionBook',
  EpochScored: 'rewardEngine',
  TrainerRewarded: 'rewardEngine',
  ValidatorRewarded: 'rewardEngine',
  CanaryChecked: 'rewardEngine',
  EpochFinalized: 'rewardEngine',
  EpochClosed: 'taskRegistry',
  FinalEvalRevealed: 'taskRegistry',
  FinalEvalFallback: 'taskRegistry',
  // Absent from deployments made before the module: their logs are simply not asked for.
  ChallengeOpened: 'challengeModule',
  OwnershipProven: 'challengeModule',
  TranscriptDisclosed: 'challengeModule',
  ChallengeAnswered: 'challengeModule',
  SegmentDisputed: 'challengeModule',
  ChallengeUpheld: 'challengeModule',
  ChallengeCleared: 'challengeModule',
  ChallengeVoided: 'challengeModule',
} as const satisfies Record<ArenaEventKind, ContractKey>;

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

export class EventDecodeError extends ArenaError<'EVENT_DECODE'> {
  constructor(message: string, options?: { cause?: unknown }) {
    super('EVENT_DECODE', message, options);
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
      throw new EventDecodeError(
        `a ${entry.kind} log at block ${BigInt(log.blockNumber)} does not match the app's ABI`,
        { cause },
      );
    }
    out.push(toEvent(entry.kind, args, { block: BigInt(log.blockNumber), logIndex: Number(log.logIndex) }));
  }
  return out.sort(byPosition);
}

export function byPosition(a: LogPosition, b: LogPosition): number {
  return a.block === b.block ? a.logIndex - b.logIndex : a.block < b.block ? -1 : 1;
}

type EventField<K extends ArenaEventKind> = Exclude<keyof EventOf<K>, 'kind' | keyof LogPosition>;

/**
 * The arguments each record keeps, by their ABI names. Left out: Undelegated's
 * withdrawableFromEpoch, SubmissionRevealed's wmCommit, and ScoresRevealed's packed words (the
 * leaderboard comes from the booked results).
 */
const KEPT = {
  Delegated: ['taskId', 'delegatee', 'delegator', 'amount', 'effectiveEpoch'],
  Undelegated: ['taskId', 'delegatee', 'delegator', 'amount'],
  SubmissionRevealed: ['taskId', 'epoch', 'trainer', 'submissionId', 'artifactHash', 'artifactRoot', 'duplicate'],
  DuplicateFlagged: ['taskId', 'submissionId', 'original'],
  ScoresRevealed: ['taskId', 'epoch', 'validator'],
  EvalSeedDrawn: ['taskId', 'epoch', 'seed'],
  CanariesCommitted: ['taskId', 'epoch', 'keyHash'],
  CanariesRevealed: ['taskId', 'epoch', 'canaryKey', 'mask'],
  EpochScored: ['taskId', 'epoch', 'budget', 'rT', 'rV', 'qualified', 'columns', 'm'],
  TrainerRewarded: ['taskId', 'epoch', 'trainer', 'submissionId', 'rank', 'aggregate', 'pool', 'own'],
  ValidatorRewarded: ['taskId', 'epoch', 'validator', 'distance', 'pool', 'own', 'failedCanary'],
  CanaryChecked: ['taskId', 'epoch', 'submissionId', 'aggregate', 'agreeingStake', 'valid'],
  EpochFinalized: ['taskId', 'epoch', 'booked', 'rollover', 'degenerate'],
  EpochClosed: ['taskId', 'epoch', 'booked', 'rollover', 'carry', 'remainder'],
  FinalEvalRevealed: ['taskId', 'finalEvalHash'],
  FinalEvalFallback: ['taskId'],
  ChallengeOpened: ['challengeId', 'taskId', 'trainer', 'challenger', 'submissionId', 'bond', 'deadline'],
  OwnershipProven: ['challengeId', 'taskId', 'trainer'],
  TranscriptDisclosed: ['challengeId', 'taskId', 'trainer', 'manifest'],
  ChallengeAnswered: ['challengeId', 'taskId', 'trainer', 'disputeDeadline'],
  SegmentDisputed: ['challengeId', 'taskId', 'disputer', 'segment', 'commitEnd', 'voteEnd'],
  ChallengeUpheld: ['challengeId', 'taskId', 'trainer', 'challenger', 'bond', 'rewards', 'slashed', 'juryShare'],
  ChallengeCleared: ['challengeId', 'taskId', 'trainer', 'challenger', 'bond', 'toTrainer', 'juryShare'],
  ChallengeVoided: ['challengeId', 'taskId', 'trainer', 'challenger', 'bond'],
} as const satisfies { [K in ArenaEventKind]: readonly EventField<K>[] };

/** Fields of a record that KEPT does not fill: none, or this type names them in a compile error. */
type Unfilled = { [K in ArenaEventKind]: Exclude<EventField<K>, (typeof KEPT)[K][number]> }[ArenaEventKind];
const everyFieldKept: [Unfilled] extends [never] ? true : Unfilled = true;
void everyFieldKept;

/** The generated ABI of each contract, as types: KEPT names are checked against the events' inputs. */
interface AbiOf {
  taskRegistry: typeof taskRegistryAbi;
  stakeManager: typeof stakeManagerAbi;
  submissionBook: typeof submissionBookAbi;
  rewardEngine: typeof rewardEngineAbi;
  challengeModule: typeof challengeModuleAbi;
}
type InputNames<abi extends readonly unknown[], name extends string> =
  Extract<abi[number], { type: 'event'; name: name }> extends { inputs: readonly (infer I)[] }
    ? I extends { name: infer N }
      ? N
      : never
    : never;
/** KEPT names that the contract's event does not have (a renamed or dropped argument): none, or a compile error names them. */
type NotInAbi = {
  [K in ArenaEventKind]: Exclude<(typeof KEPT)[K][number], InputNames<AbiOf[(typeof READ_EVENTS)[K]], K>>;
}[ArenaEventKind];
const everyFieldInAbi: [NotInAbi] extends [never] ? true : NotInAbi = true;
void everyFieldInAbi;

/** A record from a strictly decoded log: viem's values (bigint, checksummed address, hex, bool) as they are. */
function toEvent(kind: ArenaEventKind, args: Record<string, unknown>, at: LogPosition): ArenaEvent {
  const fields: Record<string, unknown> = { ...at, kind };
  for (const name of KEPT[kind]) fields[name] = args[name];
  return fields as unknown as ArenaEvent;
}
