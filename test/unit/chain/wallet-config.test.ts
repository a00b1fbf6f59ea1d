// The app's wagmi config: which wallets are offered on which chain, the chain and transport it
// builds from the configuration, and EIP-6963 discovery of announced wallets.
import { describe, expect, it, afterEach } from 'vitest';
import { arenaChain, appRpcUrls, isLocalChainId } from '../../../src/lib/chain/wallet/chain.ts';
import { connectorKind, createArenaWagmiConfig } from '../../../src/lib/chain/wallet/config.ts';
import { walletSettings } from '../../../src/lib/chain/wallet/settings.ts';

const local = { chainId: 31337, rpcUrl: 'http://127.0.0.1:8545' };

describe('wallet settings', () => {
  it('reads the project id and fallback RPC URLs from the env', () => {
    expect(walletSettings({})).toMatchObject({ fallbackRpcUrls: [], devAccounts: true });
    expect(walletSettings({}).walletConnectProjectId).toBeUndefined();
    const s = walletSettings({
      VITE_WALLETCONNECT_PROJECT_ID: ' abc123 ',
      VITE_RPC_FALLBACK_URLS: 'https://a.example/rpc, https://b.example ,',
      VITE_DEV_ACCOUNTS: 'off',
    });
    expect(s).toMatchObject({
      walletConnectProjectId: 'abc123',
      fallbackRpcUrls: ['https://a.example/rpc', 'https://b.example'],
      devAccounts: false,
    });
  });

  it('refuses a fallback URL that is not http(s)', () => {
    expect(() => walletSettings({ VITE_RPC_FALLBACK_URLS: 'ftp://x' })).toThrow(
      'VITE_RPC_FALLBACK_URLS: "ftp://x" is not an http(s) URL',
    );
  });
});

describe('chain', () => {
  it('builds the local chain from the configured URLs', () => {
    const chain = arenaChain({ chainId: 31337, rpcUrls: ['http://127.0.0.1:8545', 'http://127.0.0.1:9545'] });
    expect(chain).toMatchObject({ id: 31337, name: 'Anvil (local)', testnet: true });
    expect(chain.rpcUrls.default.http).toEqual(['http://127.0.0.1:8545', 'http://127.0.0.1:9545']);
    expect(isLocalChainId(1337) && isLocalChainId(31337) && !isLocalChainId(1)).toBe(true);
  });

  it('keeps a known chain’s public RPC for wallets and reads through the configured one', () => {
    const chain = arenaChain({ chainId: 84532, rpcUrls: ['https://rpc.example/key-123'] });
    expect(chain.name).toBe('Base Sepolia');
    expect(chain.rpcUrls.default.http[0]).not.toContain('key-123');
    expect(appRpcUrls(chain)).toEqual(['https://rpc.example/key-123']);
    expect(arenaChain({ chainId: 999, rpcUrls: ['https://x'] }).name).toBe('Chain 999');
    expect(() => arenaChain({ chainId: 1, rpcUrls: [] })).toThrow('no RPC URL configured for chain 1');
  });
});

describe('createArenaWagmiConfig', () => {
  it('offers injected wallets and the dev accounts on a local chain; WalletConnect only with a project id', () => {
    const plain = createArenaWagmiConfig(local, walletSettings({}), { storage: null });
    expect(plain.chains.map((c) => c.id)).toEqual([31337]);
    expect(plain.connectors.map((c) => [c.id, connectorKind(c)])).toEqual([
      ['injected', 'injected'],
      ['devAccounts', 'devAccounts'],
    ]);
    const withWc = createArenaWagmiConfig(local, walletSettings({ VITE_WALLETCONNECT_PROJECT_ID: 'p' }), {
      storage: null,
    });
    expect(withWc.connectors.map((c) => connectorKind(c))).toEqual(['injected', 'walletConnect', 'devAccounts']);
  });

  it('never offers the dev accounts on a public chain, nor when switched off', () => {
    const base = createArenaWagmiConfig(
      { chainId: 8453, rpcUrl: 'https://rpc.example' },
      walletSettings({ VITE_WALLETCONNECT_PROJECT_ID: 'p' }),
      {
        storage: null,
      },
    );
    expect(base.connectors.map((c) => connectorKind(c))).toEqual(['injected', 'walletConnect']);
    const off = createArenaWagmiConfig(local, walletSettings({ VITE_DEV_ACCOUNTS: 'off' }), { storage: null });
    expect(off.connectors.map((c) => c.id)).toEqual(['injected']);
  });
});

describe('EIP-6963 discovery', () => {
  const g = globalThis as { window?: unknown };
  afterEach(() => {
    delete g.window;
  });

  it('adds a connector for every wallet that announces itself, named by the wallet', async () => {
    // A page's window: only what the discovery protocol uses (events). No wallet code runs here.
    const win = new EventTarget();
    g.window = win;
    const provider = { request: async ({ method }: { method: string }) => (method === 'eth_chainId' ? '0x7a69' : []) };
    // A wallet answers the dapp's request for providers by announcing itself.
    win.addEventListener('eip6963:requestProvider', () => {
      win.dispatchEvent(
        new CustomEvent('eip6963:announceProvider', {
          detail: Object.freeze({
            info: {
              uuid: '350670db-19fa-4704-a166-e52e178b59d2',
              name: 'Example Wallet',
              icon: 'data:image/svg+xml,<svg/>',
              rdns: 'com.example.wallet',
            },
            provider,
          }),
        }),
      );
    });
    const config = createArenaWagmiConfig(local, walletSettings({}), { storage: null });
    const announced = config.connectors.find((c) => c.id === 'com.example.wallet');
    expect(announced).toBeDefined();
    expect([announced!.name, announced!.icon, connectorKind(announced!)]).toEqual([
      'Example Wallet',
      'data:image/svg+xml,<svg/>',
      'eip6963',
    ]);
    expect(await announced!.getProvider()).toBe(provider);
    // A wallet installed later announces itself unasked.
    win.dispatchEvent(
      new CustomEvent('eip6963:announceProvider', {
        detail: Object.freeze({
          info: { uuid: 'b1', name: 'Late Wallet', icon: 'data:,', rdns: 'org.late' },
          provider: { request: async () => null },
        }),
      }),
    );
    expect(config.connectors.map((c) => c.id)).toContain('org.late');
  });
});
