// The task's model spec and training set on this machine: found by content hash among the
// app's bundled files (public/specs, public/datasets), or given as a file and a folder. Both are
// checked against the hashes the task recorded on chain.
import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { join, resolve } from 'node:path';
import type { Hex } from 'viem';
import { sha256Hex } from '../../../src/lib/ml/hash.ts';
import { REPO_ROOT } from '../paths.ts';

export class TaskFilesError extends Error {
  override name = 'TaskFilesError';
}

const norm = (h: string) => h.replace(/^0x/, '').toLowerCase();
const fileHash = async (path: string) => sha256Hex(new Uint8Array(readFileSync(path)));

/** The model spec bytes whose sha256 is `modelSpec`: `specFile` if given, else a bundled spec. */
export async function findModelSpec(modelSpec: Hex, specFile?: string): Promise<{ bytes: Uint8Array; path: string }> {
  const candidates = specFile
    ? [resolve(specFile)]
    : readdirSync(join(REPO_ROOT, 'public', 'specs'))
        .filter((f) => f.endsWith('.json'))
        .map((f) => join(REPO_ROOT, 'public', 'specs', f));
  for (const path of candidates) {
    if (!existsSync(path)) throw new TaskFilesError(`--spec ${path}: no such file`);
    if ((await fileHash(path)) === norm(modelSpec)) return { bytes: new Uint8Array(readFileSync(path)), path };
  }
  throw new TaskFilesError(
    specFile
      ? `--spec ${specFile} hashes to another sha256 than the task's model spec ${modelSpec}`
      : `the task's model spec (sha256 ${modelSpec}) is none of the bundled specs in public/specs; pass its file with --spec`,
  );
}

/** The dataset folder whose manifest's sha256 is `trainData`: `dataDir` if given, else a bundled dataset. */
export async function findTrainData(trainData: Hex, dataDir?: string): Promise<string> {
  const base = join(REPO_ROOT, 'public', 'datasets');
  const candidates = dataDir
    ? [resolve(dataDir)]
    : readdirSync(base, { withFileTypes: true })
        .filter((d) => d.isDirectory())
        .map((d) => join(base, d.name));
  for (const dir of candidates) {
    const manifest = join(dir, 'manifest.json');
    if (!existsSync(manifest)) {
      if (dataDir) throw new TaskFilesError(`--train-data ${dataDir}: no manifest.json in it`);
      continue;
    }
    if ((await fileHash(manifest)) === norm(trainData)) return dir;
  }
  throw new TaskFilesError(
    dataDir
      ? `--train-data ${dataDir}: its manifest hashes to another sha256 than the task's training set ${trainData}`
      : `the task's training set (manifest sha256 ${trainData}) is none of the bundled datasets in public/datasets; pass its folder with --train-data`,
  );
}
