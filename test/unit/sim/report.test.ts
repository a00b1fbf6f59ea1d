import { describe, expect, it } from 'vitest';
import { SMALL } from '../../../scripts/lib/sim/config.ts';
import { renderPage } from '../../../scripts/lib/sim/page.ts';
import { buildPopulation } from '../../../scripts/lib/sim/population.ts';
import {
  adversaryRows,
  buildReport,
  conservation,
  fairness,
  rewardStats,
  rpcStats,
} from '../../../scripts/lib/sim/report.ts';
import type { SimRun } from '../../../scripts/lib/sim/run.ts';

const WAD = 10n ** 18n;
const T = (n: number) => BigInt(Math.round(n * 1e6)) * 10n ** 12n;

/** A finished run as the report reads it: SMALL's population, made-up amounts worked by hand below. */
function fakeRun(): SimRun {
  const pop = buildPopulation(SMALL);
  const honest = pop.trainers.filter((t) => t.role === 'honest');
  // Quality rises with the index; trainer i's pool books 10 * (i + 1) per epoch on a stake of 10.
  const trained = new Map(honest.map((t) => [t.index, { artifactHash: `0x${String(t.index).padStart(64, '0')}` }]));
  const quality = new Map(honest.map((t) => [trained.get(t.index)!.artifactHash, 0.7 + t.index / 100]));
  const bookings = honest.flatMap((t) =>
    [0, 1, 2].map((epoch) => ({ epoch, index: t.index, pool: T(10 * (t.index + 1)), own: 0n, aggregate: 0, rank: 0 })),
  );
  const claims = {
    trainers: pop.trainers.map((t) => (t.role === 'honest' ? T(t.index + 1) : 0n)),
    validators: pop.validators.map((v) => (v.role.startsWith('lazy-') ? T(1) : T(4))),
    delegators: pop.delegators.map(() => T(0.5)),
    remainder: 10n,
  };
  const paid = [...claims.trainers, ...claims.validators, ...claims.delegators].reduce((s, x) => s + x, 0n);
  // Booked: what was paid, 7 wei of flooring, and 3 tokens forfeited by the thief.
  const booked = paid + 7n + 3n * WAD;
  const epochs = [0, 1, 2].map((epoch) => ({
    epoch,
    phase: epoch < 2 ? 'submission' : 'final',
    columns: 16,
    revealed: 20,
    booked: epoch === 0 ? booked : 0n,
    rollover: 0n,
    degenerate: false,
    finalizeCalls: 1,
    agentColumns: { compared: 32, differing: 0 },
    wallSeconds: 2,
    best: 12,
    seed: '0x01',
  }));
  return {
    config: SMALL,
    pop,
    world: { trained, quality, bookings: { trainers: bookings, validators: [] }, epochs, thief: null },
    claims,
    poolStakes: { trainers: pop.trainers.map(() => 10n * WAD), validators: pop.validators.map((v) => v.stake) },
    rpc: [
      {
        role: 'validator',
        index: 2,
        agent: false,
        requests: 50,
        methods: { eth_call: 30, eth_sendRawTransaction: 20 },
      },
      {
        role: 'validator',
        index: 3,
        agent: false,
        requests: 70,
        methods: { eth_call: 50, eth_sendRawTransaction: 20 },
      },
      {
        role: 'validator',
        index: 4,
        agent: false,
        requests: 60,
        methods: { eth_call: 40, eth_sendRawTransaction: 20 },
      },
      { role: 'validator', index: 0, agent: true, requests: 2_000, methods: { eth_getLogs: 1_500, eth_call: 500 } },
    ],
    txs: [
      { phase: 'setup', kind: 'joinTask', gas: 300_000n, from: '0x0', role: 'trainer' },
      { phase: 'epoch 0', kind: 'finalize', gas: 4_000_000n, from: '0x0', role: 'keeper' },
    ],
    challenges: [
      {
        challengeId: 1n,
        epoch: 1,
        trainer: 13,
        challenger: 0,
        probes: 0.9,
        answered: true,
        disputedSegment: 1,
        outcome: 'upheld',
        proofSeconds: 4,
        forfeited: 3n * WAD,
        slashed: WAD,
        toTrainer: 0n,
      },
    ],
    machine: { cpus: 2, model: 'test cpu', node: 'v20', loadBefore: [1, 1, 1], loadAfter: [2, 1, 1] },
    timing: { totalSeconds: 30, setupSeconds: 2, trainingSeconds: 3, endSeconds: 1 },
    memory: { peakRssBytes: 500 * 2 ** 20, anvilPeakRssBytes: 64 * 2 ** 20 },
    evaluations: { shared: 30, agents: 60 },
    agentErrors: [],
  } as unknown as SimRun;
}

describe('sim report', () => {
  it("reward statistics are the population's: mean, standard deviation, range, in tokens", () => {
    expect(rewardStats([T(1), T(2), T(3), T(6)])).toEqual({
      participants: 4,
      mean: 3,
      std: Math.sqrt(3.5),
      min: 1,
      max: 6,
      total: 12,
    });
    expect(rewardStats([])).toMatchObject({ participants: 0, mean: 0 });
  });

  it('fairness ranks honest trainers by hidden-set accuracy against pool reward per unit of stake', () => {
    const f = fairness(fakeRun());
    expect(f).toEqual({ spearman: 1, trainers: 13, quality: { min: 0.7, max: 0.82 } });
  });

  it("compares each adversary's claims with its twin's; a sybil group and a colluding group as one", () => {
    const run = fakeRun();
    const rows = adversaryRows(run);
    expect(
      rows.map((r) => [r.label.split(':')[0], r.side, r.adversary, r.ratio === 0 ? 0 : Number(r.ratio.toFixed(3))]),
    ).toEqual([
      ['thief', 'trainer', 0, 0],
      ['free rider', 'trainer', 0, 0],
      ['duplicate', 'trainer', 0, 0],
      ['lazy validator', 'validator', 1, 0.25],
      ['lazy validator', 'validator', 1, 0.25],
      ['lazy validator', 'validator', 1, 0.25],
      ['colluding group of 2', 'validator', 8, 1],
      ['validator sybil', 'validator', 12, 3],
    ]);
  });

  it('conservation: booked and remainder against the emission, claims and forfeits against the booked', () => {
    const c = conservation(fakeRun());
    expect(c.emission).toBe(3_000n * WAD);
    expect(c.forfeited).toBe(3n * WAD);
    expect(c.dust).toBe(7n);
    expect(c.claims).toBe(13 + 20 + 14);
  });

  it('RPC requests per role, agents apart', () => {
    expect(rpcStats(fakeRun())).toEqual([
      {
        role: 'validator',
        accounts: 3,
        mean: 60,
        median: 60,
        max: 70,
        methods: [
          { method: 'eth_call', share: 120 / 180 },
          { method: 'eth_sendRawTransaction', share: 60 / 180 },
        ],
      },
      {
        role: 'validator (agent)',
        accounts: 1,
        mean: 2_000,
        median: 2_000,
        max: 2_000,
        methods: [
          { method: 'eth_getLogs', share: 0.75 },
          { method: 'eth_call', share: 0.25 },
        ],
      },
    ]);
  });

  it('the page states each target with its measurement and result', () => {
    const run = fakeRun();
    const page = renderPage(run, buildReport(run), { command: 'npm run sim -- --small', date: '2026-12-07' });
    expect(page).toMatch(/^# Network simulation/);
    expect(page).toContain('| at least 1,000 participants | 50 | smaller configuration |');
    expect(page).toContain('largest 4,000,000 (finalize); 0 of 2 at or over | pass |');
    expect(page).toContain('| honest fairness (Spearman) at least 0.95 | 1.000 | pass |');
    // The fake sybil group claims three times its twin: the target fails, and the page says so.
    expect(page).toContain('| no adversary above 1.0x its honest twin | worst 3.000x | **FAIL** |');
    expect(page).toContain('| trainers | paper (16 tasks) | 603 | not recorded | not recorded | not recorded |');
    expect(page).toContain('| delegators | paper (16 tasks) | 63,265 |');
    expect(page).toContain(
      '| 1 | 1 | thief 13 | validator 0 (agent) | 0.900 | proof and transcript | 1 | upheld: forfeited 3.00, slashed 1.00 | 4.0 s |',
    );
  });
});
