// Every page of the app, with data in it, on a 360 px phone (mobile emulation: a page wider than
// the screen widens the layout viewport there, and the fixed bottom bar with it): nothing may make
// the page wider than the screen, and the bottom bar shows all its items. A dev account is
// connected (its name and balance sit in the header) and has a delegation in task #1, so the role
// pages and Rewards show rows, not empty states.
import { parseEther, parseEventLogs, type Abi } from 'viem';
import * as abis from '../../src/lib/chain/abi.generated.ts';
import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { devAccounts } from '../../scripts/lib/dev-accounts.ts';
import { fund, stakeCall } from '../../scripts/lib/actions.ts';
import { PLAYERS } from '../integration/support/played-task.ts';
import { epochStart } from '../../src/lib/chain/schedule.ts';
import { formatTokens, shortHex } from '../../src/lib/format.ts';
import { connectDevAccount } from './app-roles-support.ts';
import { clippedTexts, screenshot, startAppWorld, withEnv, type AppWorld } from './app-support.ts';
import { CHROMIUM, CHROMIUM_ARGS, chromiumAvailable, startHarness, type Harness } from './harness.ts';

const WIDTH = 360;
let world: AppWorld;
let h: Harness;
let browser: Browser;
let context: BrowserContext;
let page: Page;

beforeAll(async () => {
  if (!chromiumAvailable())
    throw new Error('Debian chromium is needed for the browser tests: apt-get install chromium');
  world = await startAppWorld({ scored: true });
  // Dev account 5 ("Delegator A") delegates to the first trainer of task #1.
  const me = devAccounts(6)[5]!.address;
  await fund(world.driver, me);
  await world.driver.send(me, stakeCall(world.driver, 'delegate', [1n, PLAYERS.trainers[0], parseEther('25')]));
  // 10 ARENA of it undelegated (withdrawn in the Rewards test below, once it has unbonded).
  await world.driver.send(me, stakeCall(world.driver, 'undelegate', [1n, PLAYERS.trainers[0], parseEther('10')]));
  h = await withEnv(world.env, () => startHarness());
  browser = await chromium.launch({ executablePath: CHROMIUM, headless: true, args: CHROMIUM_ARGS });
  context = await browser.newContext({
    viewport: { width: WIDTH, height: 740 },
    isMobile: true,
    hasTouch: true,
    deviceScaleFactor: 2,
  });
  page = await context.newPage();
  page.on('pageerror', (e) => console.error(`[page error] ${e.message}`));
  await page.goto(`${h.base}/`);
  await page.locator('tr[data-task="1"], [data-task="1"]').first().waitFor({ timeout: 30_000 });
  await connectDevAccount(page, 5, 'Delegator A');
}, 240_000);

afterAll(async () => {
  await context?.close();
  await browser?.close();
  await h?.close();
  await world?.close();
});

/** The page's width against the screen's, what sticks out, and where the bottom bar's items are. */
function measure(p: Page) {
  return p.evaluate((screenWidth) => {
    const client = screenWidth;
    const culprits = Array.from(document.querySelectorAll('body *'))
      .filter(
        (el) =>
          el.getBoundingClientRect().right > client + 1 &&
          !(el.parentElement && el.parentElement.getBoundingClientRect().right > client + 1),
      )
      .slice(0, 5)
      .map(
        (el) =>
          `${el.tagName.toLowerCase()}.${el.className} (${Math.round(el.getBoundingClientRect().right)} px): ${(el.textContent ?? '').slice(0, 60)}`,
      );
    const nav = Array.from(document.querySelectorAll<HTMLElement>('nav[aria-label="Main"] a')).map((a) => {
      const r = a.getBoundingClientRect();
      return { label: a.textContent?.trim() ?? '', left: r.left, right: r.right, width: r.width };
    });
    // The deepest elements wider than the screen's content box: what forces the page wider.
    const wide = Array.from(document.querySelectorAll('main *'))
      .filter(
        (el) =>
          el.getBoundingClientRect().width > client - 24 &&
          !Array.from(el.children).some((c) => c.getBoundingClientRect().width > client - 24),
      )
      .slice(0, 5)
      .map(
        (el) =>
          `${el.tagName.toLowerCase()}.${el.className} (${Math.round(el.getBoundingClientRect().width)} px wide): ${(el.textContent ?? '').slice(0, 60)}`,
      );
    culprits.push(...wide);
    return { scroll: document.scrollingElement!.scrollWidth, inner: window.innerWidth, culprits, nav };
  }, WIDTH);
}

const PAGES: [name: string, path: string, ready: (p: Page) => Promise<unknown>][] = [
  ['explore', '/', (p) => p.locator('[data-task="2"]').first().waitFor()],
  ['task-1', '#/tasks/1', (p) => p.getByRole('table', { name: /Epoch 1 leaderboard/ }).waitFor()],
  ['task-1-epoch-2', '#/tasks/1?epoch=2', (p) => p.getByText('Submissions revealed in epoch 2').waitFor()],
  ['task-2-epoch-0', '#/tasks/2?epoch=0', (p) => p.locator('[data-testid="canary-row"]').waitFor()],
  ['task-2-epoch-1', '#/tasks/2?epoch=1', (p) => p.getByTestId('rollover').waitFor()],
  ['train', '#/tasks/1/train', (p) => p.getByRole('heading', { name: /Train · Task #1/ }).waitFor()],
  ['validate', '#/tasks/1/validate', (p) => p.getByRole('heading', { name: /Validate · Task #1/ }).waitFor()],
  ['delegate', '#/tasks/1/delegate', (p) => p.getByRole('heading', { name: /Delegate · Task #1/ }).waitFor()],
  ['challenges', '#/tasks/1/challenges', (p) => p.getByRole('heading', { level: 1 }).waitFor()],
  ['create', '#/create', (p) => p.getByRole('heading', { level: 1 }).waitFor()],
  ['rewards', '#/rewards', (p) => p.locator('[data-testid="claim-row"]').first().waitFor()],
  ['dev', '#/dev', (p) => p.getByTestId('dev-task-2').waitFor()],
  ['address', `#/address/${PLAYERS.trainers[0]}`, (p) => p.getByTestId('account-roles').waitFor()],
  ['not-found', '#/nowhere', (p) => p.getByRole('heading', { name: 'Page not found' }).waitFor()],
];

describe(`every page at ${WIDTH} px`, () => {
  for (const [name, path, ready] of PAGES) {
    it(`${name} is no wider than the screen and shows the whole bottom bar`, async () => {
      await page.goto(`${h.base}/${path}`);
      await ready(page);
      // Late content (spec, datasets, charts) lands after the first rows.
      await page.waitForTimeout(1_500);
      const m = await measure(page);
      await screenshot(page, `layout-${WIDTH}-${name}`);
      // A phone browser widens its layout viewport to fit a page wider than the screen.
      expect(m.inner, m.culprits.join('; ')).toBe(WIDTH);
      expect(m.scroll, m.culprits.join('; ')).toBeLessThanOrEqual(m.inner);
      expect(m.nav.map((n) => n.label)).toEqual(['Explore', 'Create', 'Rewards', 'Dev']);
      for (const n of m.nav) {
        expect(n.left, n.label).toBeGreaterThanOrEqual(0);
        expect(n.right, n.label).toBeLessThanOrEqual(WIDTH + 0.5);
        expect(n.width, n.label).toBeGreaterThan(40);
      }
    });
  }
});

describe('the account menu', () => {
  it(`shows the whole address and dev account names at ${WIDTH} px`, async () => {
    await page.goto(`${h.base}/#/`);
    await page.getByTestId('wallet-button').click();
    const panel = page.getByRole('dialog', { name: /wallet/i });
    await panel.getByTestId('wallet-address').waitFor();
    const address = devAccounts(6)[5]!.address;
    expect(await panel.getByTestId('wallet-address').innerText()).toBe(address);
    const clipped = await clippedTexts(page, 'dialog[open] :is(select, code, strong, dd, button, a)');
    await screenshot(page, `layout-${WIDTH}-account-menu`);
    expect(clipped, JSON.stringify(clipped)).toEqual([]);
    const inside = await page.evaluate(() => {
      const dialog = document.querySelector('dialog[open]')!.getBoundingClientRect();
      return Array.from(document.querySelectorAll('dialog[open] *'))
        .filter((el) => {
          const r = el.getBoundingClientRect();
          return r.width > 0 && (r.right > dialog.right + 1 || r.left < dialog.left - 1);
        })
        .map((el) => `${el.tagName.toLowerCase()}: ${(el.textContent ?? '').slice(0, 40)}`);
    });
    expect(inside).toEqual([]);
    await panel.getByRole('button', { name: 'Close the wallet panel' }).click();
  });
});

describe('Rewards', () => {
  it('lists what the account has already taken out', async () => {
    // The 10 ARENA unbond at the start of task #1's next epoch, where chain time moves.
    const me = devAccounts(6)[5]!.address;
    await world.driver.warp(epochStart(world.played.schedule, 3) + 1n);
    await world.driver.send(me, stakeCall(world.driver, 'withdrawDelegation', [1n, PLAYERS.trainers[0]]));
    await page.goto(`${h.base}/#/rewards`);
    const history = page
      .getByRole('region', { name: 'Claimed and withdrawn' })
      .or(page.locator('section[aria-labelledby="history-title"]'));
    const row = history.locator('tr', { hasText: `Delegation to ${shortHex(PLAYERS.trainers[0]!, 4)} withdrawn` });
    await row.waitFor({ timeout: 20_000 });
    expect(await row.innerText()).toMatch(
      /\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}\s+#1\s+Delegation to 0x\w{4}…\w{4} withdrawn\s+10\u00a0ARENA/,
    );
  });
});

describe('an account page', () => {
  it('shows the stakes, delegations and earnings of an address, with a chart', async () => {
    const trainer = PLAYERS.trainers[0]!;
    await page.goto(`${h.base}/#/address/${trainer}`);
    await page.getByTestId('account-roles').waitFor({ timeout: 20_000 });
    expect(await page.getByTestId('account-address').innerText()).toBe(trainer);
    expect(await page.getByTestId('account-roles').innerText()).toBe('Task #1 as a trainer');
    // Dev account 5 delegated 25 and took 10 back: 15 from one delegator (and the played delegators).
    expect(await page.getByTestId('account-delegated-to').innerText()).toMatch(
      /^Task #1: [\d,.]+\u00a0ARENA from \d+ delegators?$/,
    );
    // The trainer's own share of every pool booked to it, from the chain's receipts.
    const logs = world.played.receipts.flatMap((r) =>
      parseEventLogs({ abi: abis.rewardEngineAbi as Abi, logs: r.logs }),
    );
    const own = logs
      .filter((l) => l.eventName === 'TrainerRewarded' && (l.args as { trainer: string }).trainer === trainer)
      .reduce((n, l) => n + (l.args as { own: bigint }).own, 0n);
    expect(own).toBeGreaterThan(0n);
    expect(await page.getByTestId('account-earned').innerText()).toContain(`${formatTokens(own)}\u00a0ARENA earned`);
    expect(
      await page
        .getByRole('figure', { name: /ARENA earned up to each epoch/ })
        .locator('svg[role="img"] path[fill="none"]')
        .count(),
    ).toBe(1);
    // The delegator's page lists its delegation.
    await page.goto(`${h.base}/#/address/${devAccounts(6)[5]!.address}`);
    await page.getByTestId('account-delegation').first().waitFor({ timeout: 20_000 });
    expect(await page.getByTestId('account-delegation').first().innerText()).toContain('15\u00a0ARENA');
  });
});
