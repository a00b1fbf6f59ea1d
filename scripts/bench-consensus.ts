// How far honest validators on different backends disagree, and how far a lazy validator's reused
// score lands, on evaluation subsets (SPEC 2.2 and 4.5, revision 2): the measurement behind the
// defaults of `evalSubsetSize` and `tolV`.
//
//   npm run bench:consensus                       everything, writes docs/bench/consensus.{md,json}
//   npm run bench:consensus -- --quick            two quality levels, 1,000 draws, webgpu on 500 samples; prints only
//   npm run bench:consensus -- --specs digits-mlp --no-browser --out /tmp/c.md
//   npm run bench:consensus -- --cache /tmp/consensus-models   keep trained artifacts and per-sample runs between runs
//   npm run bench:consensus -- --no-check         skip the cross-check of the service's subset path
//
// Each demo spec is trained by the project's engine in Node (wasm) and stopped at a few quality
// levels; each model is evaluated per sample (predictions, losses, logits) on the public eval set
// through the code validators run, on Node cpu and wasm (the eval service) and on cpu, wasm,
// webgl and webgpu in a dedicated worker of headless Chromium (the app's evaluation client), and
// on the hidden final set on Node wasm. The subset scores are then computed from those per-sample
// results for thousands of random subsets, as the chain sees them (whole units of 1e-4).
//
// Like every engine script, run through tsx with --import ./src/lib/ml/backend/node/register.mjs.
import { execSync } from 'node:child_process';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import { resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { keccak256, toBytes } from 'viem';
import type { Page } from 'playwright-core';
import { tf } from '../src/lib/ml/backend/tf.ts';
import type { BackendName } from '../src/lib/ml/backend/types.ts';
import { parseModelSpecBytes } from '../src/lib/ml/spec/parse.ts';
import type { ModelSpec } from '../src/lib/ml/spec/types.ts';
import { evalSubset } from '../src/lib/protocol/eval-subset.ts';
import { startHarness, type Harness } from '../test/browser/harness.ts';
import { loadSplit } from './lib/dataset-arrays.ts';
import { trainLevels, stepsPerEpoch, type BenchModel, type Level } from './lib/consensus/models.ts';
import {
  cachedEvaluator,
  chromiumEvaluator,
  nodeEvaluator,
  runLabel,
  type EvalRequest,
  type Run,
} from './lib/consensus/runs.ts';
import {
  accuracySweep,
  candidates,
  flips,
  recommend,
  honestSpread,
  lazySpread,
  nearTieBound,
  pairsOf,
  topGaps,
  type LazyResult,
  type PairSpread,
} from './lib/consensus/analysis.ts';
import { subsetUnits, UNITS, type ScoreRule } from './lib/consensus/stats.ts';
import { compactJson, renderReport } from './lib/consensus/report.ts';
import type { ModelReport, SpecReport } from './lib/consensus/analysis.ts';

const root = fileURLToPath(new URL('../', import.meta.url));
const WASM_DIR = `${root}node_modules/@tensorflow/tfjs-backend-wasm/dist/`;

interface SpecPlan {
  spec: string;
  train: string;
  eval: string;
  hidden: string;
}

const PLANS: SpecPlan[] = [
  {
    spec: 'digits-mlp',
    train: 'public/datasets/digits-train',
    eval: 'public/datasets/digits-eval',
    hidden: 'datasets/hidden/digits-final',
  },
  {
    spec: 'fashion-mlp',
    train: 'public/datasets/fashion-mnist-train',
    eval: 'public/datasets/fashion-mnist-eval',
    hidden: 'datasets/hidden/fashion-mnist-final',
  },
  {
    spec: 'fashion-cnn',
    train: 'public/datasets/fashion-mnist-train',
    eval: 'public/datasets/fashion-mnist-eval',
    hidden: 'datasets/hidden/fashion-mnist-final',
  },
];

export const SUBSET_SIZES = [100, 250, 500, 1000, 2000, 2500];
/** Candidate tolerances in score units (1e-4). */
export const TOLS = [0, 5, 10, 20, 30, 50, 100, 200];
const LAMBDA = 20;
/**
 * Arithmetic error per logit assumed for 32-bit backends not measured here (real GPUs): ten times
 * the largest difference measured between any two 32-bit backends (1.3e-5).
 */
const EPS = 1e-4;
/** Model accuracies of the synthetic sweep. */
const SWEEP_ACCURACIES = [0.5, 0.7, 0.8, 0.85, 0.9, 0.93, 0.95, 0.97, 0.99];
/** Top-2 logit gaps counted in the tables. */
const GAP_THRESHOLDS = [1e-6, 1e-5, 1e-4, 1e-3, 1e-2];
/** The loss metric the demo specs do not use, computed anyway: cap = ln 10, a uniform guess's loss. */
const LOSS_RULE: ScoreRule = { name: 'loss', cap: Math.log(10) };
const ACCURACY: ScoreRule = { name: 'accuracy' };

function args() {
  const a = process.argv.slice(2);
  const get = (name: string) => {
    const i = a.indexOf(`--${name}`);
    return i >= 0 ? a[i + 1] : undefined;
  };
  const quick = a.includes('--quick');
  const out = get('out') ?? (quick ? undefined : 'docs/bench/consensus.md');
  return {
    quick,
    specs: (get('specs') ?? PLANS.map((p) => p.spec).join(',')).split(','),
    browser: !a.includes('--no-browser'),
    check: !a.includes('--no-check'),
    draws: Number(get('draws') ?? (quick ? 1000 : 4000)),
    webgpuSamples: Number(get('webgpu-samples') ?? (quick ? 500 : 1000)),
    cache: get('cache'),
    out,
    json: get('json') ?? (out ? out.replace(/\.md$/, '.json') : undefined),
  };
}

/** Quality levels: a few dozen steps, one epoch, and (not with --quick) the spec's epochs. */
function levelsFor(spec: ModelSpec, trainSamples: number, quick: boolean): Level[] {
  const spe = stepsPerEpoch(spec, trainSamples);
  const brief = spec.name === 'digits-mlp' ? 8 : 60;
  const levels: Level[] = [
    { name: 'brief', steps: brief },
    { name: '1 epoch', steps: spe },
  ];
  if (!quick) levels.push({ name: `${spec.optimizer.epochs} epochs`, steps: spe * spec.optimizer.epochs });
  return levels;
}

const opts = args();
const t0 = performance.now();
const load0 = os.loadavg();
const uptime0 = execSync('uptime').toString().trim();
tf.enableProdMode();
const log = (s: string) => console.log(`[${((performance.now() - t0) / 1000).toFixed(0)} s] ${s}`);

interface Prepared {
  plan: SpecPlan;
  spec: ModelSpec;
  specBytes: Uint8Array;
  labels: Int32Array;
  hiddenLabels: Int32Array;
  models: BenchModel[];
  webgpuCoverage: Uint32Array | undefined;
}

const prepared: Prepared[] = [];
for (const plan of PLANS.filter((p) => opts.specs.includes(p.spec))) {
  const specBytes = new Uint8Array(readFileSync(`${root}public/specs/${plan.spec}.json`));
  const { spec, hash } = await parseModelSpecBytes(specBytes);
  const trainSamples = (JSON.parse(readFileSync(`${root}${plan.train}/manifest.json`, 'utf8')) as { samples: number })
    .samples;
  const models = await trainLevels(spec, hash, `${root}${plan.train}`, levelsFor(spec, trainSamples, opts.quick), {
    wasmPaths: WASM_DIR,
    ...(opts.cache ? { cacheDir: opts.cache } : {}),
    log,
  });
  const labels = (await loadSplit(`${root}${plan.eval}`)).y;
  const hiddenLabels = (await loadSplit(`${root}${plan.hidden}`)).y;
  // SwiftShader runs WebGPU at tens of CNN samples per second: it gets a fixed sample of the set.
  const n = labels.length;
  const webgpuCoverage =
    opts.webgpuSamples < n
      ? Uint32Array.from(evalSubset(keccak256(toBytes(`bench-consensus/webgpu/${plan.spec}`)), n, opts.webgpuSamples))
      : undefined;
  prepared.push({ plan, spec, specBytes, labels, hiddenLabels, models, webgpuCoverage });
}
const trainedAt = performance.now();

const requestOf = (p: Prepared, m: BenchModel, hidden = false, indices?: Uint32Array): EvalRequest => ({
  spec: p.plan.spec,
  specBytes: p.specBytes,
  artifact: m.artifact,
  dataDir: hidden ? p.plan.hidden : p.plan.eval,
  labels: hidden ? p.hiddenLabels : p.labels,
  ...(indices ? { indices } : {}),
});

const checks = new Map<BenchModel, ModelReport['checks']>();
const checksOf = (m: BenchModel): ModelReport['checks'] => checks.get(m) ?? checks.set(m, []).get(m)!;
const CHECK_SAMPLES = 300;

/** A second evaluation of `r`'s model on a few hundred of its samples through the indices path. */
async function crossCheck(
  p: Prepared,
  m: BenchModel,
  r: Run,
  evaluate: (b: BackendName, req: EvalRequest) => Promise<Run>,
): Promise<void> {
  const pos = evalSubset(
    keccak256(toBytes(`bench-consensus/check/${p.plan.spec}`)),
    r.indices.length,
    Math.min(CHECK_SAMPLES, r.indices.length),
  );
  const again = await evaluate(
    r.backend,
    requestOf(
      p,
      m,
      false,
      Uint32Array.from(pos, (q) => r.indices[q]!),
    ),
  );
  checksOf(m).push({
    label: runLabel(r),
    samples: pos.length,
    derived: subsetUnits(ACCURACY, r, pos),
    service: Math.round(again.score * UNITS),
  });
}

// Node: the eval service, as a Node validator (the CLI agent) runs it.
const nodeEval = cachedEvaluator(opts.cache, 'node', '', nodeEvaluator(root, WASM_DIR));
const runs = new Map<BenchModel, Run[]>();
const hiddenRuns = new Map<BenchModel, Run>();
const logRun = (p: Prepared, m: BenchModel, r: Run) =>
  log(
    `${runLabel(r)} ${r.floatPrecision}-bit ${p.plan.spec} ${m.level}: accuracy ${r.accuracy.toFixed(4)} on ${r.indices.length} in ${r.seconds.toFixed(1)} s${r.cached ? ' (cached)' : ''}`,
  );
for (const p of prepared) {
  for (const m of p.models) {
    const list: Run[] = [];
    for (const backend of ['cpu', 'wasm'] as BackendName[]) {
      list.push(await nodeEval(backend, requestOf(p, m)));
      logRun(p, m, list.at(-1)!);
    }
    hiddenRuns.set(m, await nodeEval('wasm', requestOf(p, m, true)));
    runs.set(m, list);
  }
}

// Chromium: the app's evaluation worker, a fresh one per job; and WebGL on half-float textures
// on the page's thread (what a device without float32 render targets would run).
let browserNote = 'not run (--no-browser)';
if (opts.browser) {
  const harness: Harness = await startHarness();
  try {
    const page: Page = await harness.open('/test/browser/pages/eval.html');
    await page.waitForFunction(() => document.getElementById('log')?.textContent === 'ready', null, {
      timeout: 120_000,
    });
    const adapter = await page.evaluate(async () => {
      const a = await (
        navigator as unknown as {
          gpu?: {
            requestAdapter(): Promise<{
              info?: { vendor: string; architecture: string; isFallbackAdapter?: boolean };
            } | null>;
          };
        }
      ).gpu?.requestAdapter();
      return a?.info
        ? `${a.info.vendor} ${a.info.architecture}${a.info.isFallbackAdapter ? ' (fallback adapter)' : ''}`
        : 'none';
    });
    browserNote = `headless Chromium ${harness.context.browser()?.version() ?? ''}, dedicated worker; WebGPU adapter: ${adapter}`;
    const inWorker = cachedEvaluator(opts.cache, 'chromium', '', chromiumEvaluator(page));
    const halfFloat = cachedEvaluator(opts.cache, 'chromium', 'f16', chromiumEvaluator(page, { halfFloat: true }));
    for (const p of prepared) {
      for (const m of p.models) {
        for (const backend of ['cpu', 'wasm', 'webgl', 'webgpu'] as BackendName[]) {
          const r = await inWorker(
            backend,
            requestOf(p, m, false, backend === 'webgpu' ? p.webgpuCoverage : undefined),
          );
          runs.get(m)!.push(r);
          logRun(p, m, r);
        }
        const r = await halfFloat('webgl', requestOf(p, m));
        runs.get(m)!.push(r);
        logRun(p, m, r);
      }
    }
    // Cross-check: the service's own subset score (indices path) equals the one computed from the
    // per-sample arrays, on every backend, for the best model of each spec (never cached).
    const direct = {
      node: nodeEvaluator(root, WASM_DIR),
      worker: chromiumEvaluator(page),
      half: chromiumEvaluator(page, { halfFloat: true }),
    };
    for (const p of opts.check ? prepared : []) {
      const m = p.models.at(-1)!;
      for (const r of runs.get(m)!)
        await crossCheck(p, m, r, r.place === 'node' ? direct.node : r.variant ? direct.half : direct.worker);
    }
  } finally {
    await harness.close();
  }
} else {
  const direct = nodeEvaluator(root, WASM_DIR);
  for (const p of opts.check ? prepared : [])
    for (const r of runs.get(p.models.at(-1)!)!) await crossCheck(p, p.models.at(-1)!, r, direct);
}
const evaluatedAt = performance.now();

// Analysis.
const reports: SpecReport[] = [];
for (const p of prepared) {
  const n = p.labels.length;
  const sizes = [...SUBSET_SIZES.filter((k) => k < n), n];
  const models: ModelReport[] = [];
  for (const m of p.models) {
    const rs = runs.get(m)!;
    const ref = rs.find((r) => r.place === 'node' && r.backend === 'wasm')!;
    const hidden = hiddenRuns.get(m)!;
    const honest = new Map<number, PairSpread[]>();
    const honestLoss = new Map<number, PairSpread[]>();
    const lazy = new Map<number, LazyResult[]>();
    const nearTie = new Map<number, number>();
    for (const k of sizes) {
      const seed = `${p.plan.spec}/${m.level}`;
      honest.set(k, honestSpread(ACCURACY, rs, k, opts.draws, seed));
      honestLoss.set(k, honestSpread(LOSS_RULE, rs, k, opts.draws, seed));
      lazy.set(k, lazySpread(ACCURACY, hidden, ref, k, opts.draws, seed, TOLS));
      nearTie.set(k, nearTieBound(ref, EPS, k, opts.draws, seed));
    }
    const gaps = topGaps(ref);
    const pairFlips = pairsOf(rs).map(([a, b]) => flips(a, b));
    const halfError = Math.max(0, ...pairFlips.filter((f) => f.half).map((f) => f.maxLogitDiff));
    models.push({
      level: m.level,
      steps: m.steps,
      artifactHash: m.artifactHash,
      trainSeconds: m.trainSeconds,
      runs: rs,
      hidden,
      flips: pairFlips,
      halfReach: gaps.filter((g) => g < 2 * halfError).length,
      epsReach: gaps.filter((g) => g < 2 * EPS).length,
      honest,
      honestLoss,
      lazy,
      nearTie,
      gapCounts: GAP_THRESHOLDS.map((t) => gaps.filter((g) => g < t).length),
      checks: checksOf(m),
    });
  }
  reports.push({ spec: p.plan.spec, samples: n, hiddenSamples: p.hiddenLabels.length, sizes, models });
}

// The tolerance for subset size k: at least one sample's worth (an honest validator survives one
// unexpected flip), at least the largest difference two 32-bit backends showed on one subset, and
// at least what an arithmetic error of EPS per logit could do to a subset (near ties).
const tolFor = (k: number, specs: readonly SpecReport[]) => {
  let t = Math.ceil(UNITS / k);
  for (const r of specs)
    for (const m of r.models) {
      t = Math.max(t, m.nearTie.get(k)!);
      for (const s of m.honest.get(k)!) if (!s.half) t = Math.max(t, s.spread.max);
    }
  return t;
};
const chosen = candidates(reports, SUBSET_SIZES, LAMBDA, tolFor);
const rec = recommend(chosen, reports);
// How the lazy ratio at the recommended size depends on model accuracy, at its tolerance and at
// one and two more samples' worth.
const sweepN = Math.max(...reports.map((r) => r.samples));
const sweepTols = [rec.tol, rec.tol + Math.ceil(UNITS / rec.k), rec.tol + 2 * Math.ceil(UNITS / rec.k)];
const sweep = accuracySweep(SWEEP_ACCURACIES, sweepN, rec.k, sweepTols, opts.draws, LAMBDA);

const load1 = os.loadavg();
const machine = {
  cpus: `${os.cpus().length} x ${os.cpus()[0]?.model ?? 'cpu'}`,
  node: process.version,
  tfjs: tf.version_core,
  uptimeStart: uptime0,
  uptimeEnd: execSync('uptime').toString().trim(),
  load: [load0[0]!, load1[0]!],
  browser: browserNote,
  seconds: {
    training: (trainedAt - t0) / 1000,
    evaluation: (evaluatedAt - trainedAt) / 1000,
    total: (performance.now() - t0) / 1000,
  },
};

// A run that measured anything leaves its machine record next to the cached runs; a run that only
// reused them reports the record of the run that measured them.
// (Only a run that measured every run writes the record; a mixed run reports its own times, with
// the cached runs' seconds starred.)
const everyRun = [...runs.values()].flat().concat([...hiddenRuns.values()]);
const recordFile = opts.cache ? resolve(opts.cache, 'measured-by.json') : null;
let measuredBy: typeof machine | null = null;
if (recordFile && everyRun.every((r) => r.cached) && existsSync(recordFile))
  measuredBy = JSON.parse(readFileSync(recordFile, 'utf8')) as typeof machine;
else if (recordFile && everyRun.every((r) => !r.cached)) writeFileSync(recordFile, JSON.stringify(machine));

const { markdown, json } = renderReport({
  reports,
  candidates: chosen,
  rec,
  measuredBy,
  sweep: { n: sweepN, tols: sweepTols, rows: sweep },
  machine,
  opts,
  tols: TOLS,
  lambda: LAMBDA,
  eps: EPS,
  gapThresholds: GAP_THRESHOLDS,
});
console.log(`\n${markdown}`);
if (opts.out) writeFileSync(resolve(root, opts.out), markdown);
// One line per model keeps the file small and its diffs readable.
if (opts.json) writeFileSync(resolve(root, opts.json), `${compactJson(json)}\n`);
