// The one base of every typed error in src/lib, after viem's BaseError: a `code` to branch on, a
// `shortMessage` a person can read as is, optional `details` (the technical part: what a node or
// a library said), the `cause` it wraps, `walk` down the causes, and whether trying again may
// help (`retryable`). Unlike viem's, `message` is the short message alone: ours are already
// sentences and the UI prints them; details stay on the error for logs and tests.

export interface ArenaErrorOptions {
  cause?: unknown;
  /** The technical detail behind the sentence (default: the cause's message, when it has one). */
  details?: string;
  /** Whether the same call may succeed later unchanged (a node down, a gateway busy). Default false. */
  retryable?: boolean;
}

export class ArenaError<C extends string = string> extends Error {
  readonly code: C;
  readonly shortMessage: string;
  readonly details: string | undefined;
  readonly retryable: boolean;

  constructor(code: C, shortMessage: string, options: ArenaErrorOptions = {}) {
    super(shortMessage, 'cause' in options ? { cause: options.cause } : undefined);
    this.name = 'ArenaError';
    this.code = code;
    this.shortMessage = shortMessage;
    this.details = options.details ?? (options.cause instanceof Error ? options.cause.message : undefined);
    this.retryable = options.retryable ?? false;
  }

  /**
   * Walks the chain of causes, this error first. With `match`, returns the first error it accepts
   * (null when none does); without, the innermost cause. Stops at a cycle.
   */
  walk(match?: (error: unknown) => boolean): unknown {
    return walkCauses(this, match);
  }
}

/** `ArenaError.walk` for any thrown value (viem's errors and plain objects alike). */
export function walkCauses(error: unknown, match?: (error: unknown) => boolean): unknown {
  const seen = new Set<unknown>();
  let e: unknown = error;
  for (;;) {
    if (match?.(e)) return e;
    const next = e !== null && typeof e === 'object' ? (e as { cause?: unknown }).cause : undefined;
    if (next === undefined || next === null || seen.has(next)) return match ? null : e;
    seen.add(e);
    e = next;
  }
}

export const isArenaError = (error: unknown): error is ArenaError => error instanceof ArenaError;
