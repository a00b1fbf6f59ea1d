// The generation service an inference worker exposes (the Train page's "try the model" box): spec
// bytes + artifact bytes + a prompt in, bytes streamed out as they are chosen. One completion at a
// time; `cancel` stops it before its next byte. The last model built stays in memory, so another
// prompt to the same model does not read the artifact again. Knows nothing of Comlink: Node tests
// drive it directly.
import { artifactHash as hashOf } from '../artifact/hash.ts';
import { deserializeArtifact } from '../artifact/deserialize.ts';
import { selectInferenceBackend } from '../backend/select.ts';
import { tf } from '../backend/tf.ts';
import type { BackendEnvironment, BackendName } from '../backend/types.ts';
import { specHashBytes } from '../eval/evaluate.ts';
import { buildModel, type Model } from '../model/model.ts';
import { parseModelSpecBytes } from '../spec/parse.ts';
import { specShapes } from '../spec/shapes.ts';
import type { SeedPart } from '../rng.ts';
import { GenerateError } from '../errors.ts';
import { generate, type Generated } from './generate.ts';

/** Longest prompt taken (the model sees only its last L bytes; the rest is for the caller's text). */
export const MAX_PROMPT_BYTES = 65536;

export interface GenerateJob {
  specBytes: Uint8Array;
  expectedSpecHash?: string;
  artifact: Uint8Array;
  /**
   * The artifact's sha256 as the caller already verified it (a model stored by the trainer, a
   * CID-checked download): taken as the bytes' hash. Absent: the service hashes the bytes.
   */
  artifactHash?: `0x${string}`;
  /** The prompt's bytes (UTF-8 text for the byte models); empty starts a file. */
  prompt: Uint8Array;
  maxNewBytes: number;
  /** 0 or absent: greedy. Above 0: sampled at this temperature. */
  temperature?: number;
  topK?: number;
  seed?: SeedPart;
  /** Stop after this byte (0: the corpus's end of file). */
  stopByte?: number;
  /** 'auto' (default): the inference backend the evaluator would use; a name forces it. */
  backend?: BackendName | 'auto';
}

export interface GenerateEvents {
  /** Each new byte as it is chosen, with how many there are so far. */
  onByte?(byte: number, count: number): void;
}

export interface GenerateOutcome extends Generated {
  backend: BackendName;
  artifactHash: `0x${string}`;
  seconds: number;
}

export interface GenerateServiceEnv {
  backend: BackendEnvironment;
}

export interface GenerateService {
  generate(job: GenerateJob, events?: GenerateEvents): Promise<GenerateOutcome>;
  /** Stops the completion in progress: it resolves with the bytes so far and stop 'aborted'. */
  cancel(): void;
  /** Frees the model kept for the next prompt. */
  dispose(): void;
}

const norm = (h: string) => h.replace(/^0x/, '').toLowerCase();

export function createGenerateService(env: GenerateServiceEnv): GenerateService {
  let running: AbortController | null = null;
  let kept: { key: string; model: Model } | null = null;
  const drop = () => {
    kept?.model.dispose();
    kept = null;
  };
  return {
    async generate(job, events = {}) {
      if (running !== null) throw new GenerateError('a completion is already running in this worker');
      const control = new AbortController();
      running = control;
      try {
        if (!(job.prompt instanceof Uint8Array) || job.prompt.length > MAX_PROMPT_BYTES)
          throw new GenerateError(`the prompt must be at most ${MAX_PROMPT_BYTES} bytes`);
        const { spec, hash: specHash } = await parseModelSpecBytes(job.specBytes);
        if (job.expectedSpecHash !== undefined && norm(job.expectedSpecHash) !== specHash)
          throw new GenerateError(`the model spec hashes to ${specHash}, expected ${job.expectedSpecHash}`);
        const aHash = job.artifactHash ?? (await hashOf(job.artifact));
        const info = await selectInferenceBackend(
          env.backend,
          job.backend && job.backend !== 'auto' ? job.backend : undefined,
        );
        const key = `${specHash}/${norm(aHash)}/${info.name}`;
        if (kept?.key !== key || tf.getBackend() !== info.name) {
          drop();
          // The strict reader refuses another spec's artifact before any tensor is made.
          const weights = deserializeArtifact(job.artifact, {
            specHash: specHashBytes(specHash),
            params: specShapes(spec).params,
          });
          kept = { key, model: buildModel(spec, weights) };
        }
        const started = performance.now();
        let count = 0;
        const out = await generate(kept.model, job.prompt, {
          maxNewBytes: job.maxNewBytes,
          ...(job.temperature !== undefined ? { temperature: job.temperature } : {}),
          ...(job.topK !== undefined ? { topK: job.topK } : {}),
          ...(job.seed !== undefined ? { seed: job.seed } : {}),
          ...(job.stopByte !== undefined ? { stopByte: job.stopByte } : {}),
          signal: control.signal,
          onByte: (b) => events.onByte?.(b, ++count),
        });
        return {
          ...out,
          backend: info.name,
          artifactHash: `0x${norm(aHash)}`,
          seconds: (performance.now() - started) / 1000,
        };
      } finally {
        running = null;
      }
    },
    cancel() {
      running?.abort();
    },
    dispose: drop,
  };
}
