// Finding a transaction whose send "failed" although the node took it. When the HTTP response to
// eth_sendRawTransaction is lost, the transport sends the same bytes again and the node answers
// "already known" or "nonce too low": the transaction is in the pool or already mined, but the
// caller has no hash. Knowing the nonce the account was at before sending, the transaction can be
// found by its slot (sender, nonce) and its content (target, calldata) in the pending block and
// the newest few blocks.
import { encodeFunctionData, getAddress, type Address, type Hex, type PublicClient } from 'viem';
import type { ContractCall } from './types.ts';

export type FindClient = Pick<PublicClient, 'getTransactionCount' | 'getBlock'>;

/** How many mined blocks back to look: a lost response is retried within seconds. */
export const FIND_BLOCKS_BACK = 4n;

/** The nonce the account's next transaction takes (pool included), or undefined if unknown. */
export async function pendingNonce(client: FindClient, account: Address): Promise<number | undefined> {
  try {
    return await client.getTransactionCount({ address: account, blockTag: 'pending' });
  } catch {
    return undefined;
  }
}

export interface SentSlot {
  from: Address;
  nonce: number;
  call: ContractCall;
}

/** The hash of the transaction filling `slot` with exactly `call`, or undefined if none is seen. */
export async function findSentTransaction(client: FindClient, slot: SentSlot): Promise<Hex | undefined> {
  const data = encodeFunctionData({
    abi: slot.call.abi,
    functionName: slot.call.functionName,
    args: slot.call.args,
  } as never);
  const from = getAddress(slot.from);
  const to = getAddress(slot.call.address);
  const matches = (tx: { from: Address; nonce: number; to: Address | null; input: Hex }) =>
    getAddress(tx.from) === from &&
    tx.nonce === slot.nonce &&
    tx.to !== null &&
    getAddress(tx.to) === to &&
    tx.input.toLowerCase() === data.toLowerCase();

  const pending = await client.getBlock({ blockTag: 'pending', includeTransactions: true }).catch(() => null);
  const inPool = pending?.transactions.find(matches);
  if (inPool) return inPool.hash;

  const latest = await client.getBlock({ blockTag: 'latest', includeTransactions: true });
  for (let n = 0n, block = latest; ; n++) {
    const hit = block.transactions.find(matches);
    if (hit) return hit.hash;
    if (n + 1n >= FIND_BLOCKS_BACK || block.number === null || block.number === 0n) return undefined;
    block = await client.getBlock({ blockNumber: block.number - 1n, includeTransactions: true });
  }
}
