// Every error class of src/lib by the name its instances carry: what errorFromJson
// (src/lib/error-wire.ts) rebuilds a worker's error as. A new error class is added here;
// test/unit/error-wire.test.ts fails on an exported class that is missing. The ML classes come
// from src/lib/ml/errors.ts, not the tfjs modules that throw them, so the page loads no tfjs.
import { ArenaError } from './errors.ts';
import { errorFromJson, rebuildError, type ErrorJson, type ErrorRegistry } from './error-wire.ts';
import { CanarySecretError } from './agents/canary/derive.ts';
import { CanaryPlanError } from './agents/canary/plan.ts';
import { AgentError } from './agents/common.ts';
import { PortError } from './agents/ports.ts';
import { DatasetFilesError } from './app-logic/dataset-files.ts';
import { SecretFileError } from './app-logic/final-eval-secret.ts';
import { OwnershipKeyError } from './app-logic/ownership.ts';
import { DisclosureUnavailableError } from './app-logic/disclosure.ts';
import { DisclosureFetchError } from './agents/validator/transcript-checker.ts';
import { ActionInputError } from './chain/actions/context.ts';
import { NotLocalChainError } from './chain/actions/dev/time.ts';
import { ChallengesUnavailableError } from './chain/actions/read-challenges.ts';
import { DeploymentUnavailable } from './chain/fetch-deployment.ts';
import { LogScanError } from './chain/reads/event-log.ts';
import { EventDecodeError } from './chain/reads/events.ts';
import { UnexpectedChainValue } from './chain/reads/task-record.ts';
import { MissingEventError } from './chain/receipt-events.ts';
import { AbortedError } from './chain/tx/backoff.ts';
import { TxError } from './chain/tx/errors.ts';
import { NoVerifierCeremonyError } from './chain/verifier-ceremony.ts';
import { DevAccountsRefusedError } from './chain/wallet/dev-accounts.ts';
import { WalletNotConnectedError, WrongNetworkError } from './chain/wallet/network.ts';
import { CidError } from './ml/artifact/cid.ts';
import { ArtifactError } from './ml/artifact/format.ts';
import { ManifestError } from './ml/data/manifest.ts';
import { ShardError } from './ml/data/shard.ts';
import { TextDatasetError } from './ml/data/text.ts';
import {
  BackendCannotTrainError,
  BackendUnavailableError,
  EvalJobError,
  GenerateError,
  NoBackendError,
  TrainJobError,
  WeightShapeError,
} from './ml/errors.ts';
import { IntegrityError } from './ml/integrity.ts';
import { SimilarityError } from './ml/similarity.ts';
import { SpecError } from './ml/spec/parse.ts';
import { ShapeError } from './ml/spec/shapes.ts';
import { CheckpointError } from './ml/train/checkpoint.ts';
import { TranscriptError } from './ml/transcript/errors.ts';
import { WatermarkError } from './ml/watermark/types.ts';
import { InputError } from './protocol/errors.ts';
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
} from './storage/cas/errors.ts';
import { StorageError } from './storage/idb.ts';
import { BlockError } from './storage/unixfs/block.ts';
import { ContentRefError } from './storage/unixfs/ref.ts';
import { MissingBlockError } from './storage/unixfs/walk.ts';
import {
  LocalVerificationError,
  ProofCancelledError,
  ShapeMismatchError,
  WatermarkDoesNotDecodeError,
  WitnessError,
  ZkArtifactError,
  ZkError,
  ZkInputError,
} from './zk/errors.ts';

export const errorClasses = {
  ArenaError,
  AbortedError,
  ActionInputError,
  AgentError,
  ArtifactError,
  BackendCannotTrainError,
  BackendUnavailableError,
  BlobNotFoundError,
  BlobTooLargeError,
  BlockError,
  CanaryPlanError,
  CanarySecretError,
  CasConfigError,
  CasError,
  CasFetchError,
  CasHttpError,
  CasNetworkError,
  ChallengesUnavailableError,
  CheckpointError,
  CidError,
  CidMismatchError,
  ContentMismatchError,
  ContentRefError,
  DagFormatError,
  DatasetFilesError,
  DeploymentUnavailable,
  DevAccountsRefusedError,
  EvalJobError,
  EventDecodeError,
  GenerateError,
  InputError,
  IntegrityError,
  InvalidCidError,
  LocalVerificationError,
  LogScanError,
  ManifestError,
  MissingBlockError,
  MissingEventError,
  NoBackendError,
  NoVerifierCeremonyError,
  NotLocalChainError,
  OwnershipKeyError,
  DisclosureUnavailableError,
  DisclosureFetchError,
  PinningError,
  PortError,
  ProofCancelledError,
  SecretFileError,
  ShapeError,
  ShapeMismatchError,
  ShardError,
  SimilarityError,
  SpecError,
  StorageError,
  TextDatasetError,
  TrainJobError,
  TranscriptError,
  TxError,
  UnexpectedChainValue,
  UploadCidMismatchError,
  UploadError,
  WalletNotConnectedError,
  WatermarkDoesNotDecodeError,
  WatermarkError,
  WeightShapeError,
  WitnessError,
  WrongNetworkError,
  ZkArtifactError,
  ZkError,
  ZkInputError,
} as const satisfies ErrorRegistry;

/** A worker's error rebuilt as its library class (error-wire.ts's errorFromJson over every class). */
export const errorFromWire = (j: ErrorJson): Error => errorFromJson(j, errorClasses);

/** A worker's rejection with the error rebuilt; anything not sent as an error's JSON unchanged. */
export const rebuildWorkerError = (e: unknown): unknown => rebuildError(e, errorClasses);

/**
 * A worker call whose rejection carries the library's error class again (the worker wraps its API
 * in sendErrorsAsJson).
 */
export async function fromWorker<T>(call: Promise<T>): Promise<T> {
  try {
    return await call;
  } catch (e) {
    throw rebuildWorkerError(e);
  }
}
