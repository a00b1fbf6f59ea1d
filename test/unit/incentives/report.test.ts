import { describe, expect, it } from 'vitest';
import { coalition, duplicate, lazy, type Scenario } from '../../../scripts/lib/incentives/adversaries.ts';
import { adversaryTable, buildRows, honestSummary } from '../../../scripts/lib/incentives/report.ts';
import type { Baseline, Measurement } from '../../../scripts/lib/incentives/runner.ts';

const m = (
  scenario: Scenario,
  task: number,
  epoch: number,
  adv: number,
  twin: number,
  extra: Partial<Measurement> = {},
): Measurement => ({
  scenario: scenario.id,
  task,
  epoch,
  final: epoch >= 2,
  adv,
  twin,
  advStake: 10,
  twinStake: 10,
  honestTrainers: 100,
  honestTrainersBase: 100,
  honestValidators: 50,
  honestValidatorsBase: 40,
  ...extra,
});

describe('rows and targets', () => {
  it('splits by phase and judges "at most 0.1x" on the whole interval', () => {
    const s = lazy('previous', 'noCanaries');
    const ms = [0, 1, 2, 3].flatMap((task) => [m(s, task, 1, 0.05, 1), m(s, task, 2, task === 0 ? 0.5 : 0.05, 1)]);
    const rows = buildRows([s], ms);
    expect(rows.map((r) => r.phase)).toEqual(['submission', 'final']);
    const [sub, fin] = rows;
    expect(sub!.ratio.value).toBeCloseTo(0.05, 12);
    expect(sub!.pass).toBe(true);
    // One task at 0.5x: the mean is 0.1625x and the interval reaches well above 0.1.
    expect(fin!.ratio.value).toBeCloseTo(0.1625, 12);
    expect(fin!.pass).toBe(false);
    expect(sub!.honestValidators.value).toBeCloseTo(0.25, 12);
    expect(adversaryTable(rows)).toContain('**FAIL**');
  });

  it('"earns 0" means exactly zero tokens', () => {
    const s = duplicate(false, 'canaries');
    expect(buildRows([s], [m(s, 0, 1, 0, 3), m(s, 1, 1, 0, 2)])[0]!.pass).toBe(true);
    expect(buildRows([s], [m(s, 0, 1, 0, 3), m(s, 1, 1, 1e-12, 2)])[0]!.pass).toBe(false);
  });

  it('a coalition passes only when the 95% upper bound of its rank-1 rate is under 1%', () => {
    const s = coalition(0.2, true, 'canaries');
    const many = Array.from({ length: 400 }, (_, i) =>
      m(s, i, 0, 1, 1, { rank1: false, rank1Base: false, fraction: 0.19 }),
    );
    expect(buildRows([s], many)[0]!.pass).toBe(true);
    const few = many.slice(0, 200);
    expect(buildRows([s], few)[0]!.pass).toBe(false);
    const oneHit = many.map((x, i) => (i === 0 ? { ...x, rank1: true } : x));
    const row = buildRows([s], oneHit)[0]!;
    expect(row.rank1!.value).toBeCloseTo(1 / 400, 12);
    expect(row.pass).toBe(false);
    expect(row.fraction).toBeCloseTo(0.19, 12);
    // First anyway without the coalition: not a lift.
    const notLifted = many.map((x, i) => (i === 0 ? { ...x, rank1: true, rank1Base: true } : x));
    const same = buildRows([s], notLifted)[0]!;
    expect(same.rank1!.value).toBe(0);
    expect(same.rank1Base).toBeCloseTo(1 / 400, 12);
    expect(same.pass).toBe(true);
  });

  it('fairness (against the whole eval set) passes only with the lower bound at or above 0.99', () => {
    const b = (task: number, fairnessWholeSet: number): Baseline => ({
      task,
      epoch: 0,
      final: false,
      trainers: 10,
      validators: 10,
      // Against unseen data the ranking is worse; the target is on the whole-set figure.
      fairness: 0.9,
      fairnessWholeSet,
      honestValidatorCount: 10,
      honestFailed: 0,
      honestFailedStake: 0,
      honestStake: 10,
      outOfTolerance: 0,
      cells: 100,
      probeShare: 0,
    });
    expect(honestSummary([b(0, 0.995), b(1, 0.996), b(2, 0.994)]).pass).toBe(true);
    expect(honestSummary([b(0, 0.995), b(1, 0.97), b(2, 0.994)]).pass).toBe(false);
  });
});
