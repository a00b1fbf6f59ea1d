// Text to token sequences for byte-level datasets (docs/ml.md section 2, "Token datasets"). Pure:
// the converter and the baselines both build a split's stream with these functions, so what a
// model is scored on and what the baselines are scored on are the same bytes.
//
// A split's stream is its files in sorted path order, each followed by one separator byte. It is
// cut into windows of L + 1 tokens with stride L: consecutive windows share one token, so every
// byte after the first is a target exactly once, and the last window is padded up to L + 1.
import { ArenaError } from '../../errors.ts';

export class TextDatasetError extends ArenaError<'text-dataset'> {
  constructor(
    /** The source file's path, or '' for a problem with the whole input. */
    readonly path: string,
    readonly reason: string,
  ) {
    super('text-dataset', path === '' ? reason : `${path}: ${reason}`);
    this.name = 'TextDatasetError';
  }
}

export interface TextFile {
  /** Where the text comes from (what sorts the stream and names it in errors). */
  path: string;
  bytes: Uint8Array;
}

/** Code-unit order, the same on every platform (no locale). */
export function comparePaths(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/**
 * The files' bytes, each followed by `separator`, in sorted path order. Refuses duplicate paths
 * and any file that contains the separator byte itself (it would end a document early).
 */
export function textStream(files: readonly TextFile[], separator: number): Uint8Array {
  if (!Number.isInteger(separator) || separator < 0 || separator > 255)
    throw new TextDatasetError('', `the separator must be a byte (0..255), got ${separator}`);
  const sorted = [...files].sort((a, b) => comparePaths(a.path, b.path));
  let total = 0;
  for (let i = 0; i < sorted.length; i++) {
    const f = sorted[i]!;
    if (i > 0 && sorted[i - 1]!.path === f.path) throw new TextDatasetError(f.path, 'is listed twice');
    const at = f.bytes.indexOf(separator);
    if (at >= 0) throw new TextDatasetError(f.path, `contains the separator byte ${separator} at offset ${at}`);
    total += f.bytes.length + 1;
  }
  const out = new Uint8Array(total);
  let at = 0;
  for (const f of sorted) {
    out.set(f.bytes, at);
    at += f.bytes.length;
    out[at++] = separator;
  }
  return out;
}

/** Windows of L + 1 tokens with stride L that cover a stream of `length` tokens. */
export function windowCount(length: number, L: number): number {
  return length < 2 ? 0 : Math.ceil((length - 1) / L);
}

/**
 * The stream cut into windows of L + 1 tokens with stride L, back to back (what
 * `encodeTokenShardRaw` stores): window i is stream[iL .. iL + L], the last one padded with `pad`.
 */
export function sequenceWindows(stream: Uint8Array, L: number, pad: number): Uint8Array {
  if (!Number.isInteger(L) || L < 1) throw new TextDatasetError('', `the sequence length must be >= 1, got ${L}`);
  const n = windowCount(stream.length, L);
  if (n === 0) throw new TextDatasetError('', `a stream of ${stream.length} tokens has no next-token targets`);
  const out = new Uint8Array(n * (L + 1)).fill(pad);
  for (let i = 0; i < n; i++) out.set(stream.subarray(i * L, i * L + L + 1), i * (L + 1));
  return out;
}
