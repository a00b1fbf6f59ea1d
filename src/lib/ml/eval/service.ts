// The evaluation service an eval worker exposes: spec bytes + artifact bytes + dataset URL in,
// score out. Validators run it on submitted artifacts, so everything is hash-checked first.
import type { Hex } from 'viem';
import { evalSubset } from '../../protocol/eval-subset.ts';
import { artifactHash } from '../artifact/hash.ts';
import { selectBackend, selectInferenceBackend } from '../backend/select.ts';
import type { BackendEnvironment, BackendName } from '../backend/types.ts';
import { gatewaySource } from '../data/gateway-source.ts';
import { urlSource, type DatasetSource } from '../data/sources.ts';
import { parseModelSpecBytes } from '../spec/parse.ts';
import { isTokenModel } from '../spec/output.ts';
import { RunControl } from '../train/control.ts';
import { datasetData } from '../train/dataset.ts';
import { createProgram } from '../transcript/program.ts';
import { replaySegment, type ReplayResult } from '../transcript/replay.ts';
import type { TranscriptIdentity } from '../transcript/seeds.ts';
import { evaluateArtifact, type EvalResult } from './evaluate.ts';
import { artifactTokenPredictions, probeData, probeInputs, probeTokens } from './agreement.ts';
import { isSeededStart } from '../transcript/replay.ts';
import { leafOf } from '../transcript/state.ts';
import { sortedIndices } from './subset.ts';
import { EvalJobError } from '../errors.ts';

export { EvalJobError };

/** The epoch's evaluation subset as the chain defines it (SPEC 2.2): drawn by evalSubset(seed, samples, size). */
export interface SubsetRef {
  /** SubmissionBook.evalSeedOf(task, epoch); zero (not drawn) is refused. */
  seed: Hex;
  /** The task's evalSubsetSize; at least the dataset's size means every sample. */
  size: number;
}

export interface EvalJob {
  specBytes: Uint8Array;
  expectedSpecHash?: string;
  artifact: Uint8Array;
  /** The hash sealed on chain: the artifact must match it (the service hashes the bytes to check). */
  expectedArtifactHash?: string;
  /**
   * The artifact's sha256 as the caller already verified it (a CID-checked download, the training
   * run that wrote it): taken as the bytes' hash, so they are not hashed a second time. Exclusive
   * with expectedArtifactHash.
   */
  artifactHash?: `0x${string}`;
  /** Dataset folder URL (absolute). Exactly one of dataUrl and dataGateways. */
  dataUrl?: string;
  /**
   * A content-addressed dataset instead of a folder (a hidden final eval set revealed during the
   * task): its manifest, expectedDataHash, and shards come by hash from these IPFS gateways.
   */
  dataGateways?: readonly string[];
  expectedDataHash?: string;
  backend?: BackendName | 'auto';
  batchSize?: number;
  /**
   * Score on the epoch's evaluation subset: the service draws the indices from the dataset's
   * manifest (its sample count), so the caller needs only what the chain says. Exclusive with
   * `indices`; neither means every sample.
   */
  subset?: SubsetRef;
  /** Score on exactly these samples (ascending order is used whatever the order given). */
  indices?: readonly number[];
  /** Also return per-sample predictions, right/wrong flags, losses and logits (scores of any subset, benchmarks). */
  perSample?: boolean;
  /**
   * Accept a backend that computes in 16-bit floats (WebGL without float32 render targets).
   * Default false: its scores are not those of the 32-bit validators (docs/bench/consensus.md),
   * so a validator would commit scores outside the tolerance; the job fails instead.
   */
  allowHalfPrecision?: boolean;
  /**
   * Also return the model's predictions on `count` seeded probe inputs uniform in [lo, hi)
   * (agreement.ts probeInputs): the validator's functional-similarity hint (SPEC 8.4). For a
   * next-token model: `count` sequences of token ids in the integer range [lo, hi)
   * (agreement.ts probeTokens), predicted at every position.
   */
  probes?: { seed: string; count: number; lo: number; hi: number };
}

export interface EvalOutcome extends EvalResult {
  /** Arg-max class per probe input, or arg-max token per probe position (only with `probes`). */
  probePredictions?: Int32Array;
  backend: BackendName;
  /** 32, or 16 for a half-precision WebGL (only with allowHalfPrecision). */
  floatPrecision: number;
  specHash: string;
  dataHash: string;
  artifactHash: `0x${string}`;
  /** Samples in the whole dataset (`samples` is how many were evaluated). */
  datasetSamples: number;
}

export interface EvalEvents {
  onProgress?(done: number, total: number): void;
}

export interface EvalServiceEnv {
  backend: BackendEnvironment;
  fetch?: typeof fetch;
}

/**
 * Replay one transcript segment (SPEC 8.3; docs/transcript.md section 8): the fixed program of
 * `identity` from state bytes `start`, compared with state bytes `claimed`.
 */
export interface ReplayJob {
  specBytes: Uint8Array;
  expectedSpecHash?: string;
  /** The task's training set: a folder URL, or gateways with expectedDataHash (as EvalJob). */
  dataUrl?: string;
  dataGateways?: readonly string[];
  expectedDataHash?: string;
  identity: TranscriptIdentity;
  /** The trainer's disclosed watermark key X (T*N entries 0|1); required when the spec has a watermark. */
  keyBits?: Uint8Array;
  start: Uint8Array;
  claimed: Uint8Array;
  /** 'auto' (default): the calibrated training backend; a name forces it. */
  backend?: BackendName | 'auto';
  /** Accept a 16-bit WebGL (its replays drift far beyond any tolerance). Default false. */
  allowHalfPrecision?: boolean;
  /** Failing coordinates listed. Default 10. */
  maxFailures?: number;
  /** Also say whether `start` is the identity's seeded start state (SPEC 8.1): for the first segment of a seeded transcript. */
  checkSeededStart?: boolean;
}

export interface ReplayOutcome extends ReplayResult {
  /** With checkSeededStart: whether the start state is the seeded start (when false, no step was replayed). */
  seededStart?: boolean;
  backend: BackendName;
  floatPrecision: number;
  specHash: string;
  dataHash: string;
}

export interface ReplayEvents {
  /** Steps replayed so far and the segment's steps. */
  onProgress?(done: number, total: number): void;
}

export interface EvalService {
  evaluate(job: EvalJob, events?: EvalEvents): Promise<EvalOutcome>;
  /** Replays a transcript segment; one at a time. */
  replay(job: ReplayJob, events?: ReplayEvents): Promise<ReplayOutcome>;
  /** Cancels the replay in progress (it resolves with status 'cancelled'). */
  cancel(reason?: string): void;
}

const norm = (h: string) => h.replace(/^0x/, '').toLowerCase();

/** The sample indices a job asks for, checked against the dataset; null for every sample. */
function chosenSamples(job: EvalJob, samples: number): Uint32Array | null {
  if (job.subset !== undefined && job.indices !== undefined)
    throw new EvalJobError('give either subset or indices, not both');
  try {
    if (job.subset !== undefined) {
      const chosen = evalSubset(job.subset.seed, samples, job.subset.size);
      return chosen.length === samples ? null : Uint32Array.from(chosen);
    }
    return job.indices === undefined ? null : sortedIndices(job.indices, samples);
  } catch (e) {
    // Bad indices or a seed not yet drawn will fail the same way again: not worth a retry.
    throw new EvalJobError(`evaluation subset: ${(e as Error).message}`);
  }
}

function evalDataSource(
  job: Pick<EvalJob, 'dataUrl' | 'dataGateways' | 'expectedDataHash'>,
  fetchFn: typeof fetch | undefined,
): DatasetSource {
  const opts = fetchFn ? { fetch: fetchFn } : {};
  if ((job.dataUrl === undefined) === (job.dataGateways === undefined))
    throw new EvalJobError('give the dataset as either dataUrl or dataGateways');
  if (job.dataUrl !== undefined) return urlSource(job.dataUrl, opts);
  if (job.expectedDataHash === undefined)
    throw new EvalJobError('a dataset read through gateways needs expectedDataHash (the hash of its manifest)');
  return gatewaySource({ manifestHash: job.expectedDataHash, gateways: job.dataGateways!, ...opts });
}

export function createEvalService(env: EvalServiceEnv): EvalService {
  let replaying: RunControl | null = null;
  return {
    async replay(job, events = {}) {
      if (replaying !== null) throw new EvalJobError('a replay is already in progress in this worker');
      const control = new RunControl();
      replaying = control;
      try {
        const { spec, hash: specHash } = await parseModelSpecBytes(job.specBytes);
        if (job.expectedSpecHash !== undefined && norm(job.expectedSpecHash) !== specHash)
          throw new EvalJobError(`the model spec hashes to ${specHash}, expected ${job.expectedSpecHash}`);
        const source = evalDataSource(job, env.fetch);
        const { manifest, hash: dataHash } = await source.manifest(job.expectedDataHash);
        const selection = await selectBackend({
          spec,
          env: env.backend,
          ...(job.backend && job.backend !== 'auto' ? { force: job.backend } : {}),
        });
        const { floatPrecision } = selection.info;
        if (floatPrecision < 32 && !job.allowHalfPrecision)
          throw new EvalJobError(
            `backend ${selection.backend} computes in ${floatPrecision}-bit floats here: its replay would not match a 32-bit transcript; replay on wasm or cpu`,
          );
        const program = await createProgram({
          spec,
          specHash,
          identity: job.identity,
          openData: (seed) => datasetData(manifest, source, { seed }),
          ...(job.keyBits !== undefined ? { keyBits: job.keyBits } : {}),
        });
        try {
          if (job.checkSeededStart && !(await isSeededStart(program, await leafOf(job.start)))) {
            const [startLeaf, claimedLeaf] = await Promise.all([leafOf(job.start), leafOf(job.claimed)]);
            return {
              status: 'done',
              seededStart: false,
              startLeaf,
              claimedLeaf,
              seconds: 0,
              backend: selection.backend,
              floatPrecision,
              specHash,
              dataHash,
            };
          }
          const result = await replaySegment(program, job.start, job.claimed, {
            control,
            onStep: (done, total) => events.onProgress?.(done, total),
            ...(job.maxFailures !== undefined ? { maxFailures: job.maxFailures } : {}),
          });
          return {
            ...result,
            ...(job.checkSeededStart ? { seededStart: true } : {}),
            backend: selection.backend,
            floatPrecision,
            specHash,
            dataHash,
          };
        } finally {
          program.dispose();
        }
      } finally {
        replaying = null;
      }
    },

    cancel(reason = 'cancelled') {
      replaying?.cancel(reason);
    },

    async evaluate(job, events = {}) {
      const { spec, hash: specHash } = await parseModelSpecBytes(job.specBytes);
      if (job.expectedSpecHash !== undefined && norm(job.expectedSpecHash) !== specHash) {
        throw new EvalJobError(`the model spec hashes to ${specHash}, expected ${job.expectedSpecHash}`);
      }
      if (job.artifactHash !== undefined && job.expectedArtifactHash !== undefined)
        throw new EvalJobError('give either artifactHash or expectedArtifactHash, not both');
      const aHash = job.artifactHash ?? (await artifactHash(job.artifact));
      if (job.expectedArtifactHash !== undefined && norm(job.expectedArtifactHash) !== norm(aHash)) {
        throw new EvalJobError(`the artifact hashes to ${aHash}, expected ${job.expectedArtifactHash}`);
      }
      if (job.probes !== undefined && isTokenModel(spec)) {
        const { lo, hi } = job.probes;
        if (!Number.isInteger(lo) || !Number.isInteger(hi) || lo < 0 || hi > spec.output.tokens! || hi <= lo)
          throw new EvalJobError(
            `probes: a next-token model's probes are token ids in [lo, hi) within its vocabulary 0..${spec.output.tokens! - 1}, got [${lo}, ${hi})`,
          );
      }
      const source = evalDataSource(job, env.fetch);
      const { manifest, hash: dataHash } = await source.manifest(job.expectedDataHash);
      const indices = chosenSamples(job, manifest.samples);
      const info = await selectInferenceBackend(
        env.backend,
        job.backend && job.backend !== 'auto' ? job.backend : undefined,
      );
      if (info.floatPrecision < 32 && !job.allowHalfPrecision) {
        throw new EvalJobError(
          `backend ${info.name} computes in ${info.floatPrecision}-bit floats here: its scores would not agree with 32-bit validators within the tolerance (docs/bench/consensus.md); evaluate on wasm or cpu`,
        );
      }
      const result = await evaluateArtifact(
        spec,
        specHash,
        job.artifact,
        datasetData(manifest, source, { seed: 0, shuffle: false }),
        {
          ...(job.batchSize !== undefined ? { batchSize: job.batchSize } : {}),
          ...(indices !== null ? { indices } : {}),
          ...(job.perSample ? { perSample: true } : {}),
          onProgress: (done, total) => events.onProgress?.(done, total),
        },
      );
      let probePredictions: Int32Array | undefined;
      if (job.probes !== undefined && isTokenModel(spec)) {
        // A next-token model predicts at every position: count sequences, count * L predictions.
        const { seed, count, lo, hi } = job.probes;
        const tokens = probeTokens(seed, count, spec.input.shape[0]!, lo, hi);
        probePredictions = await artifactTokenPredictions(spec, specHash, job.artifact, tokens);
      } else if (job.probes !== undefined) {
        const { seed, count, lo, hi } = job.probes;
        const features = spec.input.shape.reduce((a, b) => a * b, 1);
        const probes = probeData(probeInputs(seed, count, features, lo, hi), features);
        const r = await evaluateArtifact(spec, specHash, job.artifact, probes, { perSample: true });
        probePredictions = r.perSample!.predictions;
      }
      return {
        ...result,
        ...(probePredictions ? { probePredictions } : {}),
        backend: info.name,
        floatPrecision: info.floatPrecision,
        specHash,
        dataHash,
        artifactHash: aHash,
        datasetSamples: manifest.samples,
      };
    },
  };
}
