// Wrong-network detection and switching: the app runs on one chain (its deployment's); a wallet
// on another is asked to switch, and to add the chain first if it does not know it (wagmi's
// injected connector does that on error 4902). A refusal becomes a WrongNetworkError.
import { getAccount, switchChain, type Config } from '@wagmi/core';
import { ArenaError } from '../../errors.ts';

export type WrongNetworkReason = 'refused' | 'unsupported' | 'failed';

export class WrongNetworkError extends ArenaError<'wrong-network'> {
  constructor(
    readonly expected: { id: number; name: string },
    readonly actual: number | undefined,
    readonly reason: WrongNetworkReason,
    options?: { cause?: unknown },
  ) {
    const want = `${expected.name} (chain ${expected.id})`;
    const have = actual === undefined ? 'another network' : `chain ${actual}`;
    super(
      'wrong-network',
      reason === 'refused'
        ? `You declined to switch your wallet to ${want}; it stays on ${have}, where the app cannot send transactions.`
        : reason === 'unsupported'
          ? `Your wallet cannot switch networks from the app: switch it to ${want} yourself (it is on ${have}).`
          : `Your wallet did not switch to ${want} (it is on ${have}); switch it yourself and try again.`,
      options,
    );
    this.name = 'WrongNetworkError';
  }
}

export class WalletNotConnectedError extends ArenaError<'not-connected'> {
  constructor() {
    super('not-connected', 'No wallet is connected: connect one first.');
    this.name = 'WalletNotConnectedError';
  }
}

export type NetworkStatus =
  { kind: 'disconnected' } | { kind: 'ok'; chainId: number } | { kind: 'wrong'; chainId: number; expected: number };

/** Where the connected wallet stands, without asking it anything. */
export function networkStatus(config: Config, expected = config.chains[0].id): NetworkStatus {
  const account = getAccount(config);
  if (account.status !== 'connected' || account.chainId === undefined) return { kind: 'disconnected' };
  return account.chainId === expected
    ? { kind: 'ok', chainId: expected }
    : { kind: 'wrong', chainId: account.chainId, expected };
}

const isRejection = (e: unknown): boolean => {
  for (let x = e as { code?: unknown; name?: unknown; cause?: unknown } | undefined; x; x = x.cause as typeof x) {
    if (x.code === 4001 || x.code === 5000 || x.name === 'UserRejectedRequestError') return true;
  }
  return false;
};

/** Makes sure the connected wallet is on `expected`, asking it to switch (or add the chain) if not. */
export async function ensureNetwork(config: Config, expected = config.chains[0].id): Promise<void> {
  const account = getAccount(config);
  if (account.status !== 'connected' || !account.connector) throw new WalletNotConnectedError();
  const chain = config.chains.find((c) => c.id === expected);
  if (!chain) throw new Error(`chain ${expected} is not configured in this app`);
  const target = { id: chain.id, name: chain.name };
  const actual = await account.connector.getChainId().catch(() => account.chainId);
  if (actual === expected) return;
  try {
    await switchChain(config, { chainId: expected, connector: account.connector });
  } catch (error) {
    const name = (error as { name?: string }).name;
    throw new WrongNetworkError(
      target,
      actual,
      isRejection(error) ? 'refused' : name === 'SwitchChainNotSupportedError' ? 'unsupported' : 'failed',
      { cause: error },
    );
  }
  const after = await account.connector.getChainId();
  if (after !== expected) throw new WrongNetworkError(target, after, 'failed');
}
