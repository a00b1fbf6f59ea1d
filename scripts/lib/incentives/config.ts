// Every assumption of the incentive simulator in one place, with the reason for each value.
// The report prints this object, so what the numbers rest on is always visible next to them.

import { DEFAULT_EVAL_SUBSET_SIZE } from '../../../src/lib/chain/task-defaults.ts';
import { DEFAULT_REWARD_PARAMS, type RewardParams } from '../../../src/lib/protocol/params.ts';

export interface SimConfig {
  /**
   * Trainers per task, log-uniform integer in [lo, hi] (mean ~52): the paper's largest task had
   * 153, its 16 tasks 603 trainers in all (~38 per task), so small tasks are the common case.
   */
  trainers: [number, number];
  /** Validators per task, log-uniform in [lo, hi] (mean ~116): largest 456, ~66 per task on average. */
  validators: [number, number];
  /** Log-normal stakes in tokens: median and log-standard deviation (clamped at minStake). */
  stakeMedian: number;
  stakeSigma: number;
  /** Minimum stake (tokens): also what the creator's canary accounts stake. */
  minStake: number;
  submissionEpochs: number;
  finalEpochs: number;
  rewardPerEpoch: number;
  /** Public eval set and hidden final set sizes (Fashion-MNIST's test split cut in two). */
  evalSetSize: number;
  evalSubsetSize: number;
  /** Canary columns the creator adds per scoring epoch (docs/reward-math.md step 3). */
  canaries: number;
  /** Canary probe models' accuracy, uniform in [lo, hi]. */
  canaryAccuracy: [number, number];
  /** A trainer's final accuracy (hidden set), uniform in [lo, hi]. */
  skillCeiling: [number, number];
  /** How far below its ceiling a trainer's first model is, uniform in [lo, hi]. */
  firstModelGap: [number, number];
  /** Share of the remaining gap closed per submission epoch. */
  improvement: number;
  /** Public-set accuracy minus hidden-set accuracy of a trainer's last model, uniform in [lo, hi]. */
  overfitGap: [number, number];
  /** rho of the copula in quality.ts. */
  errorCorrelation: number;
  /** Share of the previous model's latent a trainer's next model keeps. */
  versionKeep: number;
  /** Untrained model's accuracy (10 classes). */
  untrainedAccuracy: number;
  /** Fraction of samples on which a thief's near-copy predicts differently from the original. */
  thiefRedraw: number;
  /**
   * The thief that fine-tunes the stolen model further: accuracy gained over the stolen model (on
   * both sets) and the fraction of predictions that change (issue 11: "7x when it fine-tunes the
   * stolen model a little further").
   */
  thiefFinetuneGain: number;
  thiefFinetuneRedraw: number;
  /** Same for the near-identical models of one trainer's sybil identities. */
  sybilRedraw: number;
  /** Sybil identities per split stake. */
  sybilIdentities: number[];
  /** Coalition sizes, fraction of all validator stake. */
  coalitionFractions: number[];
  params: RewardParams;
}

export const DEFAULT_CONFIG: SimConfig = {
  trainers: [10, 150],
  validators: [10, 450],
  stakeMedian: 100,
  stakeSigma: 1,
  minStake: 1,
  submissionEpochs: 4,
  finalEpochs: 3,
  rewardPerEpoch: 1000,
  evalSetSize: 5000,
  evalSubsetSize: DEFAULT_EVAL_SUBSET_SIZE,
  canaries: 3,
  canaryAccuracy: [0.3, 0.95],
  // docs/bench/train.md: fashion-mlp reaches 0.87 and fashion-cnn 0.89 on the full budget;
  // browser trainers with less time, slower backends or weaker recipes land lower.
  skillCeiling: [0.7, 0.9],
  firstModelGap: [0.03, 0.15],
  improvement: 0.5,
  overfitGap: [0, 0.02],
  // Two independent models at accuracy 0.85 then disagree on ~12% of samples' correctness,
  // about their error rate, as independently trained nets do (Jiang et al. 2022, "Assessing
  // generalization of SGD via disagreement"): measured in test/unit/incentives/quality.test.ts.
  errorCorrelation: 0.8,
  versionKeep: 0.8,
  untrainedAccuracy: 0.1,
  thiefRedraw: 0.01,
  // A few epochs on a converged model: about a point of accuracy (docs/bench/train.md: the demo
  // specs gain well under a point over their last epochs), enough to rank above the victim.
  thiefFinetuneGain: 0.01,
  thiefFinetuneRedraw: 0.03,
  sybilRedraw: 0.002,
  sybilIdentities: [3, 10],
  coalitionFractions: [0.01, 0.02, 0.05, 0.1, 0.2, 0.33, 0.45],
  params: DEFAULT_REWARD_PARAMS,
};

/**
 * Close competition: every trainer trains the same spec to nearly the same accuracy (the
 * demo's fashion-mlp reaches 0.87). The outside review's revision 1 coalition numbers (a 2%
 * coalition winning 79% of epochs) need models this close; the main population is wider.
 */
export const CLOSE_COMPETITION: Partial<SimConfig> = {
  skillCeiling: [0.86, 0.88],
  firstModelGap: [0.01, 0.03],
};
