// A wagmi connector for anvil's well-known accounts, so a newcomer on the local chain plays every
// role (creator, trainer, validator, delegator) without a wallet extension. Keys are derived
// from the public test mnemonic and sign in the page. It refuses every chain but a local one:
// those keys are public, and an account using them elsewhere belongs to whoever looks.
import {
  createWalletClient,
  getAddress,
  http,
  numberToHex,
  type Address,
  type Chain,
  type EIP1193RequestFn,
  type Hex,
  type HDAccount,
  type WalletClient,
  type Transport,
} from 'viem';
import { ChainNotConfiguredError, createConnector } from '@wagmi/core';
import { isLocalChainId, LOCAL_CHAIN_IDS } from './chain.ts';
import { ArenaError } from '../../errors.ts';

/** anvil's default mnemonic: public knowledge, funded on every fresh anvil. */
export const ANVIL_MNEMONIC = 'test test test test test test test test test test test junk';
export const DEV_ACCOUNT_COUNT = 10;
export const DEV_CONNECTOR_ID = 'devAccounts';

export class DevAccountsRefusedError extends ArenaError<'dev-accounts-refused'> {
  constructor(readonly chainId: number) {
    super(
      'dev-accounts-refused',
      `Dev accounts work only on a local development chain (chain id ${LOCAL_CHAIN_IDS.join(' or ')}); ` +
        `this is chain ${chainId}. Their keys are public, so anyone could take what such an account holds elsewhere.`,
    );
    this.name = 'DevAccountsRefusedError';
  }
}

export interface DevAccountsParameters {
  /** Account index to start with (0..count-1); a stored choice wins after the first session. */
  index?: number;
  count?: number;
}

export interface DevAccount {
  index: number;
  address: Address;
}

type StorageItem = { 'devAccounts.index': number; 'devAccounts.connected': boolean };

type Properties = {
  /** The account index now in use. */
  accountIndex(): number;
  /** Switches to another dev account; connected apps see an account change. */
  selectAccount(index: number): Promise<void>;
  listAccounts(): Promise<DevAccount[]>;
};

interface DevProvider {
  request: EIP1193RequestFn;
}

let bip32: Promise<typeof import('viem/accounts')> | undefined;
// Loaded on first use: the mnemonic code (bip39 word list) stays out of a production page.
const accountsModule = () => (bip32 ??= import('viem/accounts'));

const derived = new Map<number, Promise<HDAccount>>();

/** Account `index` of the anvil mnemonic (derived once: the seed stretch costs ~0.1 s). */
export function devAccountAt(index: number): Promise<HDAccount> {
  let account = derived.get(index);
  if (!account) {
    account = accountsModule().then(({ mnemonicToAccount }) =>
      mnemonicToAccount(ANVIL_MNEMONIC, { addressIndex: index }),
    );
    derived.set(index, account);
  }
  return account;
}

devAccounts.type = 'devAccounts' as const;

export function devAccounts(parameters: DevAccountsParameters = {}) {
  const count = parameters.count ?? DEV_ACCOUNT_COUNT;
  let index = parameters.index ?? 0;
  let connected = false;
  let currentChainId: number | undefined;

  const checkIndex = (i: number) => {
    if (!Number.isInteger(i) || i < 0 || i >= count)
      throw new RangeError(`dev account index must be an integer in 0..${count - 1}, got ${i}`);
    return i;
  };
  checkIndex(index);

  return createConnector<DevProvider, Properties, StorageItem>((config) => {
    /** The configured local chain with this id (default: the current or first one), or a refusal. */
    function localChain(chainId?: number): Chain {
      const id = chainId ?? currentChainId ?? config.chains[0].id;
      if (!isLocalChainId(id)) throw new DevAccountsRefusedError(id);
      const chain = config.chains.find((c) => c.id === id);
      if (!chain) throw new ChainNotConfiguredError();
      return chain;
    }

    async function walletClient(chainId?: number): Promise<WalletClient<Transport, Chain, HDAccount>> {
      const chain = localChain(chainId);
      const transport = config.transports?.[chain.id] ?? http(chain.rpcUrls.default.http[0]);
      return createWalletClient({ account: await devAccountAt(index), chain, transport });
    }

    return {
      id: DEV_CONNECTOR_ID,
      name: 'Dev accounts (local chain)',
      type: devAccounts.type,

      async setup() {
        const stored = await config.storage?.getItem('devAccounts.index');
        if (typeof stored === 'number' && stored >= 0 && stored < count) index = stored;
      },

      async connect({ chainId } = {}) {
        const chain = localChain(chainId);
        currentChainId = chain.id;
        connected = true;
        await config.storage?.setItem('devAccounts.connected', true);
        const { address } = await devAccountAt(index);
        return { accounts: [address] as never, chainId: chain.id };
      },

      async disconnect() {
        connected = false;
        await config.storage?.removeItem('devAccounts.connected');
      },

      async getAccounts() {
        if (!connected) return [];
        return [(await devAccountAt(index)).address];
      },

      async getChainId() {
        return currentChainId ?? config.chains[0].id;
      },

      async getClient({ chainId } = {}) {
        return walletClient(chainId);
      },

      async getProvider({ chainId } = {}) {
        const request = (async ({ method, params }: { method: string; params?: unknown }) => {
          const client = await walletClient(chainId);
          const p = (params ?? []) as unknown[];
          switch (method) {
            case 'eth_accounts':
            case 'eth_requestAccounts':
              return connected ? [client.account.address] : [];
            case 'eth_chainId':
              return numberToHex(client.chain.id);
            case 'wallet_switchEthereumChain':
              await this.switchChain!({ chainId: Number((p[0] as { chainId: Hex }).chainId) });
              return null;
            case 'personal_sign':
              return client.account.signMessage({ message: { raw: p[0] as Hex } });
            case 'eth_signTypedData_v4':
              return client.account.signTypedData(JSON.parse(p[1] as string));
            case 'eth_sendTransaction': {
              const tx = p[0] as { to?: Address; data?: Hex; value?: Hex; gas?: Hex };
              return client.sendTransaction({
                to: tx.to ?? null,
                ...(tx.data ? { data: tx.data } : {}),
                ...(tx.value ? { value: BigInt(tx.value) } : {}),
                ...(tx.gas ? { gas: BigInt(tx.gas) } : {}),
              } as never);
            }
            default:
              return client.request({ method, params } as never);
          }
        }) as EIP1193RequestFn;
        return { request };
      },

      async isAuthorized() {
        try {
          localChain();
        } catch {
          return false;
        }
        return connected || (await config.storage?.getItem('devAccounts.connected')) === true;
      },

      async switchChain({ chainId }) {
        const chain = localChain(chainId);
        currentChainId = chain.id;
        config.emitter.emit('change', { chainId: chain.id });
        return chain;
      },

      onAccountsChanged(accounts) {
        if (accounts.length === 0) this.onDisconnect();
        else config.emitter.emit('change', { accounts: accounts.map((a) => getAddress(a)) });
      },

      onChainChanged(chain) {
        config.emitter.emit('change', { chainId: Number(chain) });
      },

      onDisconnect() {
        connected = false;
        config.emitter.emit('disconnect');
      },

      accountIndex: () => index,

      async selectAccount(next) {
        index = checkIndex(next);
        await config.storage?.setItem('devAccounts.index', index);
        if (connected) config.emitter.emit('change', { accounts: [(await devAccountAt(index)).address] });
      },

      async listAccounts() {
        return Promise.all(
          Array.from({ length: count }, async (_, i) => ({ index: i, address: (await devAccountAt(i)).address })),
        );
      },
    };
  });
}
