// One scoring epoch as the chain sees it (columns, revealed validators and their scores) and
// its run through the reward reference. A scene is plain data plus each validator's strategy;
// adversaries.ts derives the attacked scenes from the honest one.

import { epochRewards, type EpochInput } from '../../../src/lib/protocol/rewards.ts';
import type { RewardParams } from '../../../src/lib/protocol/params.ts';
import { committeeEpochRewards } from './committee-rewards.ts';
import { drawSeats } from './committee-seats.ts';
import { revision1EpochRewards } from './revision1.ts';
import type { Model } from './quality.ts';
import type { ScoringView, Strategy } from './strategies.ts';

/** Who an identity is, for the measurements: the adversary's, its twin's, or nobody's in particular. */
export type Role = 'honest' | 'adversary' | 'twin' | 'canary' | 'probe' | 'friend';

export interface Column {
  account: number;
  role: Role;
  model: Model;
  stake: bigint;
  seal: bigint;
  duplicate: boolean;
  canary: boolean;
}

export interface ValidatorSlot {
  account: number;
  role: Role;
  stake: bigint;
  backend: number;
  strategy: Strategy;
}

export type Reference = 'revision2' | 'revision1';

/** Each column scored by a committee of Poisson(k) seats drawn by stake (committee-seats.ts). */
export interface CommitteeRule {
  k: number;
  seed: number;
  epoch: number;
}

export interface Scene {
  columns: Column[];
  validators: ValidatorSlot[];
  params: RewardParams;
  reference: Reference;
  committee?: CommitteeRule;
}

export interface SceneResult {
  /** Score units (1e-4), scores[j][i]. */
  scores: number[][];
  /** Aggregates in score units. */
  aggregates: number[];
  /** 0 = not ranked (did not qualify, or a canary). */
  ranks: number[];
  trainerPools: bigint[];
  validatorPools: bigint[];
  failedCanary: boolean[];
  R_T: bigint;
  /** Committees: seats[j][i] and the columns that drew no seat. */
  seats?: number[][];
  emptyColumns?: number;
}

const SCORE_UNIT = 10n ** 14n;

export function scoreMatrix(scene: Scene, view: ScoringView): number[][] {
  return scene.validators.map((v) => {
    const self = { account: v.account, backend: v.backend };
    return scene.columns.map((c) => {
      const units = v.strategy(view, c, self);
      if (!Number.isInteger(units) || units < 0 || units > 10_000) {
        throw new Error(`strategy of validator ${v.account} gave ${units} for column ${c.account}`);
      }
      return units;
    });
  });
}

export function epochInput(scene: Scene, scores: number[][], R: bigint): EpochInput {
  return {
    R,
    params: scene.params,
    trainers: scene.columns.map((c) => ({
      own: c.stake,
      delegated: 0n,
      sigma: 0n,
      seal: c.seal,
      duplicate: c.duplicate,
      canary: c.canary,
    })),
    validators: scene.validators.map((v) => ({ own: v.stake, delegated: 0n, sigma: 0n })),
    scores: scores.map((row) => row.map((u) => BigInt(u) * SCORE_UNIT)),
  };
}

/** Scores the scene and runs the reference the scene names. */
export function runScene(scene: Scene, view: ScoringView, R: bigint): SceneResult {
  const scores = scoreMatrix(scene, view);
  const input = epochInput(scene, scores, R);
  if (scene.reference === 'revision1') {
    const r = revision1EpochRewards(input);
    return {
      scores,
      aggregates: r.aggregates.map((a) => Number(a / SCORE_UNIT)),
      ranks: r.ranks,
      trainerPools: r.trainerPools,
      validatorPools: r.validatorPools,
      failedCanary: scene.validators.map(() => false),
      R_T: r.trainerPools.reduce((s, p) => s + p, 0n),
    };
  }
  if (scene.committee !== undefined) return runCommitteeScene(scene, scene.committee, scores, input);
  return bookedScene(scores, epochRewards(input));
}

/** What the simulator keeps of a booked epoch (plain or committee rewards). */
function bookedScene(scores: number[][], r: ReturnType<typeof epochRewards>): SceneResult {
  if (r.degenerate) throw new Error('degenerate epoch: the simulator always has enough validators and columns');
  return {
    scores,
    aggregates: r.trainers.map((t) => Number(t.aggregate / SCORE_UNIT)),
    ranks: r.trainers.map((t) => t.rank),
    trainerPools: r.trainers.map((t) => t.pool),
    validatorPools: r.validators.map((v) => v.pool),
    failedCanary: r.validators.map((v) => v.failedCanary),
    R_T: r.R_T,
  };
}

function runCommitteeScene(scene: Scene, rule: CommitteeRule, scores: number[][], input: EpochInput): SceneResult {
  const seats = drawSeats({
    k: rule.k,
    columns: scene.columns.length,
    validators: scene.validators.map((v) => ({ account: v.account, stake: Number(v.stake) / 1e18 })),
    seed: rule.seed,
    epoch: rule.epoch,
  });
  const r = committeeEpochRewards(input, seats);
  return { ...bookedScene(scores, r), seats, emptyColumns: r.emptyColumns };
}
