// Errors across a worker boundary (src/lib/error-wire.ts, issue 10 section 1): every exported
// error class of src/lib is registered under its instances' name and comes back from its sent
// form, after the structured clone postMessage does, as an instance of its class with its code,
// message, details, retryable flag, own fields and causes.
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { getAddress } from 'viem';
import { describe, expect, it } from 'vitest';
import { AgentError } from '../../src/lib/agents/common.ts';
import { CanarySecretError } from '../../src/lib/agents/canary/derive.ts';
import { CanaryPlanError } from '../../src/lib/agents/canary/plan.ts';
import { PortError } from '../../src/lib/agents/ports.ts';
import { DatasetFilesError } from '../../src/lib/app-logic/dataset-files.ts';
import { SecretFileError } from '../../src/lib/app-logic/final-eval-secret.ts';
import { OwnershipKeyError } from '../../src/lib/app-logic/ownership.ts';
import { DisclosureUnavailableError } from '../../src/lib/app-logic/disclosure.ts';
import { DisclosureFetchError } from '../../src/lib/agents/validator/transcript-checker.ts';
import { ActionInputError } from '../../src/lib/chain/actions/context.ts';
import { NotLocalChainError } from '../../src/lib/chain/actions/dev/time.ts';
import { ChallengesUnavailableError } from '../../src/lib/chain/actions/read-challenges.ts';
import { DeploymentUnavailable } from '../../src/lib/chain/fetch-deployment.ts';
import { LogScanError } from '../../src/lib/chain/reads/event-log.ts';
import { EventDecodeError } from '../../src/lib/chain/reads/events.ts';
import { UnexpectedChainValue } from '../../src/lib/chain/reads/task-record.ts';
import { MissingEventError } from '../../src/lib/chain/receipt-events.ts';
import { AbortedError } from '../../src/lib/chain/tx/backoff.ts';
import { TxError } from '../../src/lib/chain/tx/errors.ts';
import { NoVerifierCeremonyError } from '../../src/lib/chain/verifier-ceremony.ts';
import { DevAccountsRefusedError } from '../../src/lib/chain/wallet/dev-accounts.ts';
import { WalletNotConnectedError, WrongNetworkError } from '../../src/lib/chain/wallet/network.ts';
import { errorClasses, errorFromWire, fromWorker, rebuildWorkerError } from '../../src/lib/error-registry.ts';
import { errorToJson, isErrorJson, sendErrorsAsJson, type ErrorJson } from '../../src/lib/error-wire.ts';
import { ArenaError } from '../../src/lib/errors.ts';
import { CidError } from '../../src/lib/ml/artifact/cid.ts';
import { ArtifactError } from '../../src/lib/ml/artifact/format.ts';
import { TranscriptError } from '../../src/lib/ml/transcript/errors.ts';
import { ManifestError } from '../../src/lib/ml/data/manifest.ts';
import { ShardError } from '../../src/lib/ml/data/shard.ts';
import { TextDatasetError } from '../../src/lib/ml/data/text.ts';
import {
  BackendCannotTrainError,
  BackendUnavailableError,
  EvalJobError,
  GenerateError,
  NoBackendError,
  TrainJobError,
  WeightShapeError,
} from '../../src/lib/ml/errors.ts';
import { IntegrityError } from '../../src/lib/ml/integrity.ts';
import { SimilarityError } from '../../src/lib/ml/similarity.ts';
import { SpecError } from '../../src/lib/ml/spec/parse.ts';
import { ShapeError } from '../../src/lib/ml/spec/shapes.ts';
import { CheckpointError } from '../../src/lib/ml/train/checkpoint.ts';
import { WatermarkError } from '../../src/lib/ml/watermark/types.ts';
import { InputError } from '../../src/lib/protocol/errors.ts';
import {
  BlobNotFoundError,
  BlobTooLargeError,
  CasConfigError,
  CasError,
  CasFetchError,
  CasHttpError,
  CasNetworkError,
  CidMismatchError,
  ContentMismatchError,
  DagFormatError,
  InvalidCidError,
  PinningError,
  UploadCidMismatchError,
  UploadError,
} from '../../src/lib/storage/cas/errors.ts';
import { StorageError } from '../../src/lib/storage/idb.ts';
import { BlockError } from '../../src/lib/storage/unixfs/block.ts';
import { ContentRefError } from '../../src/lib/storage/unixfs/ref.ts';
import { MissingBlockError } from '../../src/lib/storage/unixfs/walk.ts';
import {
  LocalVerificationError,
  ProofCancelledError,
  ShapeMismatchError,
  WatermarkDoesNotDecodeError,
  WitnessError,
  ZkArtifactError,
  ZkError,
  ZkInputError,
} from '../../src/lib/zk/errors.ts';

type Classes = typeof errorClasses;
const address = getAddress('0x00000000000000000000000000000000000000a1');
const hash = `0x${'12'.repeat(32)}` as const;
const cause = new Error('socket hang up');

// One instance per registered class; the mapped type makes a class without a sample a type error.
const samples: { [K in keyof Classes]: () => InstanceType<Classes[K]> } = {
  ArenaError: () => new ArenaError('rpc', 'The chain cannot be reached.', { cause, retryable: true }),
  AgentError: () => new AgentError('locked', 'Another tab runs this agent.'),
  CanarySecretError: () => new CanarySecretError('the canary secret must not be zero'),
  CanaryPlanError: () => new CanaryPlanError('the pool is too small'),
  PortError: () => new PortError('store', 'network', 'the gateway is down', true, { cause }),
  DatasetFilesError: () => new DatasetFilesError('no manifest.json among the files', { cause }),
  SecretFileError: () => new SecretFileError('the file is not a final-eval secret'),
  OwnershipKeyError: () => new OwnershipKeyError('key-mismatch', 'this key is not the one committed'),
  DisclosureUnavailableError: () =>
    new DisclosureUnavailableError('no-transcript', 'this device keeps no transcript for the submission'),
  DisclosureFetchError: () => new DisclosureFetchError('the gateway did not answer', { cause }),
  ActionInputError: () => new ActionInputError('amount', 'amount must be more than zero.'),
  NotLocalChainError: () => new NotLocalChainError(1),
  ChallengesUnavailableError: () => new ChallengesUnavailableError(1),
  DeploymentUnavailable: () => new DeploymentUnavailable('The deployment file cannot be fetched.', 'unreachable'),
  LogScanError: () => new LogScanError('the node pruned the logs', { cause }),
  EventDecodeError: () => new EventDecodeError('a log does not decode'),
  UnexpectedChainValue: () => new UnexpectedChainValue('unknown phase 9 from the chain'),
  MissingEventError: () => new MissingEventError('TaskCreated', hash),
  AbortedError: () => new AbortedError(),
  TxError: () => new TxError('reverted', 'The seal window is closed.', 'SealClosed', [3n, address], { cause }),
  NoVerifierCeremonyError: () => new NoVerifierCeremonyError(address, 'no-ceremony'),
  DevAccountsRefusedError: () => new DevAccountsRefusedError(1),
  WrongNetworkError: () => new WrongNetworkError({ id: 31337, name: 'Anvil (local)' }, 1, 'refused'),
  WalletNotConnectedError: () => new WalletNotConnectedError(),
  CidError: () => new CidError('a sha2-256 digest is 32 bytes, got 3'),
  ArtifactError: () => new ArtifactError('nonfinite', 'tensor 2 holds NaN', 2),
  ManifestError: () => new ManifestError('shards[2].sha256', 'not 64 hex digits'),
  ShardError: () => new ShardError('ab'.repeat(32), 'bad magic'),
  TextDatasetError: () => new TextDatasetError('src/Token.sol', 'contains the separator byte 0 at offset 12'),
  BackendCannotTrainError: () => new BackendCannotTrainError('webgl', 'no float32 textures'),
  BackendUnavailableError: () => new BackendUnavailableError('webgpu', 'no adapter'),
  EvalJobError: () => new EvalJobError('give either subset or indices, not both'),
  GenerateError: () => new GenerateError('maxNewBytes must be an integer in 1..65536, got 0'),
  NoBackendError: () =>
    new NoBackendError([{ name: 'webgpu', status: 'unavailable', reason: 'no adapter' }] as NoBackendError['report']),
  TrainJobError: () => new TrainJobError('a run is already in progress in this worker'),
  WeightShapeError: () => new WeightShapeError('the model has 4 weight tensors, got 3'),
  IntegrityError: () => new IntegrityError('aa', 'bb', 'the model spec'),
  SimilarityError: () => new SimilarityError('the models have 4 and 3 tensors'),
  SpecError: () => new SpecError('layers[3].units', 'must be a positive integer'),
  ShapeError: () => new ShapeError('layers[1]', 'kernel larger than input'),
  CheckpointError: () => new CheckpointError('another model'),
  TranscriptError: () => new TranscriptError('store', 'state 3 of transcript t is missing'),
  WatermarkError: () => new WatermarkError('the key has the wrong length'),
  InputError: () => new InputError('epochs[0].scores', 'not a list'),
  BlobNotFoundError: () => new BlobNotFoundError('bafy1', [new CasHttpError('http://gw', 404, 'not found')]),
  BlobTooLargeError: () => new BlobTooLargeError('http://gw', 10, 11),
  CasConfigError: () => new CasConfigError('VITE_IPFS_GATEWAYS', 'No IPFS gateway is configured.'),
  CasError: () => new CasError('network', 'the store is down'),
  CasFetchError: () =>
    new CasFetchError('bafy1', [new BlobTooLargeError('a', 1, 2), new CasNetworkError('http://b', 'down', { cause })]),
  CasHttpError: () => new CasHttpError('http://gw', 429, 'slow down', 2_000),
  CasNetworkError: () => new CasNetworkError('http://gw/ipfs/bafy', 'connection refused', { cause }),
  CidMismatchError: () => new CidMismatchError('http://gw', 'bafy1', 'bafy2', 3),
  ContentMismatchError: () => new ContentMismatchError('bafy1', `0x${'11'.repeat(32)}`, `0x${'22'.repeat(32)}`),
  DagFormatError: () => new DagFormatError('bafy1', 'its file size disagrees with its parts'),
  BlockError: () => new BlockError('bafy1', { kind: 'hash', message: 'its 10 bytes hash to something else' }),
  ContentRefError: () => new ContentRefError('a content root of zero names nothing'),
  MissingBlockError: () => new MissingBlockError('bafy1'),
  InvalidCidError: () => new InvalidCidError('x', 'not a CID'),
  PinningError: () => new PinningError('pin_timeout', 'bafy1', 'pinning took too long'),
  UploadCidMismatchError: () => new UploadCidMismatchError('http://up', 'bafy1', 'bafy2'),
  UploadError: () => new UploadError('the upload endpoint is down', { cause }),
  StorageError: () => new StorageError('IndexedDB is not available in this context'),
  LocalVerificationError: () => new LocalVerificationError('the proof does not verify'),
  ProofCancelledError: () => new ProofCancelledError(),
  ShapeMismatchError: () => new ShapeMismatchError('the key has T = 3'),
  WatermarkDoesNotDecodeError: () => new WatermarkDoesNotDecodeError(9, 4),
  WitnessError: () => new WitnessError('Assert Failed', { cause }),
  ZkArtifactError: () => new ZkArtifactError('the zkey fails its hash check'),
  ZkError: () => new ZkError('busy', 'a proof is already running'),
  ZkInputError: () => new ZkInputError('the key has 3 bits'),
};

/** What postMessage does to the sent form. */
const acrossWorker = (e: unknown): Error => errorFromWire(structuredClone(errorToJson(e)));

/** An error's own enumerable data, causes followed one level: what must survive. */
function view(e: Error): Record<string, unknown> {
  const a = e as ArenaError;
  const own = Object.fromEntries(Object.entries(e).filter(([, v]) => typeof v !== 'function'));
  return {
    ...own,
    name: a.name,
    message: a.message,
    code: a.code,
    shortMessage: a.shortMessage,
    details: a.details,
    retryable: a.retryable,
    stack: a.stack,
    cause: a.cause instanceof Error ? { name: a.cause.name, message: a.cause.message } : a.cause,
  };
}

describe('the error registry', () => {
  it('lists every error class exported from src/lib, under the name its instances carry', () => {
    const root = join(import.meta.dirname, '../../src/lib');
    const files = (readdirSync(root, { recursive: true }) as string[]).filter((f) => /\.(ts|svelte)$/.test(f));
    const extendsOf = new Map<string, string>();
    for (const f of files)
      for (const m of readFileSync(join(root, f), 'utf8').matchAll(/export class (\w+)(?:<[^>]*>)? extends (\w+)/g))
        extendsOf.set(m[1]!, m[2]!);
    const isError = (name: string, seen = new Set<string>()): boolean =>
      name === 'ArenaError' ||
      (!seen.has(name) && extendsOf.has(name) && isError(extendsOf.get(name)!, seen.add(name)));
    const exported = [...new Set([...extendsOf.keys(), 'ArenaError'])].filter((n) => isError(n)).sort();
    expect(exported.length).toBeGreaterThan(55);
    expect(Object.keys(errorClasses).sort()).toEqual(exported);
  });

  it.each(Object.keys(samples) as (keyof Classes)[])(
    '%s: the sample is of the class registered under its name',
    (k) => {
      const e = samples[k]();
      expect(e.constructor).toBe(errorClasses[k]);
      expect(e.name).toBe(k);
    },
  );
});

describe('errors across a worker boundary', () => {
  it.each(Object.keys(samples) as (keyof Classes)[])(
    '%s: comes back as its class with code, message, details, retryable and fields',
    (k) => {
      const e = samples[k]();
      const back = acrossWorker(e);
      expect(back).toBeInstanceOf(errorClasses[k]);
      expect(back).toBeInstanceOf(ArenaError);
      expect(back.constructor).toBe(errorClasses[k]);
      expect(view(back)).toEqual(view(e));
      // Getters and methods come from the class: the same prototype.
      expect(Object.getPrototypeOf(back)).toBe(errorClasses[k].prototype);
    },
  );

  it('keeps retryable both ways, and what the class computes from its fields', () => {
    const unreachable = acrossWorker(new DeploymentUnavailable('x', 'unreachable')) as DeploymentUnavailable;
    const missing = acrossWorker(new DeploymentUnavailable('x', 'missing')) as DeploymentUnavailable;
    expect([unreachable.retryable, unreachable.reason, missing.retryable, missing.reason]).toEqual([
      true,
      'unreachable',
      false,
      'missing',
    ]);
    const http = acrossWorker(new CasHttpError('http://gw', 503, '')) as CasHttpError;
    expect([http.transient, http.status, http.retryable]).toEqual([true, 503, true]);
  });

  it('rebuilds causes, so walk still finds a typed error or a wallet code under it', () => {
    const root = { code: 4001, message: 'User rejected the request.' };
    const tx = new TxError('rejected', 'You declined the request in your wallet.', undefined, undefined, {
      cause: new Error('wallet said no', { cause: root }),
    });
    const port = new PortError('chain', tx.code, tx.message, tx.retryable, { cause: tx });
    const back = acrossWorker(port) as PortError;
    expect(back.walk((e) => e instanceof TxError)).toBeInstanceOf(TxError);
    expect(back.walk()).toEqual(root);
    expect(back.port).toBe('chain');
  });

  it('keeps errors inside fields typed, and a field that holds the error itself points at the copy', () => {
    const fetch = acrossWorker(samples.CasFetchError()) as CasFetchError;
    expect(fetch.failures.map((f) => f.constructor)).toEqual([BlobTooLargeError, CasNetworkError]);
    expect((fetch.failures[1] as CasNetworkError).cause).toEqual(cause);
    const mismatch = acrossWorker(samples.CidMismatchError()) as CidMismatchError;
    expect(mismatch.failures).toHaveLength(1);
    expect(mismatch.failures[0]).toBe(mismatch);
    expect(samples.CidMismatchError().failures[0]).toBeInstanceOf(CidMismatchError);
  });

  it('leaves out what structured clone cannot copy instead of failing to send', () => {
    const e = new SpecError('layers', 'bad');
    Object.assign(e, { helper: () => 1, client: new (class Client {})(), tag: Symbol('x'), data: { n: 1n } });
    const j = errorToJson(e);
    expect(() => structuredClone(j)).not.toThrow();
    expect(j.fields).toEqual({ field: 'layers', reason: 'bad', data: { n: 1n } });
  });

  it('a name the registry does not know keeps code and retryable on an ArenaError', () => {
    const j: ErrorJson = { ...errorToJson(new TxError('rpc-unavailable', 'down')), name: 'FutureError' };
    const back = errorFromWire(j) as ArenaError;
    expect([back.constructor, back.name, back.code, back.retryable]).toEqual([
      ArenaError,
      'FutureError',
      'rpc-unavailable',
      true,
    ]);
  });

  it('errors that are not ArenaErrors stay the language class; thrown non-errors become Errors', () => {
    const range = acrossWorker(new RangeError('batchSize: must be a positive integer, got 0'));
    expect([range.constructor, range.message, 'code' in range]).toEqual([
      RangeError,
      'batchSize: must be a positive integer, got 0',
      false,
    ]);
    const thrown = acrossWorker('a string');
    expect([thrown.constructor, thrown.message]).toEqual([Error, 'a string']);
  });
});

describe('a worker API that sends its errors as JSON', () => {
  const api = sendErrorsAsJson({
    version: 3,
    sync(n: number) {
      if (n < 0) throw new SpecError('n', 'negative');
      return n * 2;
    },
    async later(n: number) {
      if (n < 0) throw new EvalJobError('negative');
      return n + 1;
    },
  });

  it('passes results and data through unchanged', async () => {
    expect([api.version, api.sync(2), await api.later(2)]).toEqual([3, 4, 3]);
  });

  it('throws and rejects with the sent form, which the client rebuilds', async () => {
    let thrown: unknown;
    try {
      api.sync(-1);
    } catch (e) {
      thrown = e;
    }
    expect(isErrorJson(thrown)).toBe(true);
    expect(rebuildWorkerError(thrown)).toBeInstanceOf(SpecError);
    const rejected = await api.later(-1).then(
      () => null,
      (e: unknown) => e,
    );
    expect(rejected).toMatchObject({ wire: 'arena-error', name: 'EvalJobError', code: 'eval-job', retryable: false });
    await expect(fromWorker(api.later(-1))).rejects.toBeInstanceOf(EvalJobError);
    // A rejection that was not sent as an error's JSON (Comlink's own, a terminated worker) is left alone.
    const other = new Error('worker terminated');
    expect(rebuildWorkerError(other)).toBe(other);
  });
});
