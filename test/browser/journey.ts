// A whole task played by people in a real browser: the local stack as `npm start` starts it
// (e2e-stack.ts), Debian Chromium with one browser context per person (its own IndexedDB, wallet
// choice and tabs), on a desktop or on a 390x844 phone. Chain time moves only with the Dev page's
// buttons, clicked by the creator. The end-to-end files (e2e-*.test.ts) play their story with this
// and the shared steps in journey-steps.ts.
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core';
import type { Address } from 'viem';
import { expect } from 'vitest';
import { windowAt, type Schedule } from '../../src/lib/chain/schedule.ts';
import { connectDevAccount, devStep } from './app-roles-support.ts';
import { horizontalOverflow } from './app-support.ts';
import { startLocalStack, startPlainGateway, type LocalStack, type PlainGateway } from './e2e-stack.ts';
import { CHROMIUM, CHROMIUM_ARGS, chromiumAvailable } from './harness.ts';

export const SHOTS = new URL('../../test-output/screenshots/', import.meta.url).pathname;

export interface Device {
  name: 'desktop' | 'phone';
  viewport: { width: number; height: number };
  isMobile: boolean;
  hasTouch: boolean;
}
export const DESKTOP: Device = {
  name: 'desktop',
  viewport: { width: 1280, height: 900 },
  isMobile: false,
  hasTouch: false,
};
export const PHONE: Device = { name: 'phone', viewport: { width: 390, height: 844 }, isMobile: true, hasTouch: true };

// anvil's dev accounts by the role names the wallet panel shows (src/lib/app-logic/dev-names.ts).
export const ROLES = {
  creator: { index: 0, name: 'Creator' },
  trainerA: { index: 1, name: 'Trainer A' },
  trainerB: { index: 2, name: 'Trainer B' },
  validatorA: { index: 3, name: 'Validator A' },
  validatorB: { index: 4, name: 'Validator B' },
  delegator: { index: 5, name: 'Delegator A' },
  trainerC: { index: 7, name: 'Trainer C' },
} as const;
export type RoleKey = keyof typeof ROLES;

export class Journey {
  stack!: LocalStack;
  mirror: PlainGateway | undefined;
  browser!: Browser;
  readonly contexts = new Map<RoleKey, BrowserContext>();
  readonly pages = new Map<RoleKey, Page>();
  private readonly connected = new Set<RoleKey>();
  readonly consoleErrors: string[] = [];
  private readonly marks: string[] = [];
  private readonly t0 = Date.now();
  taskId!: bigint;
  schedule!: Schedule;

  /** `device`: where everyone plays unless a step says otherwise. */
  constructor(readonly device: Device) {}

  /** Starts the stack and the browser; `mirror`: the app reads content through a plain gateway over the store's files. */
  async start(opts: { mirror?: boolean } = {}): Promise<void> {
    if (!chromiumAvailable())
      throw new Error(
        `no chromium at ${CHROMIUM}: install Debian's chromium (apt-get install chromium) or set CHROMIUM_PATH`,
      );
    if (opts.mirror)
      this.mirror = await startPlainGateway(() => (this.stack ? join(this.stack.blobDir, 'blocks') : undefined));
    this.stack = await startLocalStack(this.mirror ? { gateways: [this.mirror.url] } : {});
    this.mark('local stack up');
    this.browser = await chromium.launch({ executablePath: CHROMIUM, headless: true, args: CHROMIUM_ARGS });
  }

  async stop(): Promise<void> {
    await this.browser?.close();
    await this.stack?.stop();
    await this.mirror?.close();
    console.log(`${this.device.name} journey timeline:\n  ${this.marks.join('\n  ')}`);
    if (this.consoleErrors.length) console.log(`page errors:\n  ${this.consoleErrors.slice(0, 30).join('\n  ')}`);
  }

  mark(what: string): void {
    this.marks.push(`${((Date.now() - this.t0) / 1000).toFixed(1)} s: ${what}`);
  }

  roleIndex(role: RoleKey): number {
    return ROLES[role].index;
  }

  address(role: RoleKey): Address {
    return this.stack.wallets[ROLES[role].index]!.account.address as Address;
  }

  private async context(role: RoleKey, device: Device): Promise<BrowserContext> {
    let ctx = this.contexts.get(role);
    if (!ctx) {
      ctx = await this.browser.newContext({
        viewport: device.viewport,
        isMobile: device.isMobile,
        hasTouch: device.hasTouch,
        acceptDownloads: true,
      });
      this.contexts.set(role, ctx);
    }
    return ctx;
  }

  /** Opens `path` as `role` (a new tab in its context); connects its dev account the first time. */
  async open(role: RoleKey, path: string, device: Device = this.device): Promise<Page> {
    const ctx = await this.context(role, device);
    const page = await ctx.newPage();
    page.on('pageerror', (e) => this.consoleErrors.push(`[${role} page error] ${e.message}`));
    page.on('console', (m) => {
      if (m.type() === 'error') this.consoleErrors.push(`[${role} console] ${m.text()}`);
    });
    await page.goto(`${this.stack.appUrl}/${path}`);
    await page.getByTestId('wallet-button').waitFor({ timeout: 60_000 });
    if (this.connected.has(role)) {
      // wagmi reconnects the context's last wallet by itself.
      await page.waitForFunction(
        (n) => document.querySelector('[data-testid="wallet-button"]')?.textContent?.includes(n) ?? false,
        ROLES[role].name,
        { timeout: 30_000 },
      );
    } else {
      await connectDevAccount(page, ROLES[role].index, ROLES[role].name);
      this.connected.add(role);
    }
    this.pages.set(role, page);
    return page;
  }

  /** The role's open tab, or a new one at `path`. */
  async tab(role: RoleKey, path: string): Promise<Page> {
    const page = this.pages.get(role);
    if (page && !page.isClosed()) {
      if (!page.url().endsWith(path)) await page.goto(`${this.stack.appUrl}/${path}`);
      return page;
    }
    return this.open(role, path);
  }

  /**
   * What every screen of the journey must be where it is shown: no wider than the viewport (the
   * page never scrolls sideways), no "undefined"/"NaN" leaking into the text, and photographed
   * (test-output/screenshots/<device>-<name>.png).
   */
  async check(page: Page, name: string): Promise<void> {
    await page.evaluate(() => window.scrollTo(0, 0));
    const o = await horizontalOverflow(page);
    expect(o.scroll, `${name} scrolls sideways on ${this.device.name}: ${o.culprits.join('; ')}`).toBeLessThanOrEqual(
      o.client,
    );
    const text = await page.locator('body').innerText();
    expect(text, `${name} shows a value that was never filled in`).not.toMatch(/\b(undefined|NaN)\b/);
    mkdirSync(SHOTS, { recursive: true });
    await page.screenshot({ path: join(SHOTS, `${this.device.name}-${name}.png`), fullPage: true });
  }

  /** Screenshots the page on desktop and at 390x844 (checking it does not scroll sideways there). */
  async shootBoth(page: Page, name: string): Promise<void> {
    mkdirSync(SHOTS, { recursive: true });
    const before = page.viewportSize() ?? DESKTOP.viewport;
    for (const device of [DESKTOP, PHONE]) {
      await page.setViewportSize(device.viewport);
      // Full-page shots of a scrolled page would draw the sticky header mid-page.
      await page.evaluate(() => window.scrollTo(0, 0));
      await page.waitForTimeout(150);
      if (device === PHONE) {
        const o = await horizontalOverflow(page);
        expect(o.scroll, `${name} on a phone scrolls sideways: ${o.culprits.join('; ')}`).toBeLessThanOrEqual(o.client);
      }
      await page.screenshot({ path: join(SHOTS, `${name}-${device.name}.png`), fullPage: true });
    }
    await page.setViewportSize(before);
  }

  /** Chain time and window of the task, read in Node. */
  async where(): Promise<{ now: bigint; window: string; epoch: number }> {
    const now = (await this.stack.client.getBlock()).timestamp;
    return { now, ...windowAt(this.schedule, now) };
  }

  /** Moves chain time to the task's next boundary with the Dev page's button (as the creator). */
  async nextWindow(expected: string): Promise<void> {
    const dev = await this.tab('creator', '#/dev');
    await dev.getByTestId(`dev-task-${this.taskId}`).waitFor({ timeout: 30_000 });
    await devStep(dev, `Next window of task ${this.taskId}`, new RegExp(`Chain time is now .*${expected}`));
    this.mark(`dev page: ${expected}`);
  }

  /** Next window until the task is in `window` (the review may or may not be over yet). */
  async advanceUntil(window: string, expected: string): Promise<void> {
    for (let i = 0; i < 3 && (await this.where()).window !== window; i++)
      await this.nextWindow(i === 0 && (await this.where()).now < this.schedule.reviewEnd ? 'review ends' : expected);
    expect((await this.where()).window).toBe(window);
  }
}

export const attr = (page: Page, testId: string, name: string) => page.getByTestId(testId).first().getAttribute(name);

const mainText = (page: Page) =>
  page
    .locator('main')
    .innerText()
    .catch(() => '');

export async function waitAttr(
  page: Page,
  testId: string,
  name: string,
  ok: (v: string | null) => boolean,
  timeout = 60_000,
  what = `${testId}[${name}]`,
): Promise<string | null> {
  const deadline = Date.now() + timeout;
  for (;;) {
    const last = await attr(page, testId, name).catch(() => null);
    if (ok(last)) return last;
    if (Date.now() > deadline)
      throw new Error(`timed out waiting for ${what}; last value ${JSON.stringify(last)}\n${await mainText(page)}`);
    await page.waitForTimeout(250);
  }
}

export async function waitText(
  page: Page,
  locator: ReturnType<Page['locator']>,
  ok: (t: string) => boolean,
  timeout = 60_000,
  what = 'text',
): Promise<string> {
  const deadline = Date.now() + timeout;
  for (;;) {
    const last = await locator.innerText().catch(() => '');
    if (ok(last)) return last;
    if (Date.now() > deadline)
      throw new Error(`timed out waiting for ${what}; last: ${JSON.stringify(last)}\n${await mainText(page)}`);
    await page.waitForTimeout(250);
  }
}
