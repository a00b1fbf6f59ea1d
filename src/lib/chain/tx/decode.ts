// Turns whatever a wallet, RPC or viem threw into one plain sentence. Errors are matched by name
// and code rather than instanceof: wallets and WalletConnect throw plain objects, and a bundle
// may hold more than one copy of viem's error classes.
import { decodeErrorResult, type Abi, type Hex } from 'viem';
import {
  arenaTokenAbi,
  challengeModuleAbi,
  rewardEngineAbi,
  stakeManagerAbi,
  submissionBookAbi,
  taskRegistryAbi,
  watermarkOwnershipVerifierAbi,
} from '../abi.generated.ts';
import { TxError, type TxErrorCode } from './errors.ts';
import { protocolErrorSentence } from './sentences.ts';

/** Every custom error of the protocol, for decoding raw revert data from any of its contracts. */
export const PROTOCOL_ERRORS_ABI = [
  ...arenaTokenAbi,
  ...taskRegistryAbi,
  ...stakeManagerAbi,
  ...submissionBookAbi,
  ...rewardEngineAbi,
  ...challengeModuleAbi,
  ...watermarkOwnershipVerifierAbi,
].filter((item) => item.type === 'error') as Abi;

export interface DecodedTxError {
  code: TxErrorCode;
  sentence: string;
  errorName?: string;
  args?: readonly unknown[];
}

const GENERIC: Record<Exclude<TxErrorCode, 'reverted'>, string> = {
  'reverted-unknown': 'The contract refused the transaction without saying why.',
  rejected: 'You declined the request in your wallet.',
  'insufficient-funds': "Your account does not have enough of the chain's currency to pay for gas.",
  nonce:
    "Your wallet's transaction count is out of step with the chain; reset the account's activity in the wallet, or wait for its pending transactions.",
  'rpc-unavailable': 'The chain cannot be reached right now (the RPC endpoint did not answer); try again in a moment.',
  'wrong-network': 'Your wallet is connected to a different network than the app.',
  replaced: 'Another transaction with the same nonce was mined instead of this one.',
  interrupted: 'The page closed while the wallet was asking; check your wallet activity to see whether it was sent.',
  unknown: 'The transaction failed for an unexpected reason.',
};

export function genericSentence(code: Exclude<TxErrorCode, 'reverted'>): string {
  return GENERIC[code];
}

type Node = Record<string, unknown>;

/** The error and its causes (viem's `cause`, wallets' `data.originalError`, `error`), outermost first. */
function chain(error: unknown): Node[] {
  const out: Node[] = [];
  const seen = new Set<unknown>();
  let e: unknown = error;
  while (e && typeof e === 'object' && !seen.has(e) && out.length < 32) {
    seen.add(e);
    const node = e as Node;
    out.push(node);
    const data = node.data as Node | undefined;
    e = node.cause ?? (data && typeof data === 'object' ? data.originalError : undefined) ?? node.error;
  }
  return out;
}

const nameOf = (n: Node) => (typeof n.name === 'string' ? n.name : '');
const text = (n: Node) =>
  [n.shortMessage, n.details, n.message]
    .filter((v): v is string => typeof v === 'string')
    .join(' ')
    .toLowerCase();

function revertData(nodes: Node[]): Hex | undefined {
  for (const n of nodes) {
    for (const v of [n.raw, n.data, (n.data as Node | undefined)?.data]) {
      if (typeof v === 'string' && /^0x[0-9a-fA-F]{8,}$/.test(v)) return v as Hex;
    }
  }
  return undefined;
}

function functionNameOf(nodes: Node[]): string | undefined {
  for (const n of nodes) if (typeof n.functionName === 'string') return n.functionName;
  return undefined;
}

function decodeRevert(nodes: Node[], functionName: string | undefined): DecodedTxError | undefined {
  // viem decoded it already when the call's ABI knew the error.
  for (const n of nodes) {
    const data = n.data as { errorName?: unknown; args?: unknown } | undefined;
    if (nameOf(n) === 'ContractFunctionRevertedError' && data && typeof data.errorName === 'string') {
      return fromDecoded(data.errorName, (data.args as readonly unknown[] | undefined) ?? [], functionName);
    }
  }
  const raw = revertData(nodes);
  if (raw) {
    try {
      const decoded = decodeErrorResult({ abi: PROTOCOL_ERRORS_ABI, data: raw });
      return fromDecoded(decoded.errorName, decoded.args ?? [], functionName);
    } catch {
      // Not one of ours (a Panic or another contract's error): fall through to the reason text.
    }
  }
  for (const n of nodes) {
    if (nameOf(n) === 'ContractFunctionRevertedError') {
      const reason = typeof n.reason === 'string' ? n.reason : undefined;
      return {
        code: 'reverted-unknown',
        sentence:
          reason && reason !== 'execution reverted' ? `The contract refused: ${reason}.` : GENERIC['reverted-unknown'],
      };
    }
  }
  return undefined;
}

function fromDecoded(errorName: string, args: readonly unknown[], functionName: string | undefined): DecodedTxError {
  const sentence = protocolErrorSentence(errorName, args, { functionName });
  if (sentence) return { code: 'reverted', sentence, errorName, args };
  if (errorName === 'Error' && typeof args[0] === 'string') {
    return { code: 'reverted-unknown', sentence: `The contract refused: ${args[0]}.`, errorName, args };
  }
  if (errorName === 'Panic') {
    return {
      code: 'reverted-unknown',
      sentence: `The contract failed an internal check (panic code ${String(args[0])}).`,
      errorName,
      args,
    };
  }
  return { code: 'reverted-unknown', sentence: `The contract refused (${errorName}).`, errorName, args };
}

function classify(nodes: Node[]): Exclude<TxErrorCode, 'reverted'> | undefined {
  for (const n of nodes) {
    const name = nameOf(n);
    const code = n.code;
    // 4001: EIP-1193 user rejection; 5000: WalletConnect's.
    if (name === 'UserRejectedRequestError' || code === 4001 || code === 5000 || code === 'ACTION_REJECTED')
      return 'rejected';
    if (name === 'InsufficientFundsError') return 'insufficient-funds';
    if (name === 'NonceTooLowError' || name === 'NonceTooHighError' || name === 'NonceMaxValueError') return 'nonce';
    if (name === 'ChainMismatchError' || name === 'ConnectorChainMismatchError' || name === 'WrongNetworkError')
      return 'wrong-network';
    if (
      name === 'HttpRequestError' ||
      name === 'TimeoutError' ||
      name === 'SocketClosedError' ||
      name === 'WebSocketRequestError'
    ) {
      return 'rpc-unavailable';
    }
  }
  const all = nodes.map(text).join(' ');
  if (/user (rejected|denied|cancel)|rejected by user|request rejected/.test(all)) return 'rejected';
  if (/insufficient funds/.test(all)) return 'insufficient-funds';
  if (/nonce too (low|high)|invalid nonce|replacement transaction underpriced/.test(all)) return 'nonce';
  if (/failed to fetch|fetch failed|econnrefused|network ?error|socket hang up/.test(all)) return 'rpc-unavailable';
  return undefined;
}

/** One plain sentence (and a code) for any error from a contract call, a wallet or an RPC. */
export function decodeContractError(error: unknown): DecodedTxError {
  if (error instanceof TxError) {
    return {
      code: error.code,
      sentence: error.message,
      ...(error.errorName ? { errorName: error.errorName } : {}),
      ...(error.args ? { args: error.args } : {}),
    };
  }
  const nodes = chain(error);
  // A user rejection wins over revert data some wallets attach to the same error.
  const kind = classify(nodes);
  if (kind === 'rejected') return { code: kind, sentence: GENERIC[kind] };
  const revert = decodeRevert(nodes, functionNameOf(nodes));
  if (revert) return revert;
  if (kind) return { code: kind, sentence: GENERIC[kind] };
  // Say what we were told rather than nothing: the first line of the outermost message.
  const first = nodes[0];
  const said =
    first &&
    (typeof first.shortMessage === 'string'
      ? first.shortMessage
      : typeof first.message === 'string'
        ? first.message
        : '');
  const line = said ? said.split('\n')[0]!.trim().replace(/\.$/, '') : '';
  return { code: 'unknown', sentence: line ? `The transaction failed: ${line}.` : GENERIC.unknown };
}

/** `decodeContractError` as a throwable TxError that keeps the original as its cause. */
export function toTxError(error: unknown): TxError {
  if (error instanceof TxError) return error;
  const d = decodeContractError(error);
  return new TxError(d.code, d.sentence, d.errorName, d.args, { cause: error });
}
