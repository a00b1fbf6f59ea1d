// What the role pages' browser tests run against: a real anvil with the protocol deployed and a
// played task (three trainers, two validators, two finalized epochs; test/integration/support/
// played-task.ts), the deployments file in a temporary folder, and a blob store seeded with the
// public content that accepts uploads from any origin (the dev server's port is only known after
// the store starts). The app connects with anvil's dev accounts, as a newcomer would.
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Page } from 'playwright-core';
import { publicContentFiles, seedFiles, startBlobStore, type BlobStore } from '../../scripts/lib/blob-store/index.ts';
import { launchArena, type Driver } from '../../scripts/lib/driver.ts';
import { serializeDeployment } from '../../src/lib/chain/deployments.ts';
import { playTask, type PlayedTask } from '../integration/support/played-task.ts';

export interface RolesWorld {
  driver: Driver;
  /** The played task (task #1), unless the world was started without it. */
  played: PlayedTask | null;
  store: BlobStore;
  env: Record<string, string>;
  close(): Promise<void>;
}

export async function startRolesWorld(opts: { play?: boolean } = {}): Promise<RolesWorld> {
  const driver = await launchArena();
  const dirs: string[] = [];
  let store: BlobStore | undefined;
  try {
    const played = opts.play === false ? null : await playTask(driver);
    const deploymentsDir = mkdtempSync(join(tmpdir(), 'aiarena-roles-deployments-'));
    const storeDir = mkdtempSync(join(tmpdir(), 'aiarena-roles-store-'));
    dirs.push(deploymentsDir, storeDir);
    writeFileSync(join(deploymentsDir, `${driver.deployment.chainId}.json`), serializeDeployment(driver.deployment));
    store = await startBlobStore({ dir: storeDir, port: 0, uploadOrigins: ['*'] });
    await seedFiles(store.disk, publicContentFiles(), store.maxBlobBytes);
    const s = store;
    return {
      driver,
      played,
      store: s,
      env: {
        AIARENA_DEPLOYMENTS_DIR: deploymentsDir,
        VITE_RPC_URL: driver.anvil.url,
        VITE_CHAIN_ID: String(driver.deployment.chainId),
        VITE_IPFS_GATEWAYS: s.url,
        VITE_UPLOAD_URL: `${s.url}/upload`,
        VITE_REFRESH_MS: '1000',
      },
      async close() {
        await s.close();
        await driver.stop();
        for (const d of dirs) rmSync(d, { recursive: true, force: true });
      },
    };
  } catch (e) {
    await store?.close();
    await driver.stop();
    for (const d of dirs) rmSync(d, { recursive: true, force: true });
    throw e;
  }
}

/** Connects dev account `index` through the header's wallet panel; the panel is closed after. */
export async function connectDevAccount(page: Page, index: number, name: string): Promise<void> {
  const button = page.getByTestId('wallet-button');
  await button.click();
  const panel = page.getByRole('dialog', { name: /wallet/i });
  await panel.getByLabel('Dev account', { exact: true }).selectOption(String(index));
  const use = panel.getByRole('button', { name: /^(Connect|Use this account)$/ });
  if (await use.isEnabled()) await use.click();
  await page.waitForFunction(
    (n) => document.querySelector('[data-testid="wallet-button"]')?.textContent?.includes(n) ?? false,
    name,
    { timeout: 15_000 },
  );
  if (await panel.isVisible()) await panel.getByRole('button', { name: 'Close the wallet panel' }).click();
}

/**
 * A desktop page of the app with dev account `index` connected, at `hash`. A fresh dev server may
 * re-bundle its dependencies on the first load (504 "Outdated Optimize Dep", and no reload
 * without HMR): the page loads again once it has.
 */
export async function openAsDevAccount(
  h: { open(path: string): Promise<Page> },
  index: number,
  name: string,
  hash: string,
): Promise<Page> {
  const page = await h.open('/#/');
  await page.setViewportSize({ width: 1280, height: 900 });
  for (let attempt = 0; ; attempt++) {
    try {
      await page.getByTestId('wallet-button').waitFor({ timeout: 20_000 });
      break;
    } catch (e) {
      if (attempt >= 2) throw e;
      await page.reload();
    }
  }
  await connectDevAccount(page, index, name);
  await page.evaluate((hh) => (location.hash = hh), hash);
  return page;
}

export const SCREENSHOT_DIR = new URL('../../test-output/screenshots/', import.meta.url).pathname;

/** A full-page screenshot under test-output/screenshots/ (git-ignored). */
export async function shot(page: Page, name: string): Promise<string> {
  mkdirSync(SCREENSHOT_DIR, { recursive: true });
  const path = join(SCREENSHOT_DIR, `${name}.png`);
  await page.screenshot({ path, fullPage: true });
  return path;
}

/** Clicks a dev-panel button of a task and waits for its outcome sentence. */
export async function devStep(page: Page, label: string, expect: RegExp): Promise<string> {
  const notice = page.getByTestId('dev-notice');
  const before = (await notice.count()) > 0 ? await notice.innerText() : '';
  await page.getByRole('button', { name: label }).click();
  await page.waitForFunction(
    ([prev, source]) => {
      const el = document.querySelector('[data-testid="dev-notice"]');
      const text = el?.textContent ?? '';
      return text !== prev && (new RegExp(source!).test(text) || el?.getAttribute('role') === 'alert');
    },
    [before, expect.source],
    { timeout: 20_000 },
  );
  const text = await page.getByTestId('dev-notice').innerText();
  if (!expect.test(text)) throw new Error(`dev panel "${label}": ${text}`);
  return text;
}
