// The shipped Solidity token datasets as training data, read as the trainer reads them: fsSource
// on the dataset folder and the streaming loader (public/datasets/solidity-{train,eval},
// datasets/hidden/solidity-final).
import { join } from 'node:path';
import { fsSource } from '../../../src/lib/ml/data/sources.ts';
import type { DatasetManifest } from '../../../src/lib/ml/data/types.ts';
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
