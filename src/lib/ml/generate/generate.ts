// Completing a prompt with a next-token model over bytes (the app's "try the model" box, in a
// worker). Each new byte is one forward pass over the last L bytes (no key/value cache: L is small
// and the pass is the one training uses, so generation needs no second implementation of the
// layers). The context sits at positions 0..m-1 and the next byte is read at position m-1; what
// follows in the input is padding the causal blocks never let position m-1 see.
import { tf } from '../backend/tf.ts';
import { GenerateError } from '../errors.ts';
import type { Model } from '../model/model.ts';
import { Rng, type SeedPart } from '../rng.ts';
import { isTokenModel } from '../spec/output.ts';
import { yieldToEventLoop } from '../train/control.ts';
import { pickToken } from './sample.ts';

export { GenerateError };

/** The byte a context starts from when the prompt is empty: the corpus's file separator. */
export const START_BYTE = 0;
export const MAX_NEW_BYTES = 65536;

export interface GenerateOptions {
  /** Bytes to add, 1..65536. */
  maxNewBytes: number;
  /** 0 (default): greedy. Above 0: sampled at this temperature (at most 10). */
  temperature?: number;
  /** With sampling: only among the k most likely bytes (1..256). */
  topK?: number;
  /** Seeds the sampler (default 0): the same seed, model and backend give the same bytes. */
  seed?: SeedPart;
  /** Stop after generating this byte (it is included), e.g. 0, the end of a file. */
  stopByte?: number;
  /** Aborting stops before the next byte; the bytes so far are returned. */
  signal?: AbortSignal;
  /** Each new byte as it is chosen. */
  onByte?: (byte: number) => void;
}

export interface Generated {
  /** The new bytes (without the prompt). */
  bytes: Uint8Array;
  /** Why it stopped. */
  stop: 'length' | 'stopByte' | 'aborted';
}

function check(model: Model, o: GenerateOptions): { temperature: number } {
  const spec = model.spec;
  if (!isTokenModel(spec) || spec.output.tokens !== 256)
    throw new GenerateError(
      `generation completes bytes: it needs a next-token model over 256 tokens, "${spec.name}" has ${isTokenModel(spec) ? `${spec.output.tokens} tokens` : 'classes'}`,
    );
  if (!Number.isInteger(o.maxNewBytes) || o.maxNewBytes < 1 || o.maxNewBytes > MAX_NEW_BYTES)
    throw new GenerateError(`maxNewBytes must be an integer in 1..${MAX_NEW_BYTES}, got ${o.maxNewBytes}`);
  const temperature = o.temperature ?? 0;
  if (!Number.isFinite(temperature) || temperature < 0 || temperature > 10)
    throw new GenerateError(`temperature must be in [0, 10] (0 is greedy), got ${temperature}`);
  if (o.topK !== undefined && (!Number.isInteger(o.topK) || o.topK < 1 || o.topK > 256))
    throw new GenerateError(`topK must be an integer in 1..256, got ${o.topK}`);
  if (o.stopByte !== undefined && (!Number.isInteger(o.stopByte) || o.stopByte < 0 || o.stopByte > 255))
    throw new GenerateError(`stopByte must be a byte (0..255), got ${o.stopByte}`);
  return { temperature };
}

/** Completes `prompt` with `model` (a next-token model over bytes), byte by byte. */
export async function generate(model: Model, prompt: Uint8Array, options: GenerateOptions): Promise<Generated> {
  const { temperature } = check(model, options);
  const L = model.spec.input.shape[0]!;
  const rng = Rng.seeded(options.seed ?? 0, 'generate');
  const settings = { temperature, ...(options.topK !== undefined ? { topK: options.topK } : {}) };
  // Everything so far; the model sees its last L bytes.
  const text = prompt.length > 0 ? Array.from(prompt) : [START_BYTE];
  const out: number[] = [];
  const input = new Int32Array(L);
  let stop: Generated['stop'] = 'length';
  while (out.length < options.maxNewBytes) {
    if (options.signal?.aborted) {
      stop = 'aborted';
      break;
    }
    const context = text.slice(-L);
    input.fill(START_BYTE);
    input.set(context);
    const at = context.length - 1;
    const row = tf.tidy(() => tf.slice(model.apply(tf.tensor2d(input, [1, L], 'int32')), [0, at, 0], [1, 1, 256]));
    let logits: Float32Array;
    try {
      logits = (await row.data()) as Float32Array;
    } finally {
      row.dispose();
    }
    const next = pickToken(logits, settings, rng);
    text.push(next);
    out.push(next);
    options.onByte?.(next);
    if (next === options.stopByte) {
      stop = 'stopByte';
      break;
    }
    // Lets an abort (a message to the worker) in between bytes.
    await yieldToEventLoop();
  }
  return { bytes: Uint8Array.from(out), stop };
}
