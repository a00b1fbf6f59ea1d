// The attacks the benchmark measures, each a pure function from the epoch's honest scene to the
// attacked one. Slot 0 of each role (role 'adversary') is the attacker; slot 1 ('twin') the
// honest participant with the same stake it is compared with.

import type { SimConfig } from './config.ts';
import { tokens, type Task } from './population.ts';
import type { Model } from './quality.ts';
import { Rng } from './rng.ts';
import type { Column, Scene, ValidatorSlot } from './scene.ts';
import {
  colluding,
  honest,
  lazyConstant,
  lazyPrevious,
  lazyPublicSet,
  lazyRandom,
  type Strategy,
} from './strategies.ts';
import { submissionEpoch, type WorldId } from './worlds.ts';

export type Side = 'validator' | 'trainer';
export type Group = 'honest' | 'lazy' | 'coalition' | 'sybil' | 'trainer';

/** A pass/fail rule on a row's numbers (checked against the whole 95% interval). */
export type Target = { kind: 'ratioAtMost'; value: number } | { kind: 'zero' } | { kind: 'rank1Below'; value: number };

export interface BuildContext {
  task: Task;
  config: SimConfig;
  epoch: number;
  final: boolean;
  world: WorldId;
  base: Scene;
  /** Model of last epoch's rank-1 column in this world; undefined in the first epoch. */
  previousBest: Model | undefined;
  /** Per-task memory, so that a model made in one epoch is the same object later. */
  memo<T>(key: string, make: () => T): T;
}

export interface Attack {
  scene: Scene;
  /** Coalitions: the trainer account they push, and the stake fraction they really hold. */
  friend?: number;
  fraction?: number;
  /** Thieves: the account whose model was copied. */
  victim?: number;
}

export interface Scenario {
  id: string;
  group: Group;
  side: Side;
  label: string;
  world: WorldId;
  /** 'twin': adversary vs twin in the same run; 'ownHonestPlay': vs the same identities in the baseline. */
  compare: 'twin' | 'ownHonestPlay';
  target?: Target;
  /** Report submission-phase and final-phase epochs as separate rows. */
  byPhase?: boolean;
  /** Only on the tasks that also run the revision 1 / no-tolerance worlds. */
  ablation?: boolean;
  build(ctx: BuildContext): Attack | undefined;
}

const withStrategy = (scene: Scene, strategy: Strategy): Scene => ({
  ...scene,
  validators: scene.validators.map((v) => (v.role === 'adversary' ? { ...v, strategy } : v)),
});

const replaceAdversaryColumn = (scene: Scene, make: (c: Column) => Column[]): Scene => ({
  ...scene,
  columns: scene.columns.flatMap((c) => (c.role === 'adversary' ? make(c) : [c])),
});

/** Stake split into k parts, the remainder on the last so the total is unchanged. */
export function splitStake(stake: bigint, k: number): bigint[] {
  const part = stake / BigInt(k);
  return Array.from({ length: k }, (_, l) => (l === k - 1 ? stake - part * BigInt(k - 1) : part));
}

export type LazyKind = 'constant' | 'random' | 'previous' | 'publicSet';

export const LAZY_LABELS: Record<LazyKind, string> = {
  constant: "lazy validator: one constant score (last epoch's median aggregate)",
  random: "lazy validator: random scores in last epoch's aggregate range",
  previous: "lazy validator: last epoch's public aggregate",
  publicSet: 'lazy validator: public set instead of the hidden set (final phase)',
};

const LAZY_STRATEGY: Record<LazyKind, Strategy> = {
  constant: lazyConstant,
  random: lazyRandom,
  previous: lazyPrevious,
  publicSet: lazyPublicSet,
};

export function lazy(kind: LazyKind, world: WorldId, ablation = false): Scenario {
  return {
    id: `lazy-${kind}@${world}`,
    group: 'lazy',
    side: 'validator',
    label: LAZY_LABELS[kind],
    world,
    compare: 'twin',
    target: { kind: 'ratioAtMost', value: 0.1 },
    byPhase: kind === 'previous',
    ablation,
    build: (ctx) => {
      if (kind === 'previous' && ctx.epoch === 0) return undefined;
      if (kind === 'publicSet' && !ctx.final) return undefined;
      return { scene: withStrategy(ctx.base, LAZY_STRATEGY[kind]) };
    },
  };
}

/** The honest column at the median of true quality (not the adversary's or the twin's). */
export function medianColumn(scene: Scene): Column {
  const honestCols = scene.columns.filter((c) => c.role === 'honest').sort((a, b) => a.model.quality - b.model.quality);
  const c = honestCols[Math.floor(honestCols.length / 2)];
  if (c === undefined) throw new Error('internal: no honest column');
  return c;
}

/**
 * Validators other than the adversary's and twin's slots join in a random order while the
 * coalition stays within `fraction` of all validator stake (one that would overshoot is skipped),
 * so the realised fraction is at most the nominal one. None fits: no coalition this epoch.
 */
export function coalition(fraction: number, lowerBetter: boolean, world: WorldId, ablation = false): Scenario {
  const pct = `${Math.round(fraction * 100)}%`;
  return {
    id: `coalition-${lowerBetter ? 'raiseLower' : 'raise'}-${fraction}@${world}`,
    group: 'coalition',
    side: 'validator',
    label: `coalition ${pct}: ${lowerBetter ? 'raise the friend, lower better models' : 'raise the friend'}`,
    world,
    compare: 'ownHonestPlay',
    target: fraction < 1 / 3 ? { kind: 'rank1Below', value: 0.01 } : undefined,
    ablation,
    build: (ctx) => {
      const S = ctx.base.validators.reduce((s, v) => s + v.stake, 0n);
      const cap = (S * BigInt(Math.round(fraction * 1e6))) / 1_000_000n;
      const order = new Rng(ctx.task.seed, ctx.task.index, ctx.epoch, 0xc0a1).shuffle(
        ctx.base.validators.filter((v) => v.role === 'honest').map((v) => v.account),
      );
      const members = new Set<number>();
      let held = 0n;
      const stakeOf = new Map(ctx.base.validators.map((v) => [v.account, v.stake]));
      for (const account of order) {
        const s = stakeOf.get(account)!;
        if (held + s <= cap) {
          members.add(account);
          held += s;
        }
      }
      if (members.size === 0) return undefined;
      const friend = medianColumn(ctx.base);
      const strategy = colluding(friend.account, friend.model, lowerBetter);
      const scene: Scene = {
        ...ctx.base,
        columns: ctx.base.columns.map((c) => (c.account === friend.account ? { ...c, role: 'friend' } : c)),
        validators: ctx.base.validators.map((v): ValidatorSlot =>
          members.has(v.account)
            ? { ...v, role: 'adversary', strategy }
            : v.role === 'adversary'
              ? { ...v, role: 'honest' }
              : v,
        ),
      };
      return { scene, friend: friend.account, fraction: Number((held * 1_000_000n) / S) / 1e6 };
    },
  };
}

export function validatorSybil(k: number, world: WorldId, alphaLabel: string): Scenario {
  return {
    id: `validator-sybil-${k}@${world}`,
    group: 'sybil',
    side: 'validator',
    label: `validator sybil: one stake split over ${k} identities (${alphaLabel})`,
    world,
    compare: 'twin',
    target: world === 'canaries' ? { kind: 'ratioAtMost', value: 1.01 } : undefined,
    build: (ctx) => ({
      scene: {
        ...ctx.base,
        validators: ctx.base.validators.flatMap((v) =>
          v.role === 'adversary'
            ? splitStake(v.stake, k).map((stake, l): ValidatorSlot => ({
                ...v,
                account: 5_000_000 + l,
                stake,
                strategy: honest,
              }))
            : [v],
        ),
      },
    }),
  };
}

export function trainerSybil(k: number, world: WorldId, alphaLabel: string): Scenario {
  return {
    id: `trainer-sybil-${k}@${world}`,
    group: 'sybil',
    side: 'trainer',
    label: `trainer sybil: one stake over ${k} identities with near-identical models (${alphaLabel})`,
    world,
    compare: 'twin',
    build: (ctx) => {
      const se = submissionEpoch(ctx.config, ctx.epoch);
      return {
        scene: replaceAdversaryColumn(ctx.base, (c) =>
          splitStake(c.stake, k).map((stake, l) => ({
            ...c,
            account: 4_000_000 + l,
            stake,
            seal: c.seal + BigInt(l),
            model: ctx.memo(`${ctx.world}:tsybil${k}:${se}:${l}`, () =>
              nearCopy(ctx.task, c.model, ctx.config.sybilRedraw),
            ),
          })),
        ),
      };
    },
  };
}

export function nearCopy(task: Task, original: Model, redraw: number): Model {
  return {
    id: task.nextModelId(),
    quality: original.quality,
    publicAccuracy: original.publicAccuracy,
    origin: { kind: 'copy', parent: original, redraw },
  };
}

export function freeRider(world: WorldId, ablation = false): Scenario {
  return {
    id: `free-rider@${world}`,
    group: 'trainer',
    side: 'trainer',
    label: 'free rider: submits an untrained model',
    world,
    compare: 'twin',
    target: { kind: 'zero' },
    ablation,
    build: (ctx) => {
      const se = submissionEpoch(ctx.config, ctx.epoch);
      const a = ctx.config.untrainedAccuracy;
      const model = ctx.memo(`${ctx.world}:free:${se}`, (): Model => ({
        id: ctx.task.nextModelId(),
        quality: a,
        publicAccuracy: a,
        origin: { kind: 'fresh' },
      }));
      return { scene: replaceAdversaryColumn(ctx.base, (c) => [{ ...c, model }]) };
    },
  };
}

/**
 * A byte-identical copy of last epoch's best model (sealing hides this epoch's models until the
 * seal window closes), flagged by the chain as a duplicate. `largeStake`: staked with as much
 * as all other trainers together.
 */
export function duplicate(largeStake: boolean, world: WorldId, ablation = false): Scenario {
  return {
    id: `duplicate${largeStake ? '-large' : ''}@${world}`,
    group: 'trainer',
    side: 'trainer',
    label: `byte-identical duplicate of last epoch's best${largeStake ? ', staking as much as all other trainers' : ''}`,
    world,
    compare: 'twin',
    target: { kind: 'zero' },
    ablation,
    build: (ctx) => {
      const se = submissionEpoch(ctx.config, ctx.epoch);
      if (se === 0) return undefined;
      const model = ctx.memo(`${ctx.world}:dup:${se}`, () => ctx.previousBest);
      if (model === undefined) return undefined;
      const others = ctx.base.columns
        .filter((c) => c.role === 'honest' || c.role === 'twin')
        .reduce((s, c) => s + c.stake, 0n);
      return {
        scene: replaceAdversaryColumn(ctx.base, (c) => [
          { ...c, model, duplicate: true, stake: largeStake ? others : c.stake },
        ]),
        victim: ctx.task.trainers.find((t) => t.models.includes(model))?.account,
      };
    },
  };
}

/** A near-copy (1% of predictions differ) of last epoch's best model, not byte-identical. */
export function thief(world: WorldId): Scenario {
  return {
    id: `thief@${world}`,
    group: 'trainer',
    side: 'trainer',
    label: "model thief: near-copy of last epoch's best model",
    world,
    compare: 'twin',
    build: (ctx) => {
      const se = submissionEpoch(ctx.config, ctx.epoch);
      if (se === 0) return undefined;
      const stolen = ctx.memo(`${ctx.world}:thief:${se}`, () =>
        ctx.previousBest === undefined
          ? undefined
          : { from: ctx.previousBest, copy: nearCopy(ctx.task, ctx.previousBest, ctx.config.thiefRedraw) },
      );
      if (stolen === undefined) return undefined;
      const victim = ctx.task.trainers.find((t) => t.models.includes(stolen.from))?.account;
      return { scene: replaceAdversaryColumn(ctx.base, (c) => [{ ...c, model: stolen.copy }]), victim };
    },
  };
}

/**
 * A thief that fine-tunes last epoch's best model further: `gain` more accuracy on both sets,
 * `redraw` of its predictions changed, so it ranks above the model it stole.
 */
export function thiefFinetune(world: WorldId): Scenario {
  return {
    id: `thief-finetune@${world}`,
    group: 'trainer',
    side: 'trainer',
    label: "model thief that fine-tunes last epoch's best model further",
    world,
    compare: 'twin',
    build: (ctx) => {
      const se = submissionEpoch(ctx.config, ctx.epoch);
      if (se === 0) return undefined;
      const stolen = ctx.memo(`${ctx.world}:thief-ft:${se}`, () => {
        const from = ctx.previousBest;
        if (from === undefined) return undefined;
        const gain = ctx.config.thiefFinetuneGain;
        const copy: Model = {
          ...nearCopy(ctx.task, from, ctx.config.thiefFinetuneRedraw),
          quality: Math.min(0.999, from.quality + gain),
          publicAccuracy: Math.min(0.999, from.publicAccuracy + gain),
        };
        return { from, copy };
      });
      if (stolen === undefined) return undefined;
      const victim = ctx.task.trainers.find((t) => t.models.includes(stolen.from))?.account;
      return { scene: replaceAdversaryColumn(ctx.base, (c) => [{ ...c, model: stolen.copy }]), victim };
    },
  };
}

/**
 * Bond farming: the adversary trains honestly (slot 0's own model, identity 0) and submits a
 * near-copy of it from a second identity with the minimum stake, so that a validator's automatic
 * challenge may hit its real identity, which replays and takes the challenger's bond.
 */
export function bondFarmer(world: WorldId): Scenario {
  return {
    id: `bond-farmer@${world}`,
    group: 'trainer',
    side: 'trainer',
    label:
      'bond farmer: trains honestly and submits a near-copy of its own model from a second identity (minimum stake)',
    world,
    compare: 'twin',
    build: (ctx) => {
      const se = submissionEpoch(ctx.config, ctx.epoch);
      return {
        scene: replaceAdversaryColumn(ctx.base, (c) => [
          c,
          {
            ...c,
            account: 4_100_000,
            stake: tokens(ctx.config.minStake),
            seal: c.seal + 1n,
            model: ctx.memo(`${ctx.world}:farm:${se}`, () => nearCopy(ctx.task, c.model, ctx.config.sybilRedraw)),
          },
        ]),
      };
    },
  };
}

export function honestRow(side: Side, world: WorldId = 'canaries'): Scenario {
  return {
    id: `honest-${side}@${world}`,
    group: 'honest',
    side,
    label: `honest ${side} (slot 0) vs its twin`,
    world,
    compare: 'twin',
    build: (ctx) => ({ scene: ctx.base }),
  };
}

/** Every row of the benchmark. */
export function allScenarios(config: SimConfig): Scenario[] {
  const kinds: LazyKind[] = ['constant', 'random', 'previous', 'publicSet'];
  const rows: Scenario[] = [honestRow('validator'), honestRow('trainer')];
  for (const world of ['canaries', 'noCanaries'] as const) for (const k of kinds) rows.push(lazy(k, world));
  for (const world of ['noTolerance', 'revision1'] as const) for (const k of kinds) rows.push(lazy(k, world, true));
  for (const f of config.coalitionFractions)
    for (const lower of [false, true]) rows.push(coalition(f, lower, 'canaries'));
  for (const f of [0.02, 0.05, 0.33])
    for (const lower of [false, true]) rows.push(coalition(f, lower, 'revision1', true));
  for (const k of config.sybilIdentities) rows.push(validatorSybil(k, 'canaries', 'alphaV = 1'));
  rows.push(validatorSybil(Math.max(...config.sybilIdentities), 'alphaHalf', 'alphaV = 0.5'));
  rows.push(trainerSybil(Math.max(...config.sybilIdentities), 'canaries', 'alphaT = 1'));
  rows.push(trainerSybil(Math.max(...config.sybilIdentities), 'alphaHalf', 'alphaT = 0.5'));
  rows.push(freeRider('canaries'), duplicate(false, 'canaries'), duplicate(true, 'canaries'), thief('canaries'));
  rows.push(thiefFinetune('canaries'), bondFarmer('canaries'));
  rows.push(freeRider('revision1', true), duplicate(true, 'revision1', true));
  return rows;
}

/** The evalSubsetSize sweep: what a subset size does to lazy reuse and to fairness. */
export function sweepScenarios(): Scenario[] {
  return [lazy('previous', 'noCanaries'), lazy('previous', 'canaries')];
}

/** Coalitions under revision 1 and 2 when the models are close (config.ts CLOSE_COMPETITION). */
export function closeCompetitionScenarios(): Scenario[] {
  const rows: Scenario[] = [];
  for (const world of ['revision1', 'canaries'] as const) {
    for (const f of [0.02, 0.05, 0.33]) for (const lower of [false, true]) rows.push(coalition(f, lower, world));
  }
  return rows;
}

/** The worlds of the committee benchmark: every validator, then committees of growing k. */
export const COMMITTEE_WORLDS: readonly WorldId[] = [
  'canaries',
  'committee8',
  'committee16',
  'committee32',
  'committee64',
];

/** Coalition stake fractions of the committee benchmark. */
export const COMMITTEE_COALITIONS: readonly number[] = [0.1, 0.2, 0.33, 0.45];

/**
 * Lazy validators, coalitions and a split validator stake, each in every committee world
 * (docs/bench/committees.md). Lazy validators are compared with their own honest play: with
 * committees a twin has its own seats, whose luck would swamp the strategy's effect.
 */
export function committeeScenarios(): Scenario[] {
  const rows: Scenario[] = [];
  for (const world of COMMITTEE_WORLDS) {
    rows.push(honestRow('validator', world));
    for (const kind of ['constant', 'random', 'previous', 'publicSet'] as const)
      rows.push({ ...lazy(kind, world), compare: 'ownHonestPlay' });
    for (const f of COMMITTEE_COALITIONS) for (const lower of [false, true]) rows.push(coalition(f, lower, world));
    rows.push(validatorSybil(10, world, 'alphaV = 1'));
  }
  return rows;
}
