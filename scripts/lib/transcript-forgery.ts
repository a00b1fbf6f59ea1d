// A thief's fabricated training transcript (SPEC 8; issue 11 attack (a)), for the transcript
// benchmark, tests and the validator stories. The thief holds a stolen model (copied, then
// possibly re-watermarked with its own key, its hidden units permuted or rescaled, or fine-tuned)
// and must disclose a transcript that ends at it. The best it can do without training from its own
// seeded start to those weights: an honest-looking start (its own seeded state 0, so
// `isSeededStart` passes), honest segments for as long as it cares to train, then one "jump"
// segment whose claimed state is the stolen weights on the grid, with optimizer moments made
// plausible (what the thief's own program accumulates from the stolen weights over one segment)
// and the step counter the segment should reach. Every segment but the jump replays; the jump
// cannot (docs/bench/transcript.md, attack (a)).
//
// Also the disguises a thief applies to a stolen model before fabricating (weight surgery from
// watermark-attacks.ts and fine-tuning with the engine's trainer).
import type { Hex } from 'viem';
import { deserializeArtifact } from '../../src/lib/ml/artifact/deserialize.ts';
import { artifactHash } from '../../src/lib/ml/artifact/hash.ts';
import { hexBytes } from '../../src/lib/ml/transcript/program.ts';
import { Rng } from '../../src/lib/ml/rng.ts';
import { specShapes } from '../../src/lib/ml/spec/shapes.ts';
import type { ModelSpec } from '../../src/lib/ml/spec/types.ts';
import type { TrainingData } from '../../src/lib/ml/train/data.ts';
import { train } from '../../src/lib/ml/train/trainer.ts';
import { merkleRoot } from '../../src/lib/ml/transcript/merkle.ts';
import { createProgram, type ProgramOptions } from '../../src/lib/ml/transcript/program.ts';
import { leafOf, stateArtifact, type TranscriptState } from '../../src/lib/ml/transcript/state.ts';
import {
  TRANSCRIPT_FORMAT,
  TRANSCRIPT_VERSION,
  type TranscriptMeta,
  type TranscriptStore,
} from '../../src/lib/ml/transcript/store.ts';
import { ownerBits } from '../../src/lib/ml/watermark/bits.ts';
import { watermarkKernelIndex } from '../../src/lib/ml/watermark/extract.ts';
import { symmetryLayers, transformUnits, unitCount, type WeightsView } from './watermark-attacks.ts';

export interface ForgeryOptions extends ProgramOptions {
  /** The stolen weights (parameter order), already disguised as the thief likes. */
  stolen: readonly Float32Array[];
  /** Honest segments before the jump (0: the jump is segment 0). */
  honestSegments: number;
  store: TranscriptStore;
  id: string;
  /** Recorded in the transcript's record (informative). Default 'unknown'. */
  backend?: string;
}

export interface ForgedTranscript {
  meta: TranscriptMeta;
  /** trajRoot over the K + 1 leaves. */
  root: Hex;
  /** K = honestSegments + 1. */
  segments: number;
  /** Index of the jump segment (states jump -> jump + 1): K - 1. */
  jump: number;
  /** The sealed artifact: the last state's weights (the stolen weights on the grid) and its hash. */
  artifact: Uint8Array;
  artifactHash: Hex;
}

const norm = (h: string) => h.replace(/^0x/, '').toLowerCase();

/**
 * Writes a fabricated transcript into `store` under `id` (the same record and states a real run
 * writes, so an agent discloses it like any other) and returns what the thief seals.
 */
export async function forgeTranscript(o: ForgeryOptions): Promise<ForgedTranscript> {
  if (!Number.isInteger(o.honestSegments) || o.honestSegments < 0)
    throw new RangeError(`honestSegments must be a non-negative integer, got ${o.honestSegments}`);
  const program = await createProgram(o);
  try {
    const { interval } = program.settings;
    if (o.stolen.length !== program.params.length)
      throw new RangeError(`stolen weights have ${o.stolen.length} tensors, the spec ${program.params.length}`);
    const K = o.honestSegments + 1;
    const now = Date.now();
    let meta: TranscriptMeta = {
      format: TRANSCRIPT_FORMAT,
      version: TRANSCRIPT_VERSION,
      id: o.id,
      specHash: norm(o.specHash),
      chainId: BigInt(o.identity.chainId).toString(),
      task: BigInt(o.identity.task).toString(),
      trainer: o.identity.trainer,
      settings: program.settings,
      segments: K,
      start: { kind: 'seeded' },
      leaves: [],
      backend: o.backend ?? 'unknown',
      createdAt: now,
      updatedAt: now,
    };
    const save = async (state: TranscriptState) => {
      const bytes = program.encode(state);
      const leaves = [...meta.leaves, await leafOf(bytes)];
      meta = {
        ...meta,
        leaves,
        updatedAt: Date.now(),
        ...(leaves.length === K + 1 ? { root: merkleRoot(leaves) } : {}),
      };
      await o.store.save(meta, leaves.length - 1, bytes);
      return bytes;
    };
    let state = program.startState();
    await save(state);
    for (let i = 0; i < o.honestSegments; i++) {
      state = program.round((await program.run(state, interval)).state!);
      await save(state);
    }
    // Moments that look like training at the stolen weights: one segment of the thief's own
    // program from them with fresh moments. The weights claimed are the stolen ones.
    const warm = (
      await program.run(
        { step: state.step, weights: o.stolen.map((w) => w.slice()), slots: zeroSlots(state) },
        interval,
      )
    ).state!;
    const jumped = program.round({
      step: state.step + interval,
      weights: o.stolen.map((w) => w.slice()),
      slots: warm.slots,
    });
    const bytes = await save(jumped);
    const artifact = stateArtifact(bytes, program.params).slice();
    return {
      meta,
      root: meta.root!,
      segments: K,
      jump: K - 1,
      artifact,
      artifactHash: await artifactHash(artifact),
    };
  } finally {
    program.dispose();
  }
}

function zeroSlots(s: TranscriptState): Float32Array[][] {
  return s.slots.map((g) => g.map((t) => new Float32Array(t.length)));
}

export type Disguise = 'copy' | 'permute' | 'rescale' | 'rewatermark' | 'finetune';
export const DISGUISES: readonly Disguise[] = ['copy', 'permute', 'rescale', 'rewatermark', 'finetune'];

export interface DisguiseOptions {
  spec: ModelSpec;
  /** The thief's watermark key (T*N bits) and address: a re-watermark embeds the thief's bits. */
  keyBits: Uint8Array;
  thief: string;
  /** Training data for fine-tuning (the task's public training set). */
  data: () => TrainingData;
  /** Re-watermarking steps (measured: 6 to 41 suffice; docs/bench/watermark.md). Default 40. */
  rewatermarkSteps?: number;
  /** Fine-tuning steps (with the thief's key). Default 200. */
  finetuneSteps?: number;
  /** Seed of the permutation, scales and fine-tuning run. Default 'thief'. */
  seed?: string;
}

/**
 * The stolen weights as the thief would submit them: unchanged, hidden units permuted or rescaled
 * (the same function), re-watermarked with the thief's key by a few training steps, or fine-tuned
 * further with it.
 */
export async function disguise(
  weights: readonly Float32Array[],
  how: Disguise,
  o: DisguiseOptions,
): Promise<Float32Array[]> {
  const { params } = specShapes(o.spec);
  if (how === 'copy') return weights.map((w) => w.slice());
  if (how === 'permute' || how === 'rescale') {
    const wm = o.spec.watermark;
    if (!wm) throw new Error('unit surgery needs the spec watermark layer to pick the hidden layer');
    const view: WeightsView = { spec: o.spec, wm, params, kernel: watermarkKernelIndex(o.spec, params) };
    const layer = symmetryLayers(view)[0];
    if (!layer) throw new Error('the spec has no ReLU layer whose units can be permuted or rescaled');
    const U = unitCount(view, layer.layer);
    const rng = Rng.seeded('transcript-forgery', o.seed ?? 'thief', how);
    const perm = Uint32Array.from({ length: U }, (_, i) => i);
    const alpha = new Float64Array(U).fill(1);
    if (how === 'permute') {
      for (let i = U - 1; i > 0; i--) {
        const j = rng.nextU32() % (i + 1);
        [perm[i], perm[j]] = [perm[j]!, perm[i]!];
      }
    } else {
      // Scales in [0.5, 2] (log-uniform): the function is unchanged, every weight of the layer moves.
      for (let u = 0; u < U; u++) alpha[u] = 2 ** ((rng.nextU32() / 2 ** 32) * 2 - 1);
    }
    return transformUnits(view, weights, layer.layer, perm, alpha);
  }
  const steps = how === 'rewatermark' ? (o.rewatermarkSteps ?? 40) : (o.finetuneSteps ?? 200);
  const wm = o.spec.watermark;
  const out = await train({
    spec: o.spec,
    data: o.data(),
    seed: seedNumber(o.seed ?? 'thief'),
    initialWeights: weights.map((w) => w.slice()),
    maxSteps: steps,
    overrides: { epochs: 1000 },
    ...(wm ? { watermark: { keyBits: o.keyBits, ownerBits: ownerBits(o.thief, wm.bits) } } : {}),
  });
  return out.weights;
}

function seedNumber(label: string): number {
  return Rng.seeded('transcript-forgery/seed', label).nextU32();
}

export interface TheftOptions extends Omit<ForgeryOptions, 'stolen'> {
  /** The stolen model as published: an artifact of the same spec. */
  artifact: Uint8Array;
  /** How the thief disguises it first. Default 'rewatermark' (its own key then decodes it). */
  how?: Disguise;
  /** The task's training set, for re-watermarking or fine-tuning. */
  data: () => TrainingData;
}

/**
 * The whole theft for stories: a published artifact, disguised (by default re-watermarked with
 * the thief's key, so its ownership proof verifies), behind a fabricated transcript stored under
 * `id`. What the thief seals is `artifact` / `artifactHash` of the result, with `root` and
 * `segments`; the validator that replays it finds segment `jump` failing.
 */
export async function forgeTheft(o: TheftOptions): Promise<ForgedTranscript & { stolen: Float32Array[] }> {
  const { params } = specShapes(o.spec);
  const weights = deserializeArtifact(o.artifact, { specHash: hexBytes(o.specHash, 'specHash'), params });
  if (o.spec.watermark && o.keyBits === undefined) throw new Error('a theft of a watermarked spec needs the thief key');
  const stolen = await disguise(weights, o.how ?? 'rewatermark', {
    spec: o.spec,
    keyBits: o.keyBits ?? new Uint8Array(0),
    thief: o.identity.trainer,
    data: o.data,
  });
  const { artifact: _a, how: _h, data: _d, ...rest } = o;
  return { ...(await forgeTranscript({ ...rest, stolen })), stolen };
}
