// Typed errors of the ownership prover (docs/zk.md section 5). Each has a code for the UI and a
// message that reads as a sentence. They cross the worker boundary as JSON (src/lib/error-wire.ts),
// since structured clone keeps only an Error's name and message.
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
