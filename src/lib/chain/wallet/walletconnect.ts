// WalletConnect v2 for a phone wallet that scans a QR code: a thin wagmi connector over
// @walletconnect/ethereum-provider with its modal off. The pairing URI is handed to listeners
// (`onPairingUri`, and wagmi's 'message' event as `display_uri`) so the app draws its own QR code
// (see qr.ts). The provider needs the WalletConnect relay on the internet and a project id from
// WalletConnect Cloud (VITE_WALLETCONNECT_PROJECT_ID); it is loaded only when first used.
import {
  getAddress,
  numberToHex,
  SwitchChainError,
  UserRejectedRequestError,
  type Address,
  type Chain,
  type ProviderConnectInfo,
} from 'viem';
import { ChainNotConfiguredError, createConnector } from '@wagmi/core';
import { appRpcUrls } from './chain.ts';

export const WALLETCONNECT_CONNECTOR_ID = 'walletConnect';

// Event listeners of EIP-1193 providers take whatever the event carries.
// eslint-disable-next-line @typescript-eslint/no-explicit-any
type Listener = (...args: any[]) => void;

/** The part of EthereumProvider this connector uses (so a test can stand in for the relay). */
export interface WcProvider {
  accounts: string[];
  chainId: number;
  session?: unknown;
  connect(opts?: { optionalChains?: number[]; rpcMap?: Record<string, string> }): Promise<void>;
  enable(): Promise<string[]>;
  disconnect(): Promise<void>;
  request<T = unknown>(args: { method: string; params?: unknown }): Promise<T>;
  on(event: string, listener: Listener): unknown;
  removeListener(event: string, listener: Listener): unknown;
}

export interface WcInitOptions {
  projectId: string;
  optionalChains: [number, ...number[]];
  rpcMap: Record<string, string>;
  showQrModal: false;
  metadata: { name: string; description: string; url: string; icons: string[] };
}

export type WcInit = (options: WcInitOptions) => Promise<WcProvider>;

const defaultInit: WcInit = async (options) => {
  const { EthereumProvider } = await import('@walletconnect/ethereum-provider');
  return (await EthereumProvider.init(options)) as unknown as WcProvider;
};

export interface WalletConnectParameters {
  projectId: string;
  metadata: { name: string; description: string; url?: string; icons?: string[] };
  /** Creates the provider; only tests replace it. */
  init?: WcInit;
}

type Properties = {
  /** Calls `listener` with each pairing URI (wc:...) while a connection is being set up. */
  onPairingUri(listener: (uri: string) => void): () => void;
  /** The URI of the pairing in progress, if any (for a QR drawn after the event fired). */
  pairingUri(): string | undefined;
};

const isRejection = (e: unknown) =>
  /user rejected|rejected by user|proposal expired|user disapproved/i.test(String((e as Error)?.message ?? e));

walletConnectConnector.type = 'walletConnect' as const;

export function walletConnectConnector(parameters: WalletConnectParameters) {
  if (!parameters.projectId) throw new Error('WalletConnect needs a project id (VITE_WALLETCONNECT_PROJECT_ID)');
  const init = parameters.init ?? defaultInit;
  const uriListeners = new Set<(uri: string) => void>();
  let providerPromise: Promise<WcProvider> | undefined;
  let currentUri: string | undefined;

  return createConnector<WcProvider, Properties>((config) => {
    const chainIds = config.chains.map((c) => c.id) as [number, ...number[]];
    const rpcMap = Object.fromEntries(config.chains.map((c) => [String(c.id), appRpcUrls(c)[0]!]));

    const onDisplayUri = (uri: string) => {
      currentUri = uri;
      for (const l of uriListeners) l(uri);
      config.emitter.emit('message', { type: 'display_uri', data: uri });
    };
    // Bound once, so the same functions are removed as were added.
    let handlers: Record<string, Listener> | undefined;
    const listen = (provider: WcProvider, on: boolean) => {
      if (on === (handlers !== undefined)) return;
      if (on) {
        handlers = {
          accountsChanged: connector.onAccountsChanged.bind(connector) as Listener,
          chainChanged: connector.onChainChanged.bind(connector) as Listener,
          disconnect: connector.onDisconnect.bind(connector) as Listener,
          session_delete: connector.onDisconnect.bind(connector) as Listener,
        };
        for (const [event, handler] of Object.entries(handlers)) provider.on(event, handler);
      } else {
        for (const [event, handler] of Object.entries(handlers!)) provider.removeListener(event, handler);
        handlers = undefined;
      }
    };

    const connector = {
      id: WALLETCONNECT_CONNECTOR_ID,
      name: 'WalletConnect (phone wallet)',
      type: walletConnectConnector.type,

      async connect({ chainId }: { chainId?: number } = {}) {
        const provider = await this.getProvider();
        try {
          if (!provider.session) {
            provider.on('display_uri', onDisplayUri as Listener);
            try {
              await provider.connect({ optionalChains: chainIds, rpcMap });
            } finally {
              provider.removeListener('display_uri', onDisplayUri as Listener);
              currentUri = undefined;
            }
          }
          const accounts = (await provider.enable()).map((a) => getAddress(a));
          let current = await this.getChainId();
          if (chainId !== undefined && current !== chainId) current = (await this.switchChain({ chainId })).id;
          listen(provider, true);
          return { accounts: accounts as never, chainId: current };
        } catch (error) {
          if (isRejection(error)) throw new UserRejectedRequestError(error as Error);
          throw error;
        }
      },

      async disconnect() {
        const provider = await this.getProvider();
        listen(provider, false);
        await provider.disconnect().catch(() => {
          // The session may already be gone on the phone; locally it is closed either way.
        });
      },

      async getAccounts() {
        return (await this.getProvider()).accounts.map((a) => getAddress(a) as Address);
      },

      async getChainId() {
        return Number((await this.getProvider()).chainId);
      },

      getProvider() {
        providerPromise ??= init({
          projectId: parameters.projectId,
          optionalChains: chainIds,
          rpcMap,
          showQrModal: false,
          metadata: {
            name: parameters.metadata.name,
            description: parameters.metadata.description,
            url: parameters.metadata.url ?? (typeof location !== 'undefined' ? location.origin : 'http://localhost'),
            icons: parameters.metadata.icons ?? [],
          },
        });
        return providerPromise;
      },

      async isAuthorized() {
        try {
          const provider = await this.getProvider();
          return Boolean(provider.session) && provider.accounts.length > 0;
        } catch {
          return false;
        }
      },

      async switchChain({ chainId }: { chainId: number }): Promise<Chain> {
        const chain = config.chains.find((c) => c.id === chainId);
        if (!chain) throw new SwitchChainError(new ChainNotConfiguredError());
        const provider = await this.getProvider();
        try {
          await provider.request({ method: 'wallet_switchEthereumChain', params: [{ chainId: numberToHex(chainId) }] });
        } catch (error) {
          if (isRejection(error) || (error as { code?: number }).code === 4001)
            throw new UserRejectedRequestError(error as Error);
          if ((error as { code?: number }).code !== 4902) throw new SwitchChainError(error as Error);
          await provider.request({
            method: 'wallet_addEthereumChain',
            params: [
              {
                chainId: numberToHex(chainId),
                chainName: chain.name,
                nativeCurrency: chain.nativeCurrency,
                rpcUrls: [chain.rpcUrls.default.http[0]],
              },
            ],
          });
        }
        config.emitter.emit('change', { chainId });
        return chain;
      },

      onAccountsChanged(accounts: string[]) {
        if (accounts.length === 0) this.onDisconnect();
        else config.emitter.emit('change', { accounts: accounts.map((a) => getAddress(a)) });
      },

      onChainChanged(chain: string | number) {
        config.emitter.emit('change', { chainId: Number(chain) });
      },

      onConnect(_info: ProviderConnectInfo) {},

      onDisconnect() {
        config.emitter.emit('disconnect');
      },

      onPairingUri(listener: (uri: string) => void) {
        uriListeners.add(listener);
        return () => uriListeners.delete(listener);
      },

      pairingUri: () => currentUri,
    };
    return connector;
  });
}
