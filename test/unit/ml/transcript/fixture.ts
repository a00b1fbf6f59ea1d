// The shipped digits task as a transcript fixture: the real spec with a small interval, the real
// training set, a trainer's key, and program options for any identity.
import { readFileSync } from 'node:fs';
import type { Address } from 'viem';
import { fsSource } from '../../../../src/lib/ml/data/sources.ts';
import { Rng } from '../../../../src/lib/ml/rng.ts';
import { parseModelSpecBytes } from '../../../../src/lib/ml/spec/parse.ts';
import type { ModelSpec, TranscriptSpec } from '../../../../src/lib/ml/spec/types.ts';
import { datasetData } from '../../../../src/lib/ml/train/dataset.ts';
import type { ProgramOptions } from '../../../../src/lib/ml/transcript/program.ts';
import type { TranscriptIdentity } from '../../../../src/lib/ml/transcript/seeds.ts';
import type { DatasetManifest } from '../../../../src/lib/ml/data/types.ts';

const root = new URL('../../../../', import.meta.url);
export const TRAIN_DIR = new URL('public/datasets/digits-train', root).pathname;

export const ALICE: TranscriptIdentity = {
  chainId: 31337,
  task: 1,
  trainer: '0x70997970c51812dc3a010c7d01b50e0d17dc79c8' as Address,
};
export const BOB: TranscriptIdentity = { ...ALICE, trainer: '0x3c44cdddb6a900fa2b585dd299e03d12fa4293bc' as Address };

/** digits-mlp.json with a `transcript` section: the file's bytes change, so does its hash. */
export async function digitsSpec(
  transcript: Partial<TranscriptSpec> = { interval: 10 },
): Promise<{ spec: ModelSpec; hash: string; bytes: Uint8Array }> {
  const doc = JSON.parse(readFileSync(new URL('public/specs/digits-mlp.json', root), 'utf8')) as object;
  const bytes = new TextEncoder().encode(JSON.stringify({ ...doc, transcript }, null, 2));
  const { spec, hash } = await parseModelSpecBytes(bytes);
  return { spec, hash, bytes };
}

/** T*N key bits from a named stream (a trainer's secret in real use). */
export function keyFor(name: string, T = 64, N = 128): Uint8Array {
  const rng = Rng.seeded('transcript-test-key', name);
  return Uint8Array.from({ length: T * N }, () => rng.nextU32() & 1);
}

let manifest: Promise<DatasetManifest> | undefined;
const source = fsSource(TRAIN_DIR);

export async function programOptions(
  s: { spec: ModelSpec; hash: string },
  identity: TranscriptIdentity = ALICE,
): Promise<ProgramOptions> {
  manifest ??= source.manifest().then((m) => m.manifest);
  const m = await manifest;
  return {
    spec: s.spec,
    specHash: s.hash,
    identity,
    openData: (seed) => datasetData(m, source, { seed }),
    keyBits: keyFor(identity.trainer),
  };
}
