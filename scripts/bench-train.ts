// Training speed of the ML engine: samples/s per backend, in Node and in a dedicated worker of
// headless Chromium, on the shipped specs and datasets. Steady-state speed: the mean of the
// progress reports after the first (which carries shader compilation and warm-up).
//
//   npm run bench:train                                  all specs, Node and browser
//   npm run bench:train -- --specs digits-mlp --steps 60 --no-browser
//   npm run bench:train -- --out docs/bench/train.md     also write the table
//   npm run bench:train -- --no-accuracy                 speed only (the accuracy runs take minutes)
//
// Accuracy per wall-clock budget: each Fashion-MNIST spec trained for its epochs, with its
// watermark, on the fastest Node backend (wasm; the same kernels as the browser's wasm backend),
// evaluated after every epoch on the 10,000 test images (public eval + hidden final). Training
// time excludes the evaluations.
//
// Plain Node cannot load tfjs's gradient registrations; the npm script runs tsx with
// --import ./src/lib/ml/backend/node/register.mjs (module hooks), as any engine script must.
import { readFileSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import { fileURLToPath } from 'node:url';
import { activateBackend } from '../src/lib/ml/backend/activate.ts';
import { tf } from '../src/lib/ml/backend/tf.ts';
import { trialTraining } from '../src/lib/ml/backend/trial.ts';
import type { BackendName } from '../src/lib/ml/backend/types.ts';
import { fsSource } from '../src/lib/ml/data/sources.ts';
import { parseModelSpecBytes } from '../src/lib/ml/spec/parse.ts';
import { specShapes } from '../src/lib/ml/spec/shapes.ts';
import { datasetData } from '../src/lib/ml/train/dataset.ts';
import { train, type TrainProgress } from '../src/lib/ml/train/trainer.ts';
import { evaluateModel } from '../src/lib/ml/eval/evaluate.ts';
import { buildModel } from '../src/lib/ml/model/model.ts';
import { memoryData } from '../src/lib/ml/train/data.ts';
import { ownerBits } from '../src/lib/ml/watermark/bits.ts';
import { checkWatermark } from '../src/lib/ml/watermark/check.ts';
import { watermarkKernelIndex } from '../src/lib/ml/watermark/extract.ts';
import { benchKey } from './lib/watermark-attacks.ts';
import { concatSplits, loadSplit } from './lib/dataset-arrays.ts';
import { startHarness } from '../test/browser/harness.ts';

const root = new URL('../', import.meta.url);
const path = (p: string) => fileURLToPath(new URL(p, root));

const DATASETS: Record<string, string> = {
  'digits-mlp': 'digits-train',
  'fashion-mlp': 'fashion-mnist-train',
  'fashion-cnn': 'fashion-mnist-train',
};

interface Row {
  spec: string;
  where: 'node' | 'browser';
  backend: string;
  samplesPerSec?: number;
  msPerStep?: number;
  batch?: number;
  note: string;
}

function args() {
  const a = process.argv.slice(2);
  const get = (name: string) => {
    const i = a.indexOf(`--${name}`);
    return i >= 0 ? a[i + 1] : undefined;
  };
  return {
    specs: (get('specs') ?? Object.keys(DATASETS).join(',')).split(','),
    steps: Number(get('steps') ?? 40),
    browser: !a.includes('--no-browser'),
    accuracy: !a.includes('--no-accuracy'),
    node: !a.includes('--no-node'),
    out: get('out'),
  };
}

const steady = (progress: readonly TrainProgress[]) => {
  const rest = progress.length > 1 ? progress.slice(1) : progress;
  return rest.reduce((s, p) => s + p.samplesPerSec, 0) / Math.max(1, rest.length);
};

async function benchNode(spec: string, steps: number): Promise<Row[]> {
  const { spec: parsed } = await parseModelSpecBytes(new Uint8Array(readFileSync(path(`public/specs/${spec}.json`))));
  const source = fsSource(path(`public/datasets/${DATASETS[spec]}`));
  const { manifest } = await source.manifest();
  const rows: Row[] = [];
  for (const backend of ['wasm', 'cpu'] as BackendName[]) {
    await activateBackend(backend, { wasmPaths: path('node_modules/@tensorflow/tfjs-backend-wasm/dist/') });
    const trial = await trialTraining(parsed, { steps: 1, warmup: 0, batchSize: 2 });
    if (!trial.ok) {
      rows.push({ spec, where: 'node', backend, note: `cannot train: ${trial.error}` });
      continue;
    }
    const progress: TrainProgress[] = [];
    await train({
      spec: parsed,
      data: datasetData(manifest, source, { seed: 1 }),
      seed: 1,
      maxSteps: steps,
      readEvery: 10,
      onProgress: (p) => progress.push(p),
    });
    const sps = steady(progress);
    const batch = parsed.optimizer.batchSize;
    rows.push({
      spec,
      where: 'node',
      backend,
      samplesPerSec: sps,
      msPerStep: (1000 * batch) / sps,
      batch,
      note: `${specShapes(parsed).paramCount} params`,
    });
    console.log(`node ${backend} ${spec}: ${sps.toFixed(0)} samples/s`);
  }
  return rows;
}

async function benchBrowser(specs: string[], steps: number): Promise<Row[]> {
  const h = await startHarness();
  const rows: Row[] = [];
  try {
    const page = await h.open('/test/browser/pages/engine.html');
    await page.waitForFunction(() => document.getElementById('log')?.textContent === 'ready', null, {
      timeout: 120_000,
    });
    for (const spec of specs) {
      for (const backend of ['wasm', 'webgpu', 'webgl', 'cpu']) {
        // SwiftShader WebGPU runs a CNN step in seconds: fewer steps there.
        const n = backend === 'wasm' ? steps : Math.max(20, Math.round(steps / 2));
        const result = await page.evaluate(
          async ({ spec, backend, n, dataUrl }) => {
            const engine = (
              window as unknown as {
                engine: {
                  resetLog(): void;
                  log: { progress: TrainProgress[] };
                  train(s: string, j: unknown): Promise<unknown>;
                };
              }
            ).engine;
            engine.resetLog();
            try {
              await engine.train(spec, {
                runId: `bench-${spec}-${backend}`,
                backend,
                maxSteps: n,
                readEvery: 10,
                resume: false,
                dataUrl,
              });
              return { progress: engine.log.progress, error: null };
            } catch (e) {
              return { progress: [], error: (e as Error).message };
            }
          },
          { spec, backend, n, dataUrl: `/datasets/${DATASETS[spec]}` },
        );
        if (result.error !== null) {
          rows.push({ spec, where: 'browser', backend, note: result.error.slice(0, 140) });
          continue;
        }
        const sps = steady(result.progress);
        const { spec: parsed } = await parseModelSpecBytes(
          new Uint8Array(readFileSync(path(`public/specs/${spec}.json`))),
        );
        const batch = parsed.optimizer.batchSize;
        rows.push({
          spec,
          where: 'browser',
          backend,
          samplesPerSec: sps,
          msPerStep: (1000 * batch) / sps,
          batch,
          note: `${n} steps`,
        });
        console.log(`browser ${backend} ${spec}: ${sps.toFixed(0)} samples/s`);
      }
    }
  } finally {
    await h.close();
  }
  return rows;
}

const TARGETS: Record<string, number> = { 'fashion-mlp': 0.87, 'fashion-cnn': 0.89 };
const TEST_SETS = ['public/datasets/fashion-mnist-eval', 'datasets/hidden/fashion-mnist-final'];
const OWNER = '0x5b38da6a701c568545dcfcddfc4b11fc0a3f9d6e';

interface AccuracyPoint {
  epoch: number;
  trainSeconds: number;
  accuracy: number;
  ownerWrong: number;
}

async function benchAccuracy(spec: string): Promise<AccuracyPoint[]> {
  const { spec: parsed } = await parseModelSpecBytes(new Uint8Array(readFileSync(path(`public/specs/${spec}.json`))));
  await activateBackend('wasm', { wasmPaths: path('node_modules/@tensorflow/tfjs-backend-wasm/dist/') });
  const source = fsSource(path(`public/datasets/${DATASETS[spec]}`));
  const { manifest } = await source.manifest();
  const [eval0, final0] = await Promise.all(TEST_SETS.map((d) => loadSplit(path(d))));
  const test = concatSplits(eval0!, final0!);
  const wm = parsed.watermark!;
  const params = specShapes(parsed).params;
  const kernel = watermarkKernelIndex(parsed, params);
  const key = benchKey(wm.bits, wm.length, 'owner');
  const stepsPerEpoch = Math.ceil(manifest.samples / parsed.optimizer.batchSize);
  const points: AccuracyPoint[] = [];
  let evalMs = 0;
  const t0 = performance.now();
  await train({
    spec: parsed,
    data: datasetData(manifest, source, { seed: 1 }),
    seed: 1,
    watermark: { keyBits: key.bits, ownerBits: ownerBits(OWNER, wm.bits) },
    readEvery: 100,
    checkpointEvery: stepsPerEpoch,
    onCheckpoint: async (c) => {
      if (c.step % stepsPerEpoch !== 0 || points.some((p) => p.epoch === c.step / stepsPerEpoch)) return;
      const e0 = performance.now();
      const model = buildModel(parsed, c.weights);
      const r = await evaluateModel(model, memoryData(test.x, test.y, test.featureSize), { batchSize: 1000 });
      model.dispose();
      const ownerWrong = checkWatermark(wm, c.weights[kernel]!, params[kernel]!.shape, key, OWNER).wrong;
      evalMs += performance.now() - e0;
      const point = {
        epoch: c.step / stepsPerEpoch,
        trainSeconds: (performance.now() - t0 - evalMs) / 1000,
        accuracy: r.accuracy,
        ownerWrong,
      };
      points.push(point);
      console.log(
        `accuracy ${spec} epoch ${point.epoch}: ${(100 * point.accuracy).toFixed(2)}% after ${point.trainSeconds.toFixed(0)} s training, owner ${ownerWrong} wrong bits`,
      );
    },
  });
  return points;
}

function accuracyTable(spec: string, points: AccuracyPoint[]): string {
  const target = TARGETS[spec]!;
  const reached = points.find((p) => p.accuracy >= target);
  const lines = [
    `### ${spec} (target ${(100 * target).toFixed(0)}%: ${reached ? `reached after epoch ${reached.epoch}, ${reached.trainSeconds.toFixed(0)} s of training` : '**not reached**'})`,
    '',
    '| epoch | training wall-clock s | test accuracy % | owner watermark wrong bits |',
    '|---:|---:|---:|---:|',
    ...points.map(
      (p) => `| ${p.epoch} | ${p.trainSeconds.toFixed(0)} | ${(100 * p.accuracy).toFixed(2)} | ${p.ownerWrong} |`,
    ),
  ];
  return lines.join('\n');
}

/** Speed against the cpu backend measured in the same run, same spec and place: the baseline. */
function vsCpu(r: Row, rows: readonly Row[]): string {
  const cpu = rows.find((c) => c.spec === r.spec && c.where === r.where && c.backend === 'cpu')?.samplesPerSec;
  return r.samplesPerSec !== undefined && cpu ? `${(r.samplesPerSec / cpu).toFixed(2)}x` : '-';
}

function table(rows: Row[]): string {
  const lines = [
    '| spec | where | backend | batch | samples/s | ms/step | vs cpu | note |',
    '|---|---|---|---:|---:|---:|---:|---|',
  ];
  for (const r of rows) {
    lines.push(
      `| ${r.spec} | ${r.where} | ${r.backend} | ${r.batch ?? ''} | ${r.samplesPerSec?.toFixed(0) ?? '-'} | ${r.msPerStep?.toFixed(1) ?? '-'} | ${vsCpu(r, rows)} | ${r.note.replace(/\|/g, '/')} |`,
    );
  }
  return lines.join('\n');
}

const opts = args();
const loadBefore = os.loadavg()[0]!;
tf.enableProdMode();
const rows: Row[] = [];
if (opts.node) for (const spec of opts.specs) rows.push(...(await benchNode(spec, opts.steps)));
if (opts.browser) rows.push(...(await benchBrowser(opts.specs, opts.steps)));
const accuracy: string[] = [];
if (opts.accuracy)
  for (const spec of opts.specs.filter((s) => s in TARGETS))
    accuracy.push(accuracyTable(spec, await benchAccuracy(spec)));
// Other work on the machine slows every number here alike; the load average says how much.
const machine = `${os.cpus().length} x ${os.cpus()[0]?.model ?? 'cpu'}, Node ${process.version}, tfjs ${tf.version_core}, 1-minute load average ${loadBefore.toFixed(1)} at the start and ${os.loadavg()[0]!.toFixed(1)} at the end`;
const md = `# Training speed\n\nMeasured by \`npm run bench:train\` on ${machine}; browser: headless Debian Chromium, dedicated worker, WebGPU/WebGL on SwiftShader (no GPU). Steady state over ${opts.steps} steps (fewer on GPU backends in the browser); "vs cpu" is the speed against tfjs's cpu backend on the same spec and place in this run.\n\n${table(rows)}\n${accuracy.length ? `\n## Test accuracy per training budget\n\nNode, wasm backend (the kernels the browser's wasm backend runs), the spec's optimizer and epochs, seed 1, with the spec's watermark trained in (owner key \`benchKey('owner')\`), evaluated after every epoch on the 10,000 test images (public eval + hidden final); evaluation time is not counted.\n\n${accuracy.join('\n\n')}\n` : ''}`;
console.log(`\n${md}`);
if (opts.out) writeFileSync(path(opts.out), md);
