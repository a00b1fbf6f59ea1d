// What a protocol action hands to whoever sends it, and what the tracker remembers about it.
import type { Abi, Account, Address, Chain, Hex, TransactionReceipt, Transport, WalletClient } from 'viem';

/** A contract write, loosely typed so one sender handles every action (actions build it typed). */
export interface ContractCall {
  address: Address;
  abi: Abi;
  functionName: string;
  args: readonly unknown[];
}

/** One transaction an action wants sent, with what the UI shows about it. */
export interface TxRequest {
  /** The action, e.g. 'joinTask': for icons and filters. */
  kind: string;
  /** One line for people: "Join task 3 as trainer with 100 ARENA". */
  label: string;
  /** The arguments worth showing, already formatted. */
  summary: Record<string, string>;
  call: ContractCall;
}

/** Sends a request and resolves with its successful receipt; throws a TxError otherwise. */
export type Sender = (request: TxRequest) => Promise<TransactionReceipt>;

/** A wallet client bound to an account: a dev key, an injected wallet, WalletConnect. */
export type AccountWallet = WalletClient<Transport, Chain | undefined, Account>;

/** What identifies a transaction's nonce slot, so a replacement is found even after a reload. */
export interface NonceSlot {
  from: Address;
  nonce: number;
  to?: Address | null;
  input?: Hex;
  value?: bigint;
}

export type TxStatus = 'signing' | 'pending' | 'confirmed' | 'failed' | 'replaced';

export interface TxRecord {
  id: string;
  chainId: number;
  account: Address;
  kind: string;
  label: string;
  summary: Record<string, string>;
  status: TxStatus;
  hash?: Hex;
  /** The transaction's sender and nonce, once the node shows it: how a replacement is recognized. */
  slot?: NonceSlot;
  /** A speed-up or cancellation that was mined in its place. */
  replacedBy?: Hex;
  /** Plain sentence when failed or replaced. */
  error?: string;
  errorCode?: string;
  blockNumber?: bigint;
  gasUsed?: bigint;
  createdAt: number;
  sentAt?: number;
  settledAt?: number;
  updatedAt: number;
}

export const isSettled = (r: Pick<TxRecord, 'status'>) =>
  r.status === 'confirmed' || r.status === 'failed' || r.status === 'replaced';
