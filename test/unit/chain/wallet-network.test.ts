// Wrong-network detection and switching through the app's own config and wagmi's injected
// connector. A browser wallet cannot run here, so a small stand-in EIP-1193 provider on
// `window.ethereum` plays one: it starts on chain 1, does not know the local chain (error 4902
// until it is added) and can be told to refuse.
import { connect, getAccount } from '@wagmi/core';
import { afterEach, describe, expect, it } from 'vitest';
import { createArenaWagmiConfig } from '../../../src/lib/chain/wallet/config.ts';
import {
  ensureNetwork,
  networkStatus,
  WalletNotConnectedError,
  WrongNetworkError,
} from '../../../src/lib/chain/wallet/network.ts';
import { walletSettings } from '../../../src/lib/chain/wallet/settings.ts';

const ACCOUNT = '0x70997970C51812dc3A010C7d01b50e0d17dc79C8';
const rpcError = (code: number, message: string) => Object.assign(new Error(message), { code });

function standInWallet(options: { refuse?: boolean; noSwitch?: boolean } = {}) {
  const listeners = new Map<string, Set<(arg: unknown) => void>>();
  const known = new Set([1]);
  const calls: { method: string; params?: unknown }[] = [];
  let chainId = 1;
  const emit = (event: string, arg: unknown) => listeners.get(event)?.forEach((l) => l(arg));
  return {
    calls,
    get chainId() {
      return chainId;
    },
    async request({ method, params }: { method: string; params?: unknown[] }) {
      calls.push({ method, params });
      switch (method) {
        case 'eth_requestAccounts':
        case 'eth_accounts':
          return [ACCOUNT];
        case 'eth_chainId':
          return `0x${chainId.toString(16)}`;
        case 'wallet_requestPermissions':
          return [{ parentCapability: 'eth_accounts' }];
        case 'wallet_switchEthereumChain': {
          if (options.noSwitch) throw rpcError(-32601, 'The method wallet_switchEthereumChain does not exist');
          if (options.refuse) throw rpcError(4001, 'User rejected the request.');
          const id = Number((params![0] as { chainId: string }).chainId);
          if (!known.has(id))
            throw rpcError(
              4902,
              `Unrecognized chain ID "${id}". Try adding the chain using wallet_addEthereumChain first.`,
            );
          chainId = id;
          emit('chainChanged', `0x${id.toString(16)}`);
          return null;
        }
        case 'wallet_addEthereumChain': {
          // As MetaMask does: adding a chain also switches to it.
          const id = Number((params![0] as { chainId: string }).chainId);
          known.add(id);
          chainId = id;
          emit('chainChanged', `0x${id.toString(16)}`);
          return null;
        }
        default:
          throw rpcError(-32601, `unsupported ${method}`);
      }
    },
    on(event: string, listener: (arg: unknown) => void) {
      listeners.set(event, (listeners.get(event) ?? new Set()).add(listener));
    },
    removeListener(event: string, listener: (arg: unknown) => void) {
      listeners.get(event)?.delete(listener);
    },
  };
}

const g = globalThis as { window?: unknown };

async function connected(wallet: ReturnType<typeof standInWallet>) {
  g.window = Object.assign(new EventTarget(), { ethereum: wallet });
  const config = createArenaWagmiConfig({ chainId: 31337, rpcUrl: 'http://127.0.0.1:8545' }, walletSettings({}), {
    storage: null,
  });
  await connect(config, { connector: config.connectors.find((c) => c.id === 'injected')! });
  return config;
}

describe('ensureNetwork', () => {
  afterEach(() => {
    delete g.window;
  });

  it('detects the wrong chain, adds the app chain to the wallet and switches to it', async () => {
    const wallet = standInWallet();
    const config = await connected(wallet);
    expect(getAccount(config).address).toBe(ACCOUNT);
    expect(networkStatus(config)).toEqual({ kind: 'wrong', chainId: 1, expected: 31337 });
    await ensureNetwork(config);
    expect(wallet.chainId).toBe(31337);
    expect(networkStatus(config)).toEqual({ kind: 'ok', chainId: 31337 });
    const added = wallet.calls.find((c) => c.method === 'wallet_addEthereumChain');
    expect(added?.params).toEqual([
      {
        chainId: '0x7a69',
        chainName: 'Anvil (local)',
        nativeCurrency: { name: 'Ether', symbol: 'ETH', decimals: 18 },
        rpcUrls: ['http://127.0.0.1:8545'],
      },
    ]);
    // Already there: nothing more is asked.
    const asked = wallet.calls.length;
    await ensureNetwork(config);
    expect(wallet.calls.slice(asked).map((c) => c.method)).toEqual(['eth_chainId']);
  });

  it('turns a refusal into a WrongNetworkError that says so', async () => {
    const wallet = standInWallet({ refuse: true });
    const config = await connected(wallet);
    const error = await ensureNetwork(config).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(WrongNetworkError);
    expect((error as WrongNetworkError).reason).toBe('refused');
    expect((error as WrongNetworkError).code).toBe('wrong-network');
    expect((error as WrongNetworkError).message).toBe(
      'You declined to switch your wallet to Anvil (local) (chain 31337); it stays on chain 1, where the app cannot send transactions.',
    );
    expect(wallet.chainId).toBe(1);
  });

  it('asks the user to switch by hand when the wallet cannot switch', async () => {
    const config = await connected(standInWallet({ noSwitch: true }));
    const error = (await ensureNetwork(config).catch((e: unknown) => e)) as WrongNetworkError;
    expect(error.reason).toBe('failed');
    expect(error.message).toMatch(/^Your wallet did not switch to Anvil \(local\) \(chain 31337\)/);
  });

  it('needs a connected wallet', async () => {
    g.window = new EventTarget();
    const config = createArenaWagmiConfig({ chainId: 31337, rpcUrl: 'http://127.0.0.1:8545' }, walletSettings({}), {
      storage: null,
    });
    expect(networkStatus(config)).toEqual({ kind: 'disconnected' });
    await expect(ensureNetwork(config)).rejects.toBeInstanceOf(WalletNotConnectedError);
  });
});
