// The watermark benchmark for a next-token spec (docs/bench/watermark.md, section solidity-gpt):
// what embedding the spec's watermark costs in bits per byte, and whether the owner's bits survive
// fine-tuning without the watermark term and magnitude pruning, as the classifier sections measure
// them. Short by default (training budgets in steps, not epochs: an epoch of the corpus is ~30 min
// on two cores); the same command gives the same numbers on the same backend.
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { activateBackend } from '../../src/lib/ml/backend/activate.ts';
import { evaluateModel } from '../../src/lib/ml/eval/evaluate.ts';
import { buildModel } from '../../src/lib/ml/model/model.ts';
import { parseModelSpecBytes } from '../../src/lib/ml/spec/parse.ts';
import { specShapes } from '../../src/lib/ml/spec/shapes.ts';
import type { ModelSpec } from '../../src/lib/ml/spec/types.ts';
import { train } from '../../src/lib/ml/train/trainer.ts';
import { ownerBits } from '../../src/lib/ml/watermark/bits.ts';
import { checkWatermark } from '../../src/lib/ml/watermark/check.ts';
import { watermarkKernelIndex } from '../../src/lib/ml/watermark/extract.ts';
import type { WatermarkKey } from '../../src/lib/ml/watermark/types.ts';
import { solidityData, type SolidityData } from './lm/solidity-data.ts';
import { benchKey, prune, type WeightsView } from './watermark-attacks.ts';

const root = new URL('../../', import.meta.url);
const path = (p: string) => fileURLToPath(new URL(p, root));

export interface LmWatermarkOptions {
  spec: string;
  /** Training steps of the watermarked and the unmarked run (same seed). */
  steps: number;
  /** Fine-tuning steps without the watermark term (fresh optimizer, another data order). */
  fineTuneSteps: number;
  /** Hidden-split windows scored (evenly spaced). */
  evalSamples: number;
  seed: number;
  owner: string;
  wrongKeys: number;
  pruneFractions: readonly number[];
  log?: (line: string) => void;
}

export interface LmWatermarkResult {
  markdown: string;
  json: Record<string, unknown>;
  seconds: number;
}

function evenly(samples: number, count: number): number[] {
  const n = Math.min(samples, count);
  return Array.from({ length: n }, (_, i) => Math.floor((i * samples) / n));
}

export async function benchLmWatermark(o: LmWatermarkOptions): Promise<LmWatermarkResult> {
  const started = performance.now();
  const log = o.log ?? (() => {});
  await activateBackend('wasm', { wasmPaths: path('node_modules/@tensorflow/tfjs-backend-wasm/dist/') });
  const { spec } = await parseModelSpecBytes(readFileSync(path(o.spec)));
  const wm = spec.watermark;
  if (!wm) throw new Error(`${o.spec} has no watermark`);
  const L = spec.input.shape[0]!;
  const params = specShapes(spec).params;
  const view: WeightsView = { spec, wm, params, kernel: watermarkKernelIndex(spec, params) };
  const trainSet = await solidityData('train');
  const hidden = await solidityData('final');
  const owner = benchKey(wm.bits, wm.length, 'owner');
  const wrongKeys: WatermarkKey[] = Array.from({ length: o.wrongKeys }, (_, i) =>
    benchKey(wm.bits, wm.length, `wrong-${i}`),
  );
  const indices = evenly(hidden.samples, o.evalSamples);
  const bpb = async (weights: Float32Array[], split: SolidityData = hidden) => {
    const model = buildModel(spec, weights);
    try {
      return (await evaluateModel(model, split.data(0, false), { indices, batchSize: 64 })).bitsPerByte!;
    } finally {
      model.dispose();
    }
  };
  const check = (weights: Float32Array[], key: WatermarkKey = owner) =>
    checkWatermark(wm, weights[view.kernel]!, params[view.kernel]!.shape, key, o.owner);
  const trainData = (seed: number) => trainSet.data(seed);
  const run = async (what: string, extra: Partial<Parameters<typeof train>[0]>, s: ModelSpec = spec) => {
    const t0 = performance.now();
    const r = await train({
      spec: s,
      data: trainData(o.seed),
      seed: o.seed,
      maxSteps: o.steps,
      readEvery: 25,
      onProgress: (p) => log(`${what} step ${p.step}: ${(p.loss / Math.LN2).toFixed(3)} bits/byte`),
      ...extra,
    });
    return { weights: r.weights, seconds: (performance.now() - t0) / 1000 };
  };

  const plain = await run('unmarked', {});
  const marked = await run('watermarked', {
    watermark: { keyBits: owner.bits, ownerBits: ownerBits(o.owner, wm.bits) },
  });
  const plainBpb = await bpb(plain.weights);
  const markedBpb = await bpb(marked.weights);
  const report = check(marked.weights);
  const unmarkedWrong = check(plain.weights).wrong;
  const wrong = wrongKeys.map((k) => check(marked.weights, k).wrong);
  log(`bpb ${plainBpb.toFixed(4)} -> ${markedBpb.toFixed(4)}; owner ${report.wrong} wrong`);

  // Fine-tuning the stolen model without the watermark term: fresh optimizer, another order.
  const fineTune: { step: number; wrong: number; minMargin: number }[] = [];
  const every = Math.max(1, Math.floor(o.fineTuneSteps / 4));
  const tuned = await train({
    spec,
    data: trainData(o.seed + 1000),
    seed: o.seed + 1000,
    initialWeights: marked.weights,
    maxSteps: o.fineTuneSteps,
    checkpointEvery: every,
    onCheckpoint: (c) => {
      const r = check(c.weights);
      fineTune.push({ step: c.step, wrong: r.wrong, minMargin: Math.min(...r.margins) });
      log(`fine-tune step ${c.step}: owner ${r.wrong} wrong`);
    },
  });
  const tunedBpb = await bpb(tuned.weights);

  const pruned: { fraction: number; wrong: number; bpb: number }[] = [];
  for (const fraction of o.pruneFractions) {
    const w = prune(view, marked.weights, fraction, 'model');
    pruned.push({ fraction, wrong: check(w).wrong, bpb: await bpb(w) });
    log(`prune ${fraction}: owner ${pruned.at(-1)!.wrong} wrong, ${pruned.at(-1)!.bpb.toFixed(3)} bpb`);
  }

  const seconds = (performance.now() - started) / 1000;
  const cost = (markedBpb - plainBpb) / plainBpb;
  const mean = wrong.reduce((a, b) => a + b, 0) / wrong.length;
  const worstTuned = Math.max(...fineTune.map((f) => f.wrong));
  const yes = (b: boolean) => (b ? 'yes' : '**no**');
  const margins = [...report.margins].sort((a, b) => a - b);
  const markdown = [
    `## ${spec.name} (wasm)`,
    '',
    `Watermark \`${wm.rule}\` on \`${wm.layer}\` (the block's MLP kernel w1, [${params[view.kernel]!.shape.join(', ')}]), T = ${wm.bits}, N = ${wm.length}, ${wm.quantization.bits}-bit quantization at scale ${wm.quantization.scale}, maxErr ${wm.maxErr}, strength ${wm.strength}, margin ${wm.margin}. ` +
      `${o.steps} steps of batch ${spec.optimizer.batchSize} x ${L} bytes (adam, learning rate ${spec.optimizer.learningRate}) on ${trainSet.name} (the shipped dataset, through the trainer's loader), both runs from seed ${o.seed}; bits per byte on ${indices.length} windows of the hidden split spread evenly over it (${(indices.length * L).toLocaleString('en-US')} target bytes). ` +
      `Training took ${(plain.seconds / 60).toFixed(1)} min unmarked and ${(marked.seconds / 60).toFixed(1)} min watermarked; this model took ${(seconds / 60).toFixed(1)} min. A short budget: the model is far from converged, so these numbers say what the regularizer costs early in training, which is where a trainer who seals soon stands.`,
    '',
    '| requirement | measured | holds |',
    '|---|---|---|',
    `| owner's bits after quantization within maxErr (${wm.maxErr}) | ${report.wrong} wrong (sealing needs <= ${Math.floor(wm.maxErr / 2)}) | ${yes(report.wrong <= wm.maxErr)} |`,
    `| bits per byte cost of the watermark <= 2% | ${plainBpb.toFixed(4)} -> ${markedBpb.toFixed(4)}: ${(100 * cost).toFixed(2)}% | ${yes(cost <= 0.02)} |`,
    `| wrong keys: about half wrong | ${wrong.length} keys: mean ${mean.toFixed(1)}, min ${Math.min(...wrong)}, max ${Math.max(...wrong)} | ${yes(Math.min(...wrong) > wm.maxErr)} |`,
    `| unmarked model under the owner's key: about half wrong | ${unmarkedWrong} wrong | ${yes(unmarkedWrong > wm.maxErr)} |`,
    `| fine-tuning ${o.fineTuneSteps} steps (no watermark term) keeps the owner's bits | worst ${worstTuned} wrong; ${tunedBpb.toFixed(4)} bpb after | ${yes(worstTuned <= wm.maxErr)} |`,
    ...pruned.map(
      (p) =>
        `| magnitude pruning ${Math.round(p.fraction * 100)}% of all kernels and tables | ${p.wrong} wrong; ${p.bpb.toFixed(3)} bpb | ${yes(p.wrong <= wm.maxErr)} |`,
    ),
    '',
    `After training: margins (2 b_j - 1) s_j min ${margins[0]} / median ${margins[Math.floor(margins.length / 2)]} quantization units. Wrong keys: ${wrong.join(', ')}.`,
    '',
    '| fine-tuning step | owner wrong bits | min margin (q units) |',
    '|---:|---:|---:|',
    ...fineTune.map((f) => `| ${f.step} | ${f.wrong} | ${f.minMargin} |`),
  ].join('\n');
  return {
    markdown,
    seconds,
    json: {
      plainBpb,
      markedBpb,
      cost,
      wrong: report.wrong,
      wrongKeys: wrong,
      unmarkedWrong,
      fineTune,
      tunedBpb,
      pruned,
    },
  };
}
