// What the transcript benchmarks share (scripts/bench-transcript.ts in Node, scripts/
// bench-transcript-browser.ts in Chromium): the spec and dataset of a demo spec, the benchmark's
// trainer identities and watermark keys, a program per identity, and an honest transcript
// trained segment by segment on the active Node backend.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Address } from 'viem';
import { activateBackend } from '../../src/lib/ml/backend/activate.ts';
import type { BackendName } from '../../src/lib/ml/backend/types.ts';
import { fsSource } from '../../src/lib/ml/data/sources.ts';
import type { DatasetManifest } from '../../src/lib/ml/data/types.ts';
import { Rng } from '../../src/lib/ml/rng.ts';
import { parseModelSpecBytes } from '../../src/lib/ml/spec/parse.ts';
import { transcriptSettings } from '../../src/lib/ml/spec/transcript.ts';
import type { ModelSpec, TranscriptSpec } from '../../src/lib/ml/spec/types.ts';
import { datasetData } from '../../src/lib/ml/train/dataset.ts';
import { createProgram, type Program } from '../../src/lib/ml/transcript/program.ts';
import type { TranscriptIdentity } from '../../src/lib/ml/transcript/seeds.ts';
import type { TranscriptState } from '../../src/lib/ml/transcript/state.ts';
import { REPO_ROOT } from './paths.ts';

/** The training set of each bundled spec (public/datasets/). */
export const DATASETS: Record<string, string> = {
  'digits-mlp': 'digits-train',
  'fashion-mlp': 'fashion-mnist-train',
  'fashion-cnn': 'fashion-mnist-train',
};

export const repoPath = (p: string): string => join(REPO_ROOT, p);

export async function useBackend(name: BackendName): Promise<void> {
  await activateBackend(name, { wasmPaths: repoPath('node_modules/@tensorflow/tfjs-backend-wasm/dist/') });
}

/** Trainer identity `i` of the benchmarks: a different address (own seeds, data order, key) per i. */
export function identity(i: number): TranscriptIdentity {
  const rng = Rng.seeded('bench-transcript/trainer', i);
  const hex = Array.from({ length: 5 }, () => rng.nextU32().toString(16).padStart(8, '0')).join('');
  return { chainId: 31337, task: 1, trainer: `0x${hex}` as Address };
}

/** The watermark key X (T*N entries 0|1) of an identity. */
export function keyFor(id: TranscriptIdentity, T: number, N: number): Uint8Array {
  const rng = Rng.seeded('bench-transcript/key', id.trainer);
  return Uint8Array.from({ length: T * N }, () => rng.nextU32() & 1);
}

export interface Setup {
  spec: ModelSpec;
  hash: string;
  /** The spec file's bytes as hashed (what a page or worker is handed). */
  bytes: Uint8Array;
  manifest: DatasetManifest;
  source: ReturnType<typeof fsSource>;
  settings: TranscriptSpec;
}

/**
 * A bundled spec (public/specs/<name>.json) and its training set; `section`, if not empty, is
 * added to the file as its `transcript` section (the hash changes with it).
 */
export async function loadSetup(name: string, section: Partial<TranscriptSpec> = {}): Promise<Setup> {
  let bytes = new Uint8Array(readFileSync(repoPath(`public/specs/${name}.json`)));
  if (Object.keys(section).length > 0) {
    const doc = JSON.parse(new TextDecoder().decode(bytes)) as object;
    bytes = new TextEncoder().encode(JSON.stringify({ ...doc, transcript: section }, null, 2));
  }
  const { spec, hash } = await parseModelSpecBytes(bytes);
  const source = fsSource(repoPath(`public/datasets/${DATASETS[name]}`));
  const { manifest } = await source.manifest();
  return { spec, hash, bytes, manifest, source, settings: transcriptSettings(spec) };
}

export async function programFor(s: Setup, id: TranscriptIdentity): Promise<Program> {
  const wm = s.spec.watermark;
  return createProgram({
    spec: s.spec,
    specHash: s.hash,
    identity: id,
    openData: (seed) => datasetData(s.manifest, s.source, { seed }),
    ...(wm ? { keyBits: keyFor(id, wm.bits, wm.length) } : {}),
  });
}

/** Every tensor of a state, weights then each optimizer slot group, in state order. */
export const stateTensors = (s: TranscriptState): Float32Array[] => [...s.weights, ...s.slots.flat()];

/** Rounded states s_0..s_K and the unrounded ends u_1..u_K of a transcript on the active backend. */
export async function trainStates(p: Program, K: number) {
  const rounded: TranscriptState[] = [p.startState()];
  const raw: TranscriptState[] = [];
  const t0 = performance.now();
  for (let i = 0; i < K; i++) {
    const r = await p.run(rounded[i]!, p.settings.interval);
    raw.push(r.state!);
    rounded.push(p.round(r.state!));
  }
  return { rounded, raw, seconds: (performance.now() - t0) / 1000 };
}
