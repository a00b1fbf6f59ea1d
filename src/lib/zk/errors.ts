// Typed errors of the ownership prover (docs/zk.md section 5). Each has a code for the UI and a
// message that reads as a sentence. They cross the worker boundary as plain objects (toJSON /
// zkErrorFromJson), since structured clone keeps only an Error's name and message.
import { ArenaError } from '../errors.ts';

export type ZkErrorCode =
  | 'bad_input'
  | 'shape_mismatch'
  | 'does_not_decode'
  | 'artifacts'
  | 'witness'
  | 'local_verify'
  | 'cancelled'
  | 'busy'
  | 'internal';

export class ZkError extends ArenaError<ZkErrorCode> {
  constructor(code: ZkErrorCode, message: string, options?: { cause?: unknown }) {
    super(code, message, options);
    this.name = 'ZkError';
  }

  toJSON(): ZkErrorJson {
    return { code: this.code, message: this.message, name: this.name };
  }
}

/** Inputs the circuit cannot take: a malformed owner, maxErr out of range, q out of range. */
export class ZkInputError extends ZkError {
  constructor(message: string) {
    super('bad_input', message);
    this.name = 'ZkInputError';
  }
}

/** The key, the vector or the spec's watermark do not have the circuit's T, N and WB. */
export class ShapeMismatchError extends ZkError {
  constructor(message: string) {
    super('shape_mismatch', message);
    this.name = 'ShapeMismatchError';
  }
}

/** The model does not carry the owner's watermark under this key: no proof can exist. */
export class WatermarkDoesNotDecodeError extends ZkError {
  constructor(
    readonly wrong: number,
    readonly maxErr: number,
  ) {
    super(
      'does_not_decode',
      `the model decodes the owner's address with ${wrong} wrong bits, more than the ${maxErr} the task allows: this key does not prove ownership of this model`,
    );
    this.name = 'WatermarkDoesNotDecodeError';
  }
}

/** The circuit's wasm, zkey or verification key could not be fetched or failed its hash check. */
export class ZkArtifactError extends ZkError {
  constructor(message: string, options?: { cause?: unknown }) {
    super('artifacts', message, options);
    this.name = 'ZkArtifactError';
  }
}

/** The witness calculator rejected the inputs (a constraint failed). */
export class WitnessError extends ZkError {
  constructor(message: string, options?: { cause?: unknown }) {
    super('witness', message, options);
    this.name = 'WitnessError';
  }
}

/** The proof did not verify locally, or proves other public signals than the ones asked for. */
export class LocalVerificationError extends ZkError {
  constructor(message: string) {
    super('local_verify', message);
    this.name = 'LocalVerificationError';
  }
}

export class ProofCancelledError extends ZkError {
  constructor(reason = 'the proof was cancelled') {
    super('cancelled', reason);
    this.name = 'ProofCancelledError';
  }
}

export interface ZkErrorJson {
  code: ZkErrorCode;
  name: string;
  message: string;
  wrong?: number;
  maxErr?: number;
}

export function zkErrorToJson(e: unknown): ZkErrorJson {
  if (e instanceof WatermarkDoesNotDecodeError) return { ...e.toJSON(), wrong: e.wrong, maxErr: e.maxErr };
  if (e instanceof ZkError) return e.toJSON();
  return { code: 'internal', name: 'ZkError', message: e instanceof Error ? e.message : String(e) };
}

/** The typed error back from its JSON form (the client side of the worker). */
export function zkErrorFromJson(j: ZkErrorJson): ZkError {
  switch (j.code) {
    case 'bad_input':
      return new ZkInputError(j.message);
    case 'shape_mismatch':
      return new ShapeMismatchError(j.message);
    case 'does_not_decode':
      return new WatermarkDoesNotDecodeError(j.wrong ?? -1, j.maxErr ?? -1);
    case 'artifacts':
      return new ZkArtifactError(j.message);
    case 'witness':
      return new WitnessError(j.message);
    case 'local_verify':
      return new LocalVerificationError(j.message);
    case 'cancelled':
      return new ProofCancelledError(j.message);
    default:
      return new ZkError('internal', j.message);
  }
}
