// Browser test harness: the repo's Vite config served on a free port, and headless Debian
// Chromium with WebGPU (SwiftShader: --enable-unsafe-webgpu is all it takes, no GPU flags) in a
// fresh profile, so IndexedDB starts empty and survives closing a page.
import { mkdtempSync, rmSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium, type BrowserContext, type Page } from 'playwright-core';
import { createServer, type ViteDevServer } from 'vite';

export const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';

export const CHROMIUM_ARGS = [
  '--enable-unsafe-webgpu',
  '--no-sandbox',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--no-first-run',
  // Workers of a page that lost focus would be throttled on a busy machine.
  '--disable-background-timer-throttling',
  '--disable-renderer-backgrounding',
];

export interface Harness {
  base: string;
  context: BrowserContext;
  open(path: string): Promise<Page>;
  close(): Promise<void>;
}

export const chromiumAvailable = (): boolean => existsSync(CHROMIUM);

export async function startHarness(): Promise<Harness> {
  // No silent skip: a machine without the browser fails here, saying what to install.
  if (!chromiumAvailable())
    throw new Error(
      `no chromium at ${CHROMIUM}: install Debian's chromium (apt-get install chromium, as .ci/run does) or set CHROMIUM_PATH`,
    );
  const root = new URL('../../', import.meta.url).pathname;
  const server: ViteDevServer = await createServer({
    root,
    configFile: join(root, 'vite.config.ts'),
    logLevel: 'warn',
    server: { host: '127.0.0.1', port: 0, strictPort: false, hmr: false },
  });
  await server.listen();
  const address = server.httpServer?.address();
  if (address === null || address === undefined || typeof address === 'string')
    throw new Error('vite did not report a port');
  const base = `http://127.0.0.1:${address.port}`;
  const profile = mkdtempSync(join(tmpdir(), 'aiarena-chromium-'));
  const context = await chromium.launchPersistentContext(profile, {
    executablePath: CHROMIUM,
    headless: true,
    args: CHROMIUM_ARGS,
  });
  return {
    base,
    context,
    async open(path) {
      const page = await context.newPage();
      page.on('pageerror', (e) => console.error(`[page error] ${e.message}`));
      page.on('console', (m) => {
        if (m.type() === 'error' || m.type() === 'warning') console.error(`[page ${m.type()}] ${m.text()}`);
      });
      await page.goto(`${base}${path}`);
      return page;
    },
    async close() {
      await context.close();
      await server.close();
      rmSync(profile, { recursive: true, force: true });
    },
  };
}
