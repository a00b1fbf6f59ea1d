// Dropout masks come from the run's seeded generator, one stream per (step, layer), so a run
// resumed from a checkpoint draws exactly the masks the uninterrupted run drew, and no mask
// state needs saving.
import { Rng, type SeedPart } from '../rng.ts';

/** Inverted-dropout mask: 0 for a dropped unit, 1/(1-rate) for a kept one. */
export function dropoutMask(seed: SeedPart, step: number, layer: number, size: number, rate: number): Float32Array {
  const mask = new Float32Array(size);
  const rng = Rng.seeded(seed, 'dropout', step, layer);
  // Compare raw 32-bit draws with the threshold: one draw per unit instead of two for a float.
  const threshold = Math.floor(rate * 2 ** 32);
  const keep = 1 / (1 - rate);
  for (let i = 0; i < size; i++) mask[i] = rng.nextU32() >= threshold ? keep : 0;
  return mask;
}
