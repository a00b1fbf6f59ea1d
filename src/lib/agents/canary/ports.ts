// What the canary producer needs from the outside world. The creator's port commits and reveals
// canary keys; each pool account is an ordinary trainer account (the agents' ChainPort); models
// are trained by a CanaryModelPort (Node: scripts/lib/canary/train.ts, the project's engine);
// artifacts go to the content store when revealed (StorePort) and are kept locally until then.
import type { Address, Hex } from 'viem';
import type { Schedule } from '../../chain/schedule.ts';
import type { WatermarkKey } from '../../ml/watermark/index.ts';
import type { ChainPort, StorePort, TxResult } from '../ports.ts';
import type { CanaryState, ModelRecord } from './machine.ts';

export interface CanaryTaskInfo {
  schedule: Schedule;
  creator: Address;
  /** The task's minimum trainer stake (a pool account joins with at least this). */
  minStake: bigint;
  modelSpec: Hex;
  trainData: Hex;
}

/** The task creator's account in one task: canary keys. */
export interface CanaryCreatorPort {
  readonly creator: Address;
  readonly taskId: bigint;
  now(): Promise<bigint>;
  task(): Promise<CanaryTaskInfo>;
  /** canaryCommitOf(task, epoch); zeroHash when none. */
  canaryCommit(epoch: number): Promise<Hex>;
  canaryReveal(epoch: number): Promise<{ revealed: boolean; mask: bigint }>;
  commitCanaries(epoch: number, keyHash: Hex): Promise<TxResult>;
  /** Reveals the current epoch's key; rejects (PortError) when the chain is in another epoch than `epoch`. */
  revealCanaries(epoch: number, key: Hex): Promise<TxResult & { mask: bigint }>;
}

export interface CanaryTrainRequest {
  seed: number;
  /** Steps to train; the port trains on (a few steps at a time) until the watermark is sealable. */
  steps: number;
  owner: Address;
  key: WatermarkKey;
}

export interface CanaryModelPort {
  /** The task's watermark dimensions (T bits, N values), from its model spec. */
  readonly watermark: { bits: number; length: number };
  train(request: CanaryTrainRequest): Promise<{ artifact: Uint8Array; model: ModelRecord }>;
}

/** Where the producer keeps its state and the artifacts it has not revealed yet. */
export interface CanaryPersistence {
  load(): Promise<CanaryState | null>;
  save(state: CanaryState): Promise<void>;
  putArtifact(hash: Hex, bytes: Uint8Array): Promise<void>;
  getArtifact(hash: Hex): Promise<Uint8Array | null>;
}

export interface CanaryPorts {
  creator: CanaryCreatorPort;
  /** One trainer ChainPort per pool account. */
  members: ReadonlyMap<Address, ChainPort>;
  store: StorePort;
  models: CanaryModelPort;
  persist: CanaryPersistence;
}
