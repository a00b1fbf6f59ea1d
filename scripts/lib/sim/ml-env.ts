// The ML side of a network simulation, as the headless agents have it (src/cli/agent-host.ts):
// tfjs on wasm in this process, datasets read from their folders by file: URL, the train service
// with a transcript store on disk, the eval service. And the task's model spec: the shipped
// digits spec (public/specs/digits-mlp.json, same layers, data, loss and watermark) with a lower
// learning rate and a transcript interval of 10 steps, so that training length spreads quality
// from about 0.7 to 0.98 instead of every run passing 0.93 within its first 50-step segment
// (measured for docs/bench/network.md); the sim's task names this spec by its hash like any task.
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { pathToFileURL } from 'node:url';
import type { Hex } from 'viem';
import { mlPort, type MlPort } from '../../../src/lib/agents/index.ts';
import { createEvalService, type EvalService } from '../../../src/lib/ml/eval/service.ts';
import { sha256Hex } from '../../../src/lib/ml/hash.ts';
import { parseModelSpecBytes } from '../../../src/lib/ml/spec/parse.ts';
import type { ModelSpec } from '../../../src/lib/ml/spec/types.ts';
import { createTrainService, type TrainService } from '../../../src/lib/ml/train/service.ts';
import { checkpointStoreInDir } from '../../../src/lib/storage/checkpoints-fs.ts';
import { fileFetch } from '../../../src/lib/storage/file-fetch-fs.ts';
import { openTranscriptDir } from '../../../src/lib/storage/transcripts-fs.ts';
import type { TranscriptStore } from '../../../src/lib/ml/transcript/store.ts';
import { REPO_ROOT } from '../paths.ts';

/** The spec's learning rate and transcript interval in the sim (see the note at the top). */
export const SIM_LEARNING_RATE = 0.002;
export const SIM_INTERVAL = 10;

/** The sim's spec file: the shipped digits spec with the two changes above. */
export function simSpecBytes(
  base: Uint8Array = readFileSync(join(REPO_ROOT, 'public/specs/digits-mlp.json')),
): Uint8Array {
  const doc = JSON.parse(new TextDecoder().decode(base)) as {
    name: string;
    description: string;
    optimizer: Record<string, unknown>;
  };
  const spec = {
    ...doc,
    name: 'digits-mlp-sim',
    description: `${doc.description}; network simulation: learning rate ${SIM_LEARNING_RATE}, transcript every ${SIM_INTERVAL} steps`,
    optimizer: { ...doc.optimizer, learningRate: SIM_LEARNING_RATE },
    transcript: { interval: SIM_INTERVAL },
  };
  return new TextEncoder().encode(`${JSON.stringify(spec, null, 2)}\n`);
}

export const DATASET_DIRS = {
  train: join(REPO_ROOT, 'public/datasets/digits-train'),
  eval: join(REPO_ROOT, 'public/datasets/digits-eval'),
  /** The hidden final eval set: kept off the store until the creator reveals it. */
  hidden: join(REPO_ROOT, 'datasets/hidden/digits-final'),
} as const;

export interface MlEnv {
  specBytes: Uint8Array;
  spec: ModelSpec;
  /** sha256 of the spec file, 0x-prefixed (the task's modelSpec). */
  specHash: Hex;
  /** Manifest hashes of the three sets. */
  data: { train: Hex; eval: Hex; hidden: Hex };
  wasmPaths: string;
  fetch: typeof fetch;
  /** Folder URL of a dataset by manifest hash. */
  folderUrl(hash: Hex): string;
  /** Train service (one run at a time) keeping transcripts in `transcripts`. */
  trainer: TrainService;
  transcripts: TranscriptStore;
  evaluator: EvalService;
  /** The validators' ML port over `evaluator` (the direct validators' shared evaluations). */
  scoring: MlPort;
}

const manifestHash = async (dir: string): Promise<Hex> =>
  `0x${await sha256Hex(new Uint8Array(readFileSync(join(dir, 'manifest.json'))))}`;

export function wasmDir(): string {
  const require = createRequire(import.meta.url);
  return `${dirname(require.resolve('@tensorflow/tfjs-backend-wasm/package.json'))}/dist/`;
}

export async function openMlEnv(workDir: string): Promise<MlEnv> {
  const specBytes = simSpecBytes();
  const { spec, hash } = await parseModelSpecBytes(specBytes);
  const data = {
    train: await manifestHash(DATASET_DIRS.train),
    eval: await manifestHash(DATASET_DIRS.eval),
    hidden: await manifestHash(DATASET_DIRS.hidden),
  };
  const folders = new Map<string, string>([
    [data.train.toLowerCase(), pathToFileURL(DATASET_DIRS.train).href],
    [data.eval.toLowerCase(), pathToFileURL(DATASET_DIRS.eval).href],
    [data.hidden.toLowerCase(), pathToFileURL(DATASET_DIRS.hidden).href],
  ]);
  const folderUrl = (h: Hex) => {
    const url = folders.get(h.toLowerCase());
    if (url === undefined) throw new Error(`no dataset ${h} in the simulation`);
    return url;
  };
  const wasmPaths = wasmDir();
  const fetch = fileFetch();
  const transcriptDir = join(workDir, 'transcripts');
  const transcripts = await openTranscriptDir(transcriptDir);
  const trainer = createTrainService({
    backend: { wasmPaths },
    fetch,
    openStore: async () => checkpointStoreInDir(join(workDir, 'checkpoints')),
    openTranscriptStore: () => openTranscriptDir(transcriptDir),
  });
  const evaluator = createEvalService({ backend: { wasmPaths }, fetch });
  const scoring = mlPort({
    trainer: {
      train: () => Promise.reject(new Error('the shared evaluations do not train')),
      pause: () => {},
      resume: () => {},
      cancel: () => {},
    },
    evaluator,
    specBytes,
    trainData: data.train,
    dataUrl: folderUrl,
    evalBackend: 'wasm',
    fetch,
  });
  return {
    specBytes,
    spec,
    specHash: `0x${hash}`,
    data,
    wasmPaths,
    fetch,
    folderUrl,
    trainer,
    transcripts,
    evaluator,
    scoring,
  };
}
