// The rule sets an epoch is simulated under ("worlds"), and the all-honest scene of a world:
// the baseline every attacked scene is compared with.

import { WAD } from '../../../src/lib/protocol/wad.ts';
import type { RewardParams } from '../../../src/lib/protocol/params.ts';
import type { SimConfig } from './config.ts';
import { ADVERSARY, TWIN, canaryAccount, probeAccount, sealKey, tokens, type Task } from './population.ts';
import type { Column, Reference, Role, Scene, ValidatorSlot } from './scene.ts';
import { honest } from './strategies.ts';

export type WorldId =
  | 'canaries'
  | 'noCanaries'
  | 'alphaHalf'
  | 'noTolerance'
  | 'revision1'
  | 'committee8'
  | 'committee16'
  | 'committee32'
  | 'committee64';

export interface World {
  id: WorldId;
  label: string;
  reference: Reference;
  /** Whether the creator adds canary columns (config.canaries of them). */
  canaries: boolean;
  /** Whether validators score a per-epoch subset (revision 2) or the whole eval set (revision 1). */
  subsets: boolean;
  params: (config: SimConfig) => RewardParams;
  /** Committees of Poisson(k) seats per column instead of every validator (docs/scale.md). */
  committee?: number;
}

/** Revision 2 defaults with canaries, each column scored by a committee of mean size k. */
function committeeWorld(id: WorldId, k: number): World {
  return {
    id,
    label: `revision 2, defaults, with canaries; committees of k = ${k} seats per column`,
    reference: 'revision2',
    canaries: true,
    subsets: true,
    params: (c) => c.params,
    committee: k,
  };
}

export const WORLDS: Record<WorldId, World> = {
  canaries: {
    id: 'canaries',
    label: 'revision 2, defaults, with canaries',
    reference: 'revision2',
    canaries: true,
    subsets: true,
    params: (c) => c.params,
  },
  noCanaries: {
    id: 'noCanaries',
    label: 'revision 2, defaults, no canaries',
    reference: 'revision2',
    canaries: false,
    subsets: true,
    params: (c) => c.params,
  },
  alphaHalf: {
    id: 'alphaHalf',
    label: 'revision 2, alphaT = alphaV = 0.5, with canaries',
    reference: 'revision2',
    canaries: true,
    subsets: true,
    params: (c) => ({ ...c.params, alphaT: WAD / 2n, alphaV: WAD / 2n }),
  },
  noTolerance: {
    id: 'noTolerance',
    label: 'revision 2 median and subsets, tolV = 1 and floorBps = 0 (no tolerance, no floor), no canaries',
    reference: 'revision2',
    canaries: false,
    subsets: true,
    params: (c) => ({ ...c.params, tolV: WAD, floorBps: 0 }),
  },
  revision1: {
    id: 'revision1',
    label: 'revision 1 (stake-weighted mean, no floor, no tolerance), whole eval set, no canaries',
    reference: 'revision1',
    canaries: false,
    subsets: false,
    params: (c) => c.params,
  },
  committee8: committeeWorld('committee8', 8),
  committee16: committeeWorld('committee16', 16),
  committee32: committeeWorld('committee32', 32),
  committee64: committeeWorld('committee64', 64),
};

export function isFinal(config: SimConfig, epoch: number): boolean {
  return epoch >= config.submissionEpochs;
}

/** The model an account has scored in epoch e: its submission, or in the final phase its latest. */
export function submissionEpoch(config: SimConfig, epoch: number): number {
  return Math.min(epoch, config.submissionEpochs - 1);
}

const slotRole = (slot: number): Role => (slot === ADVERSARY ? 'adversary' : slot === TWIN ? 'twin' : 'honest');

/**
 * Everyone honest. Columns: the trainers, then the creator's probe columns if the world has
 * canaries: the submission phase's canaries; the final phase's probe accounts from the last
 * submission epoch on (ordinary columns except in the epoch their salt names).
 */
export function baseScene(task: Task, config: SimConfig, world: World, epoch: number): Scene {
  const x0 = config.submissionEpochs;
  const se = submissionEpoch(config, epoch);
  const columns: Column[] = task.trainers.map((t, i) => ({
    account: t.account,
    role: slotRole(i),
    model: t.models[se]!,
    stake: t.stake,
    seal: sealKey(task, config, epoch, t.account),
    duplicate: false,
    canary: false,
  }));
  if (world.canaries && config.canaries > 0) {
    const probeStake = tokens(config.minStake);
    if (epoch < x0) {
      task.canaries[epoch]!.forEach((model, slot) => {
        const account = canaryAccount(slot);
        columns.push({
          account,
          role: 'canary',
          model,
          stake: probeStake,
          seal: sealKey(task, config, epoch, account),
          duplicate: false,
          canary: true,
        });
      });
    }
    if (epoch >= x0 - 1) {
      const designated = new Set(epoch >= x0 ? task.canaries[epoch]!.map((m) => m.id) : []);
      task.finalProbes.forEach((model, slot) => {
        const account = probeAccount(slot);
        const canary = designated.has(model.id);
        columns.push({
          account,
          role: canary ? 'canary' : 'probe',
          model,
          stake: probeStake,
          seal: sealKey(task, config, epoch, account),
          duplicate: false,
          canary,
        });
      });
    }
  }
  const validators: ValidatorSlot[] = task.validators.map((v, j) => ({
    account: v.account,
    role: slotRole(j),
    stake: v.stake,
    backend: v.backend,
    strategy: honest,
  }));
  const scene: Scene = { columns, validators, params: world.params(config), reference: world.reference };
  if (world.committee !== undefined) scene.committee = { k: world.committee, seed: task.sample.taskSeed, epoch };
  return scene;
}
