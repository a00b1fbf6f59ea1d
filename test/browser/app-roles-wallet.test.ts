// The header's wallet in headless Chromium against a real anvil: the connect menu lists a wallet
// that announces itself (EIP-6963) by name next to the dev accounts; a wallet on another network
// is detected and switched (the chain added first when the wallet does not know it; a refusal
// told in a sentence); and a transaction still pending when the page reloads is in the history
// after the reload and confirmed there when its block comes.
//
// The announcing wallet is a stand-in EIP-1193 provider injected into the page: a real wallet
// extension cannot run in headless Chromium here. It answers what a wallet answers to the
// network calls (eth_chainId, wallet_switchEthereumChain with 4902 for an unknown chain,
// wallet_addEthereumChain, chainChanged events) and nothing else; it sends no transaction.
import type { Page } from 'playwright-core';
import { createTestClient, getAddress, http } from 'viem';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { arenaTokenAbi } from '../../src/lib/chain/abi.generated.ts';
import { connectDevAccount, shot, startRolesWorld, type RolesWorld } from './app-roles-support.ts';
import { withEnv } from './app-support.ts';
import { chromiumAvailable, startHarness, type Harness } from './harness.ts';

const WAD = 10n ** 18n;
const STAND_IN_ACCOUNT = '0x1111111111111111111111111111111111111111';

let world: RolesWorld;
let h: Harness;

beforeAll(async () => {
  if (!chromiumAvailable())
    throw new Error('Debian chromium is needed for the browser tests: apt-get install chromium');
  world = await startRolesWorld({ play: false });
  h = await withEnv(world.env, () => startHarness());
}, 180_000);

afterAll(async () => {
  await h?.close();
  await world?.close();
});

/** Installs the stand-in wallet before the app loads; it starts on chain 1. */
function standInWallet(account: string): () => void {
  const w = window as unknown as Record<string, unknown>;
  const listeners: Record<string, Set<(v: unknown) => void>> = {};
  const known = new Set(['0x1']);
  let chainId = '0x1';
  let refuseSwitch = false;
  let authorized = false;
  const calls: string[] = [];
  const emit = (event: string, value: unknown) => listeners[event]?.forEach((f) => f(value));
  const fail = (code: number, message: string) => Object.assign(new Error(message), { code });
  const provider = {
    async request({ method, params }: { method: string; params?: unknown[] }) {
      calls.push(method);
      switch (method) {
        case 'eth_requestAccounts':
          authorized = true;
          return [account];
        case 'eth_accounts':
          // Like a real wallet: no accounts for a site until the person has connected it.
          return authorized ? [account] : [];
        case 'eth_chainId':
          return chainId;
        case 'wallet_requestPermissions':
        case 'wallet_getPermissions':
          return [{ parentCapability: 'eth_accounts' }];
        case 'wallet_switchEthereumChain': {
          const id = (params![0] as { chainId: string }).chainId;
          if (refuseSwitch) throw fail(4001, 'User rejected the request.');
          if (!known.has(id)) throw fail(4902, `Unrecognized chain ID "${id}".`);
          chainId = id;
          emit('chainChanged', id);
          return null;
        }
        case 'wallet_addEthereumChain': {
          const chain = params![0] as { chainId: string };
          w.__added = chain;
          known.add(chain.chainId);
          // Wallets switch to a chain they were just asked to add.
          chainId = chain.chainId;
          emit('chainChanged', chain.chainId);
          return null;
        }
        default:
          throw fail(4200, `The stand-in wallet does not support ${method}.`);
      }
    },
    on(event: string, f: (v: unknown) => void) {
      (listeners[event] ??= new Set()).add(f);
    },
    removeListener(event: string, f: (v: unknown) => void) {
      listeners[event]?.delete(f);
    },
  };
  w.__standIn = {
    calls,
    /** The person switches the wallet's network themselves. */
    setChain(id: string) {
      chainId = id;
      emit('chainChanged', id);
    },
    refuse(v: boolean) {
      refuseSwitch = v;
    },
  };
  const info = {
    uuid: '2c6b4f4e-8f0a-4c57-9b8e-0a4b7f1d2e3c',
    name: 'Stand-in Wallet',
    icon: 'data:image/svg+xml,%3Csvg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 8 8"%3E%3Crect width="8" height="8" fill="%230b5cad"/%3E%3C/svg%3E',
    rdns: 'org.example.standin',
  };
  const announce = () =>
    window.dispatchEvent(new CustomEvent('eip6963:announceProvider', { detail: Object.freeze({ info, provider }) }));
  window.addEventListener('eip6963:requestProvider', announce);
  announce();
  return announce;
}

const networkState = (page: Page) => page.getByTestId('network-state').innerText();

describe('wallet in the header', () => {
  it('lists an announced wallet by name, adds and switches to the app’s chain, and detects a wrong network', async () => {
    const page = await h.context.newPage();
    await page.addInitScript(standInWallet, STAND_IN_ACCOUNT);
    await page.goto(`${h.base}/#/`);
    const button = page.getByTestId('wallet-button');
    await expect.poll(() => button.innerText(), { timeout: 20_000 }).toBe('Connect');
    await button.click();
    const panel = page.getByRole('dialog', { name: 'Connect a wallet' });
    await panel.getByRole('button', { name: 'Stand-in Wallet' }).waitFor();
    // Announced wallets by name, no generic entry beside them; dev accounts on this local chain.
    expect(await panel.getByRole('list', { name: 'Browser wallets' }).getByRole('button').allInnerTexts()).toEqual([
      'Stand-in Wallet',
    ]);
    expect(await panel.getByRole('region', { name: /Dev accounts/ }).count()).toBe(1);
    expect(await panel.getByRole('button', { name: /WalletConnect/ }).count()).toBe(0); // no project id configured
    await page.setViewportSize({ width: 390, height: 844 });
    await shot(page, 'roles-wallet-connect-phone');
    await page.setViewportSize({ width: 1280, height: 800 });
    await shot(page, 'roles-wallet-connect-desktop');

    // Connecting asks the wallet to switch; it does not know chain 31337, so the app adds it.
    await panel.getByRole('button', { name: 'Stand-in Wallet' }).click();
    await expect.poll(() => button.innerText(), { timeout: 20_000 }).toBe('0x1111…1111');
    const added = (await page.evaluate(() => (window as unknown as { __added: unknown }).__added)) as {
      chainId: string;
      rpcUrls: string[];
      chainName: string;
    };
    expect(added.chainId).toBe('0x7a69');
    expect(added.rpcUrls).toEqual([world.env.VITE_RPC_URL]);
    expect(added.chainName).toBe('Anvil (local)');

    // The person switches the wallet to chain 1: the app notices and offers the switch back.
    await page.evaluate(() =>
      (window as unknown as { __standIn: { setChain(id: string): void } }).__standIn.setChain('0x1'),
    );
    await expect.poll(() => button.innerText()).toBe('Wrong network');
    await button.click();
    expect(await networkState(page)).toMatch(
      /^Your wallet is on chain 1; this app runs on Anvil \(local\) \(chain\s+31337\)/,
    );
    await shot(page, 'roles-wallet-wrong-network-desktop');

    // Refused: the sentence says so and the state stays wrong.
    await page.evaluate(() =>
      (window as unknown as { __standIn: { refuse(v: boolean): void } }).__standIn.refuse(true),
    );
    await page.getByRole('button', { name: 'Switch network' }).click();
    await page
      .getByRole('dialog', { name: 'Your wallet' })
      .getByRole('alert')
      .filter({ hasText: 'declined' })
      .waitFor();
    expect(await page.getByRole('dialog', { name: 'Your wallet' }).locator('p.error').innerText()).toBe(
      'You declined to switch your wallet to Anvil (local) (chain 31337); it stays on chain 1, where the app cannot send transactions.',
    );
    expect(await button.innerText()).toBe('Wrong network');

    await page.evaluate(() =>
      (window as unknown as { __standIn: { refuse(v: boolean): void } }).__standIn.refuse(false),
    );
    await page.getByRole('button', { name: 'Switch network' }).click();
    await expect.poll(() => networkState(page)).toBe('On Anvil (local), chain 31337');
    expect(await button.innerText()).toBe('0x1111…1111');
    const calls = (await page.evaluate(
      () => (window as unknown as { __standIn: { calls: string[] } }).__standIn.calls,
    )) as string[];
    expect(calls.filter((c) => c === 'wallet_addEthereumChain')).toHaveLength(1);
    await page.close();
  });

  it('keeps a pending transaction across a reload and confirms it when its block comes', async () => {
    const anvil = createTestClient({ mode: 'anvil', transport: http(world.env.VITE_RPC_URL) });
    const page = await h.open('/#/dev');
    await page.locator('h1', { hasText: 'Dev panel' }).waitFor();
    await connectDevAccount(page, 3, 'Validator A');
    const me = getAddress('0x90F79bf6EB2c4f870365E785982E1f101E93b906');
    const balance = () =>
      world.driver.read<bigint>({
        address: world.driver.c.token,
        abi: arenaTokenAbi,
        functionName: 'balanceOf',
        args: [me],
      });
    const start = await balance();

    await anvil.setAutomine(false);
    try {
      await page.fill('#faucet-amount', '123');
      await page.getByRole('button', { name: 'Get ARENA' }).click();
      const button = page.getByTestId('wallet-button');
      await expect
        .poll(() => button.getAttribute('aria-label'), { timeout: 20_000 })
        .toBe('Wallet: Validator A, 1 transaction pending');
      await page
        .locator('.toast', { hasText: 'Get 123 ARENA from the local faucet' })
        .filter({ hasText: 'Sent, waiting for a block' })
        .waitFor();

      await page.reload();
      await expect
        .poll(() => button.getAttribute('aria-label'), { timeout: 20_000 })
        .toBe('Wallet: Validator A, 1 transaction pending');
      await button.click();
      await page.getByRole('button', { name: 'Transactions (1 pending)' }).click();
      const drawer = page.getByRole('dialog', { name: 'Transactions' });
      const record = drawer.locator('[data-tx-status]', { hasText: 'Get 123 ARENA from the local faucet' });
      expect(await record.getAttribute('data-tx-status')).toBe('pending');
      expect(await record.innerText()).toMatch(/Pending[\s\S]*from 0x90F7…b906[\s\S]*tx 0x[0-9a-f]{6}…[0-9a-f]{6}/);
      await shot(page, 'roles-wallet-history-pending-desktop');
      expect(await balance()).toBe(start);

      await anvil.mine({ blocks: 1 });
      await expect.poll(() => record.getAttribute('data-tx-status'), { timeout: 20_000 }).toBe('confirmed');
      expect(await balance()).toBe(start + 123n * WAD);
      await page
        .locator('.toast', { hasText: 'Get 123 ARENA from the local faucet' })
        .filter({ hasText: 'Confirmed.' })
        .waitFor();
      expect(await record.innerText()).toMatch(/Confirmed[\s\S]*block \d+/);
      await page.setViewportSize({ width: 390, height: 844 });
      await shot(page, 'roles-wallet-history-phone');
    } finally {
      await anvil.setAutomine(true);
      await page.close();
    }
  });
});
