// Everything one simulation run holds while it plays, shared by its phases (epochs, challenges,
// claims), and what it records for the report.
import type { Hex } from 'viem';
import type { ChainPort } from '../../../src/lib/agents/ports.ts';
import type { OwnershipEnv } from '../../../src/lib/app-logic/ownership.ts';
import type { Schedule } from '../../../src/lib/chain/schedule.ts';
import type { WatermarkKey } from '../../../src/lib/ml/watermark/types.ts';
import type { AgentValidator } from './agents.ts';
import type { SimConfig } from './config.ts';
import type { MlEnv } from './ml-env.ts';
import type { Model } from './models.ts';
import type { SimNetwork } from './network.ts';
import type { Population } from './population.ts';
import type { SharedEvaluations } from './scoring.ts';

export interface EpochRecord {
  epoch: number;
  phase: 'submission' | 'final';
  columns: number;
  /** Validators whose scores were revealed. */
  revealed: number;
  seed: Hex;
  booked: bigint;
  rollover: bigint;
  degenerate: boolean;
  finalizeCalls: number;
  /** Agent rows compared with the shared honest row: columns compared, columns that differ. */
  agentColumns: { compared: number; differing: number };
  wallSeconds: number;
  /** Trainer index of the rank-1 column (null: none qualified). */
  best: number | null;
}

/** One pool's booking in one epoch (RewardEngine's TrainerRewarded / ValidatorRewarded). */
export interface Booking {
  epoch: number;
  index: number;
  pool: bigint;
  own: bigint;
  /** Trainers: aggregate (units) and rank (0: did not qualify). Validators: 0. */
  aggregate: number;
  rank: number;
}

export interface ChallengeRecord {
  challengeId: bigint;
  epoch: number;
  trainer: number;
  challenger: number;
  /** What the challenger's similarity hint said (probe agreement), when it came from an agent. */
  probes: number | null;
  answered: boolean;
  disputedSegment: number | null;
  outcome: string;
  /** Seconds the accused spent proving ownership (0: no proof). */
  proofSeconds: number;
  forfeited: bigint;
  slashed: bigint;
  toTrainer: bigint;
}

export interface World {
  config: SimConfig;
  pop: Population;
  net: SimNetwork;
  env: MlEnv;
  taskId: bigint;
  schedule: Schedule;
  /** Reads (columns, seeds) as any validator's client makes them: the keeper's. */
  reader: ChainPort;
  shared: SharedEvaluations;
  agents: AgentValidator[];
  keys: WatermarkKey[];
  ownership: OwnershipEnv;
  /** Honest trainers' models (and the free rider's), made once and sealed every submission epoch. */
  trained: Map<number, Model>;
  /** What each trainer submitted, per submission epoch (trainer index -> model). */
  submitted: Map<number, Model>[];
  /** Accuracy on the hidden set of every model submitted, by artifact hash. */
  quality: Map<string, number>;
  bookings: { trainers: Booking[]; validators: Booking[] };
  epochs: EpochRecord[];
  challenges: ChallengeRecord[];
  /** Whose model the thief took, and what re-watermarking it took; null until it stole. */
  thief: { victim: number | null; rewatermarkSteps: number; wrongBits: number } | null;
  log(line: string): void;
}
