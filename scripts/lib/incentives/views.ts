// What validators evaluate in one epoch: the epoch's evaluation subset (SPEC 2.2) of the set the
// phase scores on, honest scores per backend (cached: every validator on a backend gets the
// same number), and the ScoringView a strategy reads.

import type { SimConfig } from './config.ts';
import type { BackendNoise } from './noise.ts';
import type { Task } from './population.ts';
import { HIDDEN_SET, PUBLIC_SET, backendScores, type EvalSetId, type Model } from './quality.ts';
import { Rng } from './rng.ts';
import type { ScoringView } from './strategies.ts';
import { isFinal, type World } from './worlds.ts';

export class EpochEvaluation {
  readonly final: boolean;
  /** The epoch's evaluation subset (indices into the scored set). */
  readonly subset: number[];
  readonly whole: number[];
  private readonly cache = new Map<string, number[]>();

  constructor(
    readonly task: Task,
    readonly config: SimConfig,
    readonly noise: BackendNoise,
    readonly epoch: number,
  ) {
    this.final = isFinal(config, epoch);
    // The seed is drawn after the reveal window, so nobody knows the subset beforehand; the
    // simulator draws it per epoch from the task's stream.
    this.subset = new Rng(task.seed, task.index, epoch, 0x5b5e7).subset(config.evalSetSize, config.evalSubsetSize);
    this.whole = Array.from({ length: config.evalSetSize }, (_, i) => i);
  }

  /** Honest score units of `model` per backend on `set`, over the subset or the whole set. */
  scores(model: Model, set: EvalSetId, subsets: boolean): number[] {
    const key = `${model.id}|${set}|${subsets ? 's' : 'w'}`;
    let s = this.cache.get(key);
    if (s === undefined) {
      s = backendScores(this.task.sample, model, set, subsets ? this.subset : this.whole, this.noise.flip);
      this.cache.set(key, s);
    }
    return s;
  }

  view(world: World, previous: Map<number, number> | undefined): ScoringView {
    const set: EvalSetId = this.final ? HIDDEN_SET : PUBLIC_SET;
    return {
      epoch: this.epoch,
      evaluate: (model, backend) => this.scores(model, set, world.subsets)[backend]!,
      evaluatePublic: (model, backend) => this.scores(model, PUBLIC_SET, world.subsets)[backend]!,
      previous,
      taskSeed: this.task.sample.taskSeed,
    };
  }
}
