import { describe, expect, it } from 'vitest';
import { DEFAULT_REWARD_PARAMS, epochRewards } from '../../../src/lib/protocol/rewards.ts';
import { WAD } from '../../../src/lib/protocol/wad.ts';
import {
  bondFarmer,
  coalition,
  duplicate,
  freeRider,
  lazy,
  splitStake,
  thiefFinetune,
  validatorSybil,
  type BuildContext,
  type Scenario,
} from '../../../scripts/lib/incentives/adversaries.ts';
import { DEFAULT_CONFIG, type SimConfig } from '../../../scripts/lib/incentives/config.ts';
import type { BackendNoise } from '../../../scripts/lib/incentives/noise.ts';
import { sampleTask, tokens, type Task } from '../../../scripts/lib/incentives/population.ts';
import { revision1EpochRewards } from '../../../scripts/lib/incentives/revision1.ts';
import { measure, runTask } from '../../../scripts/lib/incentives/runner.ts';
import { epochInput, runScene, type Scene, type SceneResult } from '../../../scripts/lib/incentives/scene.ts';
import { EpochEvaluation } from '../../../scripts/lib/incentives/views.ts';
import { WORLDS, baseScene, type WorldId } from '../../../scripts/lib/incentives/worlds.ts';

const CONFIG: SimConfig = {
  ...DEFAULT_CONFIG,
  trainers: [12, 12],
  validators: [15, 15],
  submissionEpochs: 2,
  finalEpochs: 2,
};
const QUIET: BackendNoise = { source: 'test: no backend noise', measured: false, pairs: [], flip: [0, 0, 0, 0] };
const R = tokens(CONFIG.rewardPerEpoch);

interface Epoch {
  task: Task;
  base: Scene;
  baseResult: SceneResult;
  evaluation: EpochEvaluation;
  previous: Map<number, number> | undefined;
}

/** The all-honest epoch `epoch` of task `index` in `world`, with last epoch's aggregates. */
function honestEpoch(world: WorldId, epoch: number, index = 0, noise = QUIET): Epoch {
  const task = sampleTask(CONFIG, 7, index);
  let previous: Map<number, number> | undefined;
  let result: Epoch | undefined;
  for (let e = 0; e <= epoch; e++) {
    const evaluation = new EpochEvaluation(task, CONFIG, noise, e);
    const base = baseScene(task, CONFIG, WORLDS[world], e);
    const baseResult = runScene(base, evaluation.view(WORLDS[world], previous), R);
    result = { task, base, baseResult, evaluation, previous };
    previous = new Map(base.columns.map((c, i) => [c.account, baseResult.aggregates[i]!]));
  }
  return result!;
}

function attack(scenario: Scenario, ep: Epoch, epoch: number) {
  const memo = new Map<string, unknown>();
  const ctx: BuildContext = {
    task: ep.task,
    config: CONFIG,
    epoch,
    final: epoch >= CONFIG.submissionEpochs,
    world: scenario.world,
    base: ep.base,
    previousBest: ep.task.trainers[5]!.models[0],
    memo: <T>(key: string, make: () => T) => {
      if (!memo.has(key)) memo.set(key, make());
      return memo.get(key) as T;
    },
  };
  const a = scenario.build(ctx);
  if (a === undefined) throw new Error(`${scenario.id} does not apply`);
  const result = runScene(a.scene, ep.evaluation.view(WORLDS[scenario.world], ep.previous), R);
  return {
    attack: a,
    result,
    m: measure(scenario, ep.task.index, epoch, ctx.final, a, result, ep.base, ep.baseResult),
  };
}

const perStake = (pool: bigint, stake: bigint) => Number(pool) / Number(stake);

describe('all-honest population', () => {
  it('pays every honest validator the same reward per stake (ratio 1.00 to each)', () => {
    for (const world of ['canaries', 'noCanaries'] as const) {
      const { base, baseResult } = honestEpoch(world, 1);
      const rates = base.validators.map((v, j) => perStake(baseResult.validatorPools[j]!, v.stake));
      for (const r of rates) expect(Math.abs(r / rates[0]! - 1)).toBeLessThan(1e-12);
      expect(baseResult.failedCanary.every((f) => !f)).toBe(true);
    }
  });

  it('ranks trainers by their score on the subset, and every trainer qualifies', () => {
    const { base, baseResult } = honestEpoch('canaries', 0);
    const trainers = base.columns
      .map((c, i) => ({ c, i }))
      .filter(({ c }) => c.role !== 'canary' && c.role !== 'probe');
    expect(trainers.every(({ i }) => baseResult.ranks[i]! > 0)).toBe(true);
    const byRank = [...trainers].sort((a, b) => baseResult.ranks[a.i]! - baseResult.ranks[b.i]!);
    for (let k = 1; k < byRank.length; k++) {
      expect(baseResult.aggregates[byRank[k - 1]!.i]!).toBeGreaterThanOrEqual(baseResult.aggregates[byRank[k]!.i]!);
    }
    // Canaries are never paid or ranked.
    base.columns.forEach((c, i) => {
      if (c.canary) expect([baseResult.ranks[i], baseResult.trainerPools[i]]).toEqual([0, 0n]);
    });
  });

  it('runTask measures every epoch; honest slot 0 earns exactly what its twin earns', () => {
    const out = runTask(CONFIG, QUIET, 7, 0, [lazy('constant', 'noCanaries')], false);
    expect(out.measurements).toHaveLength(CONFIG.submissionEpochs + CONFIG.finalEpochs);
    const honestRun = honestEpoch('noCanaries', 0);
    const a = honestRun.base.validators.findIndex((v) => v.role === 'adversary');
    const t = honestRun.base.validators.findIndex((v) => v.role === 'twin');
    expect(honestRun.baseResult.validatorPools[a]).toBe(honestRun.baseResult.validatorPools[t]);
  });
});

describe('lazy validators', () => {
  it('a constant score is out of tolerance: under 0.1x without canaries, 0 and a failed canary with them', () => {
    const without = attack(lazy('constant', 'noCanaries'), honestEpoch('noCanaries', 1), 1);
    expect(without.m.adv / without.m.twin).toBeLessThan(0.1);
    const withCanaries = attack(lazy('constant', 'canaries'), honestEpoch('canaries', 1), 1);
    expect(withCanaries.m.failedCanary).toBe(true);
    expect(withCanaries.m.adv).toBe(0);
    expect(withCanaries.m.twin).toBeGreaterThan(0);
    // What the lazy validator loses goes to the honest validators.
    expect(withCanaries.m.honestValidators).toBeGreaterThan(withCanaries.m.honestValidatorsBase);
  });

  it("reusing last epoch's aggregate in a final epoch misses the new subset", () => {
    const final = CONFIG.submissionEpochs + 1;
    const r = attack(lazy('previous', 'noCanaries'), honestEpoch('noCanaries', final), final);
    // Same models as last epoch, other samples: most columns move by more than tolV.
    expect(r.m.adv / r.m.twin).toBeLessThan(0.5);
  });
});

describe('trainer adversaries', () => {
  it('free riders and byte-identical duplicates take no rank and no reward', () => {
    for (const scenario of [freeRider('canaries'), duplicate(false, 'canaries'), duplicate(true, 'canaries')]) {
      const r = attack(scenario, honestEpoch('canaries', 1), 1);
      const i = r.attack.scene.columns.findIndex((c) => c.role === 'adversary');
      expect(r.result.ranks[i]).toBe(0);
      expect(r.result.trainerPools[i]).toBe(0n);
      expect(r.m.adv).toBe(0);
      expect(r.m.twin).toBeGreaterThan(0);
    }
  });

  it('under revision 1 the same free rider is paid', () => {
    const r = attack(freeRider('revision1'), honestEpoch('revision1', 1), 1);
    expect(r.m.adv).toBeGreaterThan(0);
  });

  it('the fine-tuning thief submits the stolen model improved by thiefFinetuneGain', () => {
    const r = attack(thiefFinetune('canaries'), honestEpoch('canaries', 1), 1);
    const stolen = r.attack.scene.columns.find((c) => c.role === 'adversary')!.model;
    const victim = honestEpoch('canaries', 1).task.trainers[5]!;
    const from = victim.models[0]!;
    expect(stolen.origin).toEqual({ kind: 'copy', parent: from, redraw: CONFIG.thiefFinetuneRedraw });
    expect(stolen.quality).toBeCloseTo(from.quality + CONFIG.thiefFinetuneGain, 12);
    expect(r.attack.victim).toBe(victim.account);
    expect(r.m.advParts).toBeUndefined();
  });

  it('the bond farmer keeps its own model and adds a minimum-stake near-copy, each identity measured', () => {
    const ep = honestEpoch('canaries', 1);
    const r = attack(bondFarmer('canaries'), ep, 1);
    const own = ep.base.columns.find((c) => c.role === 'adversary')!;
    const ids = r.attack.scene.columns.filter((c) => c.role === 'adversary');
    expect(ids.map((c) => c.account)).toEqual([own.account, 4_100_000]);
    expect(ids[0]!.model).toBe(own.model);
    expect(ids[1]!.stake).toBe(tokens(CONFIG.minStake));
    expect(ids[1]!.model.origin).toEqual({ kind: 'copy', parent: own.model, redraw: CONFIG.sybilRedraw });
    const parts = r.m.advParts!;
    expect(parts.map((p) => p.account)).toEqual([own.account, 4_100_000]);
    expect(parts.reduce((s, p) => s + p.reward, 0)).toBeCloseTo(r.m.adv, 9);
    expect(parts[1]!.stake).toBe(CONFIG.minStake);
  });
});

describe('sybils', () => {
  it('splits a stake exactly', () => {
    expect(splitStake(10n, 3)).toEqual([3n, 3n, 4n]);
    expect(splitStake(10n, 3).reduce((s, v) => s + v, 0n)).toBe(10n);
  });

  it('a validator split over 10 identities at alphaV = 1 earns what its twin earns', () => {
    const r = attack(validatorSybil(10, 'canaries', 'alphaV = 1'), honestEpoch('canaries', 1), 1);
    expect(r.attack.scene.validators.filter((v) => v.role === 'adversary')).toHaveLength(10);
    expect(Math.abs(r.m.adv / r.m.twin - 1)).toBeLessThan(1e-9);
  });

  it('at alphaV = 0.5 the split pays about sqrt(10)x', () => {
    const r = attack(validatorSybil(10, 'alphaHalf', 'alphaV = 0.5'), honestEpoch('alphaHalf', 1), 1);
    expect(r.m.adv / r.m.twin).toBeGreaterThan(2.5);
    expect(r.m.adv / r.m.twin).toBeLessThan(3.3);
  });
});

describe('coalitions', () => {
  it('45% of the stake cannot lift the median model under the median; under the mean it can', () => {
    let medianWins = 0;
    let meanWins = 0;
    for (let index = 0; index < 3; index++) {
      const r2 = attack(coalition(0.45, true, 'canaries'), honestEpoch('canaries', 0, index), 0);
      const r1 = attack(coalition(0.45, true, 'revision1'), honestEpoch('revision1', 0, index), 0);
      if (r2.m.rank1) medianWins++;
      if (r1.m.rank1) meanWins++;
      expect(r2.m.fraction).toBeLessThanOrEqual(0.45);
      expect(r2.m.fraction).toBeGreaterThan(0.3);
      // The comparison is with the members' own honest play in the baseline.
      const members = r2.attack.scene.validators.filter((v) => v.role === 'adversary').map((v) => v.account);
      const base = honestEpoch('canaries', 0, index);
      const basePools = base.base.validators.reduce(
        (s, v, j) => (members.includes(v.account) ? s + base.baseResult.validatorPools[j]! : s),
        0n,
      );
      expect(r2.m.twin).toBeCloseTo(Number(basePools) / 1e18, 9);
    }
    expect(medianWins).toBe(0);
    expect(meanWins).toBe(3);
  });
});

describe('revision 1 copy', () => {
  it('books what the revision 2 reference books when every validator gives the same scores', () => {
    // Identical rows: mean = median, every distance 0; tolV = 1, floorBps = 0, nothing
    // flagged: the two revisions coincide, so a mistake in the frozen copy shows here.
    const trainers = [3n, 1n, 7n, 2n].map((t, i) => ({
      own: t * WAD,
      delegated: WAD,
      sigma: 0n,
      seal: BigInt(10 - i),
    }));
    const validators = [5n, 2n, 9n].map((s) => ({ own: s * WAD, delegated: 0n, sigma: 0n }));
    const row = [8100n, 7000n, 9000n, 5500n].map((u) => u * 10n ** 14n);
    const input = {
      R: 1000n * WAD,
      params: { ...DEFAULT_REWARD_PARAMS, tolV: WAD, floorBps: 0 },
      trainers,
      validators,
      scores: validators.map(() => row),
    };
    const r2 = epochRewards(input);
    const r1 = revision1EpochRewards(input);
    expect(r1.trainerPools).toEqual(r2.trainers.map((t) => t.pool));
    expect(r1.validatorPools).toEqual(r2.validators.map((v) => v.pool));
    expect(r1.ranks).toEqual(r2.trainers.map((t) => t.rank));
  });

  it('scores through the same scene conversion', () => {
    const { base } = honestEpoch('revision1', 0);
    const input = epochInput(
      base,
      base.validators.map(() => base.columns.map(() => 5000)),
      R,
    );
    expect(input.scores[0]![0]).toBe(5000n * 10n ** 14n);
  });
});
