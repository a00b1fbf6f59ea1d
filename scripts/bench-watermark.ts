// Watermark robustness benchmark (docs/ml.md section 4, results in docs/bench/watermark.md).
//
//   npm run bench:watermark                           digits and the Fashion-MNIST MLP (wasm), ~35 min on 2 cores
//   npm run bench:watermark -- --models digits,mlp,cnn  adds the CNN (attacks cut to 3 epochs)
//   npm run bench:watermark -- --models solidity        the next-token spec only (~15 min), its
//                                                       section replaced in the doc, the rest kept
//     --lm-steps 150 --lm-finetune-steps 60 --lm-eval 256   its training budgets and scored windows
//
// Seeded throughout: the same command gives the same numbers on the same backend. Per model it
// trains the spec's run twice from the same seed (with and without the watermark), decodes the
// owner's bits after quantization under the owner's key, 20 wrong keys and on the unmarked model,
// then attacks the watermarked model: fine-tuning without the watermark term, fine-tuning that
// embeds the thief's own watermark, magnitude pruning, and removal of v (zeroing or
// re-randomizing it by the least weight change or by a data-aware change, blowing up a few
// entries, and function-preserving permutations and rescalings of ReLU units), the first ones
// followed by one epoch of recovery fine-tuning.
//
// Exploration (nothing written unless asked; the spec's values are the defaults): --layer,
// --rule, --strength, --margin, --epochs, --attack-epochs, --train n / --test n (first n
// samples), --seed, --only (comma list of finetune,rewatermark,prune,remove,recover),
// --cache-plain (reuse the unmarked run from .tmp), --tag (name of the .tmp JSON), --no-write.
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import { fileURLToPath } from 'node:url';
import { activateBackend } from '../src/lib/ml/backend/activate.ts';
import { tf, type Tensor } from '../src/lib/ml/backend/tf.ts';
import type { BackendName } from '../src/lib/ml/backend/types.ts';
import { evaluateModel } from '../src/lib/ml/eval/evaluate.ts';
import { applyLayer } from '../src/lib/ml/model/layers.ts';
import { buildModel } from '../src/lib/ml/model/model.ts';
import { Rng } from '../src/lib/ml/rng.ts';
import { parseModelSpecBytes } from '../src/lib/ml/spec/parse.ts';
import { specShapes } from '../src/lib/ml/spec/shapes.ts';
import type { ModelSpec, WatermarkRule, WatermarkSpec } from '../src/lib/ml/spec/types.ts';
import { memoryData } from '../src/lib/ml/train/data.ts';
import { train } from '../src/lib/ml/train/trainer.ts';
import { ownerBits } from '../src/lib/ml/watermark/bits.ts';
import { checkWatermark } from '../src/lib/ml/watermark/check.ts';
import { extractV, watermarkKernelIndex } from '../src/lib/ml/watermark/extract.ts';
import type { WatermarkKey } from '../src/lib/ml/watermark/types.ts';
import {
  benchKey as seededKey,
  prune,
  randomLike,
  rescaleToEmbed,
  setV,
  smartSetV,
  symmetryLayers,
  transformUnits,
  unitCount,
  type LayerStats,
  type WeightsView,
} from './lib/watermark-attacks.ts';
import { concatSplits, loadSplit, type Split } from './lib/dataset-arrays.ts';
import { benchLmWatermark } from './lib/lm-watermark.ts';

const root = new URL('../', import.meta.url);
const path = (p: string) => fileURLToPath(new URL(p, root));

const OWNER = '0x5b38da6a701c568545dcfcddfc4b11fc0a3f9d6e';
const THIEF = '0xab8483f64d9c6d1ecf9b849ae677dd3315835cb2';
const WRONG_KEYS = 20;
const PRUNE_FRACTIONS = [0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9];

// ---------------------------------------------------------------- options

type ModelName = 'mlp' | 'cnn' | 'digits';
/** The next-token spec's section (scripts/lib/lm-watermark.ts): scored in bits per byte, not accuracy. */
const LM_MODEL = 'solidity';
const LM_START = '<!-- solidity-gpt: scripts/lib/lm-watermark.ts -->';
const LM_END = '<!-- end solidity-gpt -->';

interface ModelSetup {
  spec: string;
  train: string;
  test: string[];
  backend: BackendName;
  /** Defaults that cut the run down where the full one would take hours on two cores. */
  limits?: { train?: number; test?: number; epochs?: number; attackEpochs?: number };
}

const MODELS: Record<ModelName, ModelSetup> = {
  mlp: {
    spec: 'public/specs/fashion-mlp.json',
    train: 'public/datasets/fashion-mnist-train',
    test: ['public/datasets/fashion-mnist-eval', 'datasets/hidden/fashion-mnist-final'],
    backend: 'wasm',
  },
  // Full data and epochs (wasm trains convs through model/grad-ops.ts); the attacks get 3 epochs
  // to keep the run under an hour on two cores.
  cnn: {
    spec: 'public/specs/fashion-cnn.json',
    train: 'public/datasets/fashion-mnist-train',
    test: ['public/datasets/fashion-mnist-eval', 'datasets/hidden/fashion-mnist-final'],
    backend: 'wasm',
    limits: { attackEpochs: 3 },
  },
  digits: {
    spec: 'public/specs/digits-mlp.json',
    train: 'public/datasets/digits-train',
    test: ['public/datasets/digits-eval', 'datasets/hidden/digits-final'],
    backend: 'wasm',
  },
};

interface Options {
  models: ModelName[];
  lm: boolean;
  lmSteps: number;
  lmFineTuneSteps: number;
  lmEval: number;
  epochs?: number;
  attackEpochs?: number;
  layer?: string;
  rule?: WatermarkRule;
  strength?: number;
  margin?: number;
  train?: number;
  test?: number;
  seed: number;
  only: Set<string>;
  write: boolean;
  tag: string;
  cachePlain: boolean;
}

function parseArgs(argv: string[]): Options {
  const o: Options = {
    models: ['digits', 'mlp'],
    lm: false,
    lmSteps: 150,
    lmFineTuneSteps: 60,
    lmEval: 256,
    seed: 1,
    only: new Set(['finetune', 'rewatermark', 'prune', 'remove', 'recover']),
    write: true,
    tag: '',
    cachePlain: false,
  };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]!;
    const next = () => {
      const v = argv[++i];
      if (v === undefined) throw new Error(`${a} needs a value`);
      return v;
    };
    if (a === '--models') {
      const names = next().split(',');
      o.lm = names.includes(LM_MODEL);
      o.models = names.filter((n) => n !== LM_MODEL) as ModelName[];
    } else if (a === '--lm-steps') o.lmSteps = Number(next());
    else if (a === '--lm-finetune-steps') o.lmFineTuneSteps = Number(next());
    else if (a === '--lm-eval') o.lmEval = Number(next());
    else if (a === '--epochs') o.epochs = Number(next());
    else if (a === '--attack-epochs') o.attackEpochs = Number(next());
    else if (a === '--layer') o.layer = next();
    else if (a === '--rule') o.rule = next() as WatermarkRule;
    else if (a === '--strength') o.strength = Number(next());
    else if (a === '--margin') o.margin = Number(next());
    else if (a === '--train') o.train = Number(next());
    else if (a === '--test') o.test = Number(next());
    else if (a === '--seed') o.seed = Number(next());
    else if (a === '--only') o.only = new Set(next().split(','));
    else if (a === '--no-write') o.write = false;
    else if (a === '--tag') o.tag = next();
    else if (a === '--cache-plain') o.cachePlain = true;
    else throw new Error(`unknown option ${a}`);
  }
  return o;
}

// ---------------------------------------------------------------- data

// ---------------------------------------------------------------- training and evaluation

interface Ctx extends WeightsView {
  trainSet: Split;
  test: Split;
  ownerKey: WatermarkKey;
  thiefKey: WatermarkKey;
}

interface EpochPoint {
  epoch: number;
  accuracy: number;
  ownerWrong: number;
  thiefWrong?: number;
  minMargin: number;
}

async function accuracy(ctx: Ctx, weights: readonly Float32Array[]): Promise<number> {
  const model = buildModel(ctx.spec, weights);
  try {
    const r = await evaluateModel(model, memoryData(ctx.test.x, ctx.test.y, ctx.test.featureSize), { batchSize: 1000 });
    return r.accuracy;
  } finally {
    model.dispose();
  }
}

function decodeWith(ctx: Ctx, weights: readonly Float32Array[], key: WatermarkKey, owner = OWNER) {
  const k = ctx.kernel;
  return checkWatermark(ctx.wm, weights[k]!, ctx.params[k]!.shape, key, owner);
}

async function point(ctx: Ctx, epoch: number, weights: readonly Float32Array[]): Promise<EpochPoint> {
  const own = decodeWith(ctx, weights, ctx.ownerKey);
  const thief = decodeWith(ctx, weights, ctx.thiefKey, THIEF);
  return {
    epoch,
    accuracy: await accuracy(ctx, weights),
    ownerWrong: own.wrong,
    thiefWrong: thief.wrong,
    minMargin: Math.min(...own.margins),
  };
}

interface RunSpec {
  seed: number;
  epochs: number;
  init?: Float32Array[];
  watermark?: { key: WatermarkKey; owner: string };
  /** Called after every epoch with that epoch's weights. */
  onEpoch?: (epoch: number, weights: Float32Array[]) => Promise<void>;
}

async function trainRun(
  ctx: Ctx,
  r: RunSpec,
): Promise<{ weights: Float32Array[]; seconds: number; samplesPerSec: number }> {
  const data = memoryData(ctx.trainSet.x, ctx.trainSet.y, ctx.trainSet.featureSize, { seed: r.seed });
  const stepsPerEpoch = Math.ceil(ctx.trainSet.n / ctx.spec.optimizer.batchSize);
  const t0 = performance.now();
  let seenStep = 0;
  const result = await train({
    spec: ctx.spec,
    data,
    seed: r.seed,
    overrides: { epochs: r.epochs },
    ...(r.init ? { initialWeights: r.init } : {}),
    ...(r.watermark
      ? { watermark: { keyBits: r.watermark.key.bits, ownerBits: ownerBits(r.watermark.owner, ctx.wm.bits) } }
      : {}),
    readEvery: 100,
    checkpointEvery: stepsPerEpoch,
    onCheckpoint: async (c) => {
      if (c.step > seenStep && c.step % stepsPerEpoch === 0) {
        seenStep = c.step;
        await r.onEpoch?.(c.step / stepsPerEpoch, c.weights);
      }
    },
  });
  const seconds = (performance.now() - t0) / 1000;
  return { weights: result.weights, seconds, samplesPerSec: (r.epochs * ctx.trainSet.n) / seconds };
}

/**
 * The unmarked run. With --cache-plain it is stored under .tmp (keyed by spec, seed, epochs and
 * data size) so exploration runs that differ only in the watermark share it; the benchmark proper
 * trains it every time.
 */
async function cachedPlain(
  ctx: Ctx,
  o: Options,
  epochs: number,
  curve: EpochPoint[],
): Promise<{ weights: Float32Array[]; samplesPerSec: number }> {
  const file = path(`.tmp/plain-${ctx.spec.name}-s${o.seed}-e${epochs}-n${ctx.trainSet.n}-${tf.getBackend()}.bin`);
  if (o.cachePlain && existsSync(file)) {
    const saved = JSON.parse(readFileSync(file + '.json', 'utf8')) as {
      samplesPerSec: number;
      sizes: number[];
      curve: EpochPoint[];
    };
    const all = new Float32Array(readFileSync(file).buffer.slice(0));
    let at = 0;
    const weights = saved.sizes.map((n) => all.slice(at, (at += n)));
    curve.push(...saved.curve);
    return { weights, samplesPerSec: saved.samplesPerSec };
  }
  const r = await trainRun(ctx, {
    seed: o.seed,
    epochs,
    onEpoch: async (e, w) => void curve.push(await point(ctx, e, w)),
  });
  if (o.cachePlain) {
    mkdirSync(path('.tmp'), { recursive: true });
    const all = new Float32Array(r.weights.reduce((n, w) => n + w.length, 0));
    let at = 0;
    for (const w of r.weights) {
      all.set(w, at);
      at += w.length;
    }
    writeFileSync(file, new Uint8Array(all.buffer));
    writeFileSync(
      file + '.json',
      JSON.stringify({ samplesPerSec: r.samplesPerSec, sizes: r.weights.map((w) => w.length), curve }),
    );
  }
  return r;
}

// ---------------------------------------------------------------- weight surgery

/** The input of layer `layer` (eval mode) for the first `n` training samples, [n, ...shape]. */
function layerInput(ctx: Ctx, weights: readonly Float32Array[], layer: number, n: number): Tensor {
  const model = buildModel(ctx.spec, weights);
  try {
    return tf.tidy(() => {
      const byLayer: Tensor[][] = ctx.spec.layers.map(() => []);
      ctx.params.forEach((p, i) => byLayer[p.layer]!.push(model.variables[i]!));
      let y: Tensor = tf.tensor(ctx.trainSet.x.subarray(0, n * ctx.trainSet.featureSize), [n, ...ctx.spec.input.shape]);
      for (let i = 0; i < layer; i++) y = applyLayer(ctx.spec.layers[i]!, y, byLayer[i]!, { index: i });
      return y;
    });
  } finally {
    model.dispose();
  }
}

/** Statistics of the watermark layer on 10,000 training samples: what a thief with the data sees. */
function layerStats(ctx: Ctx, weights: readonly Float32Array[]): LayerStats {
  const p = ctx.params[ctx.kernel]!;
  const n = Math.min(ctx.trainSet.n, 10000);
  const input = layerInput(ctx, weights, p.layer, n);
  const model = buildModel(ctx.spec, weights);
  try {
    let result: LayerStats | undefined;
    tf.tidy(() => {
      const inDim = input.shape.at(-1)!;
      const flat = tf.reshape(input, [-1, inDim]) as tf.Tensor2D;
      const mu = tf.mean(flat, 0);
      const centered = tf.sub(flat, mu) as tf.Tensor2D;
      const variance = tf.mean(tf.square(centered), 0);
      const cov =
        p.shape.length === 2
          ? Float64Array.from(tf.div(tf.matMul(centered, centered, true, false), flat.shape[0]).dataSync())
          : null;
      const ws = ctx.params
        .map((q, i) => (q.layer === p.layer ? model.variables[i]! : null))
        .filter((t): t is tf.Variable => t !== null);
      const z = applyLayer(ctx.spec.layers[p.layer]!, input, ws, { index: p.layer });
      const units = p.shape.at(-1)!;
      const active = tf.mean(tf.reshape(tf.cast(tf.greater(z, 0), 'float32'), [-1, units]), 0);
      result = {
        inMean: Float64Array.from(mu.dataSync()),
        inVar: Float64Array.from(variance.dataSync()),
        cov,
        active: Float64Array.from(active.dataSync()),
      };
    });
    return result!;
  } finally {
    model.dispose();
    input.dispose();
  }
}

// ---------------------------------------------------------------- report helpers

const pct = (x: number) => (100 * x).toFixed(2);
const fmt = (x: number, d = 1) => x.toFixed(d);

function table(head: string[], rows: (string | number)[][], align?: string): string {
  const a = align ?? head.map((_, i) => (i === 0 ? '---' : '---:')).join('|');
  return [`| ${head.join(' | ')} |`, `|${a}|`, ...rows.map((r) => `| ${r.join(' | ')} |`)].join('\n');
}

// ---------------------------------------------------------------- the benchmark

interface ModelResult {
  name: string;
  backend: string;
  spec: ModelSpec;
  epochs: number;
  markdown: string;
  json: Record<string, unknown>;
  seconds: number;
}

async function benchModel(model: ModelName, o: Options): Promise<ModelResult> {
  const t0 = performance.now();
  const m = MODELS[model];
  const backend = m.backend;
  await activateBackend(backend, { wasmPaths: path('node_modules/@tensorflow/tfjs-backend-wasm/dist/') });
  const { spec: parsed } = await parseModelSpecBytes(new Uint8Array(readFileSync(path(m.spec))));
  const wm: WatermarkSpec = {
    ...parsed.watermark!,
    ...(o.layer ? { layer: o.layer } : {}),
    ...(o.rule ? { rule: o.rule } : {}),
    ...(o.strength !== undefined ? { strength: o.strength } : {}),
    ...(o.margin !== undefined ? { margin: o.margin } : {}),
  };
  const spec: ModelSpec = { ...parsed, watermark: wm };
  const params = specShapes(spec).params;
  const kernel = watermarkKernelIndex(spec, params);
  const epochs = o.epochs ?? m.limits?.epochs ?? spec.optimizer.epochs;
  const trainSet = await loadSplit(path(m.train), o.train ?? m.limits?.train);
  const testLimit = o.test ?? m.limits?.test ?? Infinity;
  const test = concatSplits(
    await loadSplit(path(m.test[0]!), testLimit / 2),
    await loadSplit(path(m.test[1]!), testLimit / 2),
  );
  const ctx: Ctx = {
    spec,
    wm,
    params,
    kernel,
    trainSet,
    test,
    ownerKey: seededKey(wm.bits, wm.length, 'owner'),
    thiefKey: seededKey(wm.bits, wm.length, 'thief'),
  };
  const log = (s: string) => console.log(`[${model} ${((performance.now() - t0) / 1000).toFixed(0)} s] ${s}`);
  log(
    `${spec.name} on ${backend}: watermark ${wm.rule} on ${wm.layer}, strength ${wm.strength}, margin ${wm.margin}, ${epochs} epochs, ${trainSet.n} training samples, ${test.n} test`,
  );
  const json: Record<string, unknown> = {
    model: spec.name,
    backend,
    watermark: wm,
    epochs,
    seed: o.seed,
    trainSamples: trainSet.n,
    testSamples: test.n,
  };

  // 1. The same run with and without the watermark.
  const plainCurve: EpochPoint[] = [];
  const markedCurve: EpochPoint[] = [];
  const plain = await cachedPlain(ctx, o, epochs, plainCurve);
  log(`unmarked: ${plainCurve.map((p) => pct(p.accuracy)).join(' ')} (${fmt(plain.samplesPerSec, 0)} samples/s)`);
  const marked = await trainRun(ctx, {
    seed: o.seed,
    epochs,
    watermark: { key: ctx.ownerKey, owner: OWNER },
    onEpoch: async (e, w) => void markedCurve.push(await point(ctx, e, w)),
  });
  log(
    `marked:   ${markedCurve.map((p) => `${pct(p.accuracy)}/${p.ownerWrong}`).join(' ')} (${fmt(marked.samplesPerSec, 0)} samples/s)`,
  );
  json.curves = { plain: plainCurve, marked: markedCurve };
  json.speed = { plainSamplesPerSec: plain.samplesPerSec, markedSamplesPerSec: marked.samplesPerSec };

  // 2. Decoding: owner, wrong keys, unmarked model.
  const own = decodeWith(ctx, marked.weights, ctx.ownerKey);
  const wrongKeys = Array.from(
    { length: WRONG_KEYS },
    (_, i) => decodeWith(ctx, marked.weights, seededKey(wm.bits, wm.length, `wrong-${i}`)).wrong,
  );
  const unmarkedOwner = decodeWith(ctx, plain.weights, ctx.ownerKey).wrong;
  const wrongMean = wrongKeys.reduce((a, b) => a + b, 0) / wrongKeys.length;
  const vNorm = Math.hypot(...own.v);
  const vPlainNorm = Math.hypot(...extractV(wm.rule, plain.weights[kernel]!, params[kernel]!.shape, wm.length));
  const sortedMargins = [...own.margins].sort((a, b) => a - b);
  log(
    `owner wrong ${own.wrong} (min margin ${sortedMargins[0]}, median ${sortedMargins[32]}), wrong keys mean ${fmt(wrongMean)} min ${Math.min(...wrongKeys)}, unmarked ${unmarkedOwner}, |v| ${vNorm.toExponential(2)} (unmarked ${vPlainNorm.toExponential(2)})`,
  );
  json.decode = {
    ownerWrong: own.wrong,
    minMargin: sortedMargins[0],
    medianMargin: sortedMargins[32],
    wrongKeys,
    wrongMean,
    unmarkedOwner,
    vNorm,
    vPlainNorm,
  };

  // 3. Fine-tuning attacks.
  const attackEpochs = o.attackEpochs ?? m.limits?.attackEpochs ?? 10;
  const fine: EpochPoint[] = [];
  if (o.only.has('finetune')) {
    await trainRun(ctx, {
      seed: o.seed + 1000,
      epochs: attackEpochs,
      init: marked.weights,
      onEpoch: async (e, w) => void fine.push(await point(ctx, e, w)),
    });
    log(`fine-tune: ${fine.map((p) => `${pct(p.accuracy)}/${p.ownerWrong}`).join(' ')}`);
  }
  const rewm: EpochPoint[] = [];
  if (o.only.has('rewatermark')) {
    await trainRun(ctx, {
      seed: o.seed + 2000,
      epochs: attackEpochs,
      init: marked.weights,
      watermark: { key: ctx.thiefKey, owner: THIEF },
      onEpoch: async (e, w) => void rewm.push(await point(ctx, e, w)),
    });
    log(`re-watermark: ${rewm.map((p) => `${pct(p.accuracy)}/${p.ownerWrong}/${p.thiefWrong}`).join(' ')}`);
  }
  json.finetune = fine;
  json.rewatermark = rewm;

  // 4. Pruning.
  const pruneRows: { fraction: number; modelAcc: number; modelWrong: number; layerAcc: number; layerWrong: number }[] =
    [];
  if (o.only.has('prune')) {
    for (const f of PRUNE_FRACTIONS) {
      const wModel = prune(ctx, marked.weights, f, 'model');
      const wLayer = prune(ctx, marked.weights, f, 'layer');
      pruneRows.push({
        fraction: f,
        modelAcc: await accuracy(ctx, wModel),
        modelWrong: decodeWith(ctx, wModel, ctx.ownerKey).wrong,
        layerAcc: await accuracy(ctx, wLayer),
        layerWrong: decodeWith(ctx, wLayer, ctx.ownerKey).wrong,
      });
    }
    log(
      `prune: ${pruneRows.map((r) => `${r.fraction}:${pct(r.modelAcc)}/${r.modelWrong},${pct(r.layerAcc)}/${r.layerWrong}`).join(' ')}`,
    );
  }
  json.prune = pruneRows;

  // 5. Removal of v.
  interface Removal {
    attack: string;
    accMarked: number;
    wrongMarked: number;
    thiefWrong: number;
    accPlain: number;
    recoveredAcc?: number;
    recoveredWrong?: number;
  }
  const removals: Removal[] = [];
  if (o.only.has('remove')) {
    const zero = new Float32Array(wm.length);
    const target = (w: readonly Float32Array[]) =>
      randomLike(extractV(wm.rule, w[kernel]!, params[kernel]!.shape, wm.length), 'target');
    const statsOf = new Map<readonly Float32Array[], LayerStats>();
    const stats = (w: readonly Float32Array[]) =>
      statsOf.get(w) ?? (statsOf.set(w, layerStats(ctx, w)), statsOf.get(w)!);
    // A few entries of v pushed to +-0.3 (the quantization clamps at 0.5): enough to outvote the rest.
    const blowUp = (w: readonly Float32Array[], m: number) => {
      const st = stats(w);
      const t = extractV(wm.rule, w[kernel]!, params[kernel]!.shape, wm.length);
      const rng = Rng.seeded('bench-watermark/blow-up');
      for (let k = 0; k < m; k++) t[k] = rng.nextFloat() < 0.5 ? -0.3 : 0.3;
      return smartSetV(ctx, w, t, 1e-2, st);
    };
    const attacks: [string, (w: readonly Float32Array[]) => Float32Array[], boolean][] = [
      ['zero v, least weight change', (w) => setV(ctx, w, zero), true],
      ['zero v, data-aware (lambda 1e-2)', (w) => smartSetV(ctx, w, zero, 1e-2, stats(w)), true],
      ['zero v, data-aware (lambda 1e-4)', (w) => smartSetV(ctx, w, zero, 1e-4, stats(w)), true],
      ['random v of the same norm, least weight change', (w) => setV(ctx, w, target(w)), true],
      [
        'random v of the same norm, data-aware (lambda 1e-2)',
        (w) => smartSetV(ctx, w, target(w), 1e-2, stats(w)),
        true,
      ],
      ['2 entries of v to +-0.3, data-aware', (w) => blowUp(w, 2), false],
      ['8 entries of v to +-0.3, data-aware', (w) => blowUp(w, 8), false],
    ];
    for (const sym of symmetryLayers(ctx)) {
      const U = unitCount(ctx, sym.layer);
      const id = ctx.spec.layers[sym.layer]!.id ?? `layers[${sym.layer}]`;
      const identity = Uint32Array.from({ length: U }, (_, i) => i);
      const rng = Rng.seeded('bench-watermark/symmetry', sym.layer);
      const perm = Uint32Array.from(rng.permutation(U));
      const random = Float64Array.from({ length: U }, () => 2 ** (4 * rng.nextFloat() - 2));
      attacks.push(
        [
          `permute the units of ${id} (same function)`,
          (w) => transformUnits(ctx, w, sym.layer, perm, new Float64Array(U).fill(1)),
          false,
        ],
        [
          `scale the units of ${id} so v shrinks 1e6-fold (same function)`,
          (w) => transformUnits(ctx, w, sym.layer, identity, new Float64Array(U).fill(1e-6 ** sym.power)),
          false,
        ],
        [
          `scale the units of ${id} by random 2^[-2,2] (same function)`,
          (w) => transformUnits(ctx, w, sym.layer, identity, random),
          false,
        ],
        [
          `scale the units of ${id} so the thief's key decodes the thief (same function)`,
          (w) => rescaleToEmbed(ctx, w, sym, ctx.thiefKey, THIEF),
          false,
        ],
      );
    }
    for (const [name, attack, recover] of attacks) {
      const wMarked = attack(marked.weights);
      const wPlain = attack(plain.weights);
      const row: Removal = {
        attack: name,
        accMarked: await accuracy(ctx, wMarked),
        wrongMarked: decodeWith(ctx, wMarked, ctx.ownerKey).wrong,
        thiefWrong: decodeWith(ctx, wMarked, ctx.thiefKey, THIEF).wrong,
        accPlain: await accuracy(ctx, wPlain),
      };
      if (recover && o.only.has('recover')) {
        const rec = await trainRun(ctx, { seed: o.seed + 3000, epochs: 1, init: wMarked });
        row.recoveredAcc = await accuracy(ctx, rec.weights);
        row.recoveredWrong = decodeWith(ctx, rec.weights, ctx.ownerKey).wrong;
      }
      removals.push(row);
      log(
        `remove ${name}: marked ${pct(row.accMarked)} (${row.wrongMarked} wrong, thief ${row.thiefWrong}), unmarked ${pct(row.accPlain)}${row.recoveredAcc !== undefined ? `, after 1 epoch ${pct(row.recoveredAcc)} (${row.recoveredWrong} wrong)` : ''}`,
      );
    }
  }
  json.removals = removals;

  const seconds = (performance.now() - t0) / 1000;
  json.seconds = seconds;
  const markdown = render({
    model,
    spec,
    backend,
    epochs,
    trainSamples: trainSet.n,
    testSamples: test.n,
    plainCurve,
    markedCurve,
    speed: { plain: plain.samplesPerSec, marked: marked.samplesPerSec },
    decode: {
      own: own.wrong,
      minMargin: sortedMargins[0]!,
      medianMargin: sortedMargins[Math.floor(sortedMargins.length / 2)]!,
      wrongKeys,
      unmarkedOwner,
      vNorm,
      vPlainNorm,
    },
    fine,
    rewm,
    pruneRows,
    removals,
    seconds,
  });
  return { name: spec.name, backend, spec, epochs, markdown, json, seconds };
}

interface Rendered {
  model: ModelName;
  spec: ModelSpec;
  backend: string;
  epochs: number;
  trainSamples: number;
  testSamples: number;
  plainCurve: EpochPoint[];
  markedCurve: EpochPoint[];
  speed: { plain: number; marked: number };
  decode: {
    own: number;
    minMargin: number;
    medianMargin: number;
    wrongKeys: number[];
    unmarkedOwner: number;
    vNorm: number;
    vPlainNorm: number;
  };
  fine: EpochPoint[];
  rewm: EpochPoint[];
  pruneRows: { fraction: number; modelAcc: number; modelWrong: number; layerAcc: number; layerWrong: number }[];
  removals: {
    attack: string;
    accMarked: number;
    wrongMarked: number;
    thiefWrong: number;
    accPlain: number;
    recoveredAcc?: number;
    recoveredWrong?: number;
  }[];
  seconds: number;
}

/** Epochs (from 1) for which every epoch so far kept the owner's bits within maxErr. */
function survived(curve: EpochPoint[], maxErr: number): number {
  const i = curve.findIndex((p) => p.ownerWrong > maxErr);
  return i < 0 ? curve.length : i;
}

function render(r: Rendered): string {
  const wm = r.spec.watermark!;
  const accPlain = r.plainCurve.at(-1)!.accuracy;
  const accMarked = r.markedCurve.at(-1)!.accuracy;
  const drop = 100 * (accPlain - accMarked);
  const wk = r.decode.wrongKeys;
  const wkMean = wk.reduce((a, b) => a + b, 0) / wk.length;
  const pts = (a: number) => `${(100 * (a - accMarked)).toFixed(2)}`;
  const ratio = (a: number) => (a / accPlain).toFixed(3);
  const yes = (ok: boolean) => (ok ? 'yes' : '**no**');
  const out: string[] = [];
  out.push(`## ${r.spec.name} (${r.backend})`);
  out.push('');
  out.push(
    `Watermark \`${wm.rule}\` on \`${wm.layer}\`, T = ${wm.bits}, N = ${wm.length}, ${wm.quantization.bits}-bit quantization at scale ${wm.quantization.scale}, ` +
      `maxErr ${wm.maxErr}, strength ${wm.strength}, margin ${wm.margin}. ${r.epochs} epochs of ${r.trainSamples} training samples ` +
      `(${r.spec.optimizer.name}, learning rate ${r.spec.optimizer.learningRate}, batch ${r.spec.optimizer.batchSize}); accuracy on ${r.testSamples} test samples ` +
      `(public eval + hidden final). Training speed ${r.speed.plain.toFixed(0)} samples/s without and ${r.speed.marked.toFixed(0)} with the watermark ` +
      `(evaluation after every epoch included). This model took ${(r.seconds / 60).toFixed(1)} min.`,
  );
  out.push('');
  const ftSurvived = survived(r.fine, wm.maxErr);
  const rwSurvived = survived(r.rewm, wm.maxErr);
  const zeroing = r.removals.filter((x) => x.attack.startsWith('zero v'));
  const cheapestZero = zeroing.reduce<(typeof zeroing)[number] | undefined>(
    (best, x) => (best === undefined || x.accMarked > best.accMarked ? x : best),
    undefined,
  );
  const naiveZero = r.removals.find((x) => x.attack === 'zero v, least weight change');
  const naiveRandom = r.removals.find((x) => x.attack === 'random v of the same norm, least weight change');
  const free = r.removals.filter((x) => x.wrongMarked > wm.maxErr && accMarked - x.accMarked < 0.005);
  out.push('| requirement | measured | holds |');
  out.push('|---|---|---|');
  out.push(
    `| owner's bits after quantization within maxErr (${wm.maxErr}) | ${r.decode.own} wrong (sealing needs <= ${Math.floor(wm.maxErr / 2)}) | ${yes(r.decode.own <= wm.maxErr)} |`,
  );
  out.push(
    `| accuracy drop against the unmarked run <= 0.5 points | ${pct(accPlain)} -> ${pct(accMarked)}: ${drop.toFixed(2)} points (ratio ${ratio(accMarked)}) | ${yes(drop <= 0.5)} |`,
  );
  out.push(
    `| wrong keys: about half wrong | ${wk.length} keys: mean ${wkMean.toFixed(1)}, min ${Math.min(...wk)}, max ${Math.max(...wk)} | ${yes(Math.min(...wk) > wm.maxErr && wkMean >= 24 && wkMean <= 40)} |`,
  );
  out.push(
    `| unmarked model under the owner's key: about half wrong | ${r.decode.unmarkedOwner} wrong | ${yes(r.decode.unmarkedOwner > wm.maxErr)} |`,
  );
  if (r.fine.length > 0)
    out.push(
      `| fine-tuning (no watermark term) keeps the owner's bits | within maxErr for ${ftSurvived} of ${r.fine.length} epochs (worst ${Math.max(...r.fine.map((p) => p.ownerWrong))} wrong) | ${yes(ftSurvived >= Math.min(3, r.fine.length))} |`,
    );
  if (r.rewm.length > 0)
    out.push(
      `| thief re-watermarks with its own key: the owner's bits survive | within maxErr for ${rwSurvived} of ${r.rewm.length} epochs (worst ${Math.max(...r.rewm.map((p) => p.ownerWrong))} wrong) | ${yes(rwSurvived >= Math.min(3, r.rewm.length))} |`,
    );
  if (naiveZero)
    out.push(
      `| zeroing v by the least weight change costs accuracy | ${pts(naiveZero.accMarked)} points | ${yes(accMarked - naiveZero.accMarked >= 0.05)} |`,
    );
  if (naiveRandom)
    out.push(
      `| re-randomizing v by the least weight change costs accuracy | ${pts(naiveRandom.accMarked)} points | ${yes(accMarked - naiveRandom.accMarked >= 0.05)} |`,
    );
  if (cheapestZero)
    out.push(
      `| the cheapest zeroing of v measured costs accuracy | ${cheapestZero.attack}: ${pts(cheapestZero.accMarked)} points | ${yes(accMarked - cheapestZero.accMarked >= 0.05)} |`,
    );
  if (r.removals.length > 0)
    out.push(
      `| no attack removes the watermark for free (< 0.5 points) | ${free.length === 0 ? 'none does' : free.map((x) => x.attack).join('; ')} | ${yes(free.length === 0)} |`,
    );
  out.push('');
  out.push('"Costs accuracy" is read as at least 5 points below the watermarked model.');
  out.push('');

  out.push('### Training with and without the watermark (same seed)');
  out.push('');
  out.push(
    table(
      ['epoch', 'unmarked accuracy %', 'watermarked accuracy %', 'owner wrong bits', 'min margin (q units)'],
      r.markedCurve.map((p, i) => [
        p.epoch,
        pct(r.plainCurve[i]?.accuracy ?? NaN),
        pct(p.accuracy),
        p.ownerWrong,
        p.minMargin,
      ]),
    ),
  );
  out.push('');
  out.push(
    `After training: owner ${r.decode.own} wrong bits, margins (2 b_j - 1) s_j min ${r.decode.minMargin} / median ${r.decode.medianMargin} quantization units; ` +
      `|v| ${r.decode.vNorm.toExponential(2)} (unmarked run ${r.decode.vPlainNorm.toExponential(2)}). Wrong keys (${wk.length}): ${wk.join(', ')}. ` +
      `Unmarked model under the owner's key: ${r.decode.unmarkedOwner} wrong.`,
  );
  out.push('');
  if (r.fine.length > 0 || r.rewm.length > 0) {
    out.push('### Fine-tuning the stolen model');
    out.push('');
    out.push(
      `Continues from the watermarked weights with a fresh optimizer, the spec's learning rate and batch size, another data order. ` +
        `"plain": no watermark term. "re-watermark": the thief's own key and address with the spec's strength and margin.`,
    );
    out.push('');
    const n = Math.max(r.fine.length, r.rewm.length);
    out.push(
      table(
        [
          'epoch',
          'plain: accuracy %',
          'plain: owner wrong',
          're-watermark: accuracy %',
          're-watermark: owner wrong',
          're-watermark: thief wrong',
        ],
        Array.from({ length: n }, (_, i) => [
          i + 1,
          r.fine[i] ? pct(r.fine[i]!.accuracy) : '',
          r.fine[i]?.ownerWrong ?? '',
          r.rewm[i] ? pct(r.rewm[i]!.accuracy) : '',
          r.rewm[i]?.ownerWrong ?? '',
          r.rewm[i]?.thiefWrong ?? '',
        ]),
      ),
    );
    out.push('');
  }
  if (r.pruneRows.length > 0) {
    out.push('### Magnitude pruning');
    out.push('');
    out.push(
      "The given fraction of weights with the smallest magnitude set to zero: over all kernels of the model, or over the watermark layer's kernel alone. No fine-tuning after.",
    );
    out.push('');
    out.push(
      table(
        [
          'pruned',
          'whole model: accuracy %',
          'whole model: owner wrong',
          'watermark layer: accuracy %',
          'watermark layer: owner wrong',
        ],
        r.pruneRows.map((x) => [
          `${(100 * x.fraction).toFixed(0)}%`,
          pct(x.modelAcc),
          x.modelWrong,
          pct(x.layerAcc),
          x.layerWrong,
        ]),
      ),
    );
    out.push('');
  }
  if (r.removals.length > 0) {
    out.push('### Removing v');
    out.push('');
    out.push(
      '"Least weight change": the smallest L2 change of the kernel that moves v to the target. "Data-aware": the change that moves v with the least effect on the layer ' +
        'on 10,000 training samples (inputs with little variance or units that are rarely active take it; biases absorb mean shifts), as a thief holding the public ' +
        'training data would compute it. "Same function": a permutation or positive rescaling of ReLU units, undone in the next layer, so the model computes exactly ' +
        'the same function. The same change applied to the unmarked model is the baseline. Recovery: one epoch of fine-tuning without the watermark term.',
    );
    out.push('');
    out.push(
      table(
        [
          'attack',
          'accuracy %',
          'change (points)',
          'ratio to unmarked',
          'owner wrong',
          "thief's key wrong",
          'same change on unmarked %',
          'after 1 epoch %',
          'owner wrong after',
        ],
        r.removals.map((x) => [
          x.attack,
          pct(x.accMarked),
          pts(x.accMarked),
          ratio(x.accMarked),
          x.wrongMarked,
          x.thiefWrong,
          pct(x.accPlain),
          x.recoveredAcc !== undefined ? pct(x.recoveredAcc) : '',
          x.recoveredWrong ?? '',
        ]),
        '---|---:|---:|---:|---:|---:|---:|---:|---:',
      ),
    );
    out.push('');
  }
  return out.join('\n');
}

async function main(): Promise<void> {
  const o = parseArgs(process.argv.slice(2));
  tf.enableProdMode();
  const results: ModelResult[] = [];
  for (const m of o.models) results.push(await benchModel(m, o));
  const lm = o.lm
    ? await benchLmWatermark({
        spec: 'public/specs/solidity-gpt.json',
        steps: o.lmSteps,
        fineTuneSteps: o.lmFineTuneSteps,
        evalSamples: o.lmEval,
        seed: o.seed,
        owner: OWNER,
        wrongKeys: WRONG_KEYS,
        pruneFractions: [0.2, 0.4, 0.6, 0.8],
        log: (line) => console.log(line),
      })
    : null;
  mkdirSync(path('.tmp'), { recursive: true });
  if (lm) writeFileSync(path(`.tmp/bench-watermark-${LM_MODEL}.json`), JSON.stringify(lm.json, null, 1));
  for (const r of results) {
    writeFileSync(
      path(`.tmp/bench-watermark-${r.name}${o.tag ? `-${o.tag}` : ''}.json`),
      JSON.stringify(r.json, null, 1),
    );
  }
  const machine = `${os.cpus().length} x ${os.cpus()[0]?.model ?? 'unknown CPU'}, ${(os.totalmem() / 2 ** 30).toFixed(0)} GiB, ${os.platform()} ${os.release()}, Node ${process.version}, tfjs ${tf.version_core}`;
  const total = results.reduce((a, r) => a + r.seconds, 0) + (lm?.seconds ?? 0);
  const lmSection = lm ? [LM_START, lm.markdown, LM_END, ''] : [];
  if (results.length === 0 && lm) {
    // Only the next-token section ran: keep the classifiers' record, replace or add this section.
    const file = path('docs/bench/watermark.md');
    const old = readFileSync(file, 'utf8');
    const section = `${LM_START}\n${lm.markdown}\n${LM_END}`;
    const at = old.indexOf(LM_START);
    const doc =
      at >= 0
        ? old.slice(0, at) + section + old.slice(old.indexOf(LM_END) + LM_END.length)
        : `${old.trimEnd()}\n\n${section}\n`;
    const stamp = `The ${LM_MODEL} section: \`npm run bench:watermark${process.argv.length > 2 ? ` -- ${process.argv.slice(2).join(' ')}` : ''}\` on ${new Date().toISOString().slice(0, 10)}, ${(lm.seconds / 60).toFixed(1)} min, ${machine}.`;
    const stamped = doc.replace(section, `${LM_START}\n${lm.markdown}\n\n${stamp}\n${LM_END}`);
    console.log(stamped);
    if (o.write) {
      writeFileSync(file, stamped);
      console.log('wrote docs/bench/watermark.md');
    }
    return;
  }
  const doc = [
    '# Watermark benchmark',
    '',
    `Generated by \`npm run bench:watermark${process.argv.length > 2 ? ` -- ${process.argv.slice(2).join(' ')}` : ''}\` (scripts/bench-watermark.ts) on ${new Date().toISOString().slice(0, 10)}, ` +
      `in ${(total / 60).toFixed(1)} min. Machine: ${machine}. The rules and their rationale are in docs/ml.md section 4.`,
    '',
    `Seeds: training runs seed ${o.seed} (weights, dropout and data order; the watermarked and unmarked runs share it), fine-tuning ${o.seed + 1000}, ` +
      `re-watermarking ${o.seed + 2000}, recovery ${o.seed + 3000}. Keys: \`generateKey\` fed by \`Rng.seeded('bench-watermark/key', label)\` with labels ` +
      `\`owner\`, \`thief\`, \`wrong-0\` .. \`wrong-${WRONG_KEYS - 1}\`. Owner ${OWNER}, thief ${THIEF}. Same command, same backend: same numbers.`,
    '',
    ...results.flatMap((r) => [r.markdown, '']),
    ...lmSection,
  ].join('\n');
  console.log(doc);
  // An exploration run must not overwrite the record of the specs' parameters.
  const explored =
    o.layer !== undefined ||
    o.rule !== undefined ||
    o.strength !== undefined ||
    o.margin !== undefined ||
    o.train !== undefined ||
    o.test !== undefined ||
    o.epochs !== undefined ||
    o.attackEpochs !== undefined ||
    o.only.size < 5;
  if (o.write && !explored) {
    mkdirSync(path('docs/bench'), { recursive: true });
    writeFileSync(path('docs/bench/watermark.md'), doc);
    console.log('wrote docs/bench/watermark.md');
  }
}

await main();
