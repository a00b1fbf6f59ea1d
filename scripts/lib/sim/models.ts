// The models trainers submit, with the real ML engine in this process. Honest trainers train as
// the trainer agent does (the train service's transcript run on the reference backend: seeded
// start, the task's data order for their address, the spec's hyperparameters, their watermark
// key), K segments each, and seal the transcript's root; before sealing they check their own
// watermark as the agent does (inspectCandidate) and train on while it is not sealable. The
// incentive benchmark's trainer adversaries, really built:
// - thief: last epoch's best model, fetched from the store, re-watermarked with its own key until
//   sealable (the client's seal rule) and put behind a fabricated transcript (its own seeded
//   start, one honest segment, then a jump to the stolen weights: scripts/lib/transcript-forgery.ts);
// - free rider: its own seeded start, untrained, with a transcript commitment it never trained;
// - duplicate: the byte-identical artifact of last epoch's best.
import { keccak256, toHex, type Address, type Hex } from 'viem';
import { inspectCandidate, weightsWmCommit } from '../../../src/lib/agents/artifact-checks.ts';
import { commitmentOf, transcriptIdOf } from '../../../src/lib/agents/transcript-runs.ts';
import { seededTranscript, type TranscriptCommitment } from '../../../src/lib/chain/transcript-commit.ts';
import { deserializeArtifact } from '../../../src/lib/ml/artifact/deserialize.ts';
import { artifactHash } from '../../../src/lib/ml/artifact/hash.ts';
import { fsSource } from '../../../src/lib/ml/data/sources.ts';
import { specHashBytes } from '../../../src/lib/ml/eval/evaluate.ts';
import { Rng } from '../../../src/lib/ml/rng.ts';
import { specShapes } from '../../../src/lib/ml/spec/shapes.ts';
import { datasetData } from '../../../src/lib/ml/train/dataset.ts';
import { createProgram, type ProgramOptions } from '../../../src/lib/ml/transcript/program.ts';
import { stateArtifact } from '../../../src/lib/ml/transcript/state.ts';
import type { TranscriptStore } from '../../../src/lib/ml/transcript/store.ts';
import { checkWatermark, watermarkKernelIndex } from '../../../src/lib/ml/watermark/index.ts';
import { generateKey } from '../../../src/lib/ml/watermark/key.ts';
import type { WatermarkKey } from '../../../src/lib/ml/watermark/types.ts';
import { disguise, forgeTranscript } from '../transcript-forgery.ts';
import { SimError } from './errors.ts';
import { DATASET_DIRS, type MlEnv } from './ml-env.ts';

export interface Model {
  artifact: Uint8Array;
  artifactHash: Hex;
  wmCommit: Hex;
  transcript: TranscriptCommitment;
  /** The transcript in the run's transcript store a disclosure uploads (null: none exists). */
  transcriptId: string | null;
  /** Steps trained by the submitter (0: none). */
  steps: number;
}

export interface TrainerIdentity {
  chainId: number;
  taskId: bigint;
  address: Address;
  key: WatermarkKey;
}

/** A trainer's watermark key, drawn from the run's seed (the agent draws it from the OS). */
export function trainerKey(seed: number, index: number): WatermarkKey {
  const rng = Rng.seeded('aiarena-sim/watermark-key', seed, index);
  return generateKey(64, 128, (bytes) => {
    for (let i = 0; i < bytes.length; i++) bytes[i] = rng.nextU32() & 0xff;
  });
}

const identityOf = (t: TrainerIdentity) => ({ chainId: t.chainId, task: t.taskId, trainer: t.address });
const transcriptBase = (t: TrainerIdentity) => `sim-${t.taskId}-${t.address.slice(2, 14).toLowerCase()}`;

/** An honest trainer's model: a transcript run of `segments` segments, longer while its watermark is not sealable. */
export async function trainHonest(env: MlEnv, t: TrainerIdentity, segments: number): Promise<Model> {
  const owner = t.address;
  for (let k = segments; k <= segments + 8; k++) {
    const outcome = await env.trainer.transcript({
      transcriptId: transcriptIdOf(transcriptBase(t), k),
      specBytes: env.specBytes,
      expectedSpecHash: env.specHash.slice(2),
      dataUrl: env.folderUrl(env.data.train),
      expectedDataHash: env.data.train.slice(2),
      identity: identityOf(t),
      keyBits: t.key.bits,
      segments: k,
      backend: 'wasm',
    });
    if (outcome.status !== 'completed' || !outcome.artifact || !outcome.artifactHash)
      throw new SimError('sim-run', `trainer ${owner}: the transcript run ended ${outcome.status}`);
    const report = await inspectCandidate(
      env.spec,
      env.specHash.slice(2),
      { bytes: outcome.artifact, artifactHash: outcome.artifactHash },
      t.key,
      owner,
    );
    if (!report.sealable) continue;
    return {
      artifact: outcome.artifact,
      artifactHash: outcome.artifactHash,
      wmCommit: report.wmCommit,
      transcript: commitmentOf(outcome.meta),
      transcriptId: outcome.meta.id,
      steps: k * outcome.meta.settings.interval,
    };
  }
  throw new SimError('sim-run', `trainer ${owner}: the watermark was not sealable after ${segments + 8} segments`);
}

async function programOptions(env: MlEnv, t: TrainerIdentity): Promise<ProgramOptions> {
  const source = fsSource(DATASET_DIRS.train);
  const { manifest } = await source.manifest(env.data.train.slice(2));
  return {
    spec: env.spec,
    specHash: env.specHash.slice(2),
    identity: identityOf(t),
    openData: (seed) => datasetData(manifest, source, { seed }),
    keyBits: t.key.bits,
  };
}

/** The thief's steps between watermark checks while re-watermarking, and its limit. */
const REWATERMARK_STEP = 5;
const REWATERMARK_MAX = 200;

/**
 * The thief's submission: `stolen` (a published artifact) re-watermarked with its key until its
 * own watermark passes the seal rule, behind a fabricated transcript stored under its id.
 */
export async function stealModel(
  env: MlEnv,
  t: TrainerIdentity,
  stolen: Uint8Array,
  store: TranscriptStore,
): Promise<Model & { rewatermarkSteps: number; wrongBits: number }> {
  const params = specShapes(env.spec).params;
  const weights = deserializeArtifact(stolen, { specHash: specHashBytes(env.specHash.slice(2)), params });
  const opts = await programOptions(env, t);
  const k = watermarkKernelIndex(env.spec, params);
  const wm = env.spec.watermark!;
  for (let steps = REWATERMARK_STEP; steps <= REWATERMARK_MAX; steps += REWATERMARK_STEP) {
    const copy = await disguise(weights, 'rewatermark', {
      spec: env.spec,
      keyBits: t.key.bits,
      thief: t.address,
      data: () => opts.openData(`thief/${t.address}`),
      rewatermarkSteps: steps,
      seed: `sim-thief/${t.address}`,
    });
    const report = checkWatermark(wm, copy[k]!, params[k]!.shape, t.key, t.address);
    if (!report.sealable) continue;
    const id = `${transcriptBase(t)}.forged`;
    const forged = await forgeTranscript({ ...opts, stolen: copy, honestSegments: 1, store, id, backend: 'wasm' });
    const sealed = deserializeArtifact(forged.artifact, { specHash: specHashBytes(env.specHash.slice(2)), params });
    return {
      artifact: forged.artifact,
      artifactHash: forged.artifactHash,
      wmCommit: weightsWmCommit(env.spec, sealed),
      transcript: seededTranscript(forged.root, forged.segments),
      transcriptId: id,
      steps: steps + env.spec.transcript!.interval * 2,
      rewatermarkSteps: steps,
      wrongBits: checkWatermark(wm, sealed[k]!, params[k]!.shape, t.key, t.address).wrong,
    };
  }
  throw new SimError('sim-run', `the thief's watermark was not sealable after ${REWATERMARK_MAX} steps`);
}

/** A commitment to a transcript nobody trained: what a submitter that did not train seals. */
const untrainedTranscript = (t: TrainerIdentity, what: string): TranscriptCommitment =>
  seededTranscript(keccak256(toHex(`aiarena-sim/untrained/${what}/${t.address}`)), 1);

/** The free rider's submission: its own seeded start, untrained. */
export async function untrainedModel(env: MlEnv, t: TrainerIdentity): Promise<Model> {
  const program = await createProgram(await programOptions(env, t));
  try {
    const artifact = stateArtifact(program.encode(program.startState()), program.params).slice();
    const weights = deserializeArtifact(artifact, {
      specHash: specHashBytes(env.specHash.slice(2)),
      params: program.params,
    });
    return {
      artifact,
      artifactHash: await artifactHash(artifact),
      wmCommit: weightsWmCommit(env.spec, weights),
      transcript: untrainedTranscript(t, 'free-rider'),
      transcriptId: null,
      steps: 0,
    };
  } finally {
    program.dispose();
  }
}

/** The duplicate's submission: the original's bytes and wmCommit as they are. */
export function duplicateModel(t: TrainerIdentity, original: Model): Model {
  return { ...original, transcript: untrainedTranscript(t, 'duplicate'), transcriptId: null, steps: 0 };
}

/** Accuracy of an artifact on a dataset (the hidden set: the model's true quality). */
export async function accuracyOn(
  env: MlEnv,
  model: Pick<Model, 'artifact' | 'artifactHash'>,
  data: Hex,
): Promise<number> {
  const r = await env.evaluator.evaluate({
    specBytes: env.specBytes,
    expectedSpecHash: env.specHash.slice(2),
    artifact: model.artifact,
    artifactHash: model.artifactHash,
    dataUrl: env.folderUrl(data),
    expectedDataHash: data.slice(2),
    backend: 'wasm',
  });
  return r.accuracy;
}
