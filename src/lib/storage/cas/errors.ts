// Typed errors of the content-addressed store client. Every one has a code (for the UI and for
// tests) and a message that reads as a sentence a user can act on. Retryable unless the same
// request cannot succeed later: too large, not a CID, an endpoint that rewrites content.
import { ArenaError, type ArenaErrorOptions } from '../../errors.ts';

export type CasErrorCode =
  | 'invalid_cid'
  | 'invalid_config'
  | 'cid_mismatch'
  | 'content_mismatch'
  | 'bad_dag'
  | 'too_large'
  | 'http'
  | 'network'
  | 'not_found'
  | 'fetch_failed'
  | 'upload_failed'
  | 'upload_cid_mismatch'
  | 'pin_failed'
  | 'pin_timeout';

export class CasError extends ArenaError<CasErrorCode> {
  constructor(code: CasErrorCode, message: string, options?: ArenaErrorOptions) {
    super(code, message, { retryable: true, ...options });
    this.name = 'CasError';
  }
}

export class InvalidCidError extends CasError {
  constructor(
    readonly input: string,
    reason: string,
  ) {
    super('invalid_cid', reason, { retryable: false });
    this.name = 'InvalidCidError';
  }
}

export class CasConfigError extends CasError {
  constructor(
    readonly variable: string,
    message: string,
  ) {
    super('invalid_config', message);
    this.name = 'CasConfigError';
  }
}

/**
 * A gateway answered with bytes whose sha-256 is not the one the CID names. The bytes are
 * discarded; this error is always surfaced (a lying or broken gateway is something the user must
 * know about), even when another gateway then served the right bytes.
 */
export class CidMismatchError extends CasError {
  constructor(
    readonly gateway: string,
    /** The CID asked for. */
    readonly expected: string,
    /** The CID of the bytes the gateway sent. */
    readonly actual: string,
    readonly receivedBytes: number,
  ) {
    super(
      'cid_mismatch',
      `${gateway} served wrong content for ${expected}: the ${receivedBytes} bytes it sent hash to ${actual}. They were discarded.`,
    );
    this.name = 'CidMismatchError';
  }

  /** Every gateway's failure when this error ends a fetch (this one included). */
  failures: readonly GatewayFailure[] = [this];
}

/**
 * The file's blocks all matched their CIDs, but the file is not the one asked for: its sha-256 is
 * not the hash the chain names. The root published next to the hash points elsewhere (a
 * publisher's mistake or lie); no gateway can serve the right file under it.
 */
export class ContentMismatchError extends CasError {
  constructor(
    readonly cid: string,
    /** The sha-256 expected, 0x hex. */
    readonly expected: string,
    /** The sha-256 of the file the DAG holds, 0x hex. */
    readonly actual: string,
  ) {
    super(
      'content_mismatch',
      `${cid} holds a file whose sha-256 is ${actual}, not the expected ${expected}; it was discarded.`,
      { retryable: false },
    );
    this.name = 'ContentMismatchError';
  }
}

/** A verified block that is not part of a readable UnixFS file: the content itself is unusable. */
export class DagFormatError extends CasError {
  constructor(
    readonly cid: string,
    reason: string,
  ) {
    super('bad_dag', `${cid} is not a file this app can read: ${reason}`, { retryable: false });
    this.name = 'DagFormatError';
  }
}

export class BlobTooLargeError extends CasError {
  constructor(
    /** The gateway, or what was being uploaded. */
    readonly source: string,
    readonly limit: number,
    /** Bytes announced, or read when the limit was passed. */
    readonly seen: number,
  ) {
    super('too_large', `${source}: ${seen} bytes is over the limit of ${limit} bytes; the transfer was stopped.`, {
      retryable: false,
    });
    this.name = 'BlobTooLargeError';
  }
}

/** A non-success HTTP status from a gateway, the upload endpoint or the pinning service. */
export class CasHttpError extends CasError {
  constructor(
    readonly url: string,
    readonly status: number,
    /** The server's own explanation, when it gave one. */
    readonly detail: string,
    /** From a Retry-After header, when the server sent one. */
    readonly retryAfterMs?: number,
  ) {
    super('http', `${url} answered HTTP ${status}${detail ? `: ${detail}` : ''}`);
    this.name = 'CasHttpError';
  }

  get transient(): boolean {
    return isTransientStatus(this.status);
  }
}

export class CasNetworkError extends CasError {
  constructor(
    readonly url: string,
    reason: string,
    options?: { cause?: unknown },
  ) {
    super('network', `${url} could not be reached: ${reason}`, options);
    this.name = 'CasNetworkError';
  }
}

/** One gateway's failed attempt, as kept in the failures list of a fetch. */
export type GatewayFailure = CidMismatchError | BlobTooLargeError | CasHttpError | CasNetworkError;

function listFailures(failures: readonly GatewayFailure[]): string {
  return failures.map((f) => `  - ${f.message}`).join('\n');
}

/** Every gateway answered 404: nobody holds the content (yet). */
export class BlobNotFoundError extends CasError {
  constructor(
    readonly cid: string,
    readonly failures: readonly GatewayFailure[],
  ) {
    super('not_found', `No gateway has ${cid}:\n${listFailures(failures)}`);
    this.name = 'BlobNotFoundError';
  }
}

/**
 * Every gateway failed and none of them sent wrong bytes (that case throws the CidMismatchError
 * itself, with all failures attached as `failures`).
 */
export class CasFetchError extends CasError {
  constructor(
    readonly cid: string,
    readonly failures: readonly GatewayFailure[],
  ) {
    // Not when every gateway refused it as too large: another try downloads the same bytes.
    super('fetch_failed', `Could not download ${cid} from any gateway:\n${listFailures(failures)}`, {
      retryable: !(failures.length > 0 && failures.every((f) => f instanceof BlobTooLargeError)),
    });
    this.name = 'CasFetchError';
  }
}

export class UploadError extends CasError {
  constructor(message: string, options?: { cause?: unknown }) {
    super('upload_failed', message, options);
    this.name = 'UploadError';
  }
}

/** The upload endpoint stored the bytes under another CID than the one computed here. */
export class UploadCidMismatchError extends CasError {
  constructor(
    readonly endpoint: string,
    readonly expected: string,
    readonly actual: string,
  ) {
    super(
      'upload_cid_mismatch',
      `${endpoint} stored the upload as ${actual}, but its content is ${expected}: the endpoint changed the bytes or does not address them with the documented UnixFS settings (CIDv1, raw leaves, 1 MiB chunks).`,
      { retryable: false },
    );
    this.name = 'UploadCidMismatchError';
  }
}

export class PinningError extends CasError {
  constructor(
    code: 'pin_failed' | 'pin_timeout',
    readonly cid: string,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(code, message, options);
    this.name = 'PinningError';
  }
}

/** Worth another try later: the server is overloaded, briefly down or rate limiting. */
export function isTransientStatus(status: number): boolean {
  return status >= 500 || status === 429 || status === 408;
}
