// What the canary producer's models look like (docs/canaries.md, "Models"): for many drawn
// (seed, steps) pairs, the canary trainer (scripts/lib/canary/train.ts) trains a watermarked
// model on the digits spec and it is scored on the whole public eval set. Prints and writes the
// spread of accuracy and training time, next to two honest references trained in the same run
// (two and thirty training epochs of the spec).
//
//   npm run bench:canaries                       40 draws, the producer's default steps (2..100)
//   npm run bench:canaries -- --draws 20 --steps 4..60 --out docs/bench/canaries.md
import { readFileSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import { fileURLToPath } from 'node:url';
import type { Address, Hex } from 'viem';
import { poolAccountKey, poolWatermarkKey, trainingDraw } from '../src/lib/agents/canary/index.ts';
import { tf } from '../src/lib/ml/backend/tf.ts';
import { fsSource } from '../src/lib/ml/data/sources.ts';
import { evaluateArtifact } from '../src/lib/ml/eval/evaluate.ts';
import { sha256Hex } from '../src/lib/ml/hash.ts';
import { parseModelSpecBytes } from '../src/lib/ml/spec/parse.ts';
import { datasetData } from '../src/lib/ml/train/dataset.ts';
import { privateKeyToAccount } from 'viem/accounts';
import { CANARY_DEFAULTS, parseSteps } from './lib/canary/options.ts';
import { canaryTrainer } from './lib/canary/train.ts';

const root = new URL('../', import.meta.url);
const path = (p: string) => fileURLToPath(new URL(p, root));
const argv = process.argv.slice(2);
const arg = (name: string) => {
  const i = argv.indexOf(`--${name}`);
  return i >= 0 ? argv[i + 1] : undefined;
};
const draws = Number(arg('draws') ?? 40);
const steps = parseSteps(arg('steps') ?? CANARY_DEFAULTS.steps);
const out = arg('out');

const SECRET: Hex = `0x${'c4'.repeat(32)}`;
const SCOPE = { chainId: 31337, registry: '0xe7f1725E7734CE288F8367e1Bb143E90bb3F0512' as Address, taskId: 1n };
const POOL = 4;

const loadBefore = os.loadavg()[0]!;
const specBytes = new Uint8Array(readFileSync(path('public/specs/digits-mlp.json')));
const { spec, hash } = await parseModelSpecBytes(specBytes);
const trainData =
  `0x${await sha256Hex(new Uint8Array(readFileSync(path('public/datasets/digits-train/manifest.json'))))}` as Hex;
const trainer = await canaryTrainer({ specBytes, trainDir: path('public/datasets/digits-train'), trainData });
const evalSource = fsSource(path('public/datasets/digits-eval'));
const { manifest: evalManifest } = await evalSource.manifest();
const accuracy = async (artifact: Uint8Array) =>
  (await evaluateArtifact(spec, hash, artifact, datasetData(evalManifest, evalSource, { seed: 0, shuffle: false })))
    .accuracy;

interface Row {
  drawn: number;
  trained: number;
  wrong: number;
  accuracy: number;
  seconds: number;
}

const pool = Array.from({ length: POOL }, (_, i) => privateKeyToAccount(poolAccountKey(SECRET, SCOPE, i)).address);
const rows: Row[] = [];
for (let i = 0; i < draws; i++) {
  const account = pool[i % POOL]!;
  const epoch = Math.floor(i / POOL);
  const draw = trainingDraw(SECRET, SCOPE, epoch, account, steps);
  const t0 = performance.now();
  const { artifact, model } = await trainer.train({
    seed: draw.seed,
    steps: draw.steps,
    owner: account,
    key: poolWatermarkKey(SECRET, SCOPE, account, spec.watermark!.bits, spec.watermark!.length),
  });
  const seconds = (performance.now() - t0) / 1000;
  const row = {
    drawn: draw.steps,
    trained: model.steps,
    wrong: model.wrong,
    accuracy: await accuracy(artifact),
    seconds,
  };
  rows.push(row);
  console.log(
    `draw ${i}: ${row.drawn} steps drawn, ${row.trained} trained, ${row.wrong} wrong bits, accuracy ${row.accuracy.toFixed(3)}, ${row.seconds.toFixed(2)} s`,
  );
}

// Honest references: the same trainer, seed 1, two and thirty training epochs of the spec.
const stepsPerEpoch = Math.ceil(1297 / spec.optimizer.batchSize);
const refs: { name: string; steps: number; accuracy: number; seconds: number }[] = [];
for (const epochs of [2, 30]) {
  const t0 = performance.now();
  const { artifact, model } = await trainer.train({
    seed: 1,
    steps: epochs * stepsPerEpoch,
    owner: pool[0]!,
    key: poolWatermarkKey(SECRET, SCOPE, pool[0]!, spec.watermark!.bits, spec.watermark!.length),
  });
  refs.push({
    name: `honest, ${epochs} training epochs`,
    steps: model.steps,
    accuracy: await accuracy(artifact),
    seconds: (performance.now() - t0) / 1000,
  });
}

const sorted = rows.map((r) => r.accuracy).sort((a, b) => a - b);
const q = (p: number) => sorted[Math.min(sorted.length - 1, Math.floor(p * sorted.length))]!;
const bins = [0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9, 1.0];
const histogram = bins.slice(0, -1).map((lo, i) => ({
  lo,
  hi: bins[i + 1]!,
  n: rows.filter((r) => r.accuracy >= lo && (r.accuracy < bins[i + 1]! || (i === bins.length - 2 && r.accuracy <= 1)))
    .length,
}));
const best = refs[1]!.accuracy;
const qualifying = rows.filter((r) => r.accuracy >= best / 2).length;
const machine = `${os.cpus().length} x ${os.cpus()[0]?.model ?? 'cpu'}, Node ${process.version}, tfjs ${tf.version_core}, 1-minute load average ${loadBefore.toFixed(1)} at the start and ${os.loadavg()[0]!.toFixed(1)} at the end`;
const mean = (xs: number[]) => xs.reduce((s, x) => s + x, 0) / xs.length;

const md = [
  '# Canary models',
  '',
  `Measured by \`npm run bench:canaries\` on ${machine}. ${draws} canary models of the digits-mlp spec, trained by the producer's Node trainer (wasm) with the pool accounts' watermarks: steps drawn log-uniformly in ${steps.min}..${steps.max} (the producer's default), then continued until the watermark decodes with the sealing margin; accuracy on all 250 samples of the public eval set. References: the same trainer, seed 1, two and thirty training epochs (${stepsPerEpoch} steps per epoch).`,
  '',
  '| accuracy | min | p10 | p25 | median | p75 | p90 | max |',
  '|---|---:|---:|---:|---:|---:|---:|---:|',
  `| canaries | ${[0, 0.1, 0.25, 0.5, 0.75, 0.9].map((p) => q(p).toFixed(3)).join(' | ')} | ${sorted.at(-1)!.toFixed(3)} |`,
  '',
  '| accuracy bin | canaries |',
  '|---|---:|',
  ...histogram.map((b) => `| ${b.lo.toFixed(1)}-${b.hi.toFixed(1)} | ${b.n} |`),
  '',
  '| model | training steps | accuracy | training s |',
  '|---|---:|---:|---:|',
  `| canary (mean of ${draws}) | ${mean(rows.map((r) => r.trained)).toFixed(0)} (drawn ${mean(rows.map((r) => r.drawn)).toFixed(0)}) | ${mean(sorted).toFixed(3)} | ${mean(rows.map((r) => r.seconds)).toFixed(2)} |`,
  ...refs.map((r) => `| ${r.name} | ${r.steps} | ${r.accuracy.toFixed(3)} | ${r.seconds.toFixed(2)} |`),
  '',
  `Watermark: every canary decodes its account's address with at most ${Math.max(...rows.map((r) => r.wrong))} wrong bits (sealing needs at most ${Math.floor(spec.watermark!.maxErr / 2)}); ${rows.filter((r) => r.trained > r.drawn).length} of ${draws} draws needed more steps than drawn for that. ` +
    `${qualifying} of ${draws} canaries score at least half of the 30-epoch reference, so as ordinary submissions (the pool's non-canary epochs) they would qualify against such a best model (floorBps 5000).`,
  '',
].join('\n');
console.log(`\n${md}`);
if (out) writeFileSync(path(out), md);
