// The evaluation service an eval worker exposes: spec bytes + artifact bytes + dataset URL in,
// score out. Validators run it on submitted artifacts, so everything is hash-checked first.
import { artifactHash } from '../artifact/hash.ts';
import { selectInferenceBackend } from '../backend/select.ts';
import type { BackendEnvironment, BackendName } from '../backend/types.ts';
import { urlSource } from '../data/sources.ts';
import { parseModelSpecBytes } from '../spec/parse.ts';
import { datasetData } from '../train/dataset.ts';
import { evaluateArtifact, type EvalResult } from './evaluate.ts';

export interface EvalJob {
  specBytes: Uint8Array;
  expectedSpecHash?: string;
  artifact: Uint8Array;
  /** The hash sealed on chain: the artifact must match it. */
  expectedArtifactHash?: string;
  /** Dataset folder URL (absolute). */
  dataUrl: string;
  expectedDataHash?: string;
  backend?: BackendName | 'auto';
  batchSize?: number;
}

export interface EvalOutcome extends EvalResult {
  backend: BackendName;
  specHash: string;
  dataHash: string;
  artifactHash: `0x${string}`;
}

export interface EvalEvents {
  onProgress?(done: number, total: number): void;
}

export interface EvalServiceEnv {
  backend: BackendEnvironment;
  fetch?: typeof fetch;
}

export interface EvalService {
  evaluate(job: EvalJob, events?: EvalEvents): Promise<EvalOutcome>;
}

export class EvalJobError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'EvalJobError';
  }
}

const norm = (h: string) => h.replace(/^0x/, '').toLowerCase();

export function createEvalService(env: EvalServiceEnv): EvalService {
  return {
    async evaluate(job, events = {}) {
      const { spec, hash: specHash } = await parseModelSpecBytes(job.specBytes);
      if (job.expectedSpecHash !== undefined && norm(job.expectedSpecHash) !== specHash) {
        throw new EvalJobError(`the model spec hashes to ${specHash}, expected ${job.expectedSpecHash}`);
      }
      const aHash = await artifactHash(job.artifact);
      if (job.expectedArtifactHash !== undefined && norm(job.expectedArtifactHash) !== norm(aHash)) {
        throw new EvalJobError(`the artifact hashes to ${aHash}, expected ${job.expectedArtifactHash}`);
      }
      const source = urlSource(job.dataUrl, env.fetch ? { fetch: env.fetch } : {});
      const { manifest, hash: dataHash } = await source.manifest(job.expectedDataHash);
      const info = await selectInferenceBackend(env.backend, job.backend && job.backend !== 'auto' ? job.backend : undefined);
      const result = await evaluateArtifact(spec, specHash, job.artifact, datasetData(manifest, source, { seed: 0, shuffle: false }), {
        ...(job.batchSize !== undefined ? { batchSize: job.batchSize } : {}),
        onProgress: (done, total) => events.onProgress?.(done, total),
      });
      return { ...result, backend: info.name, specHash, dataHash, artifactHash: aHash };
    },
  };
}
