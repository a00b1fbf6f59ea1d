// The dev-accounts connector: anvil's own accounts, a selectable index kept across sessions, local
// signing, and a refusal on any chain that is not a local development chain.
import { connect, createConfig, createStorage, getAccount, http, switchChain, type Connector } from '@wagmi/core';
import { defineChain, verifyMessage, verifyTypedData } from 'viem';
import { mainnet } from 'viem/chains';
import { describe, expect, it } from 'vitest';
import { devAccounts as scriptDevAccounts } from '../../../scripts/lib/dev-accounts.ts';
import { arenaChain } from '../../../src/lib/chain/wallet/chain.ts';
import { createArenaWagmiConfig } from '../../../src/lib/chain/wallet/config.ts';
import { devAccounts, DevAccountsRefusedError, DEV_CONNECTOR_ID } from '../../../src/lib/chain/wallet/dev-accounts.ts';
import { walletSettings } from '../../../src/lib/chain/wallet/settings.ts';

const local = arenaChain({ chainId: 31337, rpcUrls: ['http://127.0.0.1:8545'] });

type DevConnector = Connector & {
  selectAccount(i: number): Promise<void>;
  accountIndex(): number;
  listAccounts(): Promise<{ index: number; address: string }[]>;
};

function memoryStorage() {
  const map = new Map<string, string>();
  return createStorage({
    storage: {
      getItem: (k) => map.get(k) ?? null,
      setItem: (k, v) => void map.set(k, v),
      removeItem: (k) => void map.delete(k),
    },
  });
}

function localConfig(storage = memoryStorage(), index?: number) {
  const config = createArenaWagmiConfig({ chainId: 31337, rpcUrl: 'http://127.0.0.1:8545' }, walletSettings({}), {
    storage,
    ...(index === undefined ? {} : { devAccountIndex: index }),
  });
  return { config, dev: config.connectors.find((c) => c.id === DEV_CONNECTOR_ID) as DevConnector };
}

describe('dev accounts connector', () => {
  it('offers exactly the accounts anvil funds', async () => {
    const { dev } = localConfig();
    const listed = await dev.listAccounts();
    expect(listed.map((a) => a.address)).toEqual(scriptDevAccounts(10).map((a) => a.address));
  });

  it('connects the chosen account and switches accounts, remembering the choice', async () => {
    const storage = memoryStorage();
    const { config, dev } = localConfig(storage, 3);
    const result = await connect(config, { connector: dev });
    expect(result).toEqual({ accounts: [scriptDevAccounts(4)[3]!.address], chainId: 31337 });
    await dev.selectAccount(5);
    expect(getAccount(config).address).toBe(scriptDevAccounts(6)[5]!.address);
    await expect(dev.selectAccount(10)).rejects.toThrow('dev account index must be an integer in 0..9, got 10');

    // Next session: the stored index wins over the configured default.
    const next = localConfig(storage, 0);
    await connect(next.config, { connector: next.dev });
    expect(next.dev.accountIndex()).toBe(5);
    expect(getAccount(next.config).address).toBe(scriptDevAccounts(6)[5]!.address);
  });

  it('signs in the page with the dev key', async () => {
    const { config, dev } = localConfig();
    await connect(config, { connector: dev });
    const provider = (await dev.getProvider()) as {
      request(a: { method: string; params?: unknown[] }): Promise<unknown>;
    };
    const address = scriptDevAccounts(1)[0]!.address;
    expect(await provider.request({ method: 'eth_accounts' })).toEqual([address]);
    expect(await provider.request({ method: 'eth_chainId' })).toBe('0x7a69');
    const signature = (await provider.request({
      method: 'personal_sign',
      params: ['0x68656c6c6f', address],
    })) as `0x${string}`;
    expect(await verifyMessage({ address, message: 'hello', signature })).toBe(true);
    const typed = {
      domain: { name: 'AIArena', version: '1', chainId: 31337 },
      types: { Note: [{ name: 'text', type: 'string' }] },
      primaryType: 'Note' as const,
      message: { text: 'hi' },
    };
    const typedSig = (await provider.request({
      method: 'eth_signTypedData_v4',
      params: [address, JSON.stringify(typed)],
    })) as `0x${string}`;
    expect(await verifyTypedData({ address, signature: typedSig, ...typed })).toBe(true);
  });

  it('refuses chain 1 with a clear error', async () => {
    const config = createConfig({
      chains: [mainnet],
      transports: { [mainnet.id]: http('http://127.0.0.1:1') },
      connectors: [devAccounts()],
      storage: null,
    });
    const error = await connect(config, { connector: config.connectors[0]! }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(DevAccountsRefusedError);
    expect((error as DevAccountsRefusedError).code).toBe('dev-accounts-refused');
    expect((error as Error).message).toBe(
      'Dev accounts work only on a local development chain (chain id 31337 or 1337); this is chain 1. ' +
        'Their keys are public, so anyone could take what such an account holds elsewhere.',
    );
    expect(await config.connectors[0]!.isAuthorized()).toBe(false);
    await expect(config.connectors[0]!.getClient!({ chainId: 1 })).rejects.toBeInstanceOf(DevAccountsRefusedError);
  });

  it('refuses to switch from the local chain to a public one, but switches between local chains', async () => {
    const hardhat = defineChain({ ...local, id: 1337, name: 'Local 1337' });
    const config = createConfig({
      chains: [local, hardhat, mainnet],
      transports: { [local.id]: http(), [hardhat.id]: http(), [mainnet.id]: http() },
      connectors: [devAccounts()],
      storage: null,
    });
    await connect(config, { connector: config.connectors[0]! });
    await expect(switchChain(config, { chainId: 1 })).rejects.toBeInstanceOf(DevAccountsRefusedError);
    expect(getAccount(config).chainId).toBe(31337);
    await switchChain(config, { chainId: 1337 });
    expect(getAccount(config).chainId).toBe(1337);
  });
});
