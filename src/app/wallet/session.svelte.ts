// The app's wallet as reactive state: the wagmi config (created on first use, so the first page
// stays light), the connected account, its network and balances, and the transaction tracker
// whose records feed the toasts and the history drawer. One session per page, shared by the
// header's wallet button and every page that sends transactions (useWallet()).
import {
  connect,
  disconnect,
  getAccount,
  getConnectors,
  getPublicClient,
  reconnect,
  watchAccount,
  watchConnectors,
  type Config,
  type Connector,
} from '@wagmi/core';
import { http, type Address, type PublicClient } from 'viem';
import { arenaTokenAbi } from '../../lib/chain/abi.generated.ts';
import type { ActionContext, ReadContext } from '../../lib/chain/actions/context.ts';
import { devClock, type DevClock } from '../../lib/chain/actions/dev/time.ts';
import type { Deployment } from '../../lib/chain/deployments.ts';
import { memoryTxStore, openTxStore } from '../../lib/chain/tx/store.ts';
import { createTxTracker, type TxTracker } from '../../lib/chain/tx/tracker.ts';
import type { TxRecord } from '../../lib/chain/tx/types.ts';
import { isLocalChainId } from '../../lib/chain/wallet/chain.ts';
import { connectorKind, createArenaWagmiConfig, type ArenaConnectorKind } from '../../lib/chain/wallet/config.ts';
import { DEV_CONNECTOR_ID, type DevAccount } from '../../lib/chain/wallet/dev-accounts.ts';
import { ensureNetwork, WalletNotConnectedError } from '../../lib/chain/wallet/network.ts';
import { walletActionContext } from '../../lib/chain/wallet/session.ts';
import { walletSettings, type WalletSettings } from '../../lib/chain/wallet/settings.ts';
import { WALLETCONNECT_CONNECTOR_ID } from '../../lib/chain/wallet/walletconnect.ts';
import { errorSentence, isRejection } from '../../lib/app-logic/errors.ts';
import { txToastChanges } from '../../lib/app-logic/tx-toasts.ts';
import { explorerBase, explorerLink } from '../../lib/app-logic/explorer.ts';
import { ArenaError } from '../../lib/errors.ts';
import { appContext, type AppContext } from '../context.ts';

export type WalletStatus = 'starting' | 'disconnected' | 'connecting' | 'reconnecting' | 'connected';
export type NetworkState = { kind: 'disconnected' } | { kind: 'ok' } | { kind: 'wrong'; chainId: number };

/** The dev-accounts connector's own methods (src/lib/chain/wallet/dev-accounts.ts). */
type DevConnector = Connector & {
  accountIndex(): number;
  selectAccount(i: number): Promise<void>;
  listAccounts(): Promise<DevAccount[]>;
};
type WcConnector = Connector & {
  onPairingUri(listener: (uri: string) => void): () => void;
  pairingUri(): string | undefined;
};

export class NotReadyError extends ArenaError<'not-ready'> {
  constructor(message: string) {
    super('not-ready', message);
    this.name = 'NotReadyError';
  }
}

export interface ConnectorOption {
  id: string;
  name: string;
  icon?: string;
  kind: ArenaConnectorKind;
}

const BALANCE_EVERY_MS = 4_000;

export class WalletSession {
  status = $state<WalletStatus>('starting');
  address = $state<Address | null>(null);
  /** The chain the wallet is on (may differ from the app's). */
  chainId = $state<number | null>(null);
  connectorId = $state<string | null>(null);
  connectorName = $state<string | null>(null);
  connectors = $state.raw<ConnectorOption[]>([]);
  /** Native currency and ARENA of the connected account; null until read. */
  ethBalance = $state<bigint | null>(null);
  tokenBalance = $state<bigint | null>(null);
  /** Every transaction this browser sent on any chain, newest first (IndexedDB). */
  records = $state.raw<TxRecord[]>([]);
  devIndex = $state<number | null>(null);
  /** The last connect / switch failure, as a sentence. */
  error = $state<string | null>(null);
  /** WalletConnect pairing URI while a phone wallet is being paired. */
  pairingUri = $state<string | null>(null);

  readonly config: Config;
  readonly settings: WalletSettings;
  readonly expectedChainId: number;
  readonly local: boolean;
  #app: AppContext;
  #tracker: Promise<TxTracker> | null = null;
  #started = false;
  #stops: (() => void)[] = [];

  constructor(app: AppContext, env: Record<string, string | boolean | undefined> = import.meta.env) {
    this.#app = app;
    this.settings = walletSettings(env);
    this.expectedChainId = app.config.chainId;
    this.local = isLocalChainId(app.config.chainId);
    this.config = createArenaWagmiConfig({ chainId: app.config.chainId, rpcUrl: app.config.rpcUrl }, this.settings);
  }

  get network(): NetworkState {
    if (this.status !== 'connected' || this.chainId === null) return { kind: 'disconnected' };
    return this.chainId === this.expectedChainId ? { kind: 'ok' } : { kind: 'wrong', chainId: this.chainId };
  }

  get connected(): boolean {
    return this.status === 'connected' && this.address !== null;
  }

  get publicClient(): PublicClient {
    return getPublicClient(this.config, { chainId: this.expectedChainId }) as PublicClient;
  }

  /** The deployment the chain data read (null until the first snapshot). */
  get deployment(): Deployment | null {
    return this.#app.data.snapshot?.deployment ?? null;
  }

  /** Reconnects the last wallet, opens the transaction history, and starts watching. Idempotent. */
  start(): void {
    if (this.#started) return;
    this.#started = true;
    this.#stops.push(
      watchAccount(this.config, { onChange: () => this.#readAccount() }),
      watchConnectors(this.config, { onChange: () => this.#readConnectors() }),
    );
    this.#readConnectors();
    void reconnect(this.config).finally(() => this.#readAccount());
    this.#tracker = this.#openTracker();
    const timer = setInterval(() => void this.refreshBalances(), BALANCE_EVERY_MS);
    this.#stops.push(() => clearInterval(timer));
  }

  stop(): void {
    for (const s of this.#stops.splice(0)) s();
    void this.#tracker?.then((t) => t.close());
    this.#started = false;
  }

  async #openTracker(): Promise<TxTracker> {
    // Without IndexedDB (some private modes) transactions still work; the history then lasts
    // only as long as the page.
    const store = await openTxStore().catch(() => memoryTxStore());
    const tracker = await createTxTracker({ store, client: this.publicClient, chainId: this.expectedChainId });
    const seen = new Map<string, TxRecord['status']>();
    let initial = true;
    tracker.subscribe((records) => {
      this.records = records;
      const changes = txToastChanges(records, seen, initial);
      for (const t of changes) {
        const link = t.hash ? this.explorerLink('tx', t.hash) : null;
        this.#app.toasts.tx(link ? { ...t, explorerUrl: link } : t);
      }
      // A mined transaction changes balances and what pages show: read them now, not at the next poll.
      if (changes.some((t) => t.status === 'confirmed' || t.status === 'failed')) {
        void this.refreshBalances();
        void this.#app.data.refresh();
      }
      initial = false;
    });
    return tracker;
  }

  tracker(): Promise<TxTracker> {
    if (!this.#tracker) this.start();
    return this.#tracker!;
  }

  #readAccount(): void {
    const a = getAccount(this.config);
    const before = this.address;
    this.status = a.status === 'connected' ? 'connected' : a.status;
    this.address = a.status === 'connected' ? (a.address ?? null) : null;
    this.chainId = a.status === 'connected' ? (a.chainId ?? null) : null;
    this.connectorId = a.connector?.id ?? null;
    this.connectorName = a.connector?.name ?? null;
    const dev = this.#devConnector();
    this.devIndex = a.connector?.id === DEV_CONNECTOR_ID && dev ? dev.accountIndex() : null;
    if (this.address !== before) {
      this.ethBalance = null;
      this.tokenBalance = null;
      void this.refreshBalances();
    }
  }

  #readConnectors(): void {
    const hasWindowEthereum =
      typeof window !== 'undefined' && 'ethereum' in window && !!(window as { ethereum?: unknown }).ethereum;
    this.connectors = getConnectors(this.config)
      .filter((c) => c.id !== 'injected' || hasWindowEthereum)
      .map((c) => ({ id: c.id, name: c.name, kind: connectorKind(c), ...(c.icon ? { icon: c.icon } : {}) }));
  }

  #connector(id: string): Connector | undefined {
    return getConnectors(this.config).find((c) => c.id === id);
  }

  #devConnector(): DevConnector | undefined {
    return this.#connector(DEV_CONNECTOR_ID) as DevConnector | undefined;
  }

  /** The dev accounts (local chain only), with anvil's addresses. */
  async devAccounts(): Promise<DevAccount[]> {
    return (await this.#devConnector()?.listAccounts()) ?? [];
  }

  /** Connects a wallet; resolves true when connected, false when it failed (see `error`). */
  async connect(id: string): Promise<boolean> {
    const connector = this.#connector(id);
    if (!connector) {
      this.error = 'That wallet is no longer available in this browser.';
      return false;
    }
    this.error = null;
    let stopUri: (() => void) | undefined;
    if (id === WALLETCONNECT_CONNECTOR_ID) {
      stopUri = (connector as WcConnector).onPairingUri((uri) => (this.pairingUri = uri));
    }
    try {
      if (this.connected && this.connectorId !== id) await disconnect(this.config);
      if (!(this.connected && this.connectorId === id))
        await connect(this.config, { connector, chainId: this.expectedChainId });
      this.#readAccount();
      return true;
    } catch (e) {
      this.error = isRejection(e) ? 'You declined the connection in your wallet.' : errorSentence(e);
      this.#readAccount();
      return false;
    } finally {
      stopUri?.();
      this.pairingUri = null;
    }
  }

  /** Uses dev account `index` (local chain only), connecting the dev connector if needed. */
  async useDevAccount(index: number): Promise<boolean> {
    const dev = this.#devConnector();
    if (!dev) {
      this.error = 'Dev accounts exist only on a local development chain.';
      return false;
    }
    await dev.selectAccount(index);
    const ok = await this.connect(DEV_CONNECTOR_ID);
    this.#readAccount();
    return ok;
  }

  async disconnect(): Promise<void> {
    this.error = null;
    await disconnect(this.config).catch(() => undefined);
    this.#readAccount();
  }

  /** Asks the wallet to switch to the app's chain (adding it first if it does not know it). */
  async switchNetwork(): Promise<boolean> {
    this.error = null;
    try {
      await ensureNetwork(this.config, this.expectedChainId);
      this.#readAccount();
      return true;
    } catch (e) {
      this.error = errorSentence(e);
      this.#readAccount();
      return false;
    }
  }

  async refreshBalances(): Promise<void> {
    const address = this.address;
    const deployment = this.deployment;
    if (!address || this.status !== 'connected') return;
    try {
      const client = this.publicClient;
      const [eth, token] = await Promise.all([
        client.getBalance({ address }),
        deployment
          ? client.readContract({
              address: deployment.contracts.token,
              abi: arenaTokenAbi,
              functionName: 'balanceOf',
              args: [address],
            })
          : Promise.resolve(null),
      ]);
      if (this.address !== address) return;
      this.ethBalance = eth;
      this.tokenBalance = token;
    } catch {
      // A failed read keeps the last numbers; the header shows the chain's state separately.
    }
  }

  /** What read actions take. Throws NotReadyError before the deployment is known. */
  readContext(): ReadContext {
    const deployment = this.deployment;
    if (!deployment)
      throw new NotReadyError('The app has not read the deployment yet; wait until the chain is connected.');
    return { publicClient: this.publicClient, deployment };
  }

  /** What write actions take: network checked (and switched), transactions recorded. */
  async actionContext(): Promise<ActionContext> {
    const deployment = this.deployment;
    if (!deployment)
      throw new NotReadyError('The app has not read the deployment yet; wait until the chain is connected.');
    if (!this.connected) throw new WalletNotConnectedError();
    const tracker = await this.tracker();
    try {
      return await walletActionContext(this.config, deployment, { tracker });
    } finally {
      this.#readAccount();
    }
  }

  /** The app chain's block explorer page of a transaction or address; null where the chain has no explorer. */
  explorerLink(kind: 'tx' | 'address', value: string): string | null {
    return explorerLink(explorerBase(this.config.chains.find((c) => c.id === this.expectedChainId)), kind, value);
  }

  /** anvil's clock (local chain only). */
  devClock(): DevClock {
    return devClock(http(this.#app.config.rpcUrl));
  }

  /** Forgets a settled record in the history. */
  async dismiss(id: string): Promise<void> {
    await (await this.tracker()).dismiss(id);
  }
}

let session: WalletSession | undefined;

/** The page's wallet session (created and started on first use). Call during component setup. */
export function useWallet(): WalletSession {
  const app = appContext();
  session ??= new WalletSession(app);
  session.start();
  return session;
}
