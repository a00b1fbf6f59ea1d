// The models of the challenge stories (docs/app/challenges.md): an honest trainer's run, a
// copier's fine-tune of a stolen model without any watermark, and a thief's re-watermark of a
// stolen model with its own key, stopped the way the app's client stops: as soon as the thief's
// own watermark passes the seal rule (2 * wrong <= maxErr, SPEC section 6). Real training with
// the ML engine on the digits data, in Node.
import { readFileSync } from 'node:fs';
import { fsSource } from '../../../src/lib/ml/data/sources.ts';
import { evaluateModel } from '../../../src/lib/ml/eval/evaluate.ts';
import { buildModel } from '../../../src/lib/ml/model/model.ts';
import { parseModelSpecBytes } from '../../../src/lib/ml/spec/parse.ts';
import { specShapes } from '../../../src/lib/ml/spec/shapes.ts';
import type { ModelSpec } from '../../../src/lib/ml/spec/types.ts';
import { RunControl } from '../../../src/lib/ml/train/control.ts';
import { datasetData } from '../../../src/lib/ml/train/dataset.ts';
import { memoryData, type TrainingData } from '../../../src/lib/ml/train/data.ts';
import { train } from '../../../src/lib/ml/train/trainer.ts';
import { ownerBits } from '../../../src/lib/ml/watermark/bits.ts';
import { checkWatermark } from '../../../src/lib/ml/watermark/check.ts';
import { watermarkKernelIndex } from '../../../src/lib/ml/watermark/extract.ts';
import type { WatermarkKey } from '../../../src/lib/ml/watermark/types.ts';

const root = new URL('../../../', import.meta.url);
/** Pixels per digits sample (8 x 8). */
const FEATURES = 64;

export interface Digits {
  spec: ModelSpec;
  specBytes: Uint8Array;
  /** sha256 of the spec file, hex without 0x. */
  specHash: string;
  train: { x: Float32Array; y: Int32Array };
  eval: TrainingData;
}

async function split(dir: string): Promise<{ x: Float32Array; y: Int32Array }> {
  const source = fsSource(new URL(dir, root).pathname);
  const { manifest } = await source.manifest();
  const reader = await datasetData(manifest, source, { seed: 0, shuffle: false }).openEpoch(0, manifest.samples);
  const batch = (await reader.next())!;
  reader.close();
  return { x: batch.features as Float32Array, y: batch.labels };
}

export async function loadDigits(): Promise<Digits> {
  const specBytes = new Uint8Array(readFileSync(new URL('public/specs/digits-mlp.json', root)));
  const { spec, hash } = await parseModelSpecBytes(specBytes);
  const ev = await split('public/datasets/digits-eval');
  return {
    spec,
    specBytes,
    specHash: hash,
    train: await split('public/datasets/digits-train'),
    eval: memoryData(ev.x, ev.y, FEATURES),
  };
}

const stepsPerEpoch = (d: Digits) => Math.ceil(d.train.y.length / d.spec.optimizer.batchSize);

/** Wrong bits of `owner`'s address under `key` in these weights (after the commitment's quantization). */
export function ownerWrongBits(d: Digits, weights: readonly Float32Array[], key: WatermarkKey, owner: string): number {
  const params = specShapes(d.spec).params;
  const k = watermarkKernelIndex(d.spec, params);
  return checkWatermark(d.spec.watermark!, weights[k]!, params[k]!.shape, key, owner).wrong;
}

export async function accuracy(d: Digits, weights: readonly Float32Array[]): Promise<number> {
  const model = buildModel(d.spec, weights);
  try {
    return (await evaluateModel(model, d.eval, { batchSize: 250 })).accuracy;
  } finally {
    model.dispose();
  }
}

/** An honest run: the spec's optimizer, `epochs` epochs, the owner's watermark. */
export async function trainHonest(
  d: Digits,
  key: WatermarkKey,
  owner: string,
  epochs: number,
  seed: number,
): Promise<Float32Array[]> {
  const data = memoryData(d.train.x, d.train.y, FEATURES, { seed });
  return (
    await train({
      spec: d.spec,
      data,
      seed,
      overrides: { epochs },
      watermark: { keyBits: key.bits, ownerBits: ownerBits(owner, d.spec.watermark!.bits) },
    })
  ).weights;
}

/** A copier: fine-tunes a stolen model on the training data, no watermark term (a fresh optimizer, its own data order). */
export async function fineTuneCopy(
  d: Digits,
  stolen: readonly Float32Array[],
  epochs: number,
  seed: number,
): Promise<Float32Array[]> {
  const data = memoryData(d.train.x, d.train.y, FEATURES, { seed });
  return (
    await train({
      spec: d.spec,
      data,
      seed,
      initialWeights: stolen.map((w) => new Float32Array(w)),
      overrides: { epochs },
    })
  ).weights;
}

export interface Rewatermark {
  weights: Float32Array[];
  /** Steps trained when the run stopped. */
  steps: number;
  /** The thief's own wrong bits at the stop. */
  thiefWrong: number;
}

/**
 * A thief: fine-tunes a stolen model with its own key through the spec's regularizer. With
 * `untilSealable` it stops at the first step at which its own watermark passes the seal rule, as
 * the client would seal then; otherwise it runs `epochs` whole epochs. `learningRate` is the
 * client's optimizer override (default: the spec's).
 */
export async function reWatermark(
  d: Digits,
  stolen: readonly Float32Array[],
  thief: { key: WatermarkKey; address: string },
  options: { untilSealable: boolean; epochs?: number; seed: number; learningRate?: number },
): Promise<Rewatermark> {
  const data = memoryData(d.train.x, d.train.y, FEATURES, { seed: options.seed });
  const control = new RunControl();
  const maxErr = d.spec.watermark!.maxErr;
  let stop: Rewatermark | null = null;
  const result = await train({
    spec: d.spec,
    data,
    seed: options.seed,
    initialWeights: stolen.map((w) => new Float32Array(w)),
    overrides: { epochs: options.epochs ?? 1, ...(options.learningRate ? { learningRate: options.learningRate } : {}) },
    watermark: { keyBits: thief.key.bits, ownerBits: ownerBits(thief.address, d.spec.watermark!.bits) },
    control,
    ...(options.untilSealable
      ? {
          checkpointEvery: 1,
          onCheckpoint: (c) => {
            if (stop) return;
            const wrong = ownerWrongBits(d, c.weights, thief.key, thief.address);
            if (2 * wrong <= maxErr) {
              stop = { weights: c.weights.map((w) => new Float32Array(w)), steps: c.step, thiefWrong: wrong };
              control.cancel('sealable');
            }
          },
        }
      : {}),
  });
  if (options.untilSealable) {
    if (!stop)
      throw new Error(
        `the thief's watermark was not sealable within ${options.epochs ?? 1} epoch(s) (${stepsPerEpoch(d)} steps each)`,
      );
    return stop;
  }
  return {
    weights: result.weights,
    steps: result.checkpoint.step,
    thiefWrong: ownerWrongBits(d, result.weights, thief.key, thief.address),
  };
}
