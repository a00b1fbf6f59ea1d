// Runs one simulated task through all its scoring epochs: for each world, the all-honest scene
// (baseline) and every attacked scene derived from it, each through the reward reference, and
// returns plain-number measurements for the statistics.

import type { SimConfig } from './config.ts';
import type { BackendNoise } from './noise.ts';
import { sampleTask, tokens, type Task } from './population.ts';
import { HIDDEN_SET, PUBLIC_SET, correctness, type EvalSetId, type Model } from './quality.ts';
import { runScene, type Role, type Scene, type SceneResult } from './scene.ts';
import { spearman } from './stats.ts';
import type { Attack, Scenario } from './adversaries.ts';
import { EpochEvaluation } from './views.ts';
import { WORLDS, baseScene, isFinal, type WorldId } from './worlds.ts';

/** One attacked (or honest) epoch, in tokens. */
export interface Measurement {
  scenario: string;
  task: number;
  epoch: number;
  final: boolean;
  adv: number;
  twin: number;
  advStake: number;
  twinStake: number;
  honestTrainers: number;
  honestTrainersBase: number;
  honestValidators: number;
  honestValidatorsBase: number;
  /** Coalitions: friend ranked first in the attacked / the honest run. */
  rank1?: boolean;
  rank1Base?: boolean;
  /** Coalitions: the friend's aggregate differs from the honest run's (its column was captured). */
  captured?: boolean;
  fraction?: number;
  /** The adversary's validator identities failed a canary. */
  failedCanary?: boolean;
  victim?: number;
  victimBase?: number;
  /**
   * Trainer adversaries with several identities (sybils, bond farmer): each identity's reward and
   * stake in scene order, so that the challenge model can treat the one that trained apart.
   */
  advParts?: { account: number; reward: number; stake: number }[];
}

/** Facts of an all-honest epoch in the world with canaries. */
export interface Baseline {
  /** The world of the all-honest epoch: 'canaries', or a committee world. */
  world?: WorldId;
  task: number;
  epoch: number;
  final: boolean;
  trainers: number;
  validators: number;
  /** Spearman of true quality and reward per stake over the trainers (probes and canaries excluded). */
  fairness: number;
  /** Spearman of accuracy on the phase's whole eval set (no backend noise) and reward per stake. */
  fairnessWholeSet: number;
  honestValidatorCount: number;
  honestFailed: number;
  honestFailedStake: number;
  honestStake: number;
  /** Honest validator cells (validator x column) further than tolV from the aggregate. */
  outOfTolerance: number;
  cells: number;
  /** Share of R_T paid to the creator's probe accounts (final-phase canaries of other epochs). */
  probeShare: number;
  /** Coefficient of variation of honest validators' reward per stake in the epoch. */
  validatorCv?: number;
  /** Committees: columns that drew no seat. */
  emptyColumns?: number;
}

export interface TaskOutput {
  task: number;
  trainers: number;
  validators: number;
  measurements: Measurement[];
  baselines: Baseline[];
  runs: number;
  ms: number;
}

const toTokens = (wei: bigint) => Number(wei) / 1e18;
const isHonestRole = (r: Role) => r === 'honest' || r === 'twin';

export function runTask(
  config: SimConfig,
  noise: BackendNoise,
  seed: number,
  index: number,
  scenarios: readonly Scenario[],
  withAblation: boolean,
): TaskOutput {
  const started = performance.now();
  const task = sampleTask(config, seed, index);
  const R = tokens(config.rewardPerEpoch);
  const active = scenarios.filter((s) => withAblation || !s.ablation);
  const worlds = [...new Set(active.map((s) => s.world))];
  const memo = new Map<string, unknown>();
  const previous = new Map<WorldId, Map<number, number>>();
  const previousBest = new Map<WorldId, Model>();
  const measurements: Measurement[] = [];
  const baselines: Baseline[] = [];
  let runs = 0;
  const wholeCache = new Map<string, number>();
  const whole = Array.from({ length: config.evalSetSize }, (_, i) => i);
  const wholeSetAccuracy = (model: Model, set: EvalSetId): number => {
    const key = `${model.id}|${set}`;
    let a = wholeCache.get(key);
    if (a === undefined) {
      a = correctness(task.sample, model, set, whole).reduce((s, v) => s + v, 0) / whole.length;
      wholeCache.set(key, a);
    }
    return a;
  };

  const epochs = config.submissionEpochs + config.finalEpochs;
  for (let epoch = 0; epoch < epochs; epoch++) {
    const evaluation = new EpochEvaluation(task, config, noise, epoch);
    const final = isFinal(config, epoch);
    const nextPrevious = new Map<WorldId, Map<number, number>>();
    const nextBest = new Map<WorldId, Model>();
    for (const worldId of worlds) {
      const world = WORLDS[worldId];
      const view = evaluation.view(world, previous.get(worldId));
      const base = baseScene(task, config, world, epoch);
      const baseResult = runScene(base, view, R);
      runs++;
      if (worldId === 'canaries' || world.committee !== undefined)
        baselines.push({ world: worldId, ...baselineFacts(task, config, epoch, base, baseResult, wholeSetAccuracy) });
      nextPrevious.set(worldId, new Map(base.columns.map((c, i) => [c.account, baseResult.aggregates[i]!])));
      const best = base.columns.find((_, i) => baseResult.ranks[i] === 1);
      if (best !== undefined) nextBest.set(worldId, best.model);

      for (const scenario of active.filter((s) => s.world === worldId)) {
        const attack = scenario.build({
          task,
          config,
          epoch,
          final,
          world: worldId,
          base,
          previousBest: previousBest.get(worldId),
          memo: <T>(key: string, make: () => T): T => {
            if (!memo.has(key)) memo.set(key, make());
            return memo.get(key) as T;
          },
        });
        if (attack === undefined) continue;
        let result = baseResult;
        if (attack.scene !== base) {
          result = runScene(attack.scene, view, R);
          runs++;
        }
        measurements.push(measure(scenario, task.index, epoch, final, attack, result, base, baseResult));
      }
    }
    for (const [w, p] of nextPrevious) previous.set(w, p);
    for (const [w, b] of nextBest) previousBest.set(w, b);
  }
  return {
    task: index,
    trainers: task.trainers.length,
    validators: task.validators.length,
    measurements,
    baselines,
    runs,
    ms: performance.now() - started,
  };
}

export function measure(
  scenario: Scenario,
  task: number,
  epoch: number,
  final: boolean,
  attack: Attack,
  result: SceneResult,
  base: Scene,
  baseResult: SceneResult,
): Measurement {
  const scene = attack.scene;
  const basePool = new Map<number, bigint>();
  base.columns.forEach((c, i) => basePool.set(c.account, baseResult.trainerPools[i]!));
  const baseValidatorPool = new Map<number, bigint>();
  base.validators.forEach((v, j) => baseValidatorPool.set(v.account, baseResult.validatorPools[j]!));

  let adv = 0n;
  let twin = 0n;
  let advStake = 0n;
  let twinStake = 0n;
  const identities =
    scenario.side === 'trainer'
      ? scene.columns.map((c, i) => ({
          account: c.account,
          role: c.role,
          stake: c.stake,
          pool: result.trainerPools[i]!,
          basePool: basePool.get(c.account),
        }))
      : scene.validators.map((v, j) => ({
          account: v.account,
          role: v.role,
          stake: v.stake,
          pool: result.validatorPools[j]!,
          basePool: baseValidatorPool.get(v.account),
        }));
  const parts: { account: number; reward: number; stake: number }[] = [];
  for (const id of identities) {
    if (id.role === 'adversary') {
      if (scenario.side === 'trainer')
        parts.push({ account: id.account, reward: toTokens(id.pool), stake: toTokens(id.stake) });
      adv += id.pool;
      advStake += id.stake;
      if (scenario.compare === 'ownHonestPlay') {
        if (id.basePool === undefined)
          throw new Error(`internal: ${scenario.id} member ${id.account} missing in the baseline`);
        twin += id.basePool;
        twinStake += id.stake;
      }
    } else if (id.role === 'twin' && scenario.compare === 'twin') {
      twin += id.pool;
      twinStake += id.stake;
    }
  }

  let honestTrainers = 0n;
  let honestTrainersBase = 0n;
  scene.columns.forEach((c, i) => {
    if (!isHonestRole(c.role)) return;
    honestTrainers += result.trainerPools[i]!;
    honestTrainersBase += basePool.get(c.account) ?? 0n;
  });
  let honestValidators = 0n;
  let honestValidatorsBase = 0n;
  scene.validators.forEach((v, j) => {
    if (!isHonestRole(v.role)) return;
    honestValidators += result.validatorPools[j]!;
    honestValidatorsBase += baseValidatorPool.get(v.account) ?? 0n;
  });

  const m: Measurement = {
    scenario: scenario.id,
    task,
    epoch,
    final,
    adv: toTokens(adv),
    twin: toTokens(twin),
    advStake: toTokens(advStake),
    twinStake: toTokens(twinStake),
    honestTrainers: toTokens(honestTrainers),
    honestTrainersBase: toTokens(honestTrainersBase),
    honestValidators: toTokens(honestValidators),
    honestValidatorsBase: toTokens(honestValidatorsBase),
  };
  if (parts.length > 1) m.advParts = parts;
  if (attack.friend !== undefined) {
    const i = scene.columns.findIndex((c) => c.account === attack.friend);
    const ib = base.columns.findIndex((c) => c.account === attack.friend);
    m.rank1 = result.ranks[i] === 1;
    m.rank1Base = baseResult.ranks[ib] === 1;
    m.captured = result.aggregates[i] !== baseResult.aggregates[ib];
    m.fraction = attack.fraction;
  }
  if (scenario.side === 'validator') {
    m.failedCanary = scene.validators.some((v, j) => v.role === 'adversary' && result.failedCanary[j]);
  }
  if (attack.victim !== undefined) {
    const i = scene.columns.findIndex((c) => c.account === attack.victim);
    m.victim = toTokens(result.trainerPools[i]!);
    m.victimBase = toTokens(basePool.get(attack.victim) ?? 0n);
  }
  return m;
}

function baselineFacts(
  task: Task,
  config: SimConfig,
  epoch: number,
  scene: Scene,
  r: SceneResult,
  wholeSetAccuracy: (model: Model, set: EvalSetId) => number,
): Baseline {
  const trainerIdx = scene.columns
    .map((c, i) => i)
    .filter((i) => scene.columns[i]!.role !== 'canary' && scene.columns[i]!.role !== 'probe');
  const quality = trainerIdx.map((i) => scene.columns[i]!.model.quality);
  const set: EvalSetId = isFinal(config, epoch) ? HIDDEN_SET : PUBLIC_SET;
  const measured = trainerIdx.map((i) => wholeSetAccuracy(scene.columns[i]!.model, set));
  const perStake = trainerIdx.map((i) => toTokens(r.trainerPools[i]!) / toTokens(scene.columns[i]!.stake));
  const tolUnits = Number(config.params.tolV / 10n ** 14n);
  let honestFailed = 0;
  let honestFailedStake = 0;
  let honestStake = 0;
  let outOfTolerance = 0;
  let cells = 0;
  let honestValidatorCount = 0;
  scene.validators.forEach((v, j) => {
    const stake = toTokens(v.stake);
    honestValidatorCount++;
    honestStake += stake;
    if (r.failedCanary[j]) {
      honestFailed++;
      honestFailedStake += stake;
    }
    r.scores[j]!.forEach((u, i) => {
      if (r.seats !== undefined && r.seats[j]![i] === 0) return;
      cells++;
      if (Math.abs(u - r.aggregates[i]!) > tolUnits) outOfTolerance++;
    });
  });
  const probePaid = scene.columns.reduce((s, c, i) => (c.role === 'probe' ? s + r.trainerPools[i]! : s), 0n);
  const vPerStake = scene.validators.map((v, j) => toTokens(r.validatorPools[j]!) / toTokens(v.stake));
  const vMean = vPerStake.reduce((a, b) => a + b, 0) / vPerStake.length;
  const vSd = Math.sqrt(vPerStake.reduce((a, b) => a + (b - vMean) ** 2, 0) / vPerStake.length);
  return {
    task: task.index,
    epoch,
    final: isFinal(config, epoch),
    trainers: task.trainers.length,
    validators: task.validators.length,
    fairness: spearman(quality, perStake),
    fairnessWholeSet: spearman(measured, perStake),
    honestValidatorCount,
    honestFailed,
    honestFailedStake,
    honestStake,
    outOfTolerance,
    cells,
    probeShare: r.R_T === 0n ? 0 : toTokens(probePaid) / toTokens(r.R_T),
    validatorCv: vMean === 0 ? 0 : vSd / vMean,
    emptyColumns: r.emptyColumns ?? 0,
  };
}
