// The thief, near-copy and bond-farming rows with the expected loss from revision 2's challenges
// (SPEC 7 and 8): per task, each identity's reward if never challenged (measured by the
// simulator) combined with the chance that a validator's automatic challenge hits it and what
// the challenge then does (challenge.ts), against the honest twin under the same rules.

import { ADVERSARY } from './population.ts';
import {
  breakEvenDetection,
  computeBreakEven,
  expectStrategy,
  type ChallengeTerms,
  type Identity,
  type Outcomes,
} from './challenge.ts';
import type { HonestReplays, Trigger } from './detection.ts';
import type { Measurement } from './runner.ts';
import { ratioEstimate, type Estimate } from './stats.ts';

/** One task of one scenario, summed over its epochs. */
export interface TaskTotals {
  task: number;
  adv: number;
  twin: number;
  advStake: number;
  twinStake: number;
  /** Per adversary identity (several-identity strategies only): reward summed, stake. */
  parts?: { account: number; reward: number; stake: number }[];
}

export function taskTotals(ms: readonly Measurement[]): TaskTotals[] {
  const byTask = new Map<number, TaskTotals>();
  for (const m of ms) {
    let t = byTask.get(m.task);
    if (t === undefined) {
      // Stakes are the same every epoch of a task: take them once.
      t = { task: m.task, adv: 0, twin: 0, advStake: m.advStake, twinStake: m.twinStake };
      byTask.set(m.task, t);
    }
    t.adv += m.adv;
    t.twin += m.twin;
    if (m.advParts !== undefined) {
      t.parts ??= m.advParts.map((p) => ({ account: p.account, reward: 0, stake: p.stake }));
      for (const p of m.advParts) {
        const q = t.parts.find((x) => x.account === p.account);
        if (q === undefined) throw new Error(`internal: identity ${p.account} missing in task ${m.task}`);
        q.reward += p.reward;
      }
    }
  }
  return [...byTask.values()];
}

/** Which identity trained (its transcript replays) and how often an agent challenges it. */
export type Kind =
  | { kind: 'honest' }
  | { kind: 'thief' }
  /** Several identities, one of which trained; `trainedBy`: 'best' = the one that earned most. */
  | { kind: 'nearCopies'; trainedBy: 'best' | 'adversarySlot'; challengesOfTrained: 'once' | 'everySubmission' };

export interface ChallengeRowSpec {
  id: string;
  scenario: string;
  label: string;
  /** What a challenge finds, in words. */
  answer: string;
  kind: Kind;
  /** The adversary's training compute over an honest run's, and where that comes from. */
  effort: number;
  effortSource: string;
  /** Rows judged against "below 1.0x honest" (issue 11). */
  target: boolean;
}

export interface ChallengeInputs {
  trigger: Trigger;
  replays: HonestReplays;
  terms: ChallengeTerms;
  submissionEpochs: number;
  /** A bond to show the rows at besides `terms.bond` (the form's former default), if any. */
  formerBond?: number;
}

export interface ChallengeRow {
  spec: ChallengeRowSpec;
  tasks: number;
  /** The detection (adversaries) or false-challenge (honest) rate used, and the bound's. */
  rate: number;
  rateBound: number;
  /** Reward vs honest without challenges (the adversary table's ratio, summed per task). */
  unchallenged: Estimate;
  expected: Estimate;
  /** With the rate at its 95% bound (detection's lower, false challenges' upper). */
  atBound: Estimate;
  /** What-if at the measured rate: a cleared trainer is not paid the bond. */
  noBondToCleared: Estimate;
  /** The same at the measured rate with the bond at `formerBond`, when given. */
  atFormerBond?: Estimate;
  /** Mean per task, tokens: the adversary's reward if never challenged, its expected loss. */
  reward: number;
  loss: number;
  /** Mean per task, tokens: what the challengers gain from this strategy in expectation. */
  challengers: number;
  /** The ratio at certain detection, and the detection rate at which the row crosses 1.0x. */
  certain: number;
  breakEven: number | undefined;
  computeBound: number | undefined;
  pass?: boolean;
}

function identities(t: TaskTotals, k: Kind, d: number, f: number, submissionEpochs: number): Identity[] {
  switch (k.kind) {
    case 'honest':
      return [{ reward: t.adv, stake: t.advStake, replays: true, challenged: f }];
    case 'thief':
      return [{ reward: t.adv, stake: t.advStake, replays: false, challenged: d }];
    case 'nearCopies': {
      const parts = t.parts;
      if (parts === undefined || parts.length < 2) throw new Error(`internal: task ${t.task} has no identities`);
      const trained =
        k.trainedBy === 'adversarySlot'
          ? parts.findIndex((p) => p.account === ADVERSARY)
          : parts.reduce((best, p, i) => (p.reward > parts[best]!.reward ? i : best), 0);
      if (trained < 0) throw new Error(`internal: task ${t.task} has no trained identity`);
      const times = k.challengesOfTrained === 'once' ? 1 : submissionEpochs;
      return parts.map((p, i) =>
        i === trained
          ? { reward: p.reward, stake: p.stake, replays: true, challenged: d * times, loseRisk: 0 }
          : { reward: p.reward, stake: p.stake, replays: false, challenged: d },
      );
    }
  }
}

const twinOf = (t: TaskTotals, f: number): Identity => ({
  reward: t.twin,
  stake: t.twinStake,
  replays: true,
  challenged: f,
});

export function challengeRow(spec: ChallengeRowSpec, ms: readonly Measurement[], input: ChallengeInputs): ChallengeRow {
  const totals = taskTotals(ms);
  const outcomes: Outcomes = { terms: input.terms, honestLoses: input.replays.rate.value };
  const f = input.trigger.falseChallenge.value;
  const honest = spec.kind.kind === 'honest';
  const rate = honest ? f : input.trigger.detection.value;
  const rateBound = honest ? input.trigger.falseChallenge.hi : input.trigger.detection.lo;
  /** Per task: expected adversary reward per the twin's stake, and the twin's expected reward. */
  const at = (d: number, fAdv: number, o: Outcomes = outcomes) =>
    totals.map((t) => {
      const adv = expectStrategy(identities(t, spec.kind, d, fAdv, input.submissionEpochs), o);
      const twin = expectStrategy([twinOf(t, honest ? fAdv : f)], o);
      return { task: t.task, adv, num: (adv.expected * t.twinStake) / t.advStake, den: twin.expected };
    });
  const estimate = (items: { task: number; num: number; den: number }[]) =>
    ratioEstimate(
      items,
      (x) => x.num,
      (x) => x.den,
    );
  const none = at(0, 0);
  const measured = honest ? at(0, f) : at(rate, f);
  const bound = honest ? at(0, rateBound) : at(rateBound, f);
  const unchallenged = estimate(none);
  const expected = estimate(measured);
  const n = Math.max(1, totals.length);
  const r1 = honest ? expected.value : estimate(at(1, f)).value;
  const row: ChallengeRow = {
    spec,
    tasks: totals.length,
    rate,
    rateBound,
    unchallenged,
    expected,
    atBound: estimate(bound),
    noBondToCleared: estimate(
      honest ? at(0, f, { ...outcomes, bondToCleared: false }) : at(rate, f, { ...outcomes, bondToCleared: false }),
    ),
    ...(input.formerBond === undefined
      ? {}
      : {
          atFormerBond: estimate(
            at(honest ? 0 : rate, f, { ...outcomes, terms: { ...outcomes.terms, bond: input.formerBond } }),
          ),
        }),
    reward: totals.reduce((s, t) => s + t.adv, 0) / n,
    loss: measured.reduce((s, x) => s + x.adv.loss, 0) / n,
    challengers: measured.reduce((s, x) => s + x.adv.challengers, 0) / n,
    certain: r1,
    breakEven: honest ? undefined : breakEvenDetection(unchallenged.value, r1),
    computeBound: computeBreakEven(expected.hi, spec.effort),
  };
  if (spec.target) row.pass = expected.hi < 1;
  return row;
}

/** The rows of the page: the honest trainer, both thieves, the near-copy sybils, the bond farmer. */
export function challengeRowSpecs(): ChallengeRowSpec[] {
  const thiefAnswer =
    're-keyed, so its ownership proof verifies; its transcript must jump to the stolen weights: the jump segment never replays, the jury upholds';
  const rows: ChallengeRowSpec[] = [
    {
      id: 'honest',
      scenario: 'honest-trainer@canaries',
      label: 'honest trainer (slot 0) vs its twin',
      answer: 'proof and transcript replay; the bond is its',
      kind: { kind: 'honest' },
      effort: 1,
      effortSource: 'one honest run',
      target: false,
    },
    {
      id: 'thief',
      scenario: 'thief@canaries',
      label: "re-watermarking thief: near-copy of last epoch's best model",
      answer: thiefAnswer,
      kind: { kind: 'thief' },
      effort: 41 / 7500,
      effortSource: '41 re-watermarking steps of ~7,500 (issue 11)',
      target: true,
    },
    {
      id: 'thief-finetune',
      scenario: 'thief-finetune@canaries',
      label: "thief that fine-tunes last epoch's best model further",
      answer: thiefAnswer,
      kind: { kind: 'thief' },
      effort: 3 / 20,
      effortSource: '3 epochs of an honest 20 (docs/bench/similarity.md)',
      target: true,
    },
  ];
  for (const [world, alpha] of [
    ['canaries', 'alphaT = 1'],
    ['alphaHalf', 'alphaT = 0.5'],
  ] as const) {
    for (const times of ['once', 'everySubmission'] as const) {
      rows.push({
        id: `sybil-${world}-${times}`,
        scenario: `trainer-sybil-10@${world}`,
        label: `near-copy sybil: one stake over 10 identities (${alpha}); agents challenge the identity that trained ${times === 'once' ? 'once per task' : 'at every submission'}`,
        answer:
          'the identity that trained (taken as the one that earned most) replays and takes the bond; every other transcript starts from its own seed and cannot reach the shared weights',
        kind: { kind: 'nearCopies', trainedBy: 'best', challengesOfTrained: times },
        effort: 1,
        effortSource: 'one honest run for all identities',
        // Judged under the agents' rule this page recommends (challenge a trainer once); the
        // other rule is shown for what it would cost.
        target: times === 'once',
      });
    }
  }
  for (const times of ['once', 'everySubmission'] as const) {
    rows.push({
      id: `farmer-${times}`,
      scenario: 'bond-farmer@canaries',
      label: `bond farmer: its own model plus a near-copy from a second identity at the minimum stake; agents challenge its real identity ${times === 'once' ? 'once per task' : 'at every submission'}`,
      answer: 'the real identity replays and takes the bond; the copy fails',
      kind: { kind: 'nearCopies', trainedBy: 'adversarySlot', challengesOfTrained: times },
      effort: 1,
      effortSource: 'one honest run',
      target: false,
    });
  }
  return rows;
}

export function challengeRows(measurements: readonly Measurement[], input: ChallengeInputs): ChallengeRow[] {
  const rows: ChallengeRow[] = [];
  for (const spec of challengeRowSpecs()) {
    const ms = measurements.filter((m) => m.scenario === spec.scenario);
    if (ms.length === 0) continue;
    rows.push(challengeRow(spec, ms, input));
  }
  return rows;
}
