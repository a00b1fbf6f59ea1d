// Who plays in a network simulation, pure: every trainer, validator and delegator with its stake,
// sigma and (for honest trainers) how long it trains; the incentive benchmark's adversaries
// (scripts/lib/incentives/adversaries.ts: lazy validators, a colluding group, a validator sybil,
// a thief, a free rider, a duplicate), each with an honest twin holding the same stake and sigma
// and no delegators, so that their rewards compare one to one; and the delegations, which go to
// plain honest participants only. Accounts are keys derived from the seed.
import { keccak256, toHex, type Hex } from 'viem';
import { splitStake } from '../incentives/adversaries.ts';
import { Rng } from '../incentives/rng.ts';
import { WAD } from '../../../src/lib/protocol/wad.ts';
import type { SimConfig, SimLazyKind } from './config.ts';

export type TrainerRole = 'honest' | 'thief' | 'freeRider' | 'duplicate';
export type ValidatorRole = 'honest' | `lazy-${SimLazyKind}` | 'colluding' | 'sybil';

export interface TrainerPlan {
  index: number;
  label: string;
  role: TrainerRole;
  /** Honest: transcript segments it trains. Adversaries: 0 (they do not train). */
  segments: number;
  stake: bigint;
  sigma: bigint;
  /** An honest twin: the adversary (trainer index) it is compared with. */
  twinOf: number | null;
}

export interface ValidatorPlan {
  index: number;
  label: string;
  role: ValidatorRole;
  /** Run by the real ValidatorAgent. */
  agent: boolean;
  stake: bigint;
  sigma: bigint;
  /** An honest twin: the adversary (validator index; a sybil group's first identity) it is compared with. */
  twinOf: number | null;
}

export interface DelegatorPlan {
  index: number;
  label: string;
  to: { role: 'trainer' | 'validator'; index: number };
  amount: bigint;
}

export interface Population {
  trainers: TrainerPlan[];
  validators: ValidatorPlan[];
  delegators: DelegatorPlan[];
  /** The honest trainer the colluding group raises: the one of median training length. */
  friend: number;
}

export type AccountRole = 'creator' | 'keeper' | 'trainer' | 'validator' | 'delegator';

/** secp256k1's group order: a private key is in [1, n). */
const CURVE_N = 0xfffffffffffffffffffffffffffffffebaaedce6af48a03bbfd25e8cd0364141n;

/** The private key of account `index` of `role` in the run seeded `seed` (a valid secp256k1 scalar). */
export function accountKey(seed: number, role: AccountRole, index: number): Hex {
  for (let attempt = 0; ; attempt++) {
    const k = keccak256(toHex(`aiarena-sim/${seed}/${role}/${index}/${attempt}`));
    const n = BigInt(k);
    if (n > 0n && n < CURVE_N) return k;
  }
}

const tokens = (n: number): bigint => BigInt(Math.round(n)) * WAD;
/** Sigma in steps of 5%: what a participant chooses, not a float. */
const sigmaOf = (share: number): bigint => (BigInt(Math.round(share * 20)) * WAD) / 20n;
const ADVERSARY_SIGMA = WAD / 2n;

/**
 * Training lengths of `n` honest trainers: one per stratum of a log-uniform spread over
 * [min, max], in a shuffled order, so qualities cover the range evenly whatever n is.
 */
export function trainingLengths(n: number, min: number, max: number, rng: Rng): number[] {
  const lengths = Array.from({ length: n }, (_, i) =>
    Math.round(min * Math.pow(max / min, n === 1 ? 1 : (i + 0.5) / n)),
  );
  return rng.shuffle(lengths);
}

export function buildPopulation(c: SimConfig): Population {
  const rng = new Rng(c.seed, 0x5101);
  const adv = c.adversaries;

  // Trainers: honest first, adversaries last.
  const trainerRoles: TrainerRole[] = [
    ...(adv.thief ? (['thief'] as const) : []),
    ...(adv.freeRider ? (['freeRider'] as const) : []),
    ...(adv.duplicate ? (['duplicate'] as const) : []),
  ];
  const honestTrainers = c.trainers - trainerRoles.length;
  const lengths = trainingLengths(honestTrainers, c.segments.min, c.segments.max, rng);
  const trainers: TrainerPlan[] = [];
  for (let i = 0; i < honestTrainers; i++) {
    trainers.push({
      index: i,
      label: `trainer ${i}`,
      role: 'honest',
      segments: lengths[i]!,
      stake: tokens(Math.min(200, Math.max(5, rng.logNormal(30, 0.6)))),
      sigma: sigmaOf(rng.uniform(0.1, 0.9)),
      twinOf: null,
    });
  }
  // The friend has the median training length; the longest-trained one is the likely best model
  // (the thief's and the duplicate's victim): neither is a twin.
  const bySegments = [...trainers].sort((a, b) => a.segments - b.segments || a.index - b.index);
  const friend = bySegments[Math.floor(bySegments.length / 2)]!.index;
  const top = bySegments.at(-1)!.index;
  const twinPool = rng.shuffle(trainers.filter((t) => t.index !== friend && t.index !== top).map((t) => t.index));
  for (const role of trainerRoles) {
    const index = trainers.length;
    const stake = tokens(Math.min(200, Math.max(5, rng.logNormal(30, 0.6))));
    trainers.push({ index, label: `${role} ${index}`, role, segments: 0, stake, sigma: ADVERSARY_SIGMA, twinOf: null });
    const twin = trainers[twinPool.pop()!]!;
    Object.assign(twin, { stake, sigma: ADVERSARY_SIGMA, twinOf: index, label: `${twin.label} (twin of ${role})` });
  }

  // Validators: honest first (agents among them), adversaries last.
  const adversaryRoles: ValidatorRole[] = [
    ...adv.lazy.map((k): ValidatorRole => `lazy-${k}`),
    ...Array.from({ length: adv.coalition }, (): ValidatorRole => 'colluding'),
    ...Array.from({ length: adv.sybil }, (): ValidatorRole => 'sybil'),
  ];
  const honestValidators = c.validators - adversaryRoles.length;
  const validators: ValidatorPlan[] = [];
  const validatorStake = () => tokens(Math.min(300, Math.max(5, rng.logNormal(40, 0.7))));
  for (let i = 0; i < honestValidators; i++) {
    validators.push({
      index: i,
      label: i < c.agentValidators ? `validator ${i} (agent)` : `validator ${i}`,
      role: 'honest',
      agent: i < c.agentValidators,
      stake: validatorStake(),
      sigma: sigmaOf(rng.uniform(0.1, 0.9)),
      twinOf: null,
    });
  }
  // Twins are direct honest validators (not agents), drawn once each.
  const validatorTwins = rng.shuffle(validators.filter((v) => !v.agent).map((v) => v.index));
  const takeTwin = (adversary: number, stake: bigint, what: string) => {
    const twin = validators[validatorTwins.pop()!]!;
    Object.assign(twin, { stake, sigma: ADVERSARY_SIGMA, twinOf: adversary, label: `${twin.label} (twin of ${what})` });
  };
  for (const role of adversaryRoles.filter((r) => r !== 'sybil')) {
    const index = validators.length;
    const stake = validatorStake();
    validators.push({
      index,
      label: `${role} ${index}`,
      role,
      agent: false,
      stake,
      sigma: ADVERSARY_SIGMA,
      twinOf: null,
    });
    takeTwin(index, stake, `${role} ${index}`);
  }
  if (adv.sybil > 0) {
    // One stake of at least one token per identity, split as the incentive benchmark splits it.
    const whole = tokens(Math.max(adv.sybil, Math.min(300, rng.logNormal(60, 0.5))));
    const first = validators.length;
    for (const stake of splitStake(whole, adv.sybil)) {
      const index = validators.length;
      validators.push({
        index,
        label: `sybil ${index - first + 1}/${adv.sybil}`,
        role: 'sybil',
        agent: false,
        stake,
        sigma: ADVERSARY_SIGMA,
        twinOf: null,
      });
    }
    takeTwin(first, whole, `the sybil group (${adv.sybil} identities)`);
  }

  // Delegations: to plain honest participants (no twin, no adversary), a third to trainers.
  const trainerTargets = trainers.filter((t) => t.role === 'honest' && t.twinOf === null).map((t) => t.index);
  const validatorTargets = validators.filter((v) => v.role === 'honest' && v.twinOf === null).map((v) => v.index);
  const delegators: DelegatorPlan[] = [];
  for (let i = 0; i < c.delegators; i++) {
    const toTrainer = rng.next() < 1 / 3;
    const pool = toTrainer ? trainerTargets : validatorTargets;
    delegators.push({
      index: i,
      label: `delegator ${i}`,
      to: { role: toTrainer ? 'trainer' : 'validator', index: pool[rng.int(0, pool.length - 1)]! },
      amount: tokens(Math.min(100, Math.max(1, rng.logNormal(10, 0.8)))),
    });
  }
  return { trainers, validators, delegators, friend };
}

/** Every sybil identity (validator indices), in order. */
export const sybilGroup = (p: Population): number[] =>
  p.validators.filter((v) => v.role === 'sybil').map((v) => v.index);
