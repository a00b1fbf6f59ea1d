// conv2d, maxPool and embedding lookup with backward passes built from forward ops, for backends
// whose backward kernels are missing, wrong or slow. tfjs-backend-wasm 4.22 registers no
// Conv2DBackpropFilter and no UnsortedSegmentSum (gather's gradient), so a conv net or an
// embedding cannot train there at all with tfjs's own gradients; its MaxPoolGrad drops the
// gradient of every window whose values are all negative (it starts the running max at 0, it
// seems: a [-0.95, -0.85, -0.41, -0.85] window routes nothing to -0.41), and its
// Conv2DBackpropInput is ~10x slower than its XNNPACK forward conv, and its BatchMatMul is ~7x
// slower with a transpose flag set than a plain product after an explicit transpose (the flags
// are how tfjs writes every matMul gradient). The replacements:
//
//   matMul grads        dA = dY B^T, dB = A^T dY with the transposes as separate Transpose ops.
//   conv2d filter grad  dW[i,j,ci,co] = sum_{b,y,x} xp[b, y*s+i, x*s+j, ci] dy[b,y,x,co]: a conv
//                       of the padded input with the batch as its channel axis ([ci, Hp, Wp, b])
//                       and dy as the filter ([oh, ow, b, co]), dilation s, giving [ci, k, k, co].
//   conv2d input grad   the transposed conv written as a forward conv: dy dilated by s (zeros
//                       between rows and columns), padded by k-1-pad, convolved with the kernel
//                       rotated 180 degrees and its channel axes swapped.
//   maxPool grad        each output's gradient goes to the first maximum of its window in
//                       row-major window order (arg-max over the k*k window slices), which is the
//                       tie rule of tfjs's cpu MaxPoolGrad and of TensorFlow; padding is -Infinity
//                       so it never wins. Deterministic: ties never split or depend on timing.
//   gather grad         scatterND of dy rows to their token ids (duplicates are summed, in index
//                       order, so the sum is deterministic).
//
// All of these use only kernels every backend has (Conv2D with dilations, Pad, Reshape,
// Transpose, Reverse, StridedSlice, ArgMax, OneHot, ScatterNd, AddN). Which path an op takes is
// decided per backend by measurement (docs/bench/train.md): on wasm all three, on cpu the conv
// filter gradient (its native one is a scalar loop, ~9x slower than this conv), elsewhere the
// native kernels. A backend without the native kernel always takes ours.
import { tf, type Tensor } from '../backend/tf.ts';
import type { Padding } from '../spec/types.ts';

export type GradOp = 'matMul' | 'convFilter' | 'convInput' | 'maxPool' | 'gather';
export type GradPath = 'native' | 'ops';
/**
 * `auto`: the per-backend choice below. `ops`: ours everywhere. `tfjs`: tfjs's own gradients
 * everywhere, even where the backend lacks the kernel (how the engine trained before; benchmarks
 * and tests compare against it).
 */
export type GradMode = 'auto' | 'ops' | 'tfjs';

const BACKWARD_KERNEL: Record<GradOp, string> = {
  matMul: 'BatchMatMul',
  convFilter: 'Conv2DBackpropFilter',
  convInput: 'Conv2DBackpropInput',
  maxPool: 'MaxPoolGrad',
  gather: 'UnsortedSegmentSum',
};

// Measured on a 2-core x86 machine, batch 64 of the fashion-cnn layers (docs/bench/train.md).
const PREFERRED: Record<string, Partial<Record<GradOp, GradPath>>> = {
  wasm: { matMul: 'ops', convFilter: 'ops', convInput: 'ops', maxPool: 'ops', gather: 'ops' },
  cpu: { convFilter: 'ops' },
};

let mode: GradMode = 'auto';

/** Sets the gradient mode for the ops built from now on. */
export function setGradMode(next: GradMode): void {
  mode = next;
}

export function gradMode(): GradMode {
  return mode;
}

/** The path `op`'s gradient takes on the active backend. */
export function gradPath(op: GradOp): GradPath {
  if (mode !== 'auto') return mode === 'tfjs' ? 'native' : 'ops';
  const backend = tf.getBackend();
  if (tf.getKernel(BACKWARD_KERNEL[op], backend) === undefined) return 'ops';
  return PREFERRED[backend]?.[op] ?? 'native';
}

/** Padding before and after along one axis, as tfjs computes it for conv and pool layers. */
function padAmounts(
  size: number,
  k: number,
  s: number,
  padding: Padding,
): { out: number; before: number; after: number } {
  if (padding === 'valid') {
    const out = Math.floor((size - k) / s) + 1;
    // Rows past the last window are never read: a negative "after" crops them.
    return { out, before: 0, after: (out - 1) * s + k - size };
  }
  const out = Math.ceil(size / s);
  const total = Math.max((out - 1) * s + k - size, 0);
  const before = Math.floor(total / 2);
  return { out, before, after: total - before };
}

/** Pads (or, for negative amounts, crops) the two spatial axes of an NHWC tensor. */
function padSpatial(x: Tensor, top: number, bottom: number, left: number, right: number, value = 0): Tensor {
  let t = x;
  if (top < 0 || bottom < 0 || left < 0 || right < 0) {
    const [b, h, w, c] = t.shape as [number, number, number, number];
    const [ct, cb, cl, cr] = [top, bottom, left, right].map((n) => Math.max(-n, 0)) as [number, number, number, number];
    t = tf.slice(t, [0, ct, cl, 0], [b, h - ct - cb, w - cl - cr, c]);
  }
  const [pt, pb, pl, pr] = [top, bottom, left, right].map((n) => Math.max(n, 0)) as [number, number, number, number];
  if (pt + pb + pl + pr === 0) return t;
  return tf.pad(
    t,
    [
      [0, 0],
      [pt, pb],
      [pl, pr],
      [0, 0],
    ],
    value,
  );
}

/** [b, h, w, c] -> [b, (h-1)s+1, (w-1)s+1, c] with s-1 zeros between neighbours. */
function dilate(x: Tensor, s: number): Tensor {
  if (s === 1) return x;
  const [b, h, w, c] = x.shape as [number, number, number, number];
  const spread = tf.pad(tf.reshape(x, [b, h, 1, w, 1, c]), [
    [0, 0],
    [0, 0],
    [0, s - 1],
    [0, 0],
    [0, s - 1],
    [0, 0],
  ]);
  return tf.slice(tf.reshape(spread, [b, h * s, w * s, c]), [0, 0, 0, 0], [b, (h - 1) * s + 1, (w - 1) * s + 1, c]);
}

function convFilterGrad(x: Tensor, dy: Tensor, k: number, s: number, padding: Padding): Tensor {
  const [, h, w] = x.shape as [number, number, number, number];
  const ph = padAmounts(h, k, s, padding);
  const pw = padAmounts(w, k, s, padding);
  const xp = padSpatial(x, ph.before, ph.after, pw.before, pw.after);
  const input = tf.transpose(xp, [3, 1, 2, 0]) as tf.Tensor4D; // [ci, Hp, Wp, b]
  const filter = tf.transpose(dy, [1, 2, 0, 3]) as tf.Tensor4D; // [oh, ow, b, co]
  // Hp = (oh-1)s + k exactly, so the valid conv is k x k.
  const out = tf.conv2d(input, filter, 1, 'valid', 'NHWC', s); // [ci, k, k, co]
  return tf.transpose(out, [1, 2, 0, 3]);
}

function convInputGrad(dy: Tensor, kernel: Tensor, xShape: readonly number[], s: number, padding: Padding): Tensor {
  const k = kernel.shape[0]!;
  const [, h, w] = xShape as [number, number, number, number];
  const ph = padAmounts(h, k, s, padding);
  const pw = padAmounts(w, k, s, padding);
  const d = dilate(dy, s);
  // Full correlation of the dilated dy with the rotated kernel covers the padded input; the pads
  // below land it exactly on the unpadded one (a negative amount crops).
  const [, dh, dw] = d.shape as [number, number, number, number];
  const top = k - 1 - ph.before;
  const left = k - 1 - pw.before;
  const padded = padSpatial(d, top, h + k - 1 - top - dh, left, w + k - 1 - left - dw);
  const rotated = tf.transpose(tf.reverse(kernel, [0, 1]), [0, 1, 3, 2]) as tf.Tensor4D; // [k, k, co, ci]
  return tf.conv2d(padded as tf.Tensor4D, rotated, 1, 'valid');
}

function nativeConvFilterGrad(x: Tensor, dy: Tensor, filterShape: number[], s: number, padding: Padding): Tensor {
  const attrs = { strides: s, pad: padding, dataFormat: 'NHWC', filterShape };
  return tf.engine().runKernel('Conv2DBackpropFilter', { x, dy }, attrs as unknown as tf.NamedAttrMap) as Tensor;
}

/**
 * An op with our gradient: `value` of the inputs; `grad` gets dy and the tensors `keep` chose
 * (the tape keeps those past the forward scope, which frees everything else it made).
 */
function withGrad(
  inputs: Tensor[],
  keep: Tensor[],
  value: (xs: Tensor[]) => Tensor,
  grad: (dy: Tensor, kept: Tensor[]) => Tensor[],
): Tensor {
  const f = tf.customGrad((...args: (Tensor | tf.GradSaveFunc)[]) => {
    const save = args.pop() as tf.GradSaveFunc;
    save(keep);
    return { value: value(args as Tensor[]), gradFunc: grad };
  });
  return f(...inputs);
}

const swapLast = (t: Tensor): Tensor => {
  const perm = t.shape.map((_, i) => i);
  perm.push(...perm.splice(-2).reverse());
  return tf.transpose(t, perm);
};

/**
 * a @ b (b^T with `transposeB`) over the last two axes, any equal leading batch axes. `aGrad`:
 * whether a's gradient is used (not for a first layer's input).
 */
export function matMul(a: Tensor, b: Tensor, transposeB = false, aGrad = true): Tensor {
  if (gradPath('matMul') === 'native') return tf.matMul(a, b, false, transposeB);
  // b^T as its own op: its gradient is a transpose, which is fast everywhere.
  const w = transposeB ? swapLast(b) : b;
  if (!aGrad)
    return withGrad(
      [w],
      [a],
      ([ws]) => tf.matMul(a, ws!),
      (dy, [as]) => [tf.matMul(swapLast(as!), dy)],
    );
  return withGrad(
    [a, w],
    [a, w],
    ([as, ws]) => tf.matMul(as!, ws!),
    (dy, [as, ws]) => [tf.matMul(dy, swapLast(ws!)), tf.matMul(swapLast(as!), dy)],
  );
}

/**
 * tf.conv2d whose gradient every backend can compute. `inputGrad`: whether anything before the
 * layer is trainable; the first layer's input gradient is never needed, and customGrad computes
 * every input's gradient it is given, so the input then stays out of it.
 */
export function conv2d(x: Tensor, kernel: Tensor, strides: number, padding: Padding, inputGrad: boolean): Tensor {
  const filterPath = gradPath('convFilter');
  const inputPath = gradPath('convInput');
  if (filterPath === 'native' && (inputPath === 'native' || !inputGrad))
    return tf.conv2d(x as tf.Tensor4D, kernel as tf.Tensor4D, strides, padding);
  const k = kernel.shape[0]!;
  const dFilter = (xs: Tensor, dy: Tensor) =>
    filterPath === 'ops'
      ? convFilterGrad(xs, dy, k, strides, padding)
      : nativeConvFilterGrad(xs, dy, kernel.shape, strides, padding);
  const dInput = (dy: Tensor, w: Tensor) =>
    inputPath === 'ops'
      ? convInputGrad(dy, w, x.shape, strides, padding)
      : tf.conv2dTranspose(
          dy as tf.Tensor4D,
          w as tf.Tensor4D,
          x.shape as [number, number, number, number],
          strides,
          padding,
        );
  const conv = ([xs, w]: Tensor[]) => tf.conv2d(xs as tf.Tensor4D, w as tf.Tensor4D, strides, padding);
  if (!inputGrad)
    return withGrad(
      [kernel],
      [x],
      (ws) => conv([x, ws[0]!]),
      (dy, [xs]) => [dFilter(xs!, dy)],
    );
  return withGrad([x, kernel], [x, kernel], conv, (dy, [xs, w]) => [dInput(dy, w!), dFilter(xs!, dy)]);
}

function maxPoolGrad(x: Tensor, dy: Tensor, k: number, s: number, padding: Padding): Tensor {
  const [b, h, w, c] = x.shape as [number, number, number, number];
  const ph = padAmounts(h, k, s, padding);
  const pw = padAmounts(w, k, s, padding);
  const [oh, ow] = [ph.out, pw.out];
  const [hp, wp] = [(oh - 1) * s + k, (ow - 1) * s + k];
  const [dh, dw] = [(oh - 1) * s + 1, (ow - 1) * s + 1];
  // -Infinity padding never wins a window; the amounts make the input exactly hp x wp.
  const xp = padSpatial(x, ph.before, ph.after, pw.before, pw.after, -Infinity);
  // Each window's k*k values in row-major window order, one row per (b, oh, ow, c).
  let windows: Tensor;
  if (s === k) {
    // Windows tile the input: a reshape and one transpose (strided slices and a stack cost ~6x
    // more on wasm).
    windows = tf.reshape(tf.transpose(tf.reshape(xp, [b, oh, k, ow, k, c]), [0, 1, 3, 5, 2, 4]), [-1, k * k]);
  } else {
    const parts: Tensor[] = [];
    for (let i = 0; i < k; i++) {
      for (let j = 0; j < k; j++) parts.push(tf.stridedSlice(xp, [0, i, j, 0], [b, i + dh, j + dw, c], [1, s, s, 1]));
    }
    windows = tf.reshape(tf.stack(parts, 4), [-1, k * k]);
  }
  // argMax returns the first maximum: a tie goes to the earliest window position. (A 1x1 window
  // has nothing to choose, and oneHot wants a depth of 2 or more.)
  const column = tf.reshape(dy, [-1, 1]);
  const routed = k === 1 ? column : tf.mul(tf.oneHot(tf.argMax(windows, 1), k * k), column); // [b*oh*ow*c, k*k]
  let dxp: Tensor;
  if (s === k) {
    dxp = tf.reshape(tf.transpose(tf.reshape(routed, [b, oh, ow, c, k, k]), [0, 1, 4, 2, 5, 3]), [b, hp, wp, c]);
  } else {
    // Window position (i, j) of output (y, x) is input (y*s+i, x*s+j): spread each position's
    // values s apart, shift them by (i, j), and sum the k*k layers.
    const layers = tf.unstack(tf.reshape(routed, [b, oh, ow, c, k * k]), 4);
    dxp = tf.addN(
      layers.map((layer, n) =>
        padSpatial(dilate(layer, s), Math.floor(n / k), hp - Math.floor(n / k) - dh, n % k, wp - (n % k) - dw),
      ),
    );
  }
  // Undo the padding: crop what was added, zero rows for input the windows never read.
  return padSpatial(dxp, -ph.before, -ph.after, -pw.before, -pw.after);
}

/** tf.maxPool with the gradient rule above where the backend's own is missing or wrong. */
export function maxPool(x: Tensor, k: number, strides: number, padding: Padding): Tensor {
  if (gradPath('maxPool') === 'native') return tf.maxPool(x as tf.Tensor4D, k, strides, padding);
  return withGrad(
    [x],
    [x],
    ([xs]) => tf.maxPool(xs as tf.Tensor4D, k, strides, padding),
    (dy, [xs]) => [maxPoolGrad(xs!, dy, k, strides, padding)],
  );
}

/** Rows of `table` [vocab, dim] for integer `ids` [...]: [..., dim]. */
export function embeddingLookup(table: Tensor, ids: Tensor): Tensor {
  if (gradPath('gather') === 'native') return tf.gather(table, ids);
  const [vocab, dim] = table.shape as [number, number];
  return withGrad(
    [table],
    [ids],
    ([t]) => tf.gather(t!, ids),
    (dy, [kept]) => [tf.scatterND(tf.reshape(kept!, [-1, 1]), tf.reshape(dy, [-1, dim]), [vocab, dim])],
  );
}
