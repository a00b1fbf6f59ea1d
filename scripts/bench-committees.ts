// Committee benchmark: the incentive simulator (scripts/lib/incentives) with each column scored
// by a committee of Poisson(k) seats drawn by stake (docs/scale.md, "Validator committees"),
// against every validator scoring every column, on the same tasks, epochs and models. Measures
// lazy validators, coalitions of growing stake, a split validator stake and honest play.
//
//   npm run bench:committees                         80 tasks into docs/bench/committees.md (~22 min, 1 core)
//   npm run bench:committees -- --quick              a few tasks, prints only
//   npm run bench:committees -- --tasks 40 --workers 2 --seed 3 --out /tmp/committees.md
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import { fileURLToPath } from 'node:url';
import { COMMITTEE_COALITIONS, COMMITTEE_WORLDS, committeeScenarios } from './lib/incentives/adversaries.ts';
import { DEFAULT_CONFIG, type SimConfig } from './lib/incentives/config.ts';
import { assumedNoise, parseConsensus, type BackendNoise } from './lib/incentives/noise.ts';
import { buildRows, fmtX, plainPct, table, type Row } from './lib/incentives/report.ts';
import type { Baseline, Measurement } from './lib/incentives/runner.ts';
import { meanEstimate, proportionEstimate, type Estimate } from './lib/incentives/stats.ts';
import type { Job } from './lib/incentives/worker.ts';
import { runJobs } from './lib/incentives/worker-pool.ts';
import { WORLDS, type WorldId } from './lib/incentives/worlds.ts';
import { captureProbability } from './lib/scale/capture.ts';
import { optionReader } from './lib/bench-options.ts';

const root = new URL('../', import.meta.url);
const path = (p: string) => fileURLToPath(new URL(p, root));

/**
 * Committees are for many validators: the population's validator count starts where k << V, and
 * stops where the every-validator reference (at most 512) still takes a 10-way split stake.
 */
const COMMITTEE_POPULATION: Partial<SimConfig> = { validators: [128, 500] };

interface Options {
  quick: boolean;
  seed: number;
  tasks: number;
  workers: number;
  out: string | undefined;
  noise: string;
}

function options(argv: string[]): Options {
  const { get, int, flag } = optionReader(argv, ['quick', 'seed', 'tasks', 'workers', 'out', 'noise']);
  const quick = flag('quick');
  return {
    quick,
    seed: int('seed', 1, 0),
    tasks: int('tasks', quick ? 3 : 80, 1),
    workers: int('workers', Math.min(2, os.availableParallelism()), 1),
    out: get('out') ?? (quick ? undefined : 'docs/bench/committees.md'),
    noise: get('noise') ?? 'docs/bench/consensus.json',
  };
}

function loadNoise(source: string): BackendNoise {
  if (source === 'assumption') return assumedNoise();
  const file = path(source);
  if (!existsSync(file)) return assumedNoise();
  return parseConsensus(JSON.parse(readFileSync(file, 'utf8')), source);
}

const worldK = (w: WorldId) => WORLDS[w].committee;
const worldName = (w: WorldId) => (worldK(w) === undefined ? 'every validator' : `k = ${worldK(w)}`);
const load = () =>
  os
    .loadavg()
    .map((l) => l.toFixed(2))
    .join(' ');

interface CoalitionFacts {
  captured: Estimate;
  predicted: number;
}

/** Share of epochs whose friend's column moved, and the Poisson model's prediction at the realized stake. */
function coalitionFacts(ms: readonly Measurement[], k: number | undefined): CoalitionFacts {
  const captured = proportionEstimate(ms.filter((m) => m.captured).length, ms.length);
  const predicted =
    k === undefined
      ? ms.filter((m) => (m.fraction ?? 0) >= 0.5).length / ms.length
      : ms.reduce((s, m) => s + captureProbability({ k, f: m.fraction ?? 0, direction: 'up', draw: 'poisson' }), 0) /
        ms.length;
  return { captured, predicted };
}

function honestTable(baselines: readonly Baseline[]): string {
  return table(
    [
      'validators score',
      'fairness (Spearman, true quality vs reward per stake) [95% CI]',
      'honest validators failing a canary',
      'honest seats off tolerance',
      'columns without a seat',
      "spread of honest validators' reward per stake in an epoch (CV)",
      'epochs',
    ],
    COMMITTEE_WORLDS.map((w) => {
      const bs = baselines.filter((b) => b.world === w);
      const fair = meanEstimate(bs, (b) => b.fairness);
      const failed = bs.reduce((s, b) => s + b.honestFailed, 0) / bs.reduce((s, b) => s + b.honestValidatorCount, 0);
      const off = bs.reduce((s, b) => s + b.outOfTolerance, 0) / bs.reduce((s, b) => s + b.cells, 0);
      const empty = bs.reduce((s, b) => s + (b.emptyColumns ?? 0), 0);
      const cv = meanEstimate(bs, (b) => b.validatorCv ?? 0);
      return [
        worldName(w),
        `${fair.value.toFixed(4)} [${fair.lo.toFixed(4)}, ${fair.hi.toFixed(4)}]`,
        `${(failed * 100).toFixed(3)}%`,
        `${(off * 100).toFixed(3)}%`,
        `${empty} (${(empty / bs.length).toFixed(3)} per epoch)`,
        `${cv.value.toFixed(3)} [${cv.lo.toFixed(3)}, ${cv.hi.toFixed(3)}]`,
        String(bs.length),
      ];
    }),
  );
}

function byWorldTable(
  rows: readonly Row[],
  header: string[],
  pick: (r: Row) => boolean,
  cells: (r: Row) => string[],
): string {
  const picked = rows.filter(pick);
  return table(
    header,
    picked.map((r) => [r.scenario.label, worldName(r.scenario.world), ...cells(r)]),
  );
}

function compose(
  rows: Row[],
  measurements: Measurement[],
  baselines: Baseline[],
  facts: Record<string, string>,
  config: SimConfig,
  noise: BackendNoise,
): string {
  const out: string[] = [];
  out.push('# Committee benchmark');
  out.push('');
  out.push(
    `Generated by \`${facts.command}\` on ${facts.date} (seed ${facts.seed}). The design is [docs/scale.md](../scale.md), "Validator committees"; the simulator is the incentive benchmark's ([incentives.md](incentives.md)), every reward from the TypeScript reference's steps: \`epochRewards\` (src/lib/protocol/rewards.ts) when every validator scores every column, \`committeeEpochRewards\` (scripts/lib/incentives/committee-rewards.ts) with committees, seats drawn by scripts/lib/incentives/committee-seats.ts. Same tasks, epochs, models and validators in every world.`,
  );
  out.push('');
  out.push(
    `- Machine: ${facts.machine}; load average before ${facts.loadBefore}, after ${facts.loadAfter} (other work shared the machine).`,
  );
  out.push(
    `- Run time: ${facts.wall} wall on ${facts.workers} worker thread(s); ${facts.runs} reference runs (one epoch each).`,
  );
  out.push(
    `- ${facts.tasks} tasks, ${facts.epochs} scoring epochs (${config.submissionEpochs} submission + ${config.finalEpochs} final per task); trainers per task log-uniform in [${config.trainers.join(', ')}] (mean ${facts.meanT}), validators log-uniform in [${config.validators.join(', ')}] (mean ${facts.meanV}; the chain's cap is 512, and the every-validator reference refuses more); stakes log-normal, median ${config.stakeMedian}, log-sd ${config.stakeSigma}; ${config.canaries} canaries per epoch; evalSubsetSize ${config.evalSubsetSize}; DEFAULT_REWARD_PARAMS.`,
  );
  out.push(`- Backend noise: ${noise.source}.`);
  out.push(
    '- Committees: validator j draws Poisson(k n s_j / S) seats, each on a uniformly drawn column (n columns, canaries included), so each column has Poisson(k) seats; medians weighted by seats; a validator with no seat in an epoch earns nothing in it (not measured as a loss: its expected reward is unchanged).',
  );
  out.push('');
  out.push('## Honest play');
  out.push('');
  out.push(
    'All-honest epochs of each world. With measured backend noise honest validators agree, so committees leave aggregates, ranks and fairness where they were; what they change is who is paid: a validator is paid only for its seats, so its reward in one epoch spreads around its stake-proportional expectation.',
  );
  out.push('');
  out.push(honestTable(baselines));
  out.push('');
  out.push('## Lazy validators');
  out.push('');
  out.push(
    'Reward per stake against the same identity playing honestly in the same epochs and draws (its own seats): committees keep the seats the same, so the ratio isolates the strategy. "Failed a canary": share of its epochs in which it failed one (with committees it can only fail canaries it holds a seat on; the per-seat tolerance still zeroes every seat it does not evaluate).',
  );
  out.push('');
  out.push(
    byWorldTable(
      rows,
      [
        'lazy validator',
        'validators score',
        'reward vs its honest play [95% CI]',
        'failed a canary',
        'honest validators',
        'epochs (tasks)',
      ],
      (r) => r.scenario.group === 'lazy',
      (r) => [
        fmtX(r.ratio) + (r.phase === 'all' ? '' : ` (${r.phase} epochs)`),
        `${((r.failedCanary ?? 0) * 100).toFixed(1)}%`,
        signedPct(r.honestValidators),
        `${r.epochs} (${r.tasks})`,
      ],
    ),
  );
  out.push('');
  out.push('## Coalitions');
  out.push('');
  out.push(
    'Members drawn at random from honest validators up to the stake fraction; they score their friend (the honest trainer at the median of true quality) 1.0, and with "lower better" also score 0 every column they find better than the friend. "Friend\'s column moved": share of epochs where the friend\'s aggregate differs from the all-honest run; "predicted": the Poisson model of docs/scale.md (coalition seats A ~ Poisson(k f) outnumber honest seats H ~ Poisson(k (1 - f))), averaged over the same epochs at the stake each coalition really held; with every validator the median moves only at f >= 1/2.',
  );
  out.push('');
  out.push(
    table(
      [
        'coalition',
        'validators score',
        'stake held (mean)',
        "friend's column moved [95% CI]",
        'predicted',
        'friend lifted to rank 1 [95% CI]',
        "coalition's reward vs its honest play",
        'honest trainers',
        'epochs (tasks)',
      ],
      rows
        .filter((r) => r.scenario.group === 'coalition')
        .map((r) => {
          const ms = measurements.filter((m) => m.scenario === r.scenario.id);
          const c = coalitionFacts(ms, worldK(r.scenario.world));
          return [
            r.scenario.label,
            worldName(r.scenario.world),
            `${((r.fraction ?? 0) * 100).toFixed(1)}%`,
            plainPct(c.captured, 2),
            `${(c.predicted * 100).toFixed(2)}%`,
            r.rank1 ? plainPct(r.rank1, 2) : 'n/a',
            fmtX(r.ratio),
            signedPct(r.honestTrainers),
            `${r.epochs} (${r.tasks})`,
          ];
        }),
    ),
  );
  out.push('');
  out.push('## Split stake and honest variance');
  out.push('');
  out.push(
    "Reward per stake against the honest twin (same stake and backend, its own draw): a validator stake split over 10 identities, and an honest validator. With every validator both are exactly 1; with committees the twin's own draw makes each ratio noisy, and the expectation stays 1 (Poisson seats add up: ten identities draw, in law, exactly the seats of one).",
  );
  out.push('');
  out.push(
    byWorldTable(
      rows,
      ['validator', 'validators score', 'reward vs honest twin [95% CI]', 'epochs (tasks)'],
      (r) => r.scenario.group === 'sybil' || r.scenario.group === 'honest',
      (r) => [fmtX(r.ratio), `${r.epochs} (${r.tasks})`],
    ),
  );
  out.push('');
  out.push(
    `Coalition fractions: ${COMMITTEE_COALITIONS.map((f) => `${f * 100}%`).join(', ')}. Worlds: ${COMMITTEE_WORLDS.map(worldName).join(', ')}.`,
  );
  out.push('');
  return out.join('\n');
}

const signedPct = (e: Estimate) => {
  const s = (v: number) => (v > 0 ? '+' : '') + (v * 100).toFixed(1);
  return Number.isNaN(e.value) ? 'n/a' : `${s(e.value)}% [${s(e.lo)}, ${s(e.hi)}]`;
};

async function main() {
  const opts = options(process.argv.slice(2));
  const config: SimConfig = { ...DEFAULT_CONFIG, ...COMMITTEE_POPULATION };
  const noise = loadNoise(opts.noise);
  const loadBefore = load();
  const started = performance.now();
  console.error(
    `bench:committees: ${opts.tasks} tasks, seed ${opts.seed}, ${opts.workers} workers; noise: ${noise.source}`,
  );
  const jobs: Job[] = Array.from({ length: opts.tasks }, (_, index) => ({
    id: index,
    kind: 'committees',
    config,
    noise,
    seed: opts.seed,
    index,
    ablation: false,
  }));
  const outputs = await runJobs(jobs, opts.workers, (done) => {
    if (done % Math.max(1, Math.floor(jobs.length / 10)) === 0 || done === jobs.length) {
      console.error(`  ${done}/${jobs.length} tasks, ${((performance.now() - started) / 60_000).toFixed(1)} min`);
    }
  });
  const wall = (performance.now() - started) / 1000;
  const list = committeeScenarios();
  const measurements = outputs.flatMap((o) => o.measurements);
  const baselines = outputs.flatMap((o) => o.baselines);
  const rows = buildRows(list, measurements);
  const cpu = os.cpus()[0]?.model ?? 'unknown CPU';
  const facts = {
    command: `npm run bench:committees${process.argv.length > 2 ? ` -- ${process.argv.slice(2).join(' ')}` : ''}`,
    date: new Date().toISOString().slice(0, 10),
    seed: String(opts.seed),
    machine: `${cpu}, ${os.availableParallelism()} cores, ${(os.totalmem() / 2 ** 30).toFixed(0)} GiB, Node ${process.version}`,
    loadBefore,
    loadAfter: load(),
    wall: `${(wall / 60).toFixed(1)} min`,
    workers: String(opts.workers),
    runs: outputs.reduce((s, o) => s + o.runs, 0).toLocaleString('en-US'),
    tasks: String(outputs.length),
    epochs: String(baselines.filter((b) => b.world === 'canaries').length),
    meanT: (outputs.reduce((s, o) => s + o.trainers, 0) / outputs.length).toFixed(0),
    meanV: (outputs.reduce((s, o) => s + o.validators, 0) / outputs.length).toFixed(0),
  };
  const page = compose(rows, measurements, baselines, facts, config, noise);
  console.log(page);
  if (opts.out !== undefined) {
    writeFileSync(path(opts.out), page);
    console.error(`wrote ${opts.out}`);
  }
}

main().catch((error: unknown) => {
  console.error(error instanceof Error ? error.message : error);
  process.exit(1);
});
