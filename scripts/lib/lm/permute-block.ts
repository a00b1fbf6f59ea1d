// A copy of a next-token model with other weights and the same function: in every transformer
// block the MLP's hidden units and the attention heads are reordered (w1's columns, b1 and w2's
// rows; the q, k, v column blocks of each head and wo's matching row blocks). A thief gets this for
// free; it defeats comparisons of weights (cosine) and the watermark's column order, never the
// model's outputs. Pure.
import { specShapes } from '../../../src/lib/ml/spec/shapes.ts';
import type { ModelSpec } from '../../../src/lib/ml/spec/types.ts';
import { Rng } from '../../../src/lib/ml/rng.ts';

function permutation(n: number, rng: Rng): Uint32Array {
  const p = Uint32Array.from({ length: n }, (_, i) => i);
  for (let i = n - 1; i > 0; i--) {
    const j = Math.floor(rng.nextFloat() * (i + 1));
    [p[i], p[j]] = [p[j]!, p[i]!];
  }
  return p;
}

/** Columns of a row-major [rows, cols] matrix reordered: out[:, c] = m[:, from(c)]. */
function permuteColumns(m: Float32Array, cols: number, from: (c: number) => number): Float32Array {
  const out = new Float32Array(m.length);
  for (let r = 0; r < m.length / cols; r++) for (let c = 0; c < cols; c++) out[r * cols + c] = m[r * cols + from(c)]!;
  return out;
}

/** Rows of a row-major [rows, cols] matrix (or a vector, cols = 1) reordered: out[r] = m[from(r)]. */
function permuteRows(m: Float32Array, cols: number, from: (r: number) => number): Float32Array {
  const out = new Float32Array(m.length);
  for (let r = 0; r < m.length / cols; r++) out.set(m.subarray(from(r) * cols, (from(r) + 1) * cols), r * cols);
  return out;
}

export function permuteTransformerUnits(
  spec: ModelSpec,
  weights: readonly Float32Array[],
  label: string,
): Float32Array[] {
  const params = specShapes(spec).params;
  const out: Float32Array[] = weights.map((w) => new Float32Array(w));
  const rng = Rng.seeded('bench/permute-block', label);
  spec.layers.forEach((layer, i) => {
    if (layer.type !== 'transformerBlock') return;
    const at = (name: string) => {
      const k = params.findIndex((p) => p.layer === i && p.name === name);
      if (k < 0) throw new Error(`layer ${i} has no ${name}`);
      return k;
    };
    const d = layer.dim;
    const m = layer.mlpDim;
    const units = permutation(m, rng);
    const u = (c: number) => units[c]!;
    out[at('w1')] = permuteColumns(out[at('w1')]!, m, u);
    out[at('b1')] = permuteRows(out[at('b1')]!, 1, u);
    out[at('w2')] = permuteRows(out[at('w2')]!, d, u);
    const dh = d / layer.heads;
    const heads = permutation(layer.heads, rng);
    const h = (c: number) => heads[Math.floor(c / dh)]! * dh + (c % dh);
    for (const p of ['q', 'k', 'v']) {
      out[at(`w${p}`)] = permuteColumns(out[at(`w${p}`)]!, d, h);
      out[at(`b${p}`)] = permuteRows(out[at(`b${p}`)]!, 1, h);
    }
    out[at('wo')] = permuteRows(out[at('wo')]!, d, h);
  });
  return out;
}
