export { withBackoff, backoffDelay, sleep, AbortedError, DEFAULT_BACKOFF, type BackoffOptions } from './backoff.ts';
export { decodeContractError, toTxError, genericSentence, PROTOCOL_ERRORS_ABI, type DecodedTxError } from './decode.ts';
export { TxError, type TxErrorCode } from './errors.ts';
export {
  directSender,
  executeRequest,
  simulate,
  sendCall,
  waitForOutcome,
  explainRevert,
  type ReadClient,
  type WaitOptions,
} from './send.ts';
export { ERROR_SENTENCES, formatChainTime, protocolErrorSentence, type ProtocolErrorName } from './sentences.ts';
export { openTxStore, memoryTxStore, TX_DB_NAME, type TxStore } from './store.ts';
export { createTxTracker, type TxTracker, type TxTrackerOptions } from './tracker.ts';
export {
  isSettled,
  type AccountWallet,
  type ContractCall,
  type NonceSlot,
  type Sender,
  type TxRecord,
  type TxRequest,
  type TxStatus,
} from './types.ts';
