// The language-model rows of docs/bench/train.md (issue 14, "Measure"), from one run:
//   - the baselines on the hidden split, measured in this run (byte n-grams, gzip -9 and xz -9);
//   - solidity-gpt's bits per byte on the hidden split after budgets of training time on wasm in
//     Node, the spec's watermark trained in (evaluation time not counted), against them;
//   - a fit of bpb against training tokens through those points, extrapolated to per-file gzip -9;
//   - training tokens/s in Node, wasm (tied head as specified and untied) and cpu.
//
//   npm run bench:lm                                   ~20 min on 2 cores
//   npm run bench:lm -- --budgets 60,150 --no-write    a short check
//   npm run bench:lm -- --variants tied,untied         the budget run for an untied head too
//
// Data: the shipped datasets (public/datasets/solidity-{train,eval}, datasets/hidden/solidity-final)
// through fsSource and the trainer's streaming loader.
import { readFileSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import { fileURLToPath } from 'node:url';
import { activateBackend } from '../src/lib/ml/backend/activate.ts';
import { ensureGradients, tf } from '../src/lib/ml/backend/tf.ts';
import type { BackendName } from '../src/lib/ml/backend/types.ts';
import { evaluateModel } from '../src/lib/ml/eval/evaluate.ts';
import { buildModel } from '../src/lib/ml/model/model.ts';
import { parseModelSpecBytes } from '../src/lib/ml/spec/parse.ts';
import { specShapes } from '../src/lib/ml/spec/shapes.ts';
import type { ModelSpec } from '../src/lib/ml/spec/types.ts';
import { RunControl } from '../src/lib/ml/train/control.ts';
import { train, type TrainProgress } from '../src/lib/ml/train/trainer.ts';
import { ownerBits } from '../src/lib/ml/watermark/bits.ts';
import { checkWatermark } from '../src/lib/ml/watermark/check.ts';
import { watermarkKernelIndex } from '../src/lib/ml/watermark/extract.ts';
import { optionReader } from './lib/bench-options.ts';
import { measureLmBaselines, type LmBaselines } from './lib/lm/baseline-report.ts';
import { browserSpeeds } from './lib/lm/browser-speed.ts';
import { fitLogTokens, tokensFor } from './lib/lm/budget-fit.ts';
import { solidityConversion } from './lib/lm/solidity.ts';
import { solidityData } from './lib/lm/solidity-data.ts';
import { benchKey } from './lib/watermark-attacks.ts';

const root = new URL('../', import.meta.url);
const path = (p: string) => fileURLToPath(new URL(p, root));
const opts = optionReader(process.argv.slice(2), [
  'spec',
  'budgets',
  'variants',
  'out',
  'no-write',
  'no-cpu',
  'speed-every',
  'eval-samples',
  'browser-only',
  'browser-limit',
]);
const specPath = opts.get('spec') ?? 'public/specs/solidity-gpt.json';
const budgets = (opts.get('budgets') ?? '60,150,300,600').split(',').map(Number);
if (budgets.some((b) => !(b > 0)) || budgets.some((b, i) => i > 0 && b <= budgets[i - 1]!))
  throw new Error(`--budgets must be increasing seconds, got ${opts.get('budgets')}`);
const variants = (opts.get('variants') ?? 'tied').split(',');
if (variants.some((v) => v !== 'tied' && v !== 'untied')) throw new Error('--variants: tied and/or untied');
const out = opts.get('out') ?? 'docs/bench/train.md';
// Steps per speed window (the first window of each row is warm-up, three more are timed).
const speedEvery = opts.int('speed-every', 4, 1);
// 0: every hidden sequence (the table's setting); fewer only for a quick check of the script.
const evalSamples = opts.int('eval-samples', 0, 0);
const START = '<!-- lm: scripts/bench-lm.ts -->';
const END = '<!-- end lm -->';
const OWNER = '0x5b38da6a701c568545dcfcddfc4b11fc0a3f9d6e';
const wasmPaths = path('node_modules/@tensorflow/tfjs-backend-wasm/dist/');

const BROWSER_START = '<!-- lm-browser: scripts/bench-lm.ts --browser-only -->';
const BROWSER_END = '<!-- end lm-browser -->';

/** Replaces the block between `start` and `end` in `out`, or appends it. */
function writeBlock(start: string, end: string, block: string): void {
  const doc = readFileSync(path(out), 'utf8');
  const a = doc.indexOf(start);
  const b = doc.indexOf(end);
  writeFileSync(
    path(out),
    a >= 0 && b > a ? doc.slice(0, a) + block + doc.slice(b + end.length) : `${doc.trimEnd()}\n\n${block}\n`,
  );
  console.log(`wrote ${out}`);
}

// The Chromium worker rows: a run of their own (a browser beside the budget run would take its
// cores), written as a block after the Node section.
if (opts.flag('browser-only')) {
  const l0 = os.loadavg();
  const t0 = performance.now();
  const { spec: s } = await parseModelSpecBytes(readFileSync(path(specPath)));
  const name = s.name;
  // wasm runs a step in seconds; the software GPU backends and cpu take far longer, so they get one
  // warm-up and one timed step, and a limit after which the run stops (cpu last: slowest).
  const plan = [
    { backend: 'wasm', every: 2, windows: 2 },
    { backend: 'webgl', every: 1, windows: 1 },
    { backend: 'webgpu', every: 1, windows: 1 },
    { backend: 'cpu', every: 1, windows: 1 },
  ];
  const limit = opts.int('browser-limit', 120, 10);
  const rows = await browserSpeeds(name, '/datasets/solidity-train', plan, limit * 1000, console.log);
  const l1 = os.loadavg();
  const L0 = s.input.shape[0]!;
  const block = `${BROWSER_START}
Chromium worker rows (\`npm run bench:lm -- --browser-only\`, ${((performance.now() - t0) / 60000).toFixed(1)} min, after the Node run above; headless Chromium, WebGL and WebGPU through SwiftShader on the CPU: no GPU on this machine, so these rows say whether each backend trains the spec and how slowly it does so in software, not what a GPU would give). The app's trainer worker via test/browser/pages/engine.html, ${name} with the page's watermark key, solidity-train from the page's server; wasm 2 warm-up steps then 4 timed, the others 1 warm-up step then 1 timed (a step of these takes minutes in software), each backend stopped after ${limit} s (then the row gives the bound and later backends are not run). Load average (1 / 5 / 15 min) ${l0.map((x) => x.toFixed(2)).join(' / ')} at the start, ${l1.map((x) => x.toFixed(2)).join(' / ')} at the end.

| where | backend | tokens/s | timed steps | note |
|---|---|---:|---:|---|
${rows.map((r) => `| Chromium worker | ${r.backend} | ${r.samplesPerSec !== null ? Math.round(r.samplesPerSec * L0).toLocaleString('en-US') : r.steps > 0 ? `< ${Math.round((r.steps * s.optimizer.batchSize * L0) / limit).toLocaleString('en-US')}` : '-'} | ${r.samplesPerSec !== null ? r.steps : '-'} | ${r.error ?? ''} |`).join('\n')}
${BROWSER_END}`;
  console.log(block);
  if (!opts.flag('no-write')) writeBlock(BROWSER_START, BROWSER_END, block);
  process.exit(0);
}

const load0 = os.loadavg();
const started = performance.now();
const { spec } = await parseModelSpecBytes(readFileSync(path(specPath)));
const wm = spec.watermark;
if (!wm) throw new Error(`${specPath} has no watermark`);
const L = spec.input.shape[0]!;
const B = spec.optimizer.batchSize;

/** The spec with a dense head in place of its tied one (same watermark layer). */
function untied(s: ModelSpec): ModelSpec {
  const layers = s.layers.map((l) =>
    l.type === 'tiedOutput' ? { type: 'dense' as const, units: s.output.tokens!, activation: 'linear' as const } : l,
  );
  return { ...s, name: `${s.name}-untied`, layers };
}
const specOf = (v: string) => (v === 'untied' ? untied(spec) : spec);
const key = benchKey(wm.bits, wm.length, 'owner');
const watermark = { keyBits: key.bits, ownerBits: ownerBits(OWNER, wm.bits) };

// 1. Baselines, rebuilt from the sources and checked against the committed datasets.
const tb = performance.now();
const base: LmBaselines = await measureLmBaselines(solidityConversion(), { maxOrder: 3 });
const baselineSeconds = (performance.now() - tb) / 1000;
const final = base.final;
const bars: { name: string; bpb: number }[] = [
  ...final.ngram.map((s, i) => ({ name: `${i + 1}-gram`, bpb: s.bitsPerByte })),
  { name: 'gzip -9/file', bpb: final.gzip9.bitsPerByte },
  { name: 'xz -9/file', bpb: final.xz9.bitsPerByte },
  { name: 'xz -9 whole', bpb: final.xz9Whole.bitsPerByte },
];
console.log('baselines', bars, `${baselineSeconds.toFixed(1)} s`);

tf.enableProdMode();
await activateBackend('wasm', { wasmPaths });
await ensureGradients();
const trainSet = await solidityData('train');
const hiddenSet = await solidityData('final');

async function hiddenScore(s: ModelSpec, weights: Float32Array[]) {
  const model = buildModel(s, weights);
  try {
    const n = hiddenSet.samples;
    const indices =
      evalSamples > 0
        ? Array.from({ length: Math.min(n, evalSamples) }, (_, i) => Math.floor((i * n) / Math.min(n, evalSamples)))
        : undefined;
    return await evaluateModel(model, hiddenSet.data(0, false), { batchSize: 64, ...(indices ? { indices } : {}) });
  } finally {
    model.dispose();
  }
}

// 2. Speed: steady state after a warm-up window.
interface Speed {
  backend: BackendName;
  what: string;
  params: number;
  tokensPerSec: number;
  steps: number;
}
async function speed(backend: BackendName, v: string, every: number, windows: number): Promise<Speed> {
  await activateBackend(backend, { wasmPaths });
  const s = specOf(v);
  const reports: TrainProgress[] = [];
  await train({
    spec: s,
    data: trainSet.data(1),
    seed: 1,
    watermark,
    maxSteps: every * (windows + 1),
    readEvery: every,
    onProgress: (p) => reports.push(p),
  });
  const timed = reports.slice(1);
  const sps = timed.reduce((a, p) => a + p.samplesPerSec, 0) / timed.length;
  const row = {
    backend,
    what: v === 'tied' ? `${spec.name} (tied head, as specified)` : `${spec.name}, untied dense head`,
    params: specShapes(s).paramCount,
    tokensPerSec: sps * L,
    steps: every * windows,
  };
  console.log('speed', row);
  return row;
}
const speeds: Speed[] = [];
// Interleaved, so that a change in the other helpers' load shows as a gap between like rows.
for (const v of ['tied', 'untied', 'tied', 'untied']) speeds.push(await speed('wasm', v, speedEvery, 3));
if (!opts.flag('no-cpu')) speeds.push(await speed('cpu', 'tied', 1, 2));
await activateBackend('wasm', { wasmPaths });

// 3. Bits per byte after each training-time budget, one run per variant.
interface Point {
  budget: number;
  step: number;
  seconds: number;
  tokens: number;
  bpb: number;
  accuracy: number;
  ownerWrong: number;
}
async function budgetRun(v: string): Promise<Point[]> {
  const s = specOf(v);
  const params = specShapes(s).params;
  const kernel = watermarkKernelIndex(s, params);
  const points: Point[] = [];
  const control = new RunControl();
  let evalMs = 0;
  const t0 = performance.now();
  await train({
    spec: s,
    data: trainSet.data(1),
    seed: 1,
    watermark,
    control,
    readEvery: 20,
    checkpointEvery: 2,
    onProgress: (p) =>
      console.log(
        `${v} step ${p.step}: ${(p.loss / Math.LN2).toFixed(3)} bits/byte, ${Math.round(p.samplesPerSec * L)} tokens/s`,
      ),
    onCheckpoint: async (c) => {
      const seconds = (performance.now() - t0 - evalMs) / 1000;
      const budget = budgets[points.length];
      if (budget === undefined || seconds < budget) return;
      const e0 = performance.now();
      const r = await hiddenScore(s, c.weights);
      const ownerWrong = checkWatermark(wm!, c.weights[kernel]!, params[kernel]!.shape, key, OWNER).wrong;
      evalMs += performance.now() - e0;
      const point = {
        budget,
        step: c.step,
        seconds,
        tokens: c.step * B * L,
        bpb: r.bitsPerByte!,
        accuracy: r.accuracy,
        ownerWrong,
      };
      points.push(point);
      console.log(`${v} budget`, point, `eval ${((performance.now() - e0) / 1000).toFixed(0)} s`);
      if (points.length === budgets.length) control.cancel('last budget reached');
    },
  });
  return points;
}
const runs: { variant: string; points: Point[] }[] = [];

// 4. Render, after each variant's run: a long second run can be stopped without losing the first.
function render(): void {
  const load1 = os.loadavg();
  const minutes = (performance.now() - started) / 60000;
  const fmt = (n: number) => Math.round(n).toLocaleString('en-US');
  const f3 = (n: number) => n.toFixed(3);
  const tied = runs.find((r) => r.variant === 'tied') ?? runs[0]!;
  const beats = (bpb: number) =>
    bars
      .filter((b) => bpb < b.bpb)
      .map((b) => b.name)
      .join(', ') || 'none';
  const budgetTable = (r: { variant: string; points: Point[] }) =>
    [
      '| budget | steps | training time | tokens | hidden bpb | next-byte accuracy | owner watermark wrong bits | beats |',
      '|---:|---:|---:|---:|---:|---:|---:|---|',
      ...r.points.map(
        (p) =>
          `| ${(p.budget / 60).toFixed(1)} min | ${p.step} | ${p.seconds.toFixed(0)} s | ${fmt(p.tokens)} | ${f3(p.bpb)} | ${(100 * p.accuracy).toFixed(1)}% | ${p.ownerWrong} | ${beats(p.bpb)} |`,
      ),
    ].join('\n');
  const fit = fitLogTokens(tied.points.map((p) => ({ tokens: p.tokens, bpb: p.bpb })));
  const tiedSpeed = tied.points.at(-1)!.tokens / tied.points.at(-1)!.seconds;
  const reach = (bpb: number) => {
    const t = tokensFor(fit, bpb);
    if (t === null) return 'never on this fit (bpb does not fall with tokens)';
    const hours = t / tiedSpeed / 3600;
    return `${(t / 1e6).toFixed(1)} M tokens, ${hours < 1 ? `${(hours * 60).toFixed(0)} min` : `${hours.toFixed(1)} h`} at this run's ${fmt(tiedSpeed)} tokens/s (${(t / (trainSet.samples * L)).toFixed(1)} epochs of solidity-train)`;
  };
  const gzipBar = final.gzip9.bitsPerByte;
  const speedRows = speeds.map(
    (s) => `| Node | ${s.backend} | ${s.what} | ${fmt(s.params)} | ${fmt(s.tokensPerSec)} | ${s.steps} |`,
  );
  const machine = `${os.cpus().length} x ${os.cpus()[0]?.model ?? 'cpu'}, ${Math.round(os.totalmem() / 2 ** 30)} GiB, Node ${process.version}, tfjs ${tf.version_core}`;
  const loadText = (l: number[]) => l.map((x) => x.toFixed(2)).join(' / ');
  const section = `${START}
## Language model (solidity-gpt)

Generated by \`npm run bench:lm${process.argv.length > 2 ? ` -- ${process.argv.slice(2).join(' ')}` : ''}\` (scripts/bench-lm.ts) in ${minutes.toFixed(1)} min on ${new Date().toISOString().slice(0, 10)}. Machine: ${machine}; no GPU. Load average (1 / 5 / 15 min) ${loadText(load0)} at the start and ${loadText(load1)} at the end: other helpers' browser tests share the 2 cores, so the speeds are what this load left, and rows of one run compare, runs do not.

Spec \`${specPath}\` (context ${L}, batch ${B}, Adam at ${spec.optimizer.learningRate}), the shipped datasets through fsSource and the trainer's loader: trained on ${trainSet.name} (${fmt(trainSet.samples)} sequences, ${fmt(trainSet.samples * L)} targets), scored on the hidden ${hiddenSet.name} (${fmt(hiddenSet.samples)} sequences, ${fmt(hiddenSet.samples * L)} targets, every target of every sequence, as a validator scores).

### Baselines on the hidden split (this run, ${baselineSeconds.toFixed(0)} s; definitions in docs/bench/lm-baselines.md)

| baseline | ${final.name} bpb |
|---|---:|
${final.ngram.map((s, i) => `| byte ${i + 1}-gram (context ${i} byte${i === 1 ? '' : 's'}), fitted on ${base.trainName}, D = ${base.discounts[i]} | ${f3(s.bitsPerByte)} |`).join('\n')}
| gzip -9 per file (\`gzip -9 -n -c\`) | ${f3(final.gzip9.bitsPerByte)} |
| Node zlib level 9 per file | ${f3(final.zlibGzip9.bitsPerByte)} |
| xz -9 per file | ${f3(final.xz9.bitsPerByte)} |
| gzip -9 whole split | ${f3(final.gzip9Whole.bitsPerByte)} |
| xz -9 whole split | ${f3(final.xz9Whole.bitsPerByte)} |

### Bits per byte per training budget (wasm in Node, watermark trained in)

${runs
  .map(
    (r) =>
      `${r.variant === 'tied' ? `${spec.name} as specified (tied head)` : `${spec.name} with an untied dense head`}, seed 1, owner key \`benchKey('owner')\`; one run, evaluated when its training time first passes each budget (evaluation time not counted); "beats" lists the baselines above with more bits per byte.\n\n${budgetTable(r)}`,
  )
  .join('\n\n')}

Target (issue 14): the demo spec beats the order-1 and order-2 n-grams within 10 minutes: ${
    tied.points.some((p) => p.seconds <= 600 + 30 && p.bpb < final.ngram[1]!.bitsPerByte) ? '**met**' : '**not met**'
  } (${f3(tied.points.at(-1)!.bpb)} after ${tied.points.at(-1)!.seconds.toFixed(0)} s against ${f3(final.ngram[0]!.bitsPerByte)} and ${f3(final.ngram[1]!.bitsPerByte)}).

**Extrapolation, not a measurement.** A least-squares fit of the budget points above, bpb = ${f3(fit.a)} ${fit.b < 0 ? '-' : '+'} ${f3(Math.abs(fit.b))} ln(tokens / 1M) (largest residual ${f3(fit.maxResidual)} bpb over ${fit.n} points), put at the target bars: order-3 n-gram (${f3(final.ngram[2]!.bitsPerByte)}): ${reach(final.ngram[2]!.bitsPerByte)}; per-file gzip -9 (${f3(gzipBar)}): ${reach(gzipBar)}. A log-linear fit of an early, still-steep stretch of a loss curve over-promises as a curve flattens toward what the model's size allows, so read it as a lower bound on the budget; a 2-block, width-128 model may not reach gzip -9 at any budget. No longer or larger run was made here (time).

The watermark's cost: docs/bench/watermark.md (section solidity-gpt) measured ${'+'}0.23% bits per byte (3.2395 -> 3.2470) at 150 steps, watermarked against unmarked from the same seed; the target is at most 2%. The runs above all have it trained in.

### Training tokens/s

| where | backend | model | parameters | tokens/s | timed steps |
|---|---|---|---:|---:|---:|
${speedRows.join('\n')}

Each row: batch ${B} x ${L} tokens, the watermark term on, steady state after a warm-up window; wasm rows interleaved tied, untied, tied, untied.
${END}`;
  console.log(`\n${section}`);
  if (!opts.flag('no-write')) {
    writeBlock(START, END, section);
    writeFileSync(
      path('docs/bench/lm.json'),
      JSON.stringify({ bars, speeds, runs, fit, load0, load1, minutes }, null, 2),
    );
  }
}

for (const v of variants) {
  runs.push({ variant: v, points: await budgetRun(v) });
  render();
}
