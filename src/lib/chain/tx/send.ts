// Sending one contract write: simulate first (so a revert is told before the wallet asks), then
// sign and send, then wait for the receipt with RPC retries. The tracker adds persistence on top
// through the hooks; `directSender` is the same flow without memory, for scripts and tests.
import { getAddress, type Hex, type PublicClient, type TransactionReceipt } from 'viem';
import { AbortedError, withBackoff, type BackoffOptions } from './backoff.ts';
import { decodeContractError, genericSentence, toTxError } from './decode.ts';
import { TxError } from './errors.ts';
import { findSentTransaction, pendingNonce, type FindClient } from './find-sent.ts';
import type { AccountWallet, ContractCall, NonceSlot, Sender, TxRequest } from './types.ts';

export type ReadClient = Pick<
  PublicClient,
  | 'simulateContract'
  | 'estimateContractGas'
  | 'waitForTransactionReceipt'
  | 'getTransaction'
  | 'call'
  | 'getChainId'
  | 'getTransactionCount'
  | 'getBlock'
>;

export interface SendHooks {
  /** Simulation passed: the wallet is about to ask. */
  onSigning?(): Promise<void> | void;
  /** The wallet returned a hash: persist it before anything else can go wrong. */
  onHash?(hash: Hex): Promise<void> | void;
}

export interface WaitOptions {
  /** How long one wait for a receipt may take before it is retried, ms. */
  receiptTimeoutMs?: number;
  pollingIntervalMs?: number;
  backoff?: Partial<BackoffOptions>;
  signal?: AbortSignal;
}

/** Throws a TxError with the decoded sentence if the call would revert. */
export async function simulate(client: ReadClient, wallet: AccountWallet, call: ContractCall): Promise<void> {
  try {
    await client.simulateContract({
      account: wallet.account,
      address: call.address,
      abi: call.abi,
      functionName: call.functionName,
      args: call.args,
    } as never);
  } catch (error) {
    throw toTxError(error);
  }
}

/** The send codes after which the transaction may still have reached the node. */
const MAYBE_SENT: readonly string[] = ['nonce', 'rpc-unavailable', 'unknown'];

/**
 * Gas limit headroom over the node's estimate, in basis points (+25%). An estimate is exact for
 * the state it was made on, but other accounts' transactions land first: trainers revealing in
 * the same block each push onto the epoch's packed submission list, and the one that opens a new
 * storage slot needs ~17k more gas than it was estimated at. Sent with the bare estimate, 2 of 9
 * concurrent reveals ran out of gas in the network simulation (docs/bench/network.md); a reverted
 * reveal is final, so the trainer lost the epoch. Unused gas is not paid.
 */
export const GAS_HEADROOM_BPS = 2_500n;

/** `estimate` with the headroom. */
export const withGasHeadroom = (estimate: bigint): bigint => estimate + (estimate * GAS_HEADROOM_BPS) / 10_000n;

export type SendClient = FindClient & Partial<Pick<PublicClient, 'estimateContractGas'>>;

/**
 * Signs and sends `call`. With `client`, the gas limit is its estimate with headroom
 * (GAS_HEADROOM_BPS), and a send that fails in a way a lost response would cause (the retried
 * bytes answered "nonce too low" / "already known", or no answer at all) looks for the
 * transaction in the account's nonce slot before giving up, so its hash is not lost.
 */
export async function sendCall(wallet: AccountWallet, call: ContractCall, client?: SendClient): Promise<Hex> {
  const nonce = client ? await pendingNonce(client, wallet.account.address) : undefined;
  try {
    const gas = client?.estimateContractGas
      ? withGasHeadroom(
          await client.estimateContractGas({
            account: wallet.account,
            address: call.address,
            abi: call.abi,
            functionName: call.functionName,
            args: call.args,
          } as never),
        )
      : undefined;
    return await wallet.writeContract({
      account: wallet.account,
      chain: wallet.chain ?? null,
      address: call.address,
      abi: call.abi,
      functionName: call.functionName,
      args: call.args,
      ...(gas !== undefined ? { gas } : {}),
    } as never);
  } catch (error) {
    const e = toTxError(error);
    if (client && nonce !== undefined && MAYBE_SENT.includes(e.code)) {
      const found = await findSentTransaction(client, { from: wallet.account.address, nonce, call }).catch(
        () => undefined,
      );
      if (found) return found;
    }
    throw e;
  }
}

export type ReceiptOutcome =
  | { kind: 'mined'; receipt: TransactionReceipt; repricedFrom?: Hex }
  | { kind: 'replaced'; receipt: TransactionReceipt; reason: 'cancelled' | 'replaced' };

/**
 * Waits for `hash` to be mined, retrying RPC failures with backoff and noticing replacements (a
 * speed-up keeps the action; a cancellation or another transaction with the nonce replaces it).
 */
export async function waitForOutcome(
  client: ReadClient,
  hash: Hex,
  options: WaitOptions = {},
  slot?: NonceSlot,
): Promise<ReceiptOutcome> {
  return withBackoff(
    async () => {
      let replaced: { reason: 'cancelled' | 'replaced' | 'repriced' } | undefined;
      const receipt = await client.waitForTransactionReceipt({
        hash,
        timeout: options.receiptTimeoutMs ?? 120_000,
        ...(options.pollingIntervalMs ? { pollingInterval: options.pollingIntervalMs } : {}),
        ...(options.signal ? { signal: options.signal } : {}),
        ...(slot ? { replacement: slot } : {}),
        onReplaced: (r) => {
          replaced = { reason: r.reason };
        },
      });
      if (replaced && replaced.reason !== 'repriced') return { kind: 'replaced', receipt, reason: replaced.reason };
      return replaced ? { kind: 'mined', receipt, repricedFrom: hash } : { kind: 'mined', receipt };
    },
    {
      // A watcher that can be stopped keeps trying; one that cannot gives up after a few rounds.
      retries: options.signal ? Infinity : 5,
      baseMs: 500,
      maxMs: 15_000,
      ...options.backoff,
      ...(options.signal ? { signal: options.signal } : {}),
      shouldRetry: (e) => !(e instanceof AbortedError) && !options.signal?.aborted,
    },
  );
}

/** The nonce slot of a just-sent transaction, or undefined if the node does not show it yet. */
export async function readNonceSlot(client: ReadClient, hash: Hex): Promise<NonceSlot | undefined> {
  try {
    const tx = await withBackoff(() => client.getTransaction({ hash }), { retries: 3, baseMs: 200, maxMs: 1_000 });
    return {
      from: getAddress(tx.from),
      nonce: tx.nonce,
      to: tx.to ? getAddress(tx.to) : null,
      input: tx.input,
      value: tx.value,
    };
  } catch {
    return undefined;
  }
}

/**
 * Why a mined transaction reverted: the call replayed on its block (state and timestamp after
 * it), which reproduces both an earlier transaction in the block and a window that closed.
 */
export async function explainRevert(
  client: ReadClient,
  receipt: TransactionReceipt,
  functionName?: string,
): Promise<TxError> {
  try {
    const tx = await client.getTransaction({ hash: receipt.transactionHash });
    await client.call({
      account: tx.from,
      to: tx.to ?? undefined,
      data: tx.input,
      value: tx.value,
      blockNumber: receipt.blockNumber,
    });
  } catch (error) {
    const d = decodeContractError(withFunctionName(error, functionName));
    if (d.code === 'reverted' || d.code === 'reverted-unknown')
      return new TxError(d.code, d.sentence, d.errorName, d.args, { cause: error });
  }
  return new TxError('reverted-unknown', genericSentence('reverted-unknown'));
}

function withFunctionName(error: unknown, functionName: string | undefined): unknown {
  return functionName && error && typeof error === 'object' ? { functionName, cause: error } : error;
}

/** Simulate, send, wait: the whole flow, throwing a TxError with a plain sentence on any failure. */
export async function executeRequest(
  client: ReadClient,
  wallet: AccountWallet,
  request: TxRequest,
  hooks: SendHooks = {},
  wait: WaitOptions = {},
): Promise<TransactionReceipt> {
  await simulate(client, wallet, request.call);
  await hooks.onSigning?.();
  const hash = await sendCall(wallet, request.call, client);
  await hooks.onHash?.(hash);
  const outcome = await waitForOutcome(client, hash, wait);
  if (outcome.kind === 'replaced') throw new TxError('replaced', genericSentence('replaced'));
  if (outcome.receipt.status !== 'success')
    throw await explainRevert(client, outcome.receipt, request.call.functionName);
  return outcome.receipt;
}

/** A Sender without persistence: for scripts, tests and one-off calls. */
export function directSender(client: ReadClient, wallet: AccountWallet, wait: WaitOptions = {}): Sender {
  return (request: TxRequest) => executeRequest(client, wallet, request, {}, wait);
}
