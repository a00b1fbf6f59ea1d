// A training checkpoint: everything a run needs to continue exactly where it stood. Plain data
// (typed arrays, numbers, strings) so IndexedDB and postMessage store and move it as is.
import type { LoaderPosition } from '../data/types.ts';
import type { OptimizerSpec } from '../spec/types.ts';
import type { OptimizerState } from './optimizer.ts';
import { ArenaError } from '../../errors.ts';

export const CHECKPOINT_FORMAT = 'aiarena-train-checkpoint';
export const CHECKPOINT_VERSION = 1;

export interface TrainCheckpoint {
  format: typeof CHECKPOINT_FORMAT;
  version: typeof CHECKPOINT_VERSION;
  /** Spec name and parameter count: a cheap guard against resuming another model. */
  model: { name: string; paramCount: number };
  seed: number;
  /** The effective hyperparameters (spec defaults with local overrides applied). */
  hyper: OptimizerSpec;
  /** Backend the run was on: resuming elsewhere continues correctly but not bit for bit. */
  backend: string;
  /** Steps done so far (global). */
  step: number;
  /** Epoch in progress. */
  epoch: number;
  /** Loader position inside `epoch` after the last batch trained. */
  position: LoaderPosition;
  samplesSeen: number;
  weights: Float32Array[];
  optimizer: OptimizerState;
  /** Last reported window averages, for display after a reload. */
  last?: { loss: number; accuracy: number; penalty: number };
  savedAt: number;
}

export class CheckpointError extends ArenaError<'checkpoint'> {
  constructor(message: string) {
    super('checkpoint', message);
    this.name = 'CheckpointError';
  }
}

/**
 * Throws CheckpointError unless `c` is a checkpoint of this model with these hyperparameters.
 * The epoch count may differ: each epoch's order depends only on (seed, epoch) and the learning
 * rate has no schedule, so a finished run extended by k epochs equals a run of E + k from the
 * start (how a client keeps training until its watermark decodes with margin).
 */
export function checkCheckpoint(
  c: TrainCheckpoint,
  model: { name: string; paramCount: number },
  hyper: OptimizerSpec,
): void {
  if (c.format !== CHECKPOINT_FORMAT || c.version !== CHECKPOINT_VERSION) {
    throw new CheckpointError(`not a ${CHECKPOINT_FORMAT} v${CHECKPOINT_VERSION} checkpoint`);
  }
  if (c.model.name !== model.name || c.model.paramCount !== model.paramCount) {
    throw new CheckpointError(
      `the checkpoint is of ${c.model.name} (${c.model.paramCount} parameters), not ${model.name} (${model.paramCount})`,
    );
  }
  for (const key of ['name', 'learningRate', 'momentum', 'batchSize'] as const) {
    if (c.hyper[key] !== hyper[key]) {
      throw new CheckpointError(
        `the checkpoint was trained with ${key} = ${c.hyper[key]}, this run asks for ${hyper[key]}`,
      );
    }
  }
}
