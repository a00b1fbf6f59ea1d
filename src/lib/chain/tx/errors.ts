// Typed transaction errors: every failure the UI shows carries a code it can branch on and a
// plain sentence it can print as is.
import { ArenaError } from '../../errors.ts';

export type TxErrorCode =
  /** The contract reverted with one of the protocol's custom errors (see `errorName`). */
  | 'reverted'
  /** The contract reverted without a reason we can decode. */
  | 'reverted-unknown'
  /** The user declined in the wallet. */
  | 'rejected'
  /** Not enough native currency for gas. */
  | 'insufficient-funds'
  /** The wallet's nonce is out of step with the chain. */
  | 'nonce'
  /** The RPC endpoint did not answer (after retries). */
  | 'rpc-unavailable'
  /** The wallet is on another chain than the app. */
  | 'wrong-network'
  /** The transaction was replaced by another one with the same nonce. */
  | 'replaced'
  /** The page closed while the wallet was asking; whether it was sent is unknown. */
  | 'interrupted'
  | 'unknown';

/** The codes after which sending the same transaction again cannot succeed by itself. */
export const FINAL_TX_ERRORS: readonly TxErrorCode[] = [
  'reverted',
  'reverted-unknown',
  'rejected',
  'insufficient-funds',
  'wrong-network',
];

export class TxError extends ArenaError<TxErrorCode> {
  constructor(
    code: TxErrorCode,
    message: string,
    readonly errorName?: string,
    readonly args?: readonly unknown[],
    options?: { cause?: unknown },
  ) {
    super(code, message, { ...options, retryable: !FINAL_TX_ERRORS.includes(code) });
    this.name = 'TxError';
  }
}
