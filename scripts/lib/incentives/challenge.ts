// What a challenge does to a trainer's reward for the task (SPEC 7 and 8, revision 2), as pure
// functions: the amounts of ChallengeModule._uphold / _clear and StakeManager.forfeit, and the
// expected reward of a strategy whose identities an automatic challenge hits with some chance.
// Amounts are in tokens as floats; the contracts floor wei, which is below these numbers' digits.

import { formatUnits, parseUnits } from 'viem';
import { DEFAULT_JURY_BPS, maxUnfarmableBond } from '../../../src/lib/chain/task-defaults.ts';
import { parseTokenAmount } from '../../../src/lib/app-logic/amount.ts';
import { taskFormDefaults } from '../../../src/lib/app-logic/task-form.ts';

const BPS = 10_000;

export interface ChallengeTerms {
  /** The challenger's bond, tokens (TaskParams.challenge.bond). */
  bond: number;
  /** Share of a failing trainer's own stake slashed to the challenger (basis points). */
  slashBps: number;
  /** Share of the losing side's stake paid to the majority jurors after a vote (basis points). */
  juryBps: number;
}

/**
 * The terms a task starts from in the app's Create form (src/lib/app-logic/task-form.ts), with the
 * bond scaled to a world whose minimum trainer stake is `minStake` tokens: the largest bond the
 * form accepts without its farming warning there (maxUnfarmableBond: the slash of a trainer at the
 * minimum stake; 2 ARENA at the form's own 10 ARENA minimum, 0.2 tokens at the simulator's 1).
 */
export function defaultChallengeTerms(minStake: number): ChallengeTerms {
  const form = taskFormDefaults({ local: false });
  const slashBps = Math.round(Number(form.slashBps) * 100);
  const formBond = parseTokenAmount(form.bond);
  if (!formBond.ok) throw new Error(`internal: the form's default bond ${form.bond} does not parse`);
  const max = maxUnfarmableBond(parseUnits(String(minStake), 18), slashBps);
  const wei = formBond.value < max ? formBond.value : max;
  return { bond: Number(formatUnits(wei, 18)), slashBps, juryBps: DEFAULT_JURY_BPS };
}

/** The Create form's default bond before it was bounded (tokens): the farming the page quotes. */
export const FORMER_BOND = 100;

export interface Upheld {
  /** The trainer's unvested rewards in the task, its delegators' booked share included. */
  forfeited: number;
  slashed: number;
  /** Kept for the majority jurors (only when a vote decided). */
  jury: number;
  /** What the challenger receives: its bond back, plus the forfeit and slash less the jury's share. */
  toChallenger: number;
  /** The challenger's gain over its bond. */
  challengerGain: number;
}

/**
 * The trainer fails (ChallengeModule._uphold, StakeManager.forfeit): it loses every unvested
 * reward of the task (trainer rewards vest only after the challenge phase, SPEC 2.4, so all of
 * them) and slashBps of its own stake; both go to the challenger, less juryBps after a vote.
 */
export function upheld(terms: ChallengeTerms, unvested: number, ownStake: number, byVote: boolean): Upheld {
  if (unvested < 0 || ownStake < 0) throw new RangeError('upheld: rewards and stake must be non-negative');
  const slashed = (ownStake * terms.slashBps) / BPS;
  const jury = byVote ? ((unvested + slashed) * terms.juryBps) / BPS : 0;
  const challengerGain = unvested + slashed - jury;
  return { forfeited: unvested, slashed, jury, toChallenger: terms.bond + challengerGain, challengerGain };
}

export interface Cleared {
  toTrainer: number;
  jury: number;
  /** The challenger loses its bond. */
  challengerGain: number;
}

/** The trainer passes (ChallengeModule._clear): the bond goes to it, less juryBps after a vote. */
export function cleared(terms: ChallengeTerms, byVote: boolean): Cleared {
  const jury = byVote ? (terms.bond * terms.juryBps) / BPS : 0;
  return { toTrainer: terms.bond - jury, jury, challengerGain: -terms.bond };
}

/** One identity of a strategy over a whole task. */
export interface Identity {
  /** Its reward for the task if never challenged (tokens, its pool's whole share). */
  reward: number;
  /** Its own stake (tokens). */
  stake: number;
  /** Whether its transcript replays: it trained from its own seeded start (SPEC 8.1). */
  replays: boolean;
  /**
   * Expected number of challenges it faces in the task: for an identity whose transcript does not
   * replay, the chance that it is challenged at all (at most 1: the first upheld one takes
   * everything and excludes it); for one that replays, how many challenges it answers.
   */
  challenged: number;
  /** Overrides Outcomes.honestLoses for this identity (0: an adversary's trained identity, in its favour). */
  loseRisk?: number;
}

export interface Outcomes {
  terms: ChallengeTerms;
  /**
   * Chance that a transcript which replays still loses a challenge: a segment fails on the
   * challenger's backend and the jury upholds (pessimistic: every such dispute is lost).
   */
  honestLoses: number;
  /**
   * What-if, not the contracts' rule: false = a cleared trainer is not paid the bond (it is
   * burned, so the challenger still loses it). Default true, as ChallengeModule._clear does.
   */
  bondToCleared?: boolean;
}

export interface IdentityExpectation {
  /** Expected reward for the task, challenges counted. */
  expected: number;
  /** reward - expected: what challenges cost it (negative: it gains bonds). */
  loss: number;
  /** What the challengers gain from it in expectation (negative: they lose bonds to it). */
  challengers: number;
}

/**
 * Expected reward = reward if not challenged x (1 - c) + outcome if challenged x c.
 * A transcript that does not replay is disputed and voted down: forfeit and slash, by vote.
 * One that replays is cleared without a dispute (the challenger replayed it first, SPEC 8.4)
 * and takes the whole bond, unless it loses anyway (honestLoses).
 */
export function expectIdentity(id: Identity, o: Outcomes): IdentityExpectation {
  if (id.challenged < 0 || (!id.replays && id.challenged > 1))
    throw new RangeError('expectIdentity: a non-replaying identity is challenged with a chance in [0, 1]');
  const fail = upheld(o.terms, id.reward, id.stake, true);
  const lostOutcome = -fail.slashed;
  if (!id.replays) {
    const expected = (1 - id.challenged) * id.reward + id.challenged * lostOutcome;
    return { expected, loss: id.reward - expected, challengers: id.challenged * fail.challengerGain };
  }
  const pass = cleared(o.terms, false);
  const p = id.loseRisk ?? o.honestLoses;
  // Per challenge: win the bond, or (chance p) lose the task's rewards and the slash.
  const won = o.bondToCleared === false ? 0 : pass.toTrainer;
  const perChallenge = (1 - p) * won + p * (lostOutcome - id.reward);
  const expected = id.reward + id.challenged * perChallenge;
  return {
    expected,
    loss: id.reward - expected,
    challengers: id.challenged * ((1 - p) * pass.challengerGain + p * fail.challengerGain),
  };
}

/** A strategy's identities together. */
export function expectStrategy(ids: readonly Identity[], o: Outcomes): IdentityExpectation {
  return ids
    .map((id) => expectIdentity(id, o))
    .reduce(
      (s, e) => ({
        expected: s.expected + e.expected,
        loss: s.loss + e.loss,
        challengers: s.challengers + e.challengers,
      }),
      {
        expected: 0,
        loss: 0,
        challengers: 0,
      },
    );
}

/**
 * The detection rate at which a ratio that is r0 without challenges and r1 at certain detection
 * (linear in between) crosses 1, or undefined when it stays on one side over [0, 1]. Falling
 * (r1 < r0): the row is below 1.0x above that rate; rising (bonds won): above 1.0x beyond it.
 */
export function breakEvenDetection(r0: number, r1: number): number | undefined {
  if (r0 === r1 || (r0 < 1 && r1 < 1) || (r0 >= 1 && r1 >= 1)) return undefined;
  return (r0 - 1) / (r0 - r1);
}

/**
 * With compute: an honest trainer spends a share k of its reward on training, the adversary e
 * times that (e = its training steps over an honest run's). Its ratio r (rewards only) becomes
 * (r - e k) / (1 - k), below 1 exactly while k < (1 - r) / (1 - e). Returns that bound on k
 * (>= 1: whatever the compute costs, short of all of the reward); undefined when r >= 1 and e < 1.
 */
export function computeBreakEven(r: number, e: number): number | undefined {
  if (e >= 1) return r < 1 ? Number.POSITIVE_INFINITY : undefined;
  if (r >= 1) return undefined;
  return (1 - r) / (1 - e);
}
