export { arenaChain, appRpcUrls, isLocalChainId, LOCAL_CHAIN_IDS, type ChainSettings } from './chain.ts';
export { createArenaWagmiConfig, connectorKind, type ArenaConnectorKind, type ArenaWagmiOptions } from './config.ts';
export {
  devAccounts,
  devAccountAt,
  DevAccountsRefusedError,
  ANVIL_MNEMONIC,
  DEV_ACCOUNT_COUNT,
  DEV_CONNECTOR_ID,
  type DevAccount,
  type DevAccountsParameters,
} from './dev-accounts.ts';
export {
  ensureNetwork,
  networkStatus,
  WrongNetworkError,
  WalletNotConnectedError,
  type NetworkStatus,
} from './network.ts';
export { qrMatrix, qrSvg, type QrMatrix } from './qr.ts';
export { walletActionContext } from './session.ts';
export { walletSettings, type WalletSettings } from './settings.ts';
export { arenaTransport, TRANSPORT_DEFAULTS, type TransportOptions } from './transport.ts';
export {
  walletConnectConnector,
  WALLETCONNECT_CONNECTOR_ID,
  type WalletConnectParameters,
  type WcInit,
  type WcInitOptions,
  type WcProvider,
} from './walletconnect.ts';
