// The shell's notices in headless Chromium against a real anvil with a played task (dev server):
// an error toast from a refused transaction can be dismissed, fades by itself (later than an info
// toast) and does not follow the person to another page; on a phone the page can always be
// scrolled clear of it. A page opened offline for the first time says so in a sentence (not the
// loader's "Failed to fetch dynamically imported module") and opens by itself once the
// connection returns.
//
// The refused transaction is real: the Dev page's faucet signs with a dev account and the RPC
// answers eth_sendRawTransaction with a node's refusal (the request is answered by the test, as a
// node short of funds would; every other call reaches anvil).
import type { Page, Route } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { connectDevAccount } from './app-roles-support.ts';
import { screenshot, startAppWorld, withEnv, type AppWorld } from './app-support.ts';
import { chromiumAvailable, startHarness, type Harness } from './harness.ts';

let world: AppWorld;
let h: Harness;

beforeAll(async () => {
  if (!chromiumAvailable())
    throw new Error('Debian chromium is needed for the browser tests: apt-get install chromium');
  world = await startAppWorld();
  h = await withEnv(world.env, () => startHarness());
}, 180_000);

afterAll(async () => {
  await h?.close();
  await world?.close();
});

/** Answers raw transactions with a node's refusal; everything else goes to anvil. */
async function refuseSends(page: Page): Promise<() => Promise<void>> {
  const url = `${world.driver.anvil.url}/**`;
  const handler = async (route: Route) => {
    const body = route.request().postData() ?? '';
    if (!body.includes('eth_sendRawTransaction')) return route.continue();
    const req = JSON.parse(body) as { id: number } | { id: number }[];
    const answer = (r: { id: number }) => ({
      jsonrpc: '2.0',
      id: r.id,
      error: { code: -32003, message: 'insufficient funds for gas * price + value' },
    });
    await route.fulfill({
      contentType: 'application/json',
      body: JSON.stringify(Array.isArray(req) ? req.map(answer) : answer(req)),
    });
  };
  await page.route(url, handler);
  return () => page.unroute(url, handler);
}

/** Asks the Dev page's faucet for ARENA; the send is refused, so an error toast appears. */
async function failFaucet(page: Page): Promise<void> {
  await page.getByLabel('Amount').fill('5');
  await page.getByRole('button', { name: 'Get ARENA' }).click();
  // The pointer leaves: a toast under it would (rightly) hold its timer.
  await page.mouse.move(1, 1);
  await page.getByRole('alert', { name: 'Errors' }).locator('li.toast').first().waitFor({ timeout: 20_000 });
}

const errorToasts = (page: Page) => page.getByRole('alert', { name: 'Errors' }).locator('li.toast');

describe('error toasts', () => {
  let page: Page;
  let restore: () => Promise<void>;
  beforeAll(async () => {
    page = await h.open('/#/dev');
    await page.getByTestId('dev-task-1').waitFor({ timeout: 30_000 });
    await connectDevAccount(page, 1, 'Trainer A');
    restore = await refuseSends(page);
  });
  afterAll(async () => {
    await restore?.();
    await page?.close();
  });

  it('can be dismissed, and goes when the person moves to another page', async () => {
    await failFaucet(page);
    const toast = errorToasts(page).first();
    expect(await toast.innerText()).toMatch(/./);
    await toast.getByRole('button', { name: /^Dismiss/ }).click();
    expect(await errorToasts(page).count()).toBe(0);

    await failFaucet(page);
    await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Explore' }).click();
    await page.locator('tr[data-task="1"]').waitFor({ timeout: 20_000 });
    expect(await errorToasts(page).count()).toBe(0);
  });

  it('fades by itself, later than an info toast would', async () => {
    await page.goto(`${h.base}/#/dev`);
    await page.getByTestId('dev-task-1').waitFor({ timeout: 30_000 });
    await failFaucet(page);
    const shown = Date.now();
    // Still there after an info toast's 6 s...
    await page.waitForTimeout(7_000);
    expect(await errorToasts(page).count()).toBe(1);
    // ...and gone within 15 s (plus a margin for a busy machine).
    await errorToasts(page)
      .first()
      .waitFor({ state: 'detached', timeout: 15_000 - (Date.now() - shown) + 3_000 });
  });

  it('leaves every line of a phone page reachable', async () => {
    await page.setViewportSize({ width: 360, height: 740 });
    try {
      await failFaucet(page);
      await page.waitForTimeout(500);
      await page.evaluate(() => window.scrollTo(0, document.scrollingElement!.scrollHeight));
      await page.waitForTimeout(300);
      const { lastBottom, toastTop } = await page.evaluate(() => {
        const main = document.getElementById('main')!;
        const last = main.lastElementChild!.lastElementChild ?? main.lastElementChild!;
        const toasts = document.querySelector('li.toast')!.closest('ul')!.parentElement!;
        return { lastBottom: last.getBoundingClientRect().bottom, toastTop: toasts.getBoundingClientRect().top };
      });
      await screenshot(page, 'toast-phone');
      expect(lastBottom).toBeLessThanOrEqual(toastTop);
    } finally {
      await page.setViewportSize({ width: 1280, height: 900 });
    }
  });
});

describe('offline navigation', () => {
  it('says a page is not saved while offline, and opens it once the connection returns', async () => {
    const page = await h.open('/');
    try {
      await page.locator('tr[data-task="1"]').waitFor({ timeout: 30_000 });
      await h.context.setOffline(true);
      // Rewards has not been opened in this tab: its code is not loaded yet.
      await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Rewards' }).click();
      const problem = page.getByRole('alert').filter({ has: page.getByRole('heading', { name: 'Page unavailable' }) });
      await problem.waitFor({ timeout: 15_000 });
      const text = await problem.innerText();
      expect(text).toContain('you are offline');
      expect(text).not.toMatch(/dynamically imported module|Failed to fetch|http:/);
      await h.context.setOffline(false);
      // The page tries again by itself; Chromium keeps a failed module import for the document's
      // life, so what it then offers is a reload of the app, which opens the page.
      const reload = page.getByRole('button', { name: 'Reload the app' });
      await reload.waitFor({ timeout: 15_000 });
      await reload.click();
      await page.getByRole('heading', { name: 'Rewards', level: 1 }).waitFor({ timeout: 15_000 });
      expect(await problem.count()).toBe(0);
    } finally {
      await h.context.setOffline(false);
      await page.close();
    }
  });
});
