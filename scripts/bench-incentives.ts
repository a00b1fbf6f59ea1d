// Incentive benchmark: simulates many random tasks (populations like the paper's) through the
// TypeScript reward reference and measures, for each adversary, its reward over an honest
// participant's with the same stake, the effect on honest participants, and the fairness of
// honest play. Model and assumptions: scripts/lib/incentives/config.ts, printed in the report.
//
//   npm run bench:incentives                       full run, writes docs/bench/incentives.md
//   npm run bench:incentives -- --quick            smoke run (a few tasks), prints only
//   npm run bench:incentives -- --seed 7 --tasks 40 --workers 2 --out /tmp/incentives.md
//   npm run bench:incentives -- --noise assumption ignore docs/bench/consensus.json
//   npm run bench:incentives -- --raw /tmp/raw.json    also keep every measurement
//   npm run bench:incentives -- --render /tmp/raw.json only rewrite the page from a kept run
//
// Backend noise comes from docs/bench/consensus.json when it exists (scripts/lib/incentives/
// noise.ts says the shape), else from a labelled assumption. The challenge rows read the
// automatic challenge's measured trigger from docs/bench/similarity.md and honest replay
// failures from docs/bench/transcript.md (scripts/lib/incentives/detection.ts); without those
// pages the challenge section is left out.
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import { fileURLToPath } from 'node:url';
import { allScenarios } from './lib/incentives/adversaries.ts';
import { defaultChallengeTerms, FORMER_BOND } from './lib/incentives/challenge.ts';
import type { ChallengeInputs } from './lib/incentives/challenge-rows.ts';
import { CLOSE_COMPETITION, DEFAULT_CONFIG, type SimConfig } from './lib/incentives/config.ts';
import { parseHonestReplays, parseSimilarity } from './lib/incentives/detection.ts';
import { assumedNoise, parseConsensus, type BackendNoise } from './lib/incentives/noise.ts';
import { composePage, type PageInput, type SweepPoint } from './lib/incentives/page.ts';
import type { TaskOutput } from './lib/incentives/runner.ts';
import type { Job } from './lib/incentives/worker.ts';
import { runJobs } from './lib/incentives/worker-pool.ts';
import { optionReader } from './lib/bench-options.ts';

const root = new URL('../', import.meta.url);
const path = (p: string) => fileURLToPath(new URL(p, root));

interface Options {
  quick: boolean;
  seed: number;
  tasks: number;
  ablationEvery: number;
  sweepTasks: number;
  sweepSizes: number[];
  closeTasks: number;
  workers: number;
  out: string | undefined;
  noise: string;
  canaries: number;
  raw: string | undefined;
  render: string | undefined;
}

function options(argv: string[]): Options {
  const { get, int, flag } = optionReader(argv, [
    'quick',
    'seed',
    'tasks',
    'ablation-every',
    'sweep-tasks',
    'sweep-sizes',
    'close-tasks',
    'workers',
    'out',
    'noise',
    'canaries',
    'raw',
    'render',
  ]);
  const quick = flag('quick');
  const sizes = (get('sweep-sizes') ?? (quick ? '250,1000' : '250,500,1000,2000,5000')).split(',').map(Number);
  if (sizes.some((k) => !Number.isInteger(k) || k < 1)) throw new Error('--sweep-sizes must be positive integers');
  return {
    quick,
    seed: int('seed', 1, 0),
    tasks: int('tasks', quick ? 4 : 100, 1),
    ablationEvery: int('ablation-every', quick ? 2 : 4, 1),
    sweepTasks: int('sweep-tasks', quick ? 2 : 24, 0),
    sweepSizes: sizes,
    closeTasks: int('close-tasks', quick ? 2 : 60, 0),
    workers: int('workers', Math.min(2, os.availableParallelism()), 1),
    out: get('out') ?? (quick ? undefined : 'docs/bench/incentives.md'),
    noise: get('noise') ?? 'docs/bench/consensus.json',
    canaries: int('canaries', DEFAULT_CONFIG.canaries, 0),
    raw: get('raw'),
    render: get('render'),
  };
}

function loadNoise(source: string): BackendNoise {
  if (source === 'assumption') return assumedNoise();
  const file = path(source);
  if (!existsSync(file)) return assumedNoise();
  return parseConsensus(JSON.parse(readFileSync(file, 'utf8')), source);
}

const SIMILARITY = 'docs/bench/similarity.md';
const TRANSCRIPT = 'docs/bench/transcript.md';

function loadChallengeInputs(config: SimConfig): ChallengeInputs | undefined {
  if (!existsSync(path(SIMILARITY)) || !existsSync(path(TRANSCRIPT))) {
    console.error(`bench:incentives: ${SIMILARITY} or ${TRANSCRIPT} missing: no challenge rows`);
    return undefined;
  }
  return {
    trigger: parseSimilarity(readFileSync(path(SIMILARITY), 'utf8'), SIMILARITY),
    replays: parseHonestReplays(readFileSync(path(TRANSCRIPT), 'utf8'), TRANSCRIPT),
    terms: defaultChallengeTerms(config.minStake),
    formerBond: FORMER_BOND,
    submissionEpochs: config.submissionEpochs,
  };
}

/** Everything the page is made from: what --raw keeps and --render reads back. */
interface RawRun {
  facts: Omit<PageInput['facts'], 'command'> & { command: string };
  config: SimConfig;
  noise: BackendNoise;
  outputs: TaskOutput[];
  ablationTasks: number[];
  sweep: SweepPoint[];
  close: TaskOutput[];
  quick: boolean;
}

// JSON cannot hold bigints (the reward parameters): tag them.
const toJson = (v: unknown) => JSON.stringify(v, (_, x) => (typeof x === 'bigint' ? { $bigint: x.toString() } : x));
const fromJson = (text: string) =>
  JSON.parse(text, (_, x) =>
    x !== null && typeof x === 'object' && typeof x.$bigint === 'string' ? BigInt(x.$bigint) : x,
  ) as RawRun;

async function simulate(opts: Options): Promise<RawRun> {
  const config: SimConfig = { ...DEFAULT_CONFIG, canaries: opts.canaries };
  const noise = loadNoise(opts.noise);
  const loadBefore = os
    .loadavg()
    .map((l) => l.toFixed(2))
    .join(' ');
  const started = performance.now();
  console.error(
    `bench:incentives: ${opts.tasks} tasks (+${opts.sweepTasks} x ${opts.sweepSizes.length} sweep, +${opts.closeTasks} close competition), seed ${opts.seed}, ${opts.workers} workers; noise: ${noise.source}`,
  );

  const ablationTasks: number[] = [];
  const jobs: Job[] = [];
  for (let index = 0; index < opts.tasks; index++) {
    const ablation = index % opts.ablationEvery === 0;
    if (ablation) ablationTasks.push(index);
    jobs.push({ id: jobs.length, kind: 'main', config, noise, seed: opts.seed, index, ablation });
  }
  const sweepJobs: { size: number; job: Job }[] = [];
  for (const size of opts.sweepSizes) {
    for (let index = 0; index < opts.sweepTasks; index++) {
      const job: Job = {
        id: jobs.length,
        kind: 'sweep',
        config: { ...config, evalSubsetSize: size },
        noise,
        seed: opts.seed + 1000,
        index,
        ablation: false,
      };
      jobs.push(job);
      sweepJobs.push({ size, job });
    }
  }
  const closeJobs: Job[] = [];
  for (let index = 0; index < opts.closeTasks; index++) {
    const job: Job = {
      id: jobs.length,
      kind: 'close',
      config: { ...config, ...CLOSE_COMPETITION },
      noise,
      seed: opts.seed + 2000,
      index,
      ablation: true,
    };
    jobs.push(job);
    closeJobs.push(job);
  }
  const outputs = await runJobs(jobs, opts.workers, (done) => {
    if (done % Math.max(1, Math.floor(jobs.length / 20)) === 0 || done === jobs.length) {
      console.error(`  ${done}/${jobs.length} tasks, ${((performance.now() - started) / 60_000).toFixed(1)} min`);
    }
  });
  const wallSeconds = (performance.now() - started) / 1000;
  const cpu = os.cpus()[0]?.model ?? 'unknown CPU';
  return {
    facts: {
      command: `npm run bench:incentives${process.argv.length > 2 ? ` -- ${process.argv.slice(2).join(' ')}` : ''}`,
      date: new Date().toISOString().slice(0, 10),
      seed: opts.seed,
      machine: `${cpu}, ${os.availableParallelism()} cores, ${(os.totalmem() / 2 ** 30).toFixed(0)} GiB, Node ${process.version}`,
      loadBefore,
      loadAfter: os
        .loadavg()
        .map((l) => l.toFixed(2))
        .join(' '),
      wallSeconds,
      workers: opts.workers,
      runs: outputs.reduce((s, o) => s + o.runs, 0),
      runSeconds: outputs.reduce((s, o) => s + o.ms, 0) / 1000,
    },
    config,
    noise,
    outputs: outputs.slice(0, opts.tasks),
    ablationTasks,
    sweep: opts.sweepSizes
      .map((size) => ({
        subsetSize: size,
        outputs: sweepJobs.filter((s) => s.size === size).map((s) => outputs[s.job.id]!),
      }))
      .filter((p) => p.outputs.length > 0),
    close: closeJobs.map((j) => outputs[j.id]!),
    quick: opts.quick,
  };
}

async function main() {
  const opts = options(process.argv.slice(2));
  const run = opts.render !== undefined ? fromJson(readFileSync(opts.render, 'utf8')) : await simulate(opts);
  if (opts.raw !== undefined && opts.render === undefined) writeFileSync(opts.raw, toJson(run));
  const page = composePage({
    ...run,
    ablationTasks: new Set(run.ablationTasks),
    scenarios: allScenarios(run.config),
    rendered: opts.render !== undefined,
    challenges: loadChallengeInputs(run.config),
  });
  console.log(page.summary);
  console.log(
    `\n${page.allPass ? 'all targets pass' : 'SOME TARGETS FAIL'}; ${(run.facts.wallSeconds / 60).toFixed(1)} min`,
  );
  const out = opts.out;
  if (out !== undefined) {
    writeFileSync(path(out), page.markdown);
    console.error(`wrote ${out}`);
  }
}

main().catch((error: unknown) => {
  console.error(error instanceof Error ? error.message : error);
  process.exit(1);
});
