// Baselines for byte-level next-token models, in bits per byte (docs/bench/lm-baselines.md):
// byte n-gram models fitted on a token dataset's sequences, and general-purpose compressors.
//
// "Order n" means an n-gram: the next byte given the previous n - 1 bytes (order 1: no context,
// order 2: the previous byte). A model of order n is scored on exactly the targets a sequence
// model is (docs/ml.md section 2): in each window of L + 1 tokens, targets 1..L, each with the
// bytes before it *in the same window* as its context; where fewer than n - 1 are there (the
// first targets of a window) the model of the order that context allows answers.
//
// Smoothing: interpolated absolute discounting (Kneser-Ney's interpolation, without its
// continuation counts), one discount D_n in (0, 1] per order, down to the uniform distribution:
//
//   P_0(b)     = 1/256
//   P_n(b | h) = (max(c(h b) - D_n, 0) + D_n * u(h) * P_{n-1}(b | h')) / c(h)    when c(h) > 0
//   P_n(b | h) = P_{n-1}(b | h')                                                  when c(h) = 0
//
// with h the previous n - 1 bytes, h' = h without its oldest byte, c the training counts and u(h)
// the number of distinct bytes seen after h. Counts are integers, so with D_n <= 1 the
// discounted mass is exactly D_n * u(h) and every P_n sums to 1 over the 256 bytes.
import { execFileSync } from 'node:child_process';
import { gzipSync } from 'node:zlib';

export const VOCAB = 256;
/** Tables hold 256^n counts; order 3 is 16.8 M counts (64 MiB), which is where this stops. */
export const MAX_ORDER = 3;

/** Counts of one order: `counts[h * 256 + b]`, `totals[h]` = c(h), `distinct[h]` = u(h). */
export interface OrderCounts {
  order: number;
  counts: Uint32Array;
  totals: Float64Array;
  distinct: Uint32Array;
}

/** The n-gram counts of every order 1..maxOrder, from windows of L + 1 tokens. */
export function countNgrams(windows: Uint8Array, L: number, maxOrder: number): OrderCounts[] {
  checkWindows(windows, L);
  if (!Number.isInteger(maxOrder) || maxOrder < 1 || maxOrder > MAX_ORDER)
    throw new RangeError(`order must be an integer in 1..${MAX_ORDER}, got ${maxOrder}`);
  const out: OrderCounts[] = [];
  for (let n = 1; n <= maxOrder; n++) {
    const contexts = VOCAB ** (n - 1);
    const c: OrderCounts = {
      order: n,
      counts: new Uint32Array(contexts * VOCAB),
      totals: new Float64Array(contexts),
      distinct: new Uint32Array(contexts),
    };
    forEachTarget(windows, L, n, (h, b, have) => {
      if (have < n - 1) return; // this target's context is shorter: a lower order counts it
      const i = h * VOCAB + b;
      if (c.counts[i] === 0) c.distinct[h]!++;
      c.counts[i]!++;
      c.totals[h]!++;
    });
    out.push(c);
  }
  return out;
}

/**
 * Calls `visit(h, b, have)` for every target: b the target, `have` the context bytes the window
 * holds before it (capped at n - 1), h those bytes as a base-256 number, oldest first.
 */
function forEachTarget(
  windows: Uint8Array,
  L: number,
  n: number,
  visit: (h: number, b: number, have: number) => void,
): void {
  const per = L + 1;
  for (let w = 0; w < windows.length; w += per) {
    for (let j = 1; j <= L; j++) {
      const have = Math.min(n - 1, j);
      let h = 0;
      for (let k = j - have; k < j; k++) h = h * VOCAB + windows[w + k]!;
      visit(h, windows[w + j]!, have);
    }
  }
}

function checkWindows(windows: Uint8Array, L: number): void {
  if (!Number.isInteger(L) || L < 1) throw new RangeError(`L must be a positive integer, got ${L}`);
  if (windows.length === 0 || windows.length % (L + 1) !== 0)
    throw new RangeError(`windows: expected a positive multiple of L + 1 = ${L + 1} tokens, got ${windows.length}`);
}

export interface NgramModel {
  order: number;
  /** D_1 .. D_order. */
  discounts: readonly number[];
  /** P(b | context): the last min(order - 1, context.length) bytes of `context` are used. */
  prob(context: ArrayLike<number>, b: number): number;
}

/** The smoothed model of order `discounts.length` over these counts (orders 1.. at least that). */
export function ngramModel(counts: readonly OrderCounts[], discounts: readonly number[]): NgramModel {
  const order = discounts.length;
  if (order < 1 || order > counts.length)
    throw new RangeError(`a model of order ${order} needs counts of orders 1..${order}, got ${counts.length}`);
  for (const [i, d] of discounts.entries()) {
    if (!(d > 0 && d <= 1)) throw new RangeError(`discount D_${i + 1} must be in (0, 1], got ${d}`);
  }
  return {
    order,
    discounts,
    prob(context, b) {
      const have = Math.min(order - 1, context.length);
      let p = 1 / VOCAB;
      // From order 1 up to the longest context available, each order interpolating the one below.
      for (let n = 1; n <= have + 1; n++) {
        let h = 0;
        for (let k = context.length - (n - 1); k < context.length; k++) h = h * VOCAB + context[k]!;
        p = interpolate(counts[n - 1]!, discounts[n - 1]!, h, b, p);
      }
      return p;
    },
  };
}

function interpolate(c: OrderCounts, d: number, h: number, b: number, lower: number): number {
  const total = c.totals[h]!;
  if (total === 0) return lower;
  return (Math.max(c.counts[h * VOCAB + b]! - d, 0) + d * c.distinct[h]! * lower) / total;
}

export interface Score {
  /** Sum of -log2 P over the targets. */
  bits: number;
  targets: number;
  bitsPerByte: number;
}

/**
 * The order-n probability of every target of `windows` (in window order), given the order-(n-1)
 * probabilities `lower` of the same targets (all 1/256 for n = 1). Targets whose window holds
 * fewer than n - 1 context bytes keep their lower-order probability.
 */
export function orderProbabilities(
  windows: Uint8Array,
  L: number,
  c: OrderCounts,
  d: number,
  lower: Float64Array | null,
): Float64Array {
  checkWindows(windows, L);
  const n = c.order;
  const out = new Float64Array((windows.length / (L + 1)) * L);
  let t = 0;
  forEachTarget(windows, L, n, (h, b, have) => {
    const low = lower === null ? 1 / VOCAB : lower[t]!;
    out[t++] = have < n - 1 ? low : interpolate(c, d, h, b, low);
  });
  return out;
}

export function scoreOf(probs: Float64Array): Score {
  let bits = 0;
  for (const p of probs) bits -= Math.log2(p);
  return { bits, targets: probs.length, bitsPerByte: bits / probs.length };
}

/** The discounts tried when tuning: 0.02, 0.04, ..., 1. */
export const DISCOUNT_GRID: readonly number[] = Array.from({ length: 50 }, (_, i) => (i + 1) / 50);

export interface Tuned {
  /** D_1 .. D_maxOrder, each the grid value that minimised bits on the tuning windows. */
  discounts: number[];
  /** Bits per byte on the tuning windows of the model of each order 1..maxOrder. */
  tuningBitsPerByte: number[];
}

/**
 * Tunes the discounts order by order on `tune` windows (D_1 first, then D_2 with D_1 fixed, ...):
 * the held-out split the baselines are allowed to look at, never the one they are scored on.
 */
export function tuneDiscounts(
  counts: readonly OrderCounts[],
  tune: Uint8Array,
  L: number,
  grid: readonly number[] = DISCOUNT_GRID,
): Tuned {
  const discounts: number[] = [];
  const tuningBitsPerByte: number[] = [];
  let lower: Float64Array | null = null;
  for (const c of counts) {
    let best: { d: number; probs: Float64Array; bpb: number } | null = null;
    for (const d of grid) {
      const probs = orderProbabilities(tune, L, c, d, lower);
      const bpb = scoreOf(probs).bitsPerByte;
      if (best === null || bpb < best.bpb) best = { d, probs, bpb };
    }
    if (best === null) throw new RangeError('the discount grid is empty');
    discounts.push(best.d);
    tuningBitsPerByte.push(best.bpb);
    lower = best.probs;
  }
  return { discounts, tuningBitsPerByte };
}

/** Scores of the models of orders 1..discounts.length on `windows`, each order with its tuned D. */
export function scoreOrders(
  counts: readonly OrderCounts[],
  discounts: readonly number[],
  windows: Uint8Array,
  L: number,
): Score[] {
  const out: Score[] = [];
  let lower: Float64Array | null = null;
  for (const [i, d] of discounts.entries()) {
    lower = orderProbabilities(windows, L, counts[i]!, d, lower);
    out.push(scoreOf(lower));
  }
  return out;
}

/** Compressed size in bytes under one compressor. */
export type Compressor = (bytes: Uint8Array) => number;

/** Node's zlib, gzip framing, level 9 (no file name, zero mtime). */
export const zlibGzip9: Compressor = (bytes) => gzipSync(bytes, { level: 9 }).length;

/** A command that reads stdin and writes the compressed bytes to stdout. */
export function commandCompressor(command: string, args: readonly string[]): Compressor {
  return (bytes) => execFileSync(command, args, { input: bytes, maxBuffer: 1 << 30 }).length;
}

/** `gzip -9 -n -c`: level 9, no name or timestamp in the header. */
export const gzip9 = commandCompressor('gzip', ['-9', '-n', '-c']);
/** `xz -9 -T1 -c`: preset 9, one thread (a multi-threaded xz cuts blocks differently). */
export const xz9 = commandCompressor('xz', ['-9', '-T1', '-c']);

export interface CompressionScore {
  /** 8 * compressed bytes in all, per input byte. */
  bitsPerByte: number;
  /** The mean over the inputs of each one's bits per byte (small files weigh as much as large). */
  meanPerInput: number;
  inputs: number;
  inputBytes: number;
  compressedBytes: number;
}

/** Each input compressed on its own. */
export function compressEach(inputs: readonly Uint8Array[], compress: Compressor): CompressionScore {
  let inputBytes = 0;
  let compressedBytes = 0;
  let ratios = 0;
  for (const b of inputs) {
    if (b.length === 0) throw new RangeError('an empty input has no bits per byte');
    const c = compress(b);
    inputBytes += b.length;
    compressedBytes += c;
    ratios += (8 * c) / b.length;
  }
  return {
    bitsPerByte: (8 * compressedBytes) / inputBytes,
    meanPerInput: ratios / inputs.length,
    inputs: inputs.length,
    inputBytes,
    compressedBytes,
  };
}
