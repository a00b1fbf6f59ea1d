// The production build (vite build + vite preview) in headless Chromium: the service worker
// installs and precaches the shell but no tfjs or wasm; with the network off a reload still
// renders the shell from the service worker, with a clear offline notice and the last saved
// chain data; with the RPC down (network on) the saved data is shown marked stale.
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium, type BrowserContext, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freePort } from '../../scripts/lib/anvil.ts';
import { buildApp, startPreview, type Preview } from '../../scripts/lib/app-preview.ts';
import { horizontalOverflow, screenshot, startAppWorld, type AppWorld } from './app-support.ts';
import { CHROMIUM, CHROMIUM_ARGS, chromiumAvailable } from './harness.ts';

let world: AppWorld;
let preview: Preview;
let port: number;
let context: BrowserContext;
let page: Page;
const work = mkdtempSync(join(tmpdir(), 'aiarena-app-offline-'));
const outDir = join(work, 'dist');
/** The refresh periods of the versions the update tests deploy (other periods, other bundle hashes). */
const UPDATES = ['2000', '2500'] as const;
const updateDir = (refreshMs: string) => join(work, `dist-${refreshMs}`);

beforeAll(async () => {
  if (!chromiumAvailable())
    throw new Error('Debian chromium is needed for the browser tests: apt-get install chromium');
  world = await startAppWorld();
  // The two later deploys of the update tests are built now, alongside the first: three builds on
  // two cores take less time together than one after another.
  await Promise.all([
    buildApp(outDir, world.env),
    ...UPDATES.map((refreshMs) => buildApp(updateDir(refreshMs), { ...world.env, VITE_REFRESH_MS: refreshMs })),
  ]);
  port = await freePort();
  preview = await startPreview(outDir, port, world.env);
  context = await chromium.launchPersistentContext(join(work, 'profile'), {
    executablePath: CHROMIUM,
    headless: true,
    args: CHROMIUM_ARGS,
  });
  page = await context.newPage();
  page.on('pageerror', (e) => console.error(`[page error] ${e.message}`));
}, 240_000);

afterAll(async () => {
  await context?.close();
  await preview?.close();
  await world?.close();
  rmSync(work, { recursive: true, force: true });
});

describe('service worker', () => {
  it('precaches the shell and nothing heavy', () => {
    const sw = readFileSync(join(outDir, 'sw.js'), 'utf8');
    const urls = [...sw.matchAll(/url:"([^"]+)"/g)].map((m) => m[1]!);
    expect(urls).toContain('index.html');
    expect(urls).toContain('manifest.webmanifest');
    expect(urls).toContain('icons/maskable-512.png');
    const html = readFileSync(join(outDir, 'index.html'), 'utf8');
    for (const [, src] of html.matchAll(/(?:src|href)="\/([^"]+\.(?:js|css))"/g)) expect(urls, src).toContain(src);
    expect(urls.filter((u) => /\.wasm$|^assets\/worker\/|^assets\/tfjs-|^datasets\/|^deployments\//.test(u))).toEqual(
      [],
    );
    const manifest = JSON.parse(readFileSync(join(outDir, 'manifest.webmanifest'), 'utf8'));
    expect(manifest).toMatchObject({ name: 'AIArena', display: 'standalone', start_url: './' });
    expect(
      manifest.icons
        .filter((i: { purpose: string }) => i.purpose === 'maskable')
        .map((i: { sizes: string }) => i.sizes),
    ).toEqual(['192x192', '512x512']);
  });

  it('installs, and the built app shows the task', async () => {
    await page.goto(preview.url);
    await page.locator('tr[data-task="1"]').waitFor({ timeout: 30_000 });
    expect(await page.evaluate(async () => Boolean((await navigator.serviceWorker.ready).active))).toBe(true);
    expect(await page.locator('link[rel="manifest"]').count()).toBe(1);
    // The first good snapshot is saved at once.
    await expect
      .poll(
        () =>
          page.evaluate(
            () =>
              new Promise<boolean>((resolve) => {
                const req = indexedDB.open('aiarena-app');
                req.onsuccess = () => {
                  const db = req.result;
                  if (!db.objectStoreNames.contains('snapshots')) return resolve(false);
                  const get = db.transaction('snapshots').objectStore('snapshots').get(31337);
                  get.onsuccess = () => resolve(Boolean(get.result?.tasks?.length));
                  get.onerror = () => resolve(false);
                };
                req.onerror = () => resolve(false);
              }),
          ),
        { timeout: 15_000 },
      )
      .toBe(true);
  });
});

describe('offline', () => {
  it('reloads without network into the shell, with an offline notice and the saved data', async () => {
    await context.setOffline(true);
    try {
      const res = await page.reload();
      expect(res?.fromServiceWorker()).toBe(true);
      // Debian's Chromium 150 does not carry the offline emulation over to a document the service
      // worker served on reload (navigator.onLine reads true there, where a real lost connection
      // reads false; a bare page with a service worker shows it, without this app). Applying the
      // emulation again puts the new document offline as a real outage would, firing 'offline'.
      await context.setOffline(false);
      await context.setOffline(true);
      await page.getByRole('heading', { name: 'You are offline' }).waitFor({ timeout: 15_000 });
      expect(await page.getByRole('heading', { name: 'Explore tasks' }).count()).toBe(1);
      const notice = await page.locator('.notice.offline').innerText();
      // Chain time of the saved block in UTC, as every other time in the app (not the device's clock in its locale).
      expect(notice).toMatch(/Showing the data saved at \d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2} UTC \(.+, block \d+\)/);
      expect(await page.locator('header .status').innerText()).toContain('Offline');
      const row = page.locator('tr[data-task="1"]');
      await row.waitFor();
      expect(await row.locator('[data-testid="trainers"] .v').innerText()).toBe('3');
      expect(await row.locator('[data-testid="validation-submissions"] .v').innerText()).toBe('4');
      await screenshot(page, 'offline-explore');
      // Another page of the app comes from the precache too.
      await page.goto(`${preview.url}#/tasks/1`);
      await page.getByRole('table', { name: /Epoch 1 leaderboard/ }).waitFor({ timeout: 15_000 });
      await page.setViewportSize({ width: 390, height: 844 });
      const o = await horizontalOverflow(page);
      expect(o.scroll, o.culprits.join('; ')).toBeLessThanOrEqual(o.client);
      await screenshot(page, 'offline-task-phone');
    } finally {
      await context.setOffline(false);
    }
  });

  it('marks the saved data stale while the RPC cannot be reached', async () => {
    await page.setViewportSize({ width: 1280, height: 900 });
    await page.route(`${world.driver.anvil.url}/**`, (route) => route.abort('connectionrefused'));
    try {
      await page.goto(`${preview.url}#/`);
      await page
        .getByRole('heading', { name: 'Showing saved data: the chain cannot be read right now' })
        .waitFor({ timeout: 20_000 });
      expect(await page.locator('header .status').innerText()).toContain('Chain unreachable');
      // What went wrong, in a line: not viem's request body, URL list and version.
      expect(await page.locator('.notice.stale').evaluate((el) => el.textContent ?? '')).not.toMatch(
        /Request body|Version: |viem@/,
      );
      expect(await page.locator('tr[data-task="1"] [data-testid="trainers"] .v').innerText()).toBe('3');
    } finally {
      await page.unroute(`${world.driver.anvil.url}/**`);
    }
    await page.getByRole('heading', { name: /Showing saved data/ }).waitFor({ state: 'detached', timeout: 20_000 });
    expect(await page.locator('header .status').innerText()).toMatch(/Chain 31337 · block \d+/);
  });
});

describe('update', () => {
  const moduleSrc = () => page.evaluate(() => document.querySelector<HTMLScriptElement>('script[type="module"]')?.src);
  const prompt = () => page.getByText('A new version of AIArena is ready.');

  /** Deploys another build (built in beforeAll) on the same origin and opens the app, which offers it. */
  async function deployAndOpen(refreshMs: (typeof UPDATES)[number]): Promise<void> {
    // The tab is closed for the deploy (a person's tab would simply be open on the old version).
    await page.close();
    await preview.close();
    preview = await startPreview(updateDir(refreshMs), port, world.env);
    page = await context.newPage();
    await page.goto(`${preview.url}#/`);
    await page.locator('tr[data-task="1"]').waitFor({ timeout: 30_000 });
    await page.evaluate(async () => {
      await (await navigator.serviceWorker.getRegistration())?.update();
    });
    await prompt().waitFor({ timeout: 30_000 });
  }

  /**
   * Closes the app's only tab and opens it again: the waiting version takes over once no page
   * uses the old one. A person comes back later; the test waits for the activation instead (a
   * page opened at once can still be served by the old worker).
   */
  async function reopen(): Promise<void> {
    await page.close();
    await expect
      .poll(
        async () => {
          for (const w of context.serviceWorkers()) {
            const state = await w
              .evaluate(() => {
                const r = (self as unknown as { registration: ServiceWorkerRegistration }).registration;
                return r.waiting === null && r.installing === null && r.active?.state === 'activated';
              })
              .catch(() => false);
            if (state) return true;
          }
          return false;
        },
        { timeout: 30_000, message: 'the waiting version did not take over once the tab was closed' },
      )
      .toBe(true);
    page = await context.newPage();
    await page.goto(`${preview.url}#/`);
    await page.locator('tr[data-task="1"]').waitFor({ timeout: 30_000 });
  }

  it('switches to a newly deployed version when asked, or says to reopen the app when the browser holds it back', async () => {
    const before = await moduleSrc();
    await deployAndOpen('2000');
    await screenshot(page, 'update-prompt');
    // Chromium sometimes keeps the new worker waiting after skipWaiting (docs/app/shell.md, known
    // limits; CI saw it about once in 20 runs): after UPDATE_STUCK_MS the page says so and tells
    // the person to close the app's tabs, which switches versions (the next test). A "Reload
    // now" that neither reloads nor explains fails; either way the new version must run.
    // The waiter that loses the race times out (or sees the page closed) later: no unhandled rejection.
    const reloaded = page.waitForEvent('load', { timeout: 45_000 }).then(
      () => 'reloaded' as const,
      () => null,
    );
    const stuck = page
      .getByTestId('update-stuck')
      .waitFor({ timeout: 45_000 })
      .then(
        () => 'stuck' as const,
        () => null,
      );
    await page.getByRole('button', { name: 'Reload now' }).click();
    const outcome = await Promise.race([reloaded, stuck]);
    console.log(`update: ${outcome}`);
    expect(outcome, 'Reload now neither reloaded nor said why within 45 s').not.toBeNull();
    if (outcome === 'stuck') {
      expect(await page.getByTestId('update-stuck').innerText()).toMatch(
        /Close every AIArena tab and open the app again/,
      );
      await reopen();
    }
    await page.locator('tr[data-task="1"]').waitFor({ timeout: 30_000 });
    expect(await moduleSrc()).not.toBe(before);
    expect(await prompt().count()).toBe(0);
  });

  it('says to close the app and open it again when the new version does not take over, and that switches', async () => {
    const before = await moduleSrc();
    await deployAndOpen('2500');
    // The browser holding the new worker back, made certain: the skip-waiting message never
    // reaches it.
    await page.evaluate(() => {
      ServiceWorker.prototype.postMessage = () => undefined;
    });
    await page.getByRole('button', { name: 'Reload now' }).click();
    const stuck = page.getByTestId('update-stuck');
    await stuck.waitFor({ timeout: 20_000 });
    expect(await stuck.innerText()).toMatch(/Close every AIArena tab and open the app again to switch now\./);
    expect(await moduleSrc()).toBe(before);
    await screenshot(page, 'update-stuck');
    await reopen();
    expect(await moduleSrc()).not.toBe(before);
    expect(await prompt().count()).toBe(0);
  });
});
