// The models the consensus benchmark evaluates: each demo spec trained by the project's engine in
// Node on wasm (the kernels the browser's wasm backend runs), with the spec's watermark, stopped
// at a few quality levels. Optionally cached as artifacts, so a rerun of the analysis skips the
// training (the artifact hash is reported either way).
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { activateBackend } from '../../../src/lib/ml/backend/activate.ts';
import { artifactHash } from '../../../src/lib/ml/artifact/hash.ts';
import { serializeArtifact } from '../../../src/lib/ml/artifact/serialize.ts';
import { fsSource } from '../../../src/lib/ml/data/sources.ts';
import { specHashBytes } from '../../../src/lib/ml/eval/evaluate.ts';
import { specShapes } from '../../../src/lib/ml/spec/shapes.ts';
import type { ModelSpec } from '../../../src/lib/ml/spec/types.ts';
import { datasetData } from '../../../src/lib/ml/train/dataset.ts';
import { train } from '../../../src/lib/ml/train/trainer.ts';
import { ownerBits } from '../../../src/lib/ml/watermark/bits.ts';
import { benchKey } from '../watermark-attacks.ts';

export interface Level {
  /** Short name in the tables. */
  name: string;
  /** Training steps. */
  steps: number;
}

export interface BenchModel {
  level: string;
  steps: number;
  artifact: Uint8Array;
  artifactHash: string;
  trainSeconds: number;
}

const OWNER = '0x5b38da6a701c568545dcfcddfc4b11fc0a3f9d6e';
const SEED = 11;

/** Steps in one epoch of the spec's batch size over `samples`. */
export const stepsPerEpoch = (spec: ModelSpec, samples: number) => Math.ceil(samples / spec.optimizer.batchSize);

/**
 * One training run of `spec` on its training set, artifacts taken at each level's step (levels
 * ascending). With `cacheDir`, artifacts found there (by spec hash, seed and step) are reused.
 */
export async function trainLevels(
  spec: ModelSpec,
  specHash: string,
  trainDir: string,
  levels: readonly Level[],
  opts: { wasmPaths: string; cacheDir?: string; log?: (s: string) => void },
): Promise<BenchModel[]> {
  const params = specShapes(spec).params;
  const file = (l: Level) =>
    opts.cacheDir ? join(opts.cacheDir, `${spec.name}-${specHash.slice(0, 12)}-s${SEED}-${l.steps}.bin`) : null;
  const out = new Map<number, BenchModel>();
  for (const l of levels) {
    const f = file(l);
    if (f && existsSync(f)) {
      const artifact = new Uint8Array(readFileSync(f));
      // The training time of the run that made it, when recorded.
      const trainSeconds = existsSync(`${f}.json`)
        ? (JSON.parse(readFileSync(`${f}.json`, 'utf8')) as { trainSeconds: number }).trainSeconds
        : NaN;
      out.set(l.steps, {
        level: l.name,
        steps: l.steps,
        artifact,
        artifactHash: await artifactHash(artifact),
        trainSeconds,
      });
    }
  }
  const missing = levels.filter((l) => !out.has(l.steps));
  if (missing.length > 0) {
    await activateBackend('wasm', { wasmPaths: opts.wasmPaths });
    const source = fsSource(trainDir);
    const { manifest } = await source.manifest();
    const wm = spec.watermark!;
    const key = benchKey(wm.bits, wm.length, 'consensus');
    const spe = stepsPerEpoch(spec, manifest.samples);
    const wanted = new Map(missing.map((l) => [l.steps, l]));
    let t0 = performance.now();
    const take = async (step: number, weights: Float32Array[]) => {
      const l = wanted.get(step);
      if (l === undefined || out.has(step)) return;
      const artifact = serializeArtifact(specHashBytes(specHash), params, weights);
      const m = {
        level: l.name,
        steps: step,
        artifact,
        artifactHash: await artifactHash(artifact),
        trainSeconds: (performance.now() - t0) / 1000,
      };
      out.set(step, m);
      const f = file(l);
      if (f) {
        mkdirSync(opts.cacheDir!, { recursive: true });
        writeFileSync(f, artifact);
        writeFileSync(`${f}.json`, JSON.stringify({ trainSeconds: m.trainSeconds }));
      }
      opts.log?.(`trained ${spec.name} ${l.name}: step ${step} after ${m.trainSeconds.toFixed(0)} s`);
    };
    const run = (maxSteps: number, checkpointEvery: number) =>
      train({
        spec,
        data: datasetData(manifest, source, { seed: SEED }),
        seed: SEED,
        overrides: { epochs: Math.ceil(maxSteps / spe) },
        watermark: { keyBits: key.bits, ownerBits: ownerBits(OWNER, wm.bits) },
        maxSteps,
        readEvery: 100,
        checkpointEvery,
        onCheckpoint: (c) => take(c.step, c.weights),
      });
    // Whole epochs come from one run's per-epoch checkpoints; a level inside an epoch gets a
    // short run of its own (same seed, so the same weights the long run had at that step).
    for (const l of missing.filter((x) => x.steps % spe !== 0)) {
      t0 = performance.now();
      await take(l.steps, (await run(l.steps, 0)).weights);
    }
    const epochs = missing.filter((x) => x.steps % spe === 0);
    if (epochs.length > 0) {
      t0 = performance.now();
      const r = await run(Math.max(...epochs.map((x) => x.steps)), spe);
      await take(r.checkpoint.step, r.weights);
    }
  }
  return levels.map((l) => {
    const m = out.get(l.steps);
    if (m === undefined) throw new Error(`training ${spec.name} never reached step ${l.steps}`);
    return m;
  });
}
