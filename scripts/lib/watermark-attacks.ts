// Weight surgery on a trained model for the watermark benchmark and tests: the changes a thief
// could make to move or remove v (docs/ml.md section 4, docs/bench/watermark.md). Pure
// functions over Float32Array weights in canonical parameter order; no tfjs.
import { Rng } from '../../src/lib/ml/rng.ts';
import { elementCount } from '../../src/lib/ml/spec/shapes.ts';
import type { ModelSpec, ParamShape, WatermarkRule, WatermarkSpec } from '../../src/lib/ml/spec/types.ts';
import { ownerBits } from '../../src/lib/ml/watermark/bits.ts';
import { extractV } from '../../src/lib/ml/watermark/extract.ts';
import { generateKey } from '../../src/lib/ml/watermark/key.ts';
import type { WatermarkKey } from '../../src/lib/ml/watermark/types.ts';

/** The benchmark's keys (owner, thief, wrong-i): generateKey fed by a seeded stream, so runs repeat. */
export function benchKey(T: number, N: number, label: string): WatermarkKey {
  const rng = Rng.seeded('bench-watermark/key', label);
  return generateKey(T, N, (bytes) => {
    for (let i = 0; i < bytes.length; i++) bytes[i] = rng.nextU32() & 0xff;
  });
}

/** A model's layout: the spec, its watermark and the index of the watermark kernel in params. */
export interface WeightsView {
  spec: ModelSpec;
  wm: WatermarkSpec;
  params: readonly ParamShape[];
  kernel: number;
}

/**
 * Entry k of v is the mean of the kernel values at index(k, m), m < size (docs/ml.md section 4): a
 * column (dense-column-mean) or a row of the [kh*kw*cin, filters] view (conv-filter-mean).
 */
export function ruleGroups(
  rule: WatermarkRule,
  shape: readonly number[],
): { size: number; index: (k: number, m: number) => number } {
  if (rule === 'dense-column-mean' || rule === 'mlp-column-mean') {
    const [rows, cols] = shape as [number, number];
    return { size: rows, index: (k, m) => m * cols + k };
  }
  const cols = shape.at(-1)!;
  return { size: cols, index: (k, m) => k * cols + m };
}

/**
 * Moves v to `target` with the least weighted change: dW at index(k, m) is proportional to
 * pref(k, m) (pref 1: the least change in L2 norm, a uniform shift of the group). `onChange`
 * sees every change (bias compensation).
 */
export function setV(
  ctx: WeightsView,
  weights: readonly Float32Array[],
  target: Float32Array,
  pref?: (k: number, m: number) => number,
  onChange?: (k: number, m: number, delta: number, out: Float32Array[]) => void,
): Float32Array[] {
  const out = weights.map((w) => new Float32Array(w));
  const shape = ctx.params[ctx.kernel]!.shape;
  const W = out[ctx.kernel]!;
  const g = ruleGroups(ctx.wm.rule, shape);
  const v = extractV(ctx.wm.rule, W, shape, ctx.wm.length);
  for (let k = 0; k < ctx.wm.length; k++) {
    // v_k is the group's mean: the changes must sum to size * (target - v).
    const total = (target[k]! - v[k]!) * g.size;
    let sum = 0;
    for (let m = 0; m < g.size; m++) sum += pref ? pref(k, m) : 1;
    for (let m = 0; m < g.size; m++) {
      const delta = (total * (pref ? pref(k, m) : 1)) / sum;
      W[g.index(k, m)]! += delta;
      onChange?.(k, m, delta, out);
    }
  }
  return out;
}

export function randomLike(v: Float32Array, label: string): Float32Array {
  const rng = Rng.seeded('bench-watermark/rerandomize', label);
  const r = new Float64Array(v.length);
  // Box-Muller: a Gaussian direction is uniform on the sphere.
  for (let i = 0; i < r.length; i++)
    r[i] = Math.sqrt(-2 * Math.log(1 - rng.nextFloat())) * Math.cos(2 * Math.PI * rng.nextFloat());
  const norm = Math.hypot(...v);
  const rn = Math.hypot(...r);
  return Float32Array.from(r, (x) => (x / rn) * norm);
}

/** Solves (A + lambda I) x = b for a symmetric positive semidefinite A (Cholesky, float64). */
export function solveSpd(A: Float64Array, n: number, b: Float64Array, lambda: number): Float64Array {
  const L = new Float64Array(n * n);
  for (let i = 0; i < n; i++) {
    for (let j = 0; j <= i; j++) {
      let s = A[i * n + j]! + (i === j ? lambda : 0);
      for (let p = 0; p < j; p++) s -= L[i * n + p]! * L[j * n + p]!;
      L[i * n + j] = i === j ? Math.sqrt(Math.max(s, 1e-300)) : s / L[j * n + j]!;
    }
  }
  const z = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    let s = b[i]!;
    for (let p = 0; p < i; p++) s -= L[i * n + p]! * z[p]!;
    z[i] = s / L[i * n + i]!;
  }
  const x = new Float64Array(n);
  for (let i = n - 1; i >= 0; i--) {
    let s = z[i]!;
    for (let p = i + 1; p < n; p++) s -= L[p * n + i]! * x[p]!;
    x[i] = s / L[i * n + i]!;
  }
  return x;
}

export interface LayerStats {
  /** Mean of each input feature of the watermark layer (channels for conv). */
  inMean: Float64Array;
  /** Variance of each input feature (dense only). */
  inVar: Float64Array;
  /** Input covariance [in, in] (dense only). */
  cov: Float64Array | null;
  /** Fraction of samples (and positions) on which each output unit is active. */
  active: Float64Array;
}

/**
 * The data-aware least-damage change that moves v to `target`, as a thief holding the training
 * data would make it; every changed unit's mean shift is absorbed by its bias.
 * - dense-column-mean (v_k = mean over inputs of unit k's weights): the change to unit k's
 *   weights that moves the mean with the least variance of its pre-activation, ~ (Cov + lambda
 *   I)^-1 1: inputs that are (nearly) always zero take it almost for free.
 * - conv-filter-mean (v_r = mean over filters of kernel row r): row r is fixed, so the change is
 *   split over filters in inverse proportion to how often each is active: dead filters take it.
 */
export function smartSetV(
  ctx: WeightsView,
  weights: readonly Float32Array[],
  target: Float32Array,
  lambdaRel: number,
  stats: LayerStats,
): Float32Array[] {
  const p = ctx.params[ctx.kernel]!;
  const biasIndex = ctx.kernel + 1;
  const inDim = p.shape.at(-2)!;
  if (ctx.wm.rule === 'dense-column-mean') {
    const d = inDim;
    let trace = 0;
    for (let i = 0; i < d; i++) trace += stats.cov![i * d + i]!;
    const a = solveSpd(stats.cov!, d, new Float64Array(d).fill(1), (lambdaRel * trace) / d);
    return setV(
      ctx,
      weights,
      target,
      (_k, m) => a[m]!,
      (k, m, delta, out) => {
        out[biasIndex]![k]! -= delta * stats.inMean[m]!;
      },
    );
  }
  return setV(
    ctx,
    weights,
    target,
    (_k, m) => 1 / Math.max(stats.active[m]!, lambdaRel),
    (k, m, delta, out) => {
      // Row k of the [*, units] view reads input feature k (conv: channel k % cin).
      out[biasIndex]![m]! -= delta * stats.inMean[k % inDim]!;
    },
  );
}

/**
 * Layers whose ReLU units a function-preserving symmetry can permute or rescale while moving v:
 * the watermark layer itself (v_k is a mean over its unit k's weights, or over its units) and the
 * weighted layer before it (its units are the watermark layer's inputs). Each with the power of
 * the unit scale that v follows (+1 or -1).
 */
export function symmetryLayers(ctx: WeightsView): { layer: number; power: 1 | -1 }[] {
  const wmLayer = ctx.params[ctx.kernel]!.layer;
  const out: { layer: number; power: 1 | -1 }[] = [];
  const relu = (l: number) => {
    const s = ctx.spec.layers[l]!;
    return (s.type === 'dense' || s.type === 'conv2d') && s.activation === 'relu';
  };
  if (relu(wmLayer)) out.push({ layer: wmLayer, power: 1 });
  const before = ctx.params.filter((q) => q.layer < wmLayer && q.name === 'kernel');
  if (before.length > 0 && relu(before.at(-1)!.layer)) out.push({ layer: before.at(-1)!.layer, power: -1 });
  return out;
}

/**
 * New unit u of `layer` = old unit perm[u] scaled by alpha[u]; the next weighted layer's inputs
 * follow (divided by alpha). Exact for a ReLU layer, with max-pooling, dropout or flatten between.
 */
export function transformUnits(
  ctx: WeightsView,
  weights: readonly Float32Array[],
  layer: number,
  perm: Uint32Array,
  alpha: Float64Array,
): Float32Array[] {
  const out = weights.map((w) => new Float32Array(w));
  const ki = ctx.params.findIndex((q) => q.layer === layer && q.name === 'kernel');
  const bi = ki + 1;
  const shape = ctx.params[ki]!.shape;
  const U = shape.at(-1)!;
  const rows = elementCount(shape) / U;
  const K = weights[ki]!;
  const B = weights[bi]!;
  for (let u = 0; u < U; u++) {
    const src = perm[u]!;
    for (let r = 0; r < rows; r++) out[ki]![r * U + u] = alpha[u]! * K[r * U + src]!;
    out[bi]![u] = alpha[u]! * B[src]!;
  }
  const ni = ctx.params.findIndex((q) => q.layer > layer && q.name === 'kernel');
  const nshape = ctx.params[ni]!.shape;
  const next = weights[ni]!;
  const cols = nshape.at(-1)!;
  // The next kernel viewed as [positions, U, cols]: a conv kernel's (kh, kw) or a dense layer's
  // flattened spatial positions (channels vary fastest in the flattened input).
  const positions = elementCount(nshape) / cols / U;
  for (let pos = 0; pos < positions; pos++) {
    for (let u = 0; u < U; u++) {
      const to = (pos * U + u) * cols;
      const from = (pos * U + perm[u]!) * cols;
      for (let c = 0; c < cols; c++) out[ni]![to + c] = next[from + c]! / alpha[u]!;
    }
  }
  return out;
}

export function unitCount(ctx: WeightsView, layer: number): number {
  return ctx.params.find((q) => q.layer === layer && q.name === 'kernel')!.shape.at(-1)!;
}

/**
 * The thief's cheapest theft when v moves with unit scales: positive scales that make the
 * thief's own key decode the thief's address, without changing the function. v is linear in
 * alpha^power (measured column by column), so this is hinge ascent on log-scales in [-3, 3].
 */
export function rescaleToEmbed(
  ctx: WeightsView,
  weights: readonly Float32Array[],
  sym: { layer: number; power: 1 | -1 },
  key: WatermarkKey,
  owner: string,
): Float32Array[] {
  const U = unitCount(ctx, sym.layer);
  const identity = Uint32Array.from({ length: U }, (_, i) => i);
  const T = ctx.wm.bits;
  const N = ctx.wm.length;
  const shape = ctx.params[ctx.kernel]!.shape;
  const v0 = extractV(ctx.wm.rule, weights[ctx.kernel]!, shape, N);
  // A[k][u] = dv_k for unit u's alpha^power going from 1 to 2.
  const A: Float64Array[] = [];
  for (let u = 0; u < U; u++) {
    const alpha = new Float64Array(U).fill(1);
    alpha[u] = 2 ** sym.power;
    const v = extractV(ctx.wm.rule, transformUnits(ctx, weights, sym.layer, identity, alpha)[ctx.kernel]!, shape, N);
    A.push(Float64Array.from(v, (x, k) => x - v0[k]!));
  }
  const y = ownerBits(owner, T);
  const sgn = (j: number, k: number) => (key.bits[j * N + k] === 1 ? 1 : -1);
  const beta = new Float64Array(U);
  const margin = ctx.wm.margin / ctx.wm.quantization.scale;
  for (let it = 0; it < 3000; it++) {
    // v(beta) = v0 + sum_u A_u (e^beta_u - 1)
    const v = Float64Array.from(v0);
    for (let u = 0; u < U; u++) {
      const f = Math.exp(beta[u]!) - 1;
      if (f !== 0) for (let k = 0; k < N; k++) v[k]! += A[u]![k]! * f;
    }
    const dir = new Float64Array(N);
    let violated = 0;
    for (let j = 0; j < T; j++) {
      const s = y[j] === 1 ? 1 : -1;
      let r = 0;
      for (let k = 0; k < N; k++) r += sgn(j, k) * v[k]!;
      if (s * r < margin) {
        violated++;
        for (let k = 0; k < N; k++) dir[k]! += s * sgn(j, k);
      }
    }
    if (violated === 0) break;
    const grad = Float64Array.from({ length: U }, (_, u) => {
      let g = 0;
      for (let k = 0; k < N; k++) g += dir[k]! * A[u]![k]!;
      return g * Math.exp(beta[u]!);
    });
    let gmax = 0;
    for (const g of grad) gmax = Math.max(gmax, Math.abs(g));
    if (gmax === 0) break;
    for (let u = 0; u < U; u++) beta[u] = Math.min(3, Math.max(-3, beta[u]! + (0.05 * grad[u]!) / gmax));
  }
  return transformUnits(
    ctx,
    weights,
    sym.layer,
    identity,
    Float64Array.from(beta, (b) => Math.exp(b * sym.power)),
  );
}

export function prune(
  ctx: WeightsView,
  weights: readonly Float32Array[],
  fraction: number,
  scope: 'model' | 'layer',
): Float32Array[] {
  const out = weights.map((w) => new Float32Array(w));
  const chosen = ctx.params
    .map((q, i) => (scope === 'layer' ? i === ctx.kernel : q.shape.length >= 2))
    .map((c, i) => (c ? i : -1))
    .filter((i) => i >= 0);
  const all = Float32Array.from(chosen.flatMap((i) => Array.from(weights[i]!, Math.abs)));
  all.sort();
  const cut = all[Math.min(all.length - 1, Math.floor(fraction * all.length))]!;
  for (const i of chosen) {
    const w = out[i]!;
    for (let j = 0; j < w.length; j++) if (Math.abs(w[j]!) < cut) w[j] = 0;
  }
  return out;
}
