// The fixed training program of SPEC 8.1 (docs/transcript.md section 6): for a (chain, task,
// trainer) everything that decides training except floating-point rounding comes from public
// data: the seeded start, the data order of the data seed, dropout from the noise seed, the
// spec's hyperparameters as they are, and the watermark regularizer with the trainer's key. A
// trainer's run and a verifier's replay both go through `run`, so they execute the same steps.
import { ensureGradients } from '../backend/tf.ts';
import { initialWeights } from '../model/init.ts';
import { buildModel, type Model } from '../model/model.ts';
import type { SeedPart } from '../rng.ts';
import { specShapes } from '../spec/shapes.ts';
import { transcriptSettings } from '../spec/transcript.ts';
import type { ModelSpec, ParamShape, TranscriptSpec } from '../spec/types.ts';
import { RunControl, yieldToEventLoop } from '../train/control.ts';
import { START, type LoaderPosition, type TrainingData } from '../train/data.ts';
import { createOptimizer, type Optimizer } from '../train/optimizer.ts';
import { trainStep } from '../train/step.ts';
import { LossWindow, batchTensors } from '../train/trainer.ts';
import { createWatermarkPenalty, type WatermarkPenalty } from '../train/watermark.ts';
import { ownerBits } from '../watermark/bits.ts';
import { watermarkKernelIndex } from '../watermark/extract.ts';
import { TranscriptError } from './errors.ts';
import { roundArray } from './round.ts';
import { transcriptSeeds, type TranscriptIdentity, type TranscriptSeeds } from './seeds.ts';
import { deserializeState, serializeState, slotGroups, type TranscriptState } from './state.ts';

export interface ProgramOptions {
  spec: ModelSpec;
  /** sha256 of the spec file (hex, with or without 0x): named in every state's bytes. */
  specHash: string;
  identity: TranscriptIdentity;
  /**
   * The task's training set in the order of `seed`: the program passes the data seed, e.g.
   * `(seed) => datasetData(manifest, source, { seed })`.
   */
  openData: (seed: SeedPart) => TrainingData;
  /** The trainer's watermark key X (T*N entries 0|1): required when the spec has a watermark. */
  keyBits?: Uint8Array;
}

/**
 * What a transcript run takes from nowhere but the spec and the identity (SPEC 8.1). A caller
 * passing any of these (from JavaScript, where types do not stop it) is refused.
 */
export const REFUSED_OPTIONS = ['overrides', 'seed', 'initialWeights', 'resumeFrom', 'maxSteps', 'hyper'] as const;

export interface StepHooks {
  control?: RunControl;
  /** After each step: steps done in this call and the steps asked for. */
  onStep?: (done: number, total: number) => void;
}

export interface SegmentRun {
  status: 'done' | 'cancelled';
  /** The state after the steps, unrounded (absent when cancelled). */
  state?: TranscriptState;
  /** Means over the steps run: cross-entropy, watermark penalty, training accuracy. */
  loss: number;
  penalty: number;
  accuracy: number;
  steps: number;
}

export interface Program {
  readonly spec: ModelSpec;
  readonly params: readonly ParamShape[];
  readonly settings: TranscriptSpec;
  readonly seeds: TranscriptSeeds;
  readonly specHash: Uint8Array;
  /** Optimizer slot groups of the spec's optimizer. */
  readonly groups: number;
  readonly stepsPerEpoch: number;
  /** State 0 of a seeded transcript: the seeded initial weights rounded, zero moments, step 0. */
  startState(): TranscriptState;
  /** Runs `steps` steps of the program from `from`, unrounded. */
  run(from: TranscriptState, steps: number, hooks?: StepHooks): Promise<SegmentRun>;
  /** `state` on the grid of the spec's mantissa bits. */
  round(state: TranscriptState): TranscriptState;
  encode(state: TranscriptState): Uint8Array;
  decode(bytes: Uint8Array): TranscriptState;
  dispose(): void;
}

export function hexBytes(hex: string, what: string): Uint8Array {
  const h = hex.replace(/^0x/, '');
  if (!/^[0-9a-fA-F]{64}$/.test(h)) throw new TranscriptError('program', `${what} must be 32 bytes of hex, got ${hex}`);
  return Uint8Array.from({ length: 32 }, (_, i) => parseInt(h.slice(2 * i, 2 * i + 2), 16));
}

export function refuseOverrides(options: object): void {
  const given = REFUSED_OPTIONS.filter((k) => k in options && (options as Record<string, unknown>)[k] !== undefined);
  if (given.length > 0)
    throw new TranscriptError(
      'program',
      `a transcript run takes its start, data order and hyperparameters from the model spec and the trainer's identity (SPEC 8.1); refused: ${given.join(', ')}`,
    );
}

export async function createProgram(options: ProgramOptions): Promise<Program> {
  refuseOverrides(options);
  const { spec, identity } = options;
  await ensureGradients();
  const settings = transcriptSettings(spec);
  const seeds = transcriptSeeds(identity);
  const specHash = hexBytes(options.specHash, 'the spec hash');
  const { params } = specShapes(spec);
  const hyper = spec.optimizer;
  const groups = slotGroups(hyper);
  const data = options.openData(seeds.data);
  const stepsPerEpoch = Math.ceil(data.samples / hyper.batchSize);
  if (spec.watermark && options.keyBits === undefined)
    throw new TranscriptError('program', "the model spec has a watermark: a transcript run needs the trainer's key");
  if (!spec.watermark && options.keyBits !== undefined)
    throw new TranscriptError('program', 'a watermark key was given but the model spec has no watermark');

  const start: TranscriptState = {
    step: 0,
    weights: initialWeights(spec, seeds.init).map((w, i) => roundArray(w, settings.mantissaBits, `weights ${i}`)),
    slots: Array.from({ length: groups }, () =>
      params.map((p) => new Float32Array(p.shape.reduce((a, b) => a * b, 1))),
    ),
  };
  const model: Model = buildModel(spec, start.weights);
  let optimizer: Optimizer | undefined;
  let watermark: WatermarkPenalty | undefined;
  try {
    optimizer = createOptimizer(hyper, model.variables);
    if (spec.watermark) {
      const index = watermarkKernelIndex(spec, model.params);
      watermark = createWatermarkPenalty(
        spec.watermark,
        model.variables[index]!,
        options.keyBits!,
        ownerBits(identity.trainer, spec.watermark.bits),
      );
    }
  } catch (e) {
    optimizer?.dispose();
    model.dispose();
    throw e;
  }
  const opt = optimizer;

  const positionAt = async (epoch: number, samples: number) => {
    if (data.positionAt) return { position: data.positionAt(epoch, samples), skip: 0 };
    // Without positionAt, read the epoch's first batches and drop them.
    return { position: START as LoaderPosition, skip: samples / hyper.batchSize };
  };

  const round = (s: TranscriptState): TranscriptState => ({
    step: s.step,
    weights: s.weights.map((w, i) => roundArray(w, settings.mantissaBits, `weights ${i}`)),
    slots: s.slots.map((g, k) => g.map((t, i) => roundArray(t, settings.mantissaBits, `slot ${k} tensor ${i}`))),
  });

  return {
    spec,
    params,
    settings,
    seeds,
    specHash,
    groups,
    stepsPerEpoch,
    startState: () => ({
      step: 0,
      weights: start.weights.map((w) => w.slice()),
      slots: start.slots.map((g) => g.map((t) => t.slice())),
    }),
    round,
    encode: (s) => serializeState(specHash, params, s),
    decode: (bytes) => deserializeState(bytes, { specHash, params, groups }),

    async run(from, steps, hooks = {}) {
      if (!Number.isInteger(steps) || steps < 0)
        throw new TranscriptError('program', `steps must be a non-negative integer, got ${steps}`);
      if (from.slots.length !== groups)
        throw new TranscriptError(
          'program',
          `the state has ${from.slots.length} slot groups, the spec's optimizer keeps ${groups}`,
        );
      model.writeWeights(from.weights);
      opt.writeState({ name: hyper.name, step: from.step, slots: from.slots });
      const control = hooks.control ?? new RunControl();
      const sums = new LossWindow();
      let t = from.step;
      const end = from.step + steps;
      try {
        while (t < end) {
          const epoch = Math.floor(t / stepsPerEpoch);
          const inEpoch = t - epoch * stepsPerEpoch;
          const { position, skip } = await positionAt(epoch, inEpoch * hyper.batchSize);
          const reader = await data.openEpoch(epoch, hyper.batchSize, position);
          try {
            for (let s = 0; s < skip; s++) await reader.next();
            for (let k = inEpoch; k < stepsPerEpoch && t < end; k++) {
              if (control.state === 'paused') await control.whilePaused();
              if (control.state === 'cancelled')
                return { status: 'cancelled', loss: NaN, penalty: NaN, accuracy: NaN, steps: t - from.step };
              const batch = await reader.next();
              if (batch === null)
                throw new TranscriptError('program', `epoch ${epoch} ended after ${k} of ${stepsPerEpoch} batches`);
              const { x, y } = batchTensors(spec, batch);
              try {
                const out = trainStep(model, opt, { x, y, step: t, seed: seeds.noise }, watermark);
                sums.add(out.loss, out.penalty, out.correct, batch.size);
                out.loss.dispose();
                out.penalty.dispose();
                out.correct.dispose();
              } finally {
                x.dispose();
                y.dispose();
              }
              t += 1;
              hooks.onStep?.(t - from.step, steps);
              // Every step: lets a cancel or pause from another thread in (a step costs
              // milliseconds, a yield microseconds).
              await yieldToEventLoop();
            }
          } finally {
            reader.close();
          }
        }
        const w = await sums.read();
        const means = w
          ? { loss: w.loss, penalty: w.penalty, accuracy: w.accuracy }
          : { loss: NaN, penalty: NaN, accuracy: NaN };
        const state = await readState(model, opt, t);
        return { status: 'done', state, ...means, steps };
      } finally {
        sums.reset();
      }
    },

    dispose() {
      watermark?.dispose();
      opt.dispose();
      model.dispose();
    },
  };
}

async function readState(model: Model, optimizer: Optimizer, step: number): Promise<TranscriptState> {
  const weights = await model.readWeights();
  const { slots, step: updates } = await optimizer.readState();
  if (updates !== step)
    throw new TranscriptError('program', `the optimizer applied ${updates} updates by step ${step}`);
  return { step, weights, slots };
}
