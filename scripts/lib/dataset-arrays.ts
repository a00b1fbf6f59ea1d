// A dataset folder read whole into arrays, for benchmarks and tests that evaluate on a fixed set
// (the app streams through ml/data's loader instead).
import { fsSource } from '../../src/lib/ml/data/sources.ts';
import { isTokenLayout } from '../../src/lib/ml/data/types.ts';
import { elementCount } from '../../src/lib/ml/spec/shapes.ts';
import { datasetData } from '../../src/lib/ml/train/dataset.ts';

export interface Split {
  x: Float32Array;
  y: Int32Array;
  n: number;
  featureSize: number;
}

/** The first `limit` samples of the dataset in `dir`, in file order. */
export async function loadSplit(dir: string, limit = Infinity): Promise<Split> {
  const source = fsSource(dir);
  const { manifest } = await source.manifest();
  if (isTokenLayout(manifest))
    throw new Error(`${dir}: a token dataset; loadSplit reads datasets of one labelled feature tensor per sample`);
  const f = elementCount(manifest.features.shape);
  const n = Math.min(manifest.samples, limit);
  const x = new Float32Array(n * f);
  const y = new Int32Array(n);
  const reader = await datasetData(manifest, source, { seed: 0, shuffle: false }).openEpoch(0, 5000);
  let at = 0;
  try {
    for (let b = await reader.next(); b !== null && at < n; b = await reader.next()) {
      const take = Math.min(b.size, n - at);
      x.set(b.features.subarray(0, take * f) as Float32Array, at * f);
      y.set(b.labels.subarray(0, take), at);
      at += take;
    }
  } finally {
    reader.close();
  }
  return { x, y, n, featureSize: f };
}

/** `a` followed by `b` (same feature size). */
export function concatSplits(a: Split, b: Split): Split {
  const x = new Float32Array(a.x.length + b.x.length);
  x.set(a.x);
  x.set(b.x, a.x.length);
  const y = new Int32Array(a.n + b.n);
  y.set(a.y);
  y.set(b.y, a.n);
  return { x, y, n: a.n + b.n, featureSize: a.featureSize };
}
