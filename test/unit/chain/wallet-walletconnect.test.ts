// WalletConnect needs its relay on the internet and a project id, so it cannot be exercised on
// this offline machine. What is ours is tested with the provider's init replaced by a stand-in:
// the options we initialize it with, the pairing URI reaching the app (listener and wagmi's
// 'message' event) so it can draw the QR code, the session's account and chain, a switch that
// adds the chain, a declined pairing, and disconnecting.
import { connect, disconnect, getAccount, switchChain } from '@wagmi/core';
import { EventEmitter } from 'node:events';
import { describe, expect, it } from 'vitest';
import { decodeContractError } from '../../../src/lib/chain/tx/decode.ts';
import { createArenaWagmiConfig } from '../../../src/lib/chain/wallet/config.ts';
import { qrMatrix } from '../../../src/lib/chain/wallet/qr.ts';
import { walletSettings } from '../../../src/lib/chain/wallet/settings.ts';
import {
  WALLETCONNECT_CONNECTOR_ID,
  type WcInitOptions,
  type WcProvider,
} from '../../../src/lib/chain/wallet/walletconnect.ts';

const PHONE = '0x90F79bf6EB2c4f870365E785982E1f101E93b906';
const URI =
  'wc:7f6e504bfad60b485450578e05678ed3e8e8c4751d3c6160be17160d63ec90f9@2?relay-protocol=irn&symKey=587d5484ce2a2a6ee3ba1962fdd7e8588e06200c46823bd18fbd67def96ad303';

class StandInProvider extends EventEmitter implements WcProvider {
  accounts: string[] = [];
  chainId = 31337;
  session: unknown = undefined;
  requests: { method: string; params?: unknown }[] = [];
  connectOptions: unknown;
  constructor(
    readonly options: WcInitOptions,
    private readonly phone: { approve: boolean; knows: number[] },
  ) {
    super();
  }
  async connect(opts?: unknown) {
    this.connectOptions = opts;
    // The real provider emits the URI once the pairing proposal is published to the relay.
    this.emit('display_uri', URI);
    await new Promise((r) => setTimeout(r, 5));
    if (!this.phone.approve) throw new Error('User rejected.');
    this.session = { topic: 'abc' };
    this.accounts = [PHONE.toLowerCase()];
  }
  async enable() {
    return this.accounts;
  }
  async disconnect() {
    this.session = undefined;
    this.accounts = [];
  }
  async request<T>(args: { method: string; params?: unknown }): Promise<T> {
    this.requests.push(args);
    if (args.method === 'wallet_switchEthereumChain') {
      const id = Number((args.params as [{ chainId: string }])[0].chainId);
      if (!this.phone.knows.includes(id)) throw Object.assign(new Error('Unrecognized chain'), { code: 4902 });
      this.chainId = id;
    }
    if (args.method === 'wallet_addEthereumChain') {
      const id = Number((args.params as [{ chainId: string }])[0].chainId);
      this.phone.knows.push(id);
      this.chainId = id;
    }
    return null as T;
  }
}

function setup(phone: { approve: boolean; knows: number[] }) {
  const made: StandInProvider[] = [];
  const config = createArenaWagmiConfig(
    { chainId: 31337, rpcUrl: 'http://127.0.0.1:8545' },
    walletSettings({ VITE_WALLETCONNECT_PROJECT_ID: 'test-project' }),
    {
      storage: null,
      walletConnectInit: async (options) => {
        const p = new StandInProvider(options, phone);
        made.push(p);
        return p;
      },
    },
  );
  const connector = config.connectors.find(
    (c) => c.id === WALLETCONNECT_CONNECTOR_ID,
  ) as (typeof config.connectors)[number] & {
    onPairingUri(l: (uri: string) => void): () => void;
    pairingUri(): string | undefined;
  };
  return { config, connector, made };
}

describe('WalletConnect connector (relay stood in)', () => {
  it('initializes the provider without its modal, for the app chain and RPC', async () => {
    const { connector, made } = setup({ approve: true, knows: [31337] });
    await connector.getProvider();
    expect(made).toHaveLength(1);
    expect(made[0]!.options).toEqual({
      projectId: 'test-project',
      optionalChains: [31337],
      rpcMap: { '31337': 'http://127.0.0.1:8545' },
      showQrModal: false,
      metadata: {
        name: 'AIArena',
        description: 'Decentralized AI training in the browser, with on-chain incentives',
        url: 'http://localhost',
        icons: [],
      },
    });
    await connector.getProvider();
    expect(made).toHaveLength(1);
  });

  it('hands the pairing URI to the app while pairing, then connects the phone account', async () => {
    const { config, connector, made } = setup({ approve: true, knows: [31337] });
    const uris: string[] = [];
    const messages: { type?: string; data?: unknown }[] = [];
    connector.onPairingUri((uri) => {
      uris.push(uri);
      // The app draws the code as soon as the URI arrives.
      expect(connector.pairingUri()).toBe(uri);
      expect(qrMatrix(uri).size).toBeGreaterThan(21);
    });
    connector.emitter.on('message', (m) => messages.push(m));
    const result = await connect(config, { connector });
    expect(uris).toEqual([URI]);
    expect(messages.filter((m) => m.type === 'display_uri').map((m) => m.data)).toEqual([URI]);
    expect(connector.pairingUri()).toBeUndefined();
    expect(result).toEqual({ accounts: [PHONE], chainId: 31337 });
    expect(getAccount(config).address).toBe(PHONE);
    // The phone switches accounts: the app follows.
    const other = '0x15d34AAf54267DB7D7c367839AAf71A00a2C6A65';
    expect(made[0]!.listenerCount('accountsChanged')).toBe(1);
    made[0]!.emit('accountsChanged', [other.toLowerCase()]);
    expect(getAccount(config).address).toBe(other);
    await disconnect(config);
    expect(made[0]!.session).toBeUndefined();
    expect(made[0]!.listenerCount('accountsChanged')).toBe(0);
    expect(made[0]!.listenerCount('display_uri')).toBe(0);
  });

  it('adds the app chain on the phone when it does not know it', async () => {
    const { config, connector, made } = setup({ approve: true, knows: [1] });
    await connect(config, { connector });
    made[0]!.chainId = 1;
    await switchChain(config, { chainId: 31337 });
    expect(made[0]!.requests.map((r) => r.method)).toEqual(['wallet_switchEthereumChain', 'wallet_addEthereumChain']);
    expect(getAccount(config).chainId).toBe(31337);
  });

  it('reports a pairing declined on the phone as a rejection', async () => {
    const { config, connector } = setup({ approve: false, knows: [31337] });
    const error = await connect(config, { connector }).catch((e: unknown) => e);
    expect(decodeContractError(error)).toEqual({
      code: 'rejected',
      sentence: 'You declined the request in your wallet.',
    });
    expect(getAccount(config).status).toBe('disconnected');
  });

  it('loads the real provider module the connector imports by default (no relay contacted)', async () => {
    const mod = await import('@walletconnect/ethereum-provider');
    expect(typeof mod.EthereumProvider.init).toBe('function');
  });
});
