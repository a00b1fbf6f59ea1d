// Canary models trained in Node with the project's engine (the training loop the workers run,
// on tfjs's wasm backend): a seeded run of the drawn number of steps with the pool account's
// watermark, continued a few steps at a time until the watermark decodes with the margin a
// trainer needs before sealing (SPEC 6), so a canary carries its account's watermark like any
// honest model and could answer an ownership challenge. Deterministic: the same seed, steps,
// owner and key give the same artifact bytes (a restart retrains a sealed model to reveal it).
//
// Node only. Plain Node needs the tfjs module hooks (npm scripts start tsx with
// --import ./src/lib/ml/backend/node/register.mjs); vitest resolves tfjs itself.
import { fileURLToPath } from 'node:url';
import type { Address } from 'viem';
import type { CanaryModelPort, CanaryTrainRequest } from '../../../src/lib/agents/canary/index.ts';
import { hashArtifact, inspectCandidate } from '../../../src/lib/agents/artifact-checks.ts';
import { activateBackend } from '../../../src/lib/ml/backend/activate.ts';
import { tf } from '../../../src/lib/ml/backend/tf.ts';
import { fsSource } from '../../../src/lib/ml/data/sources.ts';
import { specHashBytes } from '../../../src/lib/ml/eval/evaluate.ts';
import { serializeArtifact } from '../../../src/lib/ml/artifact/serialize.ts';
import { parseModelSpecBytes } from '../../../src/lib/ml/spec/parse.ts';
import { specShapes } from '../../../src/lib/ml/spec/shapes.ts';
import { datasetData } from '../../../src/lib/ml/train/dataset.ts';
import { train, type TrainResult } from '../../../src/lib/ml/train/trainer.ts';
import { ownerBits } from '../../../src/lib/ml/watermark/bits.ts';

export const WASM_DIR = fileURLToPath(
  new URL('../../../node_modules/@tensorflow/tfjs-backend-wasm/dist/', import.meta.url),
);

export interface CanaryTrainerOptions {
  /** The task's model spec file (its sha256 must be the task's modelSpec). */
  specBytes: Uint8Array;
  /** The folder holding the task's training set (manifest.json and its shards). */
  trainDir: string;
  /** The task's trainData hash: the folder's manifest must hash to it. */
  trainData: `0x${string}`;
  /** Never train more than this many times the drawn steps (plus a margin) for the watermark. */
  maxStretch?: number;
}

export class CanaryTrainError extends Error {
  override name = 'CanaryTrainError';
}

/** A model port that trains canary models on wasm, one at a time. */
export async function canaryTrainer(o: CanaryTrainerOptions): Promise<CanaryModelPort> {
  const { spec, hash } = await parseModelSpecBytes(o.specBytes);
  const wm = spec.watermark;
  if (!wm)
    throw new CanaryTrainError(
      `the model spec ${spec.name} has no watermark: a canary could not carry its account's watermark`,
    );
  const source = fsSource(o.trainDir);
  const { manifest } = await source.manifest(o.trainData.slice(2));
  const params = specShapes(spec).params;
  let ready: Promise<unknown> | null = null;
  const backend = () =>
    (ready ??= (async () => {
      tf.enableProdMode();
      await activateBackend('wasm', { wasmPaths: WASM_DIR });
    })());

  return {
    watermark: { bits: wm.bits, length: wm.length },
    async train(req: CanaryTrainRequest) {
      await backend();
      const owner: Address = req.owner;
      const bits = ownerBits(owner, wm.bits);
      const limit = req.steps * (o.maxStretch ?? 4) + 64;
      let target = req.steps;
      let result: TrainResult | null = null;
      for (;;) {
        result = await train({
          spec,
          data: datasetData(manifest, source, { seed: req.seed }),
          seed: req.seed,
          watermark: { keyBits: req.key.bits, ownerBits: bits },
          maxSteps: target,
          readEvery: 1_000_000,
          ...(result ? { resumeFrom: result.checkpoint } : {}),
        });
        const artifact = serializeArtifact(specHashBytes(hash), params, result.weights);
        const report = await inspectCandidate(spec, hash, await hashArtifact(artifact), req.key, owner);
        const steps = result.checkpoint.step;
        if (report.sealable) {
          return {
            artifact,
            model: {
              artifactHash: report.artifactHash,
              wmCommit: report.wmCommit,
              steps,
              wrong: report.wrong,
              // GAP (issue 11, section 1): the engine records no transcript yet; the producer
              // then seals with the documented placeholder (src/lib/agents/transcript-gap.ts).
              transcript: null,
            },
          };
        }
        // The run ended (step limit or the spec's epochs) without a sealable watermark.
        if (steps < target || target >= limit) {
          throw new CanaryTrainError(
            `the watermark of ${owner} still decodes with ${report.wrong} wrong bits after ${steps} steps (at most ${Math.floor(wm.maxErr / 2)} allowed before sealing)`,
          );
        }
        target = Math.min(limit, target + Math.max(2, Math.ceil(target / 4)));
      }
    },
  };
}
