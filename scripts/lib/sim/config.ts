// What one network simulation runs (issue 13 part 2): how many participants of each role, which
// adversaries of the incentive benchmark play among them, the task's shape and the training
// lengths that make model qualities differ. Two presets: the >= 1,000-participant run of
// `npm run sim` and the ~50-participant run of the integration test. Pure.
import type { LazyKind } from '../incentives/adversaries.ts';
import type { OptionReader } from '../bench-options.ts';
import { SimError } from './errors.ts';

export type SimLazyKind = Exclude<LazyKind, 'publicSet'>;

export interface SimConfig {
  /** Trainer accounts, adversaries and their twins included. */
  trainers: number;
  /** Validator accounts, adversaries (each sybil identity counts) and twins included. */
  validators: number;
  delegators: number;
  /** Honest validators run by the real ValidatorAgent (the rest score through the shared cache). */
  agentValidators: number;
  /** Seeds every draw: accounts, stakes, training lengths, delegations. */
  seed: number;
  submissionEpochs: number;
  finalEpochs: number;
  challengeEpochs: number;
  /** Samples each scoring epoch evaluates (TaskParams.evalSubsetSize; the digits sets have 250). */
  evalSubsetSize: number;
  /**
   * Training length of honest trainers, in transcript segments of the sim spec's interval (10
   * steps): spread log-uniformly over [min, max] so qualities cover a range.
   */
  segments: { min: number; max: number };
  adversaries: {
    thief: boolean;
    freeRider: boolean;
    duplicate: boolean;
    lazy: readonly SimLazyKind[];
    /** Members of the colluding group (0: none). */
    coalition: number;
    /** Identities one validator stake is split over (0: no sybil). */
    sybil: number;
  };
  /** Transactions in flight at once (different accounts). */
  concurrency: number;
}

const ALL_ADVERSARIES: SimConfig['adversaries'] = {
  thief: true,
  freeRider: true,
  duplicate: true,
  lazy: ['constant', 'random', 'previous'],
  coalition: 4,
  sybil: 5,
};

/** `npm run sim`: 150 trainers, 450 validators, 400 delegators (1,000 participants). */
export const LARGE: SimConfig = {
  trainers: 150,
  validators: 450,
  delegators: 400,
  agentValidators: 10,
  seed: 1,
  submissionEpochs: 2,
  finalEpochs: 1,
  challengeEpochs: 1,
  evalSubsetSize: 200,
  segments: { min: 2, max: 40 },
  adversaries: ALL_ADVERSARIES,
  concurrency: 12,
};

/**
 * The integration test: 16 trainers, 20 validators, 14 delegators (50 participants). Training
 * lengths up to 30 segments. Replaying its 13 honest models' per-sample results over 2,000 random
 * seed draws, Spearman's rho of quality against rank rewards was at least 0.95 in 99.9% of draws
 * (1st percentile 0.956), and 0.956 to 0.989 in 8 whole runs; with 8 honest trainers and up to 40
 * segments it reached 0.95 in only 54% of draws: too few models, too close at the top.
 */
export const SMALL: SimConfig = {
  ...LARGE,
  trainers: 16,
  validators: 20,
  delegators: 14,
  agentValidators: 2,
  segments: { min: 2, max: 30 },
  adversaries: { ...ALL_ADVERSARIES, coalition: 2, sybil: 3 },
  concurrency: 8,
};

/** Trainer accounts the adversaries take. */
export const adversarialTrainers = (c: SimConfig): number =>
  Number(c.adversaries.thief) + Number(c.adversaries.freeRider) + Number(c.adversaries.duplicate);

/** Validator accounts the adversaries take (every sybil identity is one). */
export const adversarialValidators = (c: SimConfig): number =>
  c.adversaries.lazy.length + c.adversaries.coalition + c.adversaries.sybil;

/** Twins: one honest account per adversary with its stake (one for the whole sybil group). */
export const twinValidators = (c: SimConfig): number =>
  c.adversaries.lazy.length + c.adversaries.coalition + (c.adversaries.sybil > 0 ? 1 : 0);

/** Refuses a configuration the run cannot play (the contracts' caps, too few honest accounts). */
export function checkConfig(c: SimConfig): SimConfig {
  const fail = (m: string) => {
    throw new SimError('sim-config', m);
  };
  if (c.trainers > 256) fail(`at most 256 trainers fit a task (maxTrainers), got ${c.trainers}`);
  if (c.validators > 512) fail(`at most 512 validators fit a task (maxValidators), got ${c.validators}`);
  const honestTrainers = c.trainers - adversarialTrainers(c);
  if (honestTrainers < adversarialTrainers(c) + 3)
    fail(
      `${c.trainers} trainers leave ${honestTrainers} honest ones: the adversaries' twins, the coalition's friend and a best model need at least ${adversarialTrainers(c) + 3}`,
    );
  const honestValidators = c.validators - adversarialValidators(c);
  // Twins, agents and at least three more honest validators, so honest stake holds the median.
  const needed = twinValidators(c) + c.agentValidators + 3;
  if (honestValidators < needed)
    fail(`${c.validators} validators leave ${honestValidators} honest ones; twins, agents and 3 more need ${needed}`);
  if (c.adversaries.sybil === 1) fail('a sybil splits its stake over at least 2 identities');
  if (c.submissionEpochs < 2) fail('the thief and the duplicate copy last epoch: at least 2 submission epochs');
  if (c.finalEpochs < 1 || c.challengeEpochs < 1) fail('the run plays a final and a challenge phase');
  if (c.segments.min < 1 || c.segments.max < c.segments.min) fail('segments: 1 <= min <= max');
  if (c.evalSubsetSize < 1) fail('evalSubsetSize >= 1');
  if (c.concurrency < 1) fail('concurrency >= 1');
  return c;
}

export const SIM_OPTIONS = [
  'trainers',
  'validators',
  'delegators',
  'agents',
  'seed',
  'subset',
  'min-segments',
  'max-segments',
  'concurrency',
  'out',
  'small',
] as const;

/** The run's configuration from `npm run sim` options (LARGE, or SMALL with --small, then overrides). */
export function configFromOptions(o: OptionReader): SimConfig {
  const base = o.flag('small') ? SMALL : LARGE;
  return checkConfig({
    ...base,
    trainers: o.int('trainers', base.trainers, 1),
    validators: o.int('validators', base.validators, 1),
    delegators: o.int('delegators', base.delegators, 0),
    agentValidators: o.int('agents', base.agentValidators, 0),
    seed: o.int('seed', base.seed, 0),
    evalSubsetSize: o.int('subset', base.evalSubsetSize, 1),
    segments: {
      min: o.int('min-segments', base.segments.min, 1),
      max: o.int('max-segments', base.segments.max, 1),
    },
    concurrency: o.int('concurrency', base.concurrency, 1),
  });
}
