// Shared fixtures for the agent tests: one schedule with round numbers, and observation builders.
import { zeroHash, type Address, type Hex } from 'viem';
import type { Schedule } from '../../../src/lib/chain/schedule.ts';
import { testSchedule } from '../chain/fixtures.ts';
import { seededTranscript, type TranscriptCommitment } from '../../../src/lib/chain/transcript-commit.ts';
import type { AgentScope } from '../../../src/lib/agents/common.ts';
import type { TrainerObservation, Candidate } from '../../../src/lib/agents/trainer/machine.ts';
import type { ColumnView, ValidatorObservation } from '../../../src/lib/agents/validator/machine.ts';

/**
 * Epoch e spans [1000 + 1000 e, 2000 + 1000 e). Submission epochs 0..2: seal [0, 500), reveal
 * [500, 600), score commit [600, 850), score reveal [850, 1000). Final epoch 3: commit [0, 700),
 * reveal [700, 1000). Challenge epoch 4; the task ends at 6000. Review ends at 900.
 */
export const SCHEDULE: Schedule = testSchedule({ startTime: 1000n, reviewEnd: 900n, epochLength: 1000 });

/** Unix time `offset` seconds into epoch `e`. */
export const at = (e: number, offset: number): bigint => 1000n + 1000n * BigInt(e) + BigInt(offset);

export const TRAINER: Address = '0x70997970c51812dc3a010c7d01b50e20d4a86c2e' as Address;
export const VALIDATOR: Address = '0x3c44cdddb6a900fa2b585dd299e03d12fa4293bc' as Address;
export const REGISTRY: Address = '0x5fbdb2315678afecb367f032d93f642f64180aa3' as Address;

export const trainerScope: AgentScope = {
  chainId: 31337,
  registry: REGISTRY,
  taskId: 7n,
  account: TRAINER,
  role: 'trainer',
};
export const validatorScope: AgentScope = {
  chainId: 31337,
  registry: REGISTRY,
  taskId: 7n,
  account: VALIDATOR,
  role: 'validator',
};

export const hex32 = (n: number | bigint): Hex => `0x${BigInt(n).toString(16).padStart(64, '0')}`;
export const KEY_COMMIT = hex32(0xabc);

/** The transcript commitment candidate `n` carries (seeded, 8 segments), as a training result would. */
export const transcriptOf = (n: number): TranscriptCommitment => seededTranscript(hex32(0xc000 + n), 8);

export function candidate(n: number, over: Partial<Candidate> = {}): Omit<Candidate, 'at'> {
  return {
    artifactHash: hex32(0xa000 + n),
    wmCommit: hex32(0xb000 + n),
    wrong: 1,
    maxErr: 8,
    sealable: true,
    step: 100 * n,
    trainingEpoch: n,
    transcript: transcriptOf(n),
    ...over,
  };
}

let entropyCounter = 1;
/** Distinct, recognizable entropy per call. */
export const freshEntropy = (): Hex => hex32(0xe0000000n + BigInt(entropyCounter++));

export interface TrainerObsInput {
  now: bigint;
  role?: TrainerObservation['chain']['role'];
  keyCommit?: Hex | null;
  localKey?: Hex | null;
  eligibleFrom?: number | null;
  excluded?: boolean;
  seals?: TrainerObservation['chain']['seals'];
  training?: TrainerObservation['local']['training'];
  entropy?: Hex;
  schedule?: Schedule;
  results?: TrainerObservation['chain']['results'];
  minStake?: bigint;
}

/** The rules the fixtures' task has: the SPEC defaults. */
export const RULES = { minScore: 0n, floorBps: 5_000, minValidators: 3 };

/** A joined, eligible trainer with its key on this device, unless told otherwise. */
export function tobs(o: TrainerObsInput): TrainerObservation {
  return {
    now: o.now,
    schedule: o.schedule ?? SCHEDULE,
    minStake: o.minStake ?? 1n,
    rules: RULES,
    chain: {
      role: o.role ?? 'Trainer',
      keyCommit: o.keyCommit === undefined ? KEY_COMMIT : o.keyCommit,
      eligibleFrom: o.eligibleFrom === undefined ? 0 : o.eligibleFrom,
      excluded: o.excluded ?? false,
      seals: o.seals ?? {},
      results: o.results ?? {},
    },
    local: { keyCommit: o.localKey === undefined ? KEY_COMMIT : o.localKey, training: o.training ?? 'idle' },
    entropy: o.entropy ?? freshEntropy(),
  };
}

export const noSeal = { commitment: zeroHash, revealed: false };

export function column(n: number, over: Partial<ColumnView> = {}): ColumnView {
  return {
    submissionId: n,
    trainer: `0x${(0x1000 + n).toString(16).padStart(40, '0')}` as Address,
    artifactHash: hex32(0xc000 + n),
    artifactRoot: hex32(0xc000 + n),
    wmCommit: hex32(0xd000 + n),
    duplicate: false,
    ...over,
  };
}

export const EVAL_DATA = hex32(0xe7a1);
export const FINAL_DATA = hex32(0xf17a1);

export interface ValidatorObsInput {
  now: bigint;
  role?: ValidatorObservation['chain']['role'];
  eligibleFrom?: number | null;
  finalEval?: ValidatorObservation['chain']['finalEval'];
  commits?: ValidatorObservation['chain']['commits'];
  columns?: ValidatorObservation['chain']['columns'];
  /** Evaluation seeds by epoch (default: none drawn). */
  seeds?: ValidatorObservation['chain']['seeds'];
  evaluating?: string | null;
  entropy?: Hex;
  evalSubsetSize?: number;
  minStake?: bigint;
}

/** Samples the fixtures' subsets have (of an eval set of 250). */
export const SUBSET_SIZE = 100;

export function vobs(o: ValidatorObsInput): ValidatorObservation {
  return {
    now: o.now,
    schedule: SCHEDULE,
    evalData: EVAL_DATA,
    evalSubsetSize: o.evalSubsetSize ?? SUBSET_SIZE,
    minStake: o.minStake ?? 1n,
    chain: {
      role: o.role ?? 'Validator',
      eligibleFrom: o.eligibleFrom === undefined ? 0 : o.eligibleFrom,
      excluded: false,
      finalEval: o.finalEval ?? { status: 'Pending', hash: null },
      commits: o.commits ?? {},
      columns: o.columns ?? {},
      seeds: o.seeds ?? {},
    },
    local: { evaluating: o.evaluating ?? null },
    entropy: o.entropy ?? freshEntropy(),
  };
}
