// The shipped Solidity token datasets as training data, read as the trainer reads them: fsSource
// on the dataset folder and the streaming loader (public/datasets/solidity-{train,eval},
// datasets/hidden/solidity-final).
import { join } from 'node:path';
import { fsSource } from '../../../src/lib/ml/data/sources.ts';
import { isTokenLayout, type DatasetManifest } from '../../../src/lib/ml/data/types.ts';
import { datasetData } from '../../../src/lib/ml/train/dataset.ts';
import type { TrainingData } from '../../../src/lib/ml/train/data.ts';
import { REPO_ROOT } from '../paths.ts';

export const SOLIDITY_DIRS = {
  train: 'public/datasets/solidity-train',
  eval: 'public/datasets/solidity-eval',
  final: 'datasets/hidden/solidity-final',
} as const;
export type SoliditySplit = keyof typeof SOLIDITY_DIRS;

export interface SolidityData {
  name: string;
  dir: string;
  manifest: DatasetManifest;
  /** Sequences of L + 1 bytes (each gives L targets). */
  samples: number;
  /** Shuffled by `seed` (training) or in file order (`shuffle: false`, evaluation). */
  data(seed: number, shuffle?: boolean): TrainingData;
}

export async function solidityData(split: SoliditySplit, root = REPO_ROOT): Promise<SolidityData> {
  const dir = join(root, SOLIDITY_DIRS[split]);
  const source = fsSource(dir);
  const { manifest } = await source.manifest();
  return {
    name: manifest.name,
    dir: SOLIDITY_DIRS[split],
    manifest,
    samples: manifest.samples,
    data: (seed, shuffle = true) => datasetData(manifest, source, { seed, shuffle }),
  };
}

export interface TokenArrays {
  /** Inputs, `samples * L` token ids. */
  features: Int32Array;
  /** Targets, `samples * L` (the inputs shifted by one). */
  labels: Int32Array;
  samples: number;
}

/** The first `limit` sequences of `set` in file order, through the same loader, as arrays. */
export async function readTokens(set: SolidityData, limit = Infinity): Promise<TokenArrays> {
  if (!isTokenLayout(set.manifest)) throw new Error(`${set.dir}: not a token dataset`);
  const L = set.manifest.tokens.sequenceLength;
  const n = Math.min(set.samples, limit);
  const features = new Int32Array(n * L);
  const labels = new Int32Array(n * L);
  const reader = await set.data(0, false).openEpoch(0, 1000);
  let at = 0;
  try {
    for (let b = await reader.next(); b !== null && at < n; b = await reader.next()) {
      const take = Math.min(b.size, n - at);
      features.set(b.features.subarray(0, take * L), at * L);
      labels.set(b.labels.subarray(0, take * L), at * L);
      at += take;
    }
  } finally {
    reader.close();
  }
  return { features, labels, samples: n };
}
