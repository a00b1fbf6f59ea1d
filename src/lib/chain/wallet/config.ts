// The app's wagmi config: one chain (the deployment's), a retrying transport with fallbacks, and
// the wallets a visitor can use: every EIP-6963 wallet that announces itself (browser extensions,
// and mobile wallets' in-app browsers), the plain injected provider for those that do not
// announce, WalletConnect for a phone wallet (only with a project id) and, on a local chain
// only, the dev accounts.
import { createConfig, injected, type Config, type Connector, type CreateConnectorFn, type Storage } from '@wagmi/core';
import { arenaChain, isLocalChainId } from './chain.ts';
import { devAccounts, DEV_CONNECTOR_ID } from './dev-accounts.ts';
import type { WalletSettings } from './settings.ts';
import { arenaTransport, type TransportOptions } from './transport.ts';
import { walletConnectConnector, WALLETCONNECT_CONNECTOR_ID, type WcInit } from './walletconnect.ts';

export interface ArenaWagmiOptions {
  /** Where wagmi remembers the last connection (default: localStorage when present). */
  storage?: Storage | null;
  transport?: TransportOptions;
  /** Only tests replace the WalletConnect provider (the relay is on the internet). */
  walletConnectInit?: WcInit;
  /** Dev account to start with. */
  devAccountIndex?: number;
}

/** The chain the app talks to: its id and the RPC endpoint it reads first. */
export interface ArenaEndpoint {
  chainId: number;
  rpcUrl: string;
}

export type ArenaConnectorKind = 'eip6963' | 'injected' | 'walletConnect' | 'devAccounts';

export function createArenaWagmiConfig(
  app: ArenaEndpoint,
  settings: WalletSettings,
  options: ArenaWagmiOptions = {},
): Config {
  const rpcUrls = [app.rpcUrl, ...settings.fallbackRpcUrls.filter((u) => u !== app.rpcUrl)];
  const chain = arenaChain({ chainId: app.chainId, rpcUrls });
  const local = isLocalChainId(chain.id);

  const connectors: CreateConnectorFn[] = [injected({ shimDisconnect: true })];
  if (settings.walletConnectProjectId) {
    connectors.push(
      walletConnectConnector({
        projectId: settings.walletConnectProjectId,
        metadata: { name: settings.appName, description: settings.appDescription },
        ...(options.walletConnectInit ? { init: options.walletConnectInit } : {}),
      }),
    );
  }
  if (local && settings.devAccounts) {
    connectors.push(devAccounts(options.devAccountIndex === undefined ? {} : { index: options.devAccountIndex }));
  }

  return createConfig({
    chains: [chain],
    transports: { [chain.id]: arenaTransport(rpcUrls, options.transport) },
    connectors,
    multiInjectedProviderDiscovery: true,
    // A local chain mines every second; a public one every few.
    pollingInterval: local ? 500 : 4_000,
    ...(options.storage === undefined ? {} : { storage: options.storage }),
  });
}

/** How the UI groups a connector: announced wallets by name, the generic injected one, the rest. */
export function connectorKind(connector: Pick<Connector, 'id' | 'type'>): ArenaConnectorKind {
  if (connector.id === DEV_CONNECTOR_ID) return 'devAccounts';
  if (connector.id === WALLETCONNECT_CONNECTOR_ID) return 'walletConnect';
  // wagmi gives EIP-6963 wallets their rdns as id; the generic injected connector is 'injected'.
  return connector.id === 'injected' ? 'injected' : 'eip6963';
}
