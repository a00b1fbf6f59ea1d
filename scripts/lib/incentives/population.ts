// One simulated task: who takes part, with what stake, and every model that will be scored.
// Slot 0 of each role is the adversary's place (it plays honestly in the baseline), slot 1 its
// honest twin: same stake, same backend (validators) or same skill curve (trainers), so the
// twin is "an honest participant with the same stake in the same epochs".

import type { SimConfig } from './config.ts';
import { BACKEND_SHARES } from './noise.ts';
import type { Model, SampleModel } from './quality.ts';
import { Rng } from './rng.ts';

export const ADVERSARY = 0;
export const TWIN = 1;

export interface TrainerAccount {
  account: number;
  stake: bigint;
  /** models[e]: the model sealed in submission epoch e. */
  models: Model[];
}

export interface ValidatorAccount {
  account: number;
  stake: bigint;
  /** Index into BACKENDS. */
  backend: number;
}

export interface Task {
  index: number;
  seed: number;
  sample: SampleModel;
  trainers: TrainerAccount[];
  validators: ValidatorAccount[];
  /** canaries[e]: the creator's C probe models of scoring epoch e (submission or final). */
  canaries: Model[][];
  /**
   * The final phase's probe accounts, all sealed in the last submission epoch (a final-phase
   * canary is an account's latest submission sealed earlier, brief "Canaries"): a column of that
   * epoch and of every final epoch, a canary only in the epoch its salt names.
   */
  finalProbes: Model[];
  /** Fresh model ids for adversaries' models, unique in the task. */
  nextModelId: () => number;
}

export const WEI = 10n ** 18n;

/** Tokens (a float) to wei, at 1e-6 token resolution. */
export function tokens(amount: number): bigint {
  return BigInt(Math.round(amount * 1e6)) * 10n ** 12n;
}

export function sampleTask(config: SimConfig, seed: number, index: number): Task {
  const rng = new Rng(seed, index, 0x7a5c);
  let modelId = 1;
  const nextModelId = () => modelId++;
  const nT = logUniformInt(rng, config.trainers);
  const nV = logUniformInt(rng, config.validators);
  const stake = () => tokens(Math.max(config.minStake, rng.logNormal(config.stakeMedian, config.stakeSigma)));
  const x0 = config.submissionEpochs;

  const trainers: TrainerAccount[] = [];
  let twinSkill: { ceiling: number; gap: number; overfit: number } | undefined;
  for (let i = 0; i < nT; i++) {
    const skill =
      i === TWIN && twinSkill !== undefined
        ? twinSkill
        : {
            ceiling: rng.uniform(...config.skillCeiling),
            gap: rng.uniform(...config.firstModelGap),
            overfit: rng.uniform(...config.overfitGap),
          };
    if (i === ADVERSARY) twinSkill = skill;
    const models: Model[] = [];
    for (let e = 0; e < x0; e++) {
      const quality = skill.ceiling - skill.gap * (1 - config.improvement) ** e;
      const publicAccuracy = Math.min(0.999, quality + (skill.overfit * (e + 1)) / x0);
      const prev = models[e - 1];
      models.push({
        id: nextModelId(),
        quality,
        publicAccuracy,
        origin: prev === undefined ? { kind: 'fresh' } : { kind: 'next', parent: prev, keep: config.versionKeep },
      });
    }
    const account = i;
    trainers.push({ account, stake: i === TWIN ? trainers[ADVERSARY]!.stake : stake(), models });
  }

  const validators: ValidatorAccount[] = [];
  for (let j = 0; j < nV; j++) {
    const twin = j === TWIN ? validators[ADVERSARY] : undefined;
    validators.push({
      account: 1_000_000 + j,
      stake: twin?.stake ?? stake(),
      backend: twin?.backend ?? rng.pick(BACKEND_SHARES),
    });
  }

  // Probe models: independent of everything, accuracy uniform in the configured range; no gap
  // (the creator does not train them on the public set).
  const probe = (): Model => {
    const accuracy = rng.uniform(...config.canaryAccuracy);
    return { id: nextModelId(), quality: accuracy, publicAccuracy: accuracy, origin: { kind: 'fresh' } };
  };
  const epochs = x0 + config.finalEpochs;
  const finalProbes = Array.from({ length: config.finalEpochs * config.canaries }, probe);
  const canaries: Model[][] = [];
  for (let e = 0; e < epochs; e++) {
    canaries.push(
      e < x0
        ? Array.from({ length: config.canaries }, probe)
        : finalProbes.slice((e - x0) * config.canaries, (e - x0 + 1) * config.canaries),
    );
  }

  return {
    index,
    seed,
    sample: { taskSeed: (seed * 1_000_003 + index) >>> 0, errorCorrelation: config.errorCorrelation },
    trainers,
    validators,
    canaries,
    finalProbes,
    nextModelId,
  };
}

/** Integer in [lo, hi] whose logarithm is uniform. */
export function logUniformInt(rng: Rng, [lo, hi]: [number, number]): number {
  return Math.min(hi, Math.floor(Math.exp(rng.uniform(Math.log(lo), Math.log(hi + 1)))));
}

/**
 * Seal-order key of an account's submission scored in epoch e: a random uint48 per account and
 * sealing epoch (only the order matters); final epochs score the last submission epoch's seals.
 */
export function sealKey(task: Task, config: SimConfig, epoch: number, account: number): bigint {
  const sealEpoch = Math.min(epoch, config.submissionEpochs - 1);
  return BigInt(Math.floor(new Rng(task.seed, task.index, sealEpoch, account + 0x5ea1).next() * 2 ** 48));
}

/**
 * Account ids of the creator's probe columns, disjoint from trainers' and validators'. The
 * submission phase's canary accounts are the same every epoch (a new model each epoch), so a
 * lazy validator cannot pick them out as the columns without a history.
 */
export function canaryAccount(slot: number): number {
  return 2_000_000 + slot;
}
export function probeAccount(slot: number): number {
  return 3_000_000 + slot;
}
