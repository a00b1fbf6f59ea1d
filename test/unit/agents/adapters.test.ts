// The adapters' own logic: which failures are worth another try, the jobs they hand the ML
// services, and the commitment check before anything is sent. (Their happy paths against the real
// chain, blob store and ML engine are in test/integration/agents.test.ts.)
import { readFileSync } from 'node:fs';
import type { Hex } from 'viem';
import { describe, expect, it } from 'vitest';
import { ActionInputError, sendScores, sendSeal, type ActionContext } from '../../../src/lib/chain/actions/index.ts';
import { packScores, scoresCommitment, sealCommitment } from '../../../src/lib/chain/commitments.ts';
import { prepareScores, prepareSeal } from '../../../src/lib/chain/prepare.ts';
import type { TxRequest } from '../../../src/lib/chain/tx/types.ts';
import { TxError } from '../../../src/lib/chain/tx/errors.ts';
import { EvalJobError, type EvalJob, type EvalOutcome } from '../../../src/lib/ml/eval/service.ts';
import { TrainJobError, type TrainJob } from '../../../src/lib/ml/train/service.ts';
import {
  BlobNotFoundError,
  BlobTooLargeError,
  CasFetchError,
  CasNetworkError,
  CidMismatchError,
  UploadCidMismatchError,
} from '../../../src/lib/storage/cas/index.ts';
import {
  PortError,
  actionsChainPort,
  chainPortError,
  mlPort,
  mlPortError,
  storePortError,
} from '../../../src/lib/agents/index.ts';
import { REGISTRY, TRAINER, hex32, transcriptOf } from './fixtures.ts';

const TRANSCRIPT = transcriptOf(1);

const retry = (e: unknown) => (e instanceof PortError ? e.retryable : 'passed through');

describe('failure classification', () => {
  it('chain: reverts, a declined wallet, no gas and a wrong network are final; RPC trouble is retried', () => {
    expect(retry(chainPortError(new TxError('reverted', 'The task is not in its seal window.', 'WrongWindow')))).toBe(
      false,
    );
    expect(retry(chainPortError(new TxError('rejected', 'You declined the request in your wallet.')))).toBe(false);
    expect(retry(chainPortError(new TxError('insufficient-funds', 'no gas')))).toBe(false);
    expect(retry(chainPortError(new TxError('rpc-unavailable', 'down')))).toBe(true);
    expect(retry(chainPortError(new TxError('nonce', 'out of step')))).toBe(true);
    expect(retry(chainPortError(new ActionInputError('amount', 'amount must be more than zero.')))).toBe(false);
    const plain = new Error('something else');
    expect(chainPortError(plain)).toBe(plain);
    const mapped = chainPortError(
      new TxError('reverted', 'The task is not in its seal window.', 'WrongWindow'),
    ) as PortError;
    expect([mapped.port, mapped.code, mapped.message]).toEqual([
      'chain',
      'reverted',
      'The task is not in its seal window.',
    ]);
  });

  it('store: not found yet, network and a lying gateway are retried; too large or a bad upload endpoint are final', () => {
    const net = new CasNetworkError('http://gw', 'refused');
    const big = new BlobTooLargeError('http://gw', 10, 11);
    expect(retry(storePortError(new BlobNotFoundError('bafk', [])))).toBe(true);
    expect(retry(storePortError(new CasFetchError('bafk', [net])))).toBe(true);
    expect(retry(storePortError(new CidMismatchError('http://gw', 'bafka', 'bafkb', 3)))).toBe(true);
    expect(retry(storePortError(new CasFetchError('bafk', [big, big])))).toBe(false);
    expect(retry(storePortError(new CasFetchError('bafk', [big, net])))).toBe(true);
    expect(retry(storePortError(big))).toBe(false);
    expect(retry(storePortError(new UploadCidMismatchError('http://store', 'bafka', 'bafkb')))).toBe(false);
  });

  it('ml: a job the services refuse is final; anything else passes through (retried)', () => {
    expect(retry(mlPortError(new TrainJobError('the model spec hashes to x, the task names y')))).toBe(false);
    const other = new Error('worker crashed');
    expect(mlPortError(other)).toBe(other);
  });
});

describe('mlPort', () => {
  const specBytes = new Uint8Array(readFileSync(new URL('../../../public/specs/digits-mlp.json', import.meta.url)));
  const TRAIN = hex32(0x7a1);
  const EVAL = `0x${'AB'.repeat(32)}` as Hex;

  it('hands the services hash-checked jobs (bare lowercase hashes, the dataset folder by hash) and maps stop to cancel', async () => {
    const jobs: TrainJob[] = [];
    const evals: EvalJob[] = [];
    const cancels: (string | undefined)[] = [];
    const port = mlPort({
      trainer: {
        train: async (job) => {
          jobs.push(job);
          return {
            status: 'completed',
            runId: job.runId,
            step: 82,
            epoch: 1,
            backend: 'wasm',
            specHash: '',
            artifact: new Uint8Array(4),
            artifactHash: hex32(9),
            last: null,
            deviceLosses: 0,
          };
        },
        pause: () => undefined,
        resume: () => undefined,
        cancel: (r) => void cancels.push(r),
      },
      evaluator: {
        evaluate: async (job) => {
          evals.push(job);
          return {
            score: 0.9,
            loss: 0.3,
            accuracy: 0.9,
            samples: 250,
            datasetSamples: 250,
            backend: 'wasm',
            floatPrecision: 32,
            specHash: '',
            dataHash: '',
            artifactHash: hex32(9),
          };
        },
      },
      specBytes,
      trainData: TRAIN,
      dataUrl: (h) => `http://data/${h}`,
      evalBackend: 'wasm',
      train: { maxSteps: 5 },
    });
    const keyBits = new Uint8Array(64 * 128);
    const r = await port.train({
      runId: 'run',
      seed: 3,
      epochs: null,
      backend: 'auto',
      watermark: { keyBits, owner: TRAINER },
    });
    expect(r).toMatchObject({ status: 'completed', step: 82, plannedEpochs: 30, artifactHash: hex32(9) });
    expect(jobs[0]).toMatchObject({
      runId: 'run',
      seed: 3,
      dataUrl: `http://data/${TRAIN}`,
      expectedDataHash: TRAIN.slice(2),
      backend: 'auto',
      maxSteps: 5,
    });
    expect(jobs[0]!.overrides).toBeUndefined();
    expect(jobs[0]!.expectedSpecHash).toMatch(/^[0-9a-f]{64}$/);
    await port.train({ runId: 'run', seed: 3, epochs: 4, backend: 'wasm', watermark: { keyBits, owner: TRAINER } });
    expect(jobs[1]!.overrides).toEqual({ epochs: 4 });
    await port.stop('snapshot');
    expect(cancels).toEqual(['snapshot']);
    const score = await port.evaluate({ artifact: new Uint8Array(4), artifactHash: hex32(9), dataHash: EVAL });
    expect(score).toEqual({ score: 0.9, loss: 0.3, accuracy: 0.9, samples: 250 });
    expect(evals[0]).toMatchObject({
      artifactHash: hex32(9),
      dataUrl: `http://data/${EVAL}`,
      expectedDataHash: 'ab'.repeat(32),
      backend: 'wasm',
    });
  });
});

describe('mlPort: per-sample evaluation for validators', () => {
  const specBytes = new Uint8Array(readFileSync(new URL('../../../public/specs/digits-mlp.json', import.meta.url)));
  const EVAL = hex32(0xe7a1);
  const outcome = (over: Partial<EvalOutcome> = {}): EvalOutcome => ({
    score: 0.75,
    loss: 0.6,
    accuracy: 0.75,
    samples: 4,
    datasetSamples: 4,
    backend: 'wasm',
    floatPrecision: 32,
    specHash: '',
    dataHash: '',
    artifactHash: hex32(9),
    perSample: {
      predictions: Int32Array.of(1, 2, 3, 4),
      correct: Uint8Array.of(1, 1, 0, 1),
      losses: Float32Array.of(0.1, 0.2, 1.9, 0.2),
      logits: new Float32Array(40),
    },
    ...over,
  });
  const port = (evaluate: (job: EvalJob) => Promise<EvalOutcome>, evalBackend?: 'webgl') =>
    mlPort({
      trainer: {
        train: async () => Promise.reject(new Error('no')),
        pause: () => undefined,
        resume: () => undefined,
        cancel: () => undefined,
      },
      evaluator: { evaluate },
      specBytes,
      trainData: hex32(1),
      dataUrl: (h) => `http://data/${h}`,
      ...(evalBackend ? { evalBackend } : {}),
    });

  it('asks the whole set with per-sample output on the automatic backend and returns the correct flags and losses', async () => {
    const jobs: EvalJob[] = [];
    const r = await port(async (job) => {
      jobs.push(job);
      return outcome();
    }).evaluateSamples({ artifact: new Uint8Array(4), artifactHash: hex32(9), dataHash: EVAL });
    expect(jobs[0]).toMatchObject({ perSample: true, backend: 'auto' });
    expect(jobs[0]!.subset).toBeUndefined();
    expect(jobs[0]!.indices).toBeUndefined();
    expect(jobs[0]!.allowHalfPrecision).toBeUndefined();
    expect(r).toEqual({
      samples: 4,
      correct: Uint8Array.of(1, 1, 0, 1),
      losses: Float32Array.of(0.1, 0.2, 1.9, 0.2),
      score: 0.75,
      backend: 'wasm',
      floatPrecision: 32,
    });
  });

  it('a forced backend that is 16-bit here is replaced by the automatic choice, for this job and the next', async () => {
    const jobs: EvalJob[] = [];
    const p = port(async (job) => {
      jobs.push(job);
      if (job.backend === 'webgl')
        throw new EvalJobError(
          'backend webgl computes in 16-bit floats here: its scores would not agree with 32-bit validators within the tolerance (docs/bench/consensus.md); evaluate on wasm or cpu',
        );
      return outcome();
    }, 'webgl');
    const r = await p.evaluateSamples({ artifact: new Uint8Array(4), artifactHash: hex32(9), dataHash: EVAL });
    expect(r.backend).toBe('wasm');
    await p.evaluate({ artifact: new Uint8Array(4), artifactHash: hex32(9), dataHash: EVAL });
    expect(jobs.map((j) => j.backend)).toEqual(['webgl', 'auto', 'auto']);
  });

  it('refuses an answer without complete per-sample results, or computed in 16-bit floats', async () => {
    const req = { artifact: new Uint8Array(4), artifactHash: hex32(9), dataHash: EVAL };
    await expect(port(async () => outcome({ perSample: undefined })).evaluateSamples(req)).rejects.toMatchObject({
      code: 'per-sample',
      retryable: false,
    });
    await expect(port(async () => outcome({ datasetSamples: 5 })).evaluateSamples(req)).rejects.toMatchObject({
      code: 'per-sample',
    });
    await expect(
      port(async () => outcome({ floatPrecision: 16, backend: 'webgl' })).evaluateSamples(req),
    ).rejects.toMatchObject({ code: 'half-precision' });
    // Other job errors are not a backend matter: passed on as they are.
    await expect(
      port(async () => Promise.reject(new EvalJobError('the artifact does not match'))).evaluateSamples(req),
    ).rejects.toMatchObject({ port: 'ml', retryable: false });
  });
});

describe('actionsChainPort', () => {
  // Prepared requests (issue 10, 3.3): the machine computes a commitment once (prepareSeal,
  // prepareScores) and stores it with its salt; the port and the action send it unchanged.
  function recordingPort() {
    const sent: { kind: string; functionName: string; args: readonly unknown[] }[] = [];
    const ctx = {
      publicClient: {},
      deployment: {
        chainId: 31337,
        contracts: {
          taskRegistry: REGISTRY,
          submissionBook: REGISTRY,
          stakeManager: REGISTRY,
          token: REGISTRY,
          rewardEngine: REGISTRY,
        },
      },
      wallet: { account: { address: TRAINER } },
      send: async (r: TxRequest) => {
        sent.push({ kind: r.kind, functionName: r.call.functionName, args: r.call.args });
        throw new TxError('rpc-unavailable', 'stop after recording');
      },
    } as unknown as ActionContext;
    return { ctx, sent, port: actionsChainPort(ctx, 7n) };
  }

  it('sends the seal commitment the agent stored, as it is', async () => {
    const { sent, port } = recordingPort();
    const seal = prepareSeal({
      taskId: 7n,
      epoch: 1,
      trainer: TRAINER,
      artifactHash: hex32(1),
      wmCommit: hex32(2),
      transcript: TRANSCRIPT,
      salt: hex32(3),
    });
    expect(seal.commitment).toBe(sealCommitment(7n, 1n, TRAINER, hex32(1), hex32(2), TRANSCRIPT, hex32(3)));
    await expect(
      port.sealSubmission({
        epoch: 1,
        commitment: seal.commitment,
        artifactHash: seal.artifactHash,
        wmCommit: seal.wmCommit,
        transcript: seal.transcript,
        salt: seal.salt,
      }),
    ).rejects.toMatchObject({ port: 'chain', retryable: true });
    // Whatever the stored commitment is, that is what goes out: nothing recomputes it on the way.
    const stored = hex32(99);
    await expect(
      port.sealSubmission({
        epoch: 1,
        commitment: stored,
        artifactHash: hex32(1),
        wmCommit: hex32(2),
        transcript: TRANSCRIPT,
        salt: hex32(3),
      }),
    ).rejects.toBeInstanceOf(PortError);
    expect(sent).toEqual([
      { kind: 'sealSubmission', functionName: 'sealSubmission', args: [7n, seal.commitment] },
      { kind: 'sealSubmission', functionName: 'sealSubmission', args: [7n, stored] },
    ]);
  });

  it('sends the score commitment the agent stored, as it is', async () => {
    const { sent, port } = recordingPort();
    const prepared = prepareScores({ taskId: 7n, epoch: 2, validator: TRAINER, scores: [1, 2], salt: hex32(3) });
    expect(prepared.commitment).toBe(scoresCommitment(7n, 2n, TRAINER, packScores([1, 2]), hex32(3)));
    await expect(
      port.commitScores({ epoch: 2, commitment: prepared.commitment, scores: prepared.scores, salt: prepared.salt }),
    ).rejects.toBeInstanceOf(PortError);
    expect(sent).toEqual([{ kind: 'commitScores', functionName: 'commitScores', args: [7n, prepared.commitment] }]);
  });

  it('refuses a request prepared for another account before anything is sent', async () => {
    const { ctx, sent } = recordingPort();
    const other = '0x00000000000000000000000000000000000000b2' as const;
    const seal = prepareSeal({
      taskId: 7n,
      epoch: 1,
      trainer: other,
      artifactHash: hex32(1),
      wmCommit: hex32(2),
      transcript: TRANSCRIPT,
      salt: hex32(3),
    });
    await expect(sendSeal(ctx, seal)).rejects.toMatchObject({ code: 'invalid-input', field: 'trainer' });
    const scores = prepareScores({ taskId: 7n, epoch: 2, validator: other, scores: [5], salt: hex32(3) });
    await expect(sendScores(ctx, scores)).rejects.toMatchObject({ code: 'invalid-input', field: 'validator' });
    expect(sent).toEqual([]);
  });
});
