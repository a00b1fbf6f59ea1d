// From measurements to rows with intervals and pass/fail, and from rows to markdown tables.

import type { Scenario, Target } from './adversaries.ts';
import type { Baseline, Measurement } from './runner.ts';
import { meanEstimate, proportionEstimate, ratioEstimate, type Estimate } from './stats.ts';
import { WORLDS } from './worlds.ts';

export interface Row {
  scenario: Scenario;
  /** 'all', 'submission' or 'final' epochs. */
  phase: 'all' | 'submission' | 'final';
  epochs: number;
  tasks: number;
  /** Adversary's reward per stake over the honest reference's (twin, or its own honest play). */
  ratio: Estimate;
  /** Sum of the adversary's rewards, tokens (exactly 0 for "earns nothing"). */
  advTotal: number;
  honestTrainers: Estimate;
  honestValidators: Estimate;
  /** Coalitions: share of epochs where the friend was first with the coalition and not without (the lift). */
  rank1?: Estimate;
  /** Share of the same epochs where the friend was first without any coalition. */
  rank1Base?: number;
  fraction?: number;
  /** Share of epochs in which the adversary's validator identities failed a canary. */
  failedCanary?: number;
  victim?: Estimate;
  pass?: boolean;
}

export function buildRows(scenarios: readonly Scenario[], measurements: readonly Measurement[]): Row[] {
  const byScenario = new Map<string, Measurement[]>();
  for (const m of measurements) {
    const list = byScenario.get(m.scenario);
    if (list === undefined) byScenario.set(m.scenario, [m]);
    else list.push(m);
  }
  const rows: Row[] = [];
  for (const s of scenarios) {
    const all = byScenario.get(s.id) ?? [];
    if (all.length === 0) continue;
    const parts: [Row['phase'], Measurement[]][] = s.byPhase
      ? [
          ['submission', all.filter((m) => !m.final)],
          ['final', all.filter((m) => m.final)],
        ]
      : [['all', all]];
    for (const [phase, ms] of parts) if (ms.length > 0) rows.push(row(s, phase, ms));
  }
  return rows;
}

function row(scenario: Scenario, phase: Row['phase'], ms: Measurement[]): Row {
  // Per-stake: scale the adversary's reward to the reference's stake (equal in all rows but the
  // large-stake duplicate).
  const ratio = ratioEstimate(
    ms,
    (m) => (m.advStake === 0 ? 0 : (m.adv * m.twinStake) / m.advStake),
    (m) => m.twin,
  );
  const minus1 = (e: Estimate): Estimate => ({ value: e.value - 1, lo: e.lo - 1, hi: e.hi - 1 });
  const r: Row = {
    scenario,
    phase,
    epochs: ms.length,
    tasks: new Set(ms.map((m) => m.task)).size,
    ratio,
    advTotal: ms.reduce((s, m) => s + m.adv, 0),
    honestTrainers: minus1(
      ratioEstimate(
        ms,
        (m) => m.honestTrainers,
        (m) => m.honestTrainersBase,
      ),
    ),
    honestValidators: minus1(
      ratioEstimate(
        ms,
        (m) => m.honestValidators,
        (m) => m.honestValidatorsBase,
      ),
    ),
  };
  if (ms.some((m) => m.rank1 !== undefined)) {
    r.rank1 = proportionEstimate(ms.filter((m) => m.rank1 && !m.rank1Base).length, ms.length);
    r.rank1Base = ms.filter((m) => m.rank1Base).length / ms.length;
    r.fraction = ms.reduce((s, m) => s + (m.fraction ?? 0), 0) / ms.length;
  }
  if (scenario.side === 'validator') r.failedCanary = ms.filter((m) => m.failedCanary).length / ms.length;
  const withVictim = ms.filter((m) => m.victim !== undefined);
  if (withVictim.length > 0)
    r.victim = minus1(
      ratioEstimate(
        withVictim,
        (m) => m.victim!,
        (m) => m.victimBase!,
      ),
    );
  if (scenario.target !== undefined) r.pass = passes(scenario.target, r);
  return r;
}

/** Judged on the whole 95% interval, not the point estimate. */
export function passes(target: Target, r: Row): boolean {
  switch (target.kind) {
    case 'ratioAtMost':
      return r.ratio.hi <= target.value;
    case 'zero':
      return r.advTotal === 0;
    case 'rank1Below':
      return r.rank1 !== undefined && r.rank1.hi < target.value;
  }
}

export function targetText(t: Target | undefined): string {
  if (t === undefined) return '—';
  switch (t.kind) {
    case 'ratioAtMost':
      return `≤ ${t.value}x`;
    case 'zero':
      return 'earns 0';
    case 'rank1Below':
      return `lifted to rank 1 in < ${t.value * 100}% of epochs`;
  }
}

export const fmtX = (e: Estimate) =>
  Number.isNaN(e.value) ? 'n/a' : `${e.value.toFixed(3)}x [${e.lo.toFixed(3)}, ${e.hi.toFixed(3)}]`;
export const fmtPct = (e: Estimate, digits = 1) =>
  Number.isNaN(e.value)
    ? 'n/a'
    : `${signed(e.value * 100, digits)}% [${signed(e.lo * 100, digits)}, ${signed(e.hi * 100, digits)}]`;
const signed = (v: number, digits: number) => (v > 0 ? '+' : '') + v.toFixed(digits);
const plainPct = (e: Estimate, digits = 1) =>
  `${(e.value * 100).toFixed(digits)}% [${(e.lo * 100).toFixed(digits)}, ${(e.hi * 100).toFixed(digits)}]`;
const result = (pass: boolean | undefined) => (pass === undefined ? '—' : pass ? 'pass' : '**FAIL**');
const phaseText = (p: Row['phase']) =>
  p === 'all' ? '' : p === 'submission' ? ' (submission epochs)' : ' (final epochs)';

export function table(header: string[], rows: string[][]): string {
  const line = (cells: string[]) => `| ${cells.join(' | ')} |`;
  return [line(header), line(header.map(() => '---')), ...rows.map(line)].join('\n');
}

/** The adversary table of one world (or several): ratio, target, result, effect on honest. */
export function adversaryTable(rows: readonly Row[]): string {
  return table(
    [
      'adversary',
      'rules',
      'reward vs honest, same stake [95% CI]',
      'target',
      'result',
      'honest trainers',
      'honest validators',
      'epochs (tasks)',
    ],
    rows.map((r) => [
      r.scenario.label + phaseText(r.phase) + (r.victim ? `; copied trainer ${fmtPct(r.victim)}` : ''),
      WORLDS[r.scenario.world].label,
      r.scenario.target?.kind === 'zero'
        ? `${fmtX(r.ratio)}; total ${r.advTotal === 0 ? '0' : r.advTotal.toFixed(2)} tokens`
        : fmtX(r.ratio),
      targetText(r.scenario.target),
      result(r.pass),
      fmtPct(r.honestTrainers),
      fmtPct(r.honestValidators),
      `${r.epochs} (${r.tasks})`,
    ]),
  );
}

export function coalitionTable(rows: readonly Row[]): string {
  return table(
    [
      'coalition',
      'rules',
      'stake held (mean)',
      'friend lifted to rank 1 [95% CI]',
      'first without the coalition',
      'target',
      'result',
      "coalition's reward vs its honest play",
      'failed a canary',
      'honest trainers',
      'epochs (tasks)',
    ],
    rows.map((r) => [
      r.scenario.label,
      WORLDS[r.scenario.world].label,
      `${((r.fraction ?? 0) * 100).toFixed(1)}%`,
      r.rank1 ? plainPct(r.rank1, 2) : 'n/a',
      `${((r.rank1Base ?? 0) * 100).toFixed(2)}%`,
      targetText(r.scenario.target),
      result(r.pass),
      fmtX(r.ratio),
      `${((r.failedCanary ?? 0) * 100).toFixed(1)}%`,
      fmtPct(r.honestTrainers),
      `${r.epochs} (${r.tasks})`,
    ]),
  );
}

export interface HonestSummary {
  fairness: Estimate;
  fairnessSubmission: Estimate;
  fairnessFinal: Estimate;
  fairnessWholeSet: Estimate;
  falseFailures: Estimate;
  falseFailureStake: number;
  outOfTolerance: number;
  probeShare: Estimate;
  epochs: number;
  pass: boolean;
}

export const FAIRNESS_TARGET = 0.99;

export function honestSummary(baselines: readonly Baseline[]): HonestSummary {
  const fairness = meanEstimate(baselines, (b) => b.fairness);
  const fairnessWholeSet = meanEstimate(baselines, (b) => b.fairnessWholeSet);
  const finals = baselines.filter((b) => b.final);
  return {
    fairness,
    fairnessSubmission: meanEstimate(
      baselines.filter((b) => !b.final),
      (b) => b.fairness,
    ),
    fairnessFinal: meanEstimate(finals, (b) => b.fairness),
    fairnessWholeSet,
    falseFailures: ratioEstimate(
      baselines,
      (b) => b.honestFailed,
      (b) => b.honestValidatorCount,
    ),
    falseFailureStake:
      baselines.reduce((s, b) => s + b.honestFailedStake, 0) / baselines.reduce((s, b) => s + b.honestStake, 0),
    outOfTolerance: baselines.reduce((s, b) => s + b.outOfTolerance, 0) / baselines.reduce((s, b) => s + b.cells, 0),
    probeShare: meanEstimate(finals, (b) => b.probeShare),
    epochs: baselines.length,
    // The task defines quality by its eval sets: a model's accuracy on the phase's whole set is
    // what an ideal validator (no subset) would rank by. The finite set's own sampling error
    // against unseen data is the creator's choice of set size, outside the protocol's reach.
    pass: fairnessWholeSet.lo >= FAIRNESS_TARGET,
  };
}

export const fmtMean = (e: Estimate, digits = 4) =>
  `${e.value.toFixed(digits)} [${e.lo.toFixed(digits)}, ${e.hi.toFixed(digits)}]`;
export { result as resultText, plainPct };
