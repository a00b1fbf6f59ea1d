// The library's one error base (src/lib/errors.ts, issue 10 section 3.2): its fields, walk over
// causes, retryable as each kind sets it, and errorSentence reading the base's fields for every
// typed error of src/lib (no error name is looked at).
import { getAddress } from 'viem';
import { describe, expect, it } from 'vitest';
import { AgentError } from '../../src/lib/agents/common.ts';
import { CanarySecretError } from '../../src/lib/agents/canary/derive.ts';
import { CanaryPlanError } from '../../src/lib/agents/canary/plan.ts';
import { PortError } from '../../src/lib/agents/ports.ts';
import { errorSentence, isRejection } from '../../src/lib/app-logic/errors.ts';
import { ActionInputError } from '../../src/lib/chain/actions/context.ts';
import { NotLocalChainError } from '../../src/lib/chain/actions/dev/time.ts';
import { ChallengesUnavailableError } from '../../src/lib/chain/actions/read-challenges.ts';
import { DeploymentUnavailable } from '../../src/lib/chain/fetch-deployment.ts';
import { LogScanError } from '../../src/lib/chain/reads/event-log.ts';
import { EventDecodeError } from '../../src/lib/chain/reads/events.ts';
import { UnexpectedChainValue } from '../../src/lib/chain/reads/task-record.ts';
import { AbortedError } from '../../src/lib/chain/tx/backoff.ts';
import { toTxError } from '../../src/lib/chain/tx/decode.ts';
import { TxError } from '../../src/lib/chain/tx/errors.ts';
import { NoVerifierCeremonyError } from '../../src/lib/chain/verifier-ceremony.ts';
import { DevAccountsRefusedError } from '../../src/lib/chain/wallet/dev-accounts.ts';
import { WalletNotConnectedError, WrongNetworkError } from '../../src/lib/chain/wallet/network.ts';
import { ArenaError, walkCauses } from '../../src/lib/errors.ts';
import { ArtifactError } from '../../src/lib/ml/artifact/format.ts';
import { CidError } from '../../src/lib/ml/artifact/cid.ts';
import { BackendUnavailableError } from '../../src/lib/ml/backend/activate.ts';
import { BackendCannotTrainError, NoBackendError } from '../../src/lib/ml/backend/select.ts';
import { ManifestError } from '../../src/lib/ml/data/manifest.ts';
import { ShardError } from '../../src/lib/ml/data/shard.ts';
import { EvalJobError } from '../../src/lib/ml/eval/service.ts';
import { IntegrityError } from '../../src/lib/ml/integrity.ts';
import { WeightShapeError } from '../../src/lib/ml/model/model.ts';
import { SimilarityError } from '../../src/lib/ml/similarity.ts';
import { SpecError } from '../../src/lib/ml/spec/parse.ts';
import { ShapeError } from '../../src/lib/ml/spec/shapes.ts';
import { CheckpointError } from '../../src/lib/ml/train/checkpoint.ts';
import { TrainJobError } from '../../src/lib/ml/train/service.ts';
import { WatermarkError } from '../../src/lib/ml/watermark/types.ts';
import { InputError } from '../../src/lib/protocol/errors.ts';
import {
  BlobNotFoundError,
  BlobTooLargeError,
  CasConfigError,
  CasFetchError,
  CasHttpError,
  CasNetworkError,
  CidMismatchError,
  InvalidCidError,
  PinningError,
  UploadCidMismatchError,
  UploadError,
} from '../../src/lib/storage/cas/errors.ts';
import { StorageError } from '../../src/lib/storage/idb.ts';
import { ProofCancelledError, WatermarkDoesNotDecodeError, ZkInputError } from '../../src/lib/zk/errors.ts';
import { errorToJson } from '../../src/lib/error-wire.ts';
import { errorFromWire } from '../../src/lib/error-registry.ts';

const address = getAddress('0x00000000000000000000000000000000000000a1');

describe('ArenaError', () => {
  it('carries code, short message, details and cause; the message is the short message', () => {
    const cause = new Error('HTTP request failed. Status: 502 URL: http://127.0.0.1:8545');
    const e = new ArenaError('rpc', 'The chain cannot be reached.', { cause, retryable: true });
    expect(e).toBeInstanceOf(Error);
    expect([e.code, e.shortMessage, e.message, e.details, e.cause, e.retryable]).toEqual([
      'rpc',
      'The chain cannot be reached.',
      'The chain cannot be reached.',
      cause.message,
      cause,
      true,
    ]);
    const plain = new ArenaError('x', 'Plain.', { details: 'what the node said' });
    expect([plain.details, plain.retryable, 'cause' in plain]).toEqual(['what the node said', false, false]);
  });

  it('walks its causes: the innermost without a test, the first match with one, null when none matches', () => {
    const root = { code: 4001, message: 'User rejected the request.' };
    const mid = new Error('wallet said no', { cause: root });
    const top = new TxError('rejected', 'You declined the request in your wallet.', undefined, undefined, {
      cause: mid,
    });
    const port = new PortError('chain', top.code, top.message, top.retryable, { cause: top });
    expect(port.walk()).toBe(root);
    expect(port.walk((e) => e instanceof TxError)).toBe(top);
    expect(port.walk((e) => (e as { code?: unknown }).code === 4001)).toBe(root);
    expect(port.walk((e) => e instanceof AbortedError)).toBeNull();
    expect(new AbortedError().walk()).toBeInstanceOf(AbortedError);
  });

  it('stops walking at a cycle', () => {
    const a = new ArenaError('a', 'A.');
    const b = new ArenaError('b', 'B.', { cause: a });
    (a as { cause?: unknown }).cause = b;
    expect(a.walk()).toBe(b);
    expect(walkCauses(a, (e) => e === 'never')).toBeNull();
  });

  it('says whether a retry can help, per kind', () => {
    const retryable = (e: ArenaError) => e.retryable;
    expect(retryable(new TxError('rpc-unavailable', 'x'))).toBe(true);
    expect(retryable(new TxError('nonce', 'x'))).toBe(true);
    expect(retryable(new TxError('reverted', 'x'))).toBe(false);
    expect(retryable(new TxError('rejected', 'x'))).toBe(false);
    expect(retryable(new TxError('insufficient-funds', 'x'))).toBe(false);
    expect(retryable(toTxError(new Error('fetch failed')))).toBe(true);
    expect(retryable(new CasNetworkError('http://gw', 'refused'))).toBe(true);
    expect(retryable(new CasHttpError('http://gw', 503, ''))).toBe(true);
    expect(retryable(new CidMismatchError('http://gw', 'bafy1', 'bafy2', 3))).toBe(true);
    expect(retryable(new BlobTooLargeError('http://gw', 10, 11))).toBe(false);
    expect(retryable(new InvalidCidError('x', 'not a CID'))).toBe(false);
    expect(retryable(new UploadCidMismatchError('http://up', 'bafy1', 'bafy2'))).toBe(false);
    expect(
      retryable(new CasFetchError('bafy1', [new BlobTooLargeError('a', 1, 2), new BlobTooLargeError('b', 1, 2)])),
    ).toBe(false);
    expect(
      retryable(new CasFetchError('bafy1', [new BlobTooLargeError('a', 1, 2), new CasNetworkError('b', 'down')])),
    ).toBe(true);
    expect(retryable(new PortError('store', 'network', 'x', true))).toBe(true);
    expect(retryable(new PortError('ml', 'EvalJobError', 'x', false))).toBe(false);
    expect(retryable(new DeploymentUnavailable('x', 'unreachable'))).toBe(true);
    expect(retryable(new DeploymentUnavailable('x', 'missing'))).toBe(false);
    expect(retryable(new ActionInputError('amount', 'x'))).toBe(false);
  });
});

describe('errorSentence over every typed error of src/lib', () => {
  const cas = new CasNetworkError('http://gw/ipfs/bafy', 'connection refused');
  const kinds: ArenaError[] = [
    new AgentError('locked', 'Another tab runs this agent.'),
    new CanarySecretError('the canary secret must not be zero'),
    new CanaryPlanError('the pool is too small'),
    new PortError('chain', 'wrong-epoch', 'the chain is in epoch 3, not 2', true),
    new ActionInputError('amount', 'amount must be more than zero.'),
    new NotLocalChainError(1),
    new ChallengesUnavailableError(1),
    new DeploymentUnavailable('No deployment for chain 5 here.', 'missing'),
    new LogScanError('the node pruned the logs'),
    new EventDecodeError('a log does not decode'),
    new UnexpectedChainValue('unknown phase 9 from the chain'),
    new AbortedError(),
    new TxError('reverted', 'The seal window is closed.'),
    new NoVerifierCeremonyError(address, 'no-code'),
    new DevAccountsRefusedError(1),
    new WrongNetworkError({ id: 31337, name: 'Anvil (local)' }, 1, 'refused'),
    new WalletNotConnectedError(),
    new ArtifactError('nonfinite', 'tensor 2 holds NaN'),
    new CidError('a sha2-256 digest is 32 bytes, got 3'),
    new BackendUnavailableError('webgpu', 'no adapter'),
    new BackendCannotTrainError('webgl', 'no float32 textures'),
    new NoBackendError([]),
    new ManifestError('shards[2].sha256', 'not 64 hex digits'),
    new ShardError('', 'bad magic'),
    new EvalJobError('give either subset or indices, not both'),
    new IntegrityError('aa', 'bb', 'the model spec'),
    new WeightShapeError('the model has 4 weight tensors, got 3'),
    new SimilarityError('the models have 4 and 3 tensors'),
    new SpecError('layers[3].units', 'must be a positive integer'),
    new ShapeError('layers[1]', 'kernel larger than input'),
    new CheckpointError('another model'),
    new TrainJobError('the model spec hashes to aa, the task names bb'),
    new WatermarkError('the key has the wrong length'),
    new InputError('epochs[0].scores', 'not a list'),
    cas,
    new CasHttpError('http://gw', 404, 'not found'),
    new CasConfigError('VITE_IPFS_GATEWAYS', 'No IPFS gateway is configured.'),
    new BlobNotFoundError('bafy1', []),
    new UploadError('the upload endpoint is down'),
    new PinningError('pin_timeout', 'bafy1', 'pinning took too long'),
    new StorageError('IndexedDB is not available in this context'),
    new ZkInputError('the key has 3 bits'),
    new WatermarkDoesNotDecodeError(9, 4),
    new ProofCancelledError(),
  ];

  it.each(kinds.map((e) => [e.name, e] as const))('%s: its own sentence, a code, not a rejection', (_name, e) => {
    expect(e).toBeInstanceOf(ArenaError);
    expect(e.code).toMatch(/^[\w-]+$/);
    expect(e.shortMessage.length).toBeGreaterThan(0);
    expect(errorSentence(e)).toBe(e.shortMessage);
    expect(errorSentence(e)).not.toMatch(/^The transaction failed/);
    expect(isRejection(e)).toBe(false);
  });

  it('a declined wallet request is a rejection whether raw, decoded or behind a port', () => {
    const raw = { code: 4001, message: 'User rejected the request.' };
    const tx = toTxError(raw);
    expect(isRejection(raw)).toBe(true);
    expect(isRejection(tx)).toBe(true);
    expect(isRejection(new PortError('chain', tx.code, tx.message, tx.retryable, { cause: tx }))).toBe(true);
    expect(errorSentence(tx)).toBe('You declined the request in your wallet.');
  });

  it('anything else goes through the decoder', () => {
    expect(errorSentence(new Error('boom'))).toBe('The transaction failed: boom.');
    expect(errorSentence({ code: 4001 })).toBe('You declined the request in your wallet.');
    // An object that merely looks like ours (a string code) is not trusted to speak to users.
    expect(errorSentence({ code: 'not-ready', message: 'raw text\nwith a stack' })).toBe(
      'The transaction failed: raw text.',
    );
  });

  it('a zk error keeps its kind across the worker boundary', () => {
    const back = errorFromWire(errorToJson(new WatermarkDoesNotDecodeError(9, 4))) as WatermarkDoesNotDecodeError;
    expect(back).toBeInstanceOf(WatermarkDoesNotDecodeError);
    expect([back.code, errorSentence(back)]).toEqual([
      'does_not_decode',
      new WatermarkDoesNotDecodeError(9, 4).message,
    ]);
  });
});
