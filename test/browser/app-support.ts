// What the app's browser tests run against: a real anvil with the protocol deployed and a played
// task (test/integration/support/played-task.ts), its deployments file in a temporary folder, and
// the local stack's blob store seeded with the public content, so the Task page can load the
// spec and datasets by CID.
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Page } from 'playwright-core';
import type { Hex } from 'viem';
import { publicContentFiles, seedFiles, startBlobStore, type BlobStore } from '../../scripts/lib/blob-store/index.ts';
import { launchArena, type Driver } from '../../scripts/lib/driver.ts';
import type { AgentScope } from '../../src/lib/agents/common.ts';
import { ARTIFACTS, AGENT_DB_NAME, scopeKey } from '../../src/lib/agents/store.ts';
import { serializeDeployment } from '../../src/lib/chain/deployments.ts';
import { playTask, type PlayedTask } from '../integration/support/played-task.ts';
import { playScoredTask, type ScoredTask } from './scored-task.ts';

export const OUTPUT_DIR = new URL('../../test-output/', import.meta.url).pathname;

export interface AppWorld {
  driver: Driver;
  played: PlayedTask;
  /** Task #2 (test/browser/scored-task.ts), when asked for. */
  scored: ScoredTask | null;
  store: BlobStore;
  deploymentsDir: string;
  env: {
    AIARENA_DEPLOYMENTS_DIR: string;
    VITE_RPC_URL: string;
    VITE_CHAIN_ID: string;
    VITE_IPFS_GATEWAYS: string;
    VITE_REFRESH_MS: string;
  };
  close(): Promise<void>;
}

export async function startAppWorld(opts: { scored?: boolean } = {}): Promise<AppWorld> {
  const driver = await launchArena();
  const dirs: string[] = [];
  let store: BlobStore | undefined;
  try {
    const played = await playTask(driver);
    const scored = opts.scored ? await playScoredTask(driver) : null;
    const deploymentsDir = mkdtempSync(join(tmpdir(), 'aiarena-app-deployments-'));
    const storeDir = mkdtempSync(join(tmpdir(), 'aiarena-app-store-'));
    dirs.push(deploymentsDir, storeDir);
    writeFileSync(join(deploymentsDir, `${driver.deployment.chainId}.json`), serializeDeployment(driver.deployment));
    store = await startBlobStore({ dir: storeDir, port: 0 });
    await seedFiles(store.disk, publicContentFiles(), store.maxBlobBytes);
    const s = store;
    return {
      driver,
      played,
      scored,
      store: s,
      deploymentsDir,
      env: {
        AIARENA_DEPLOYMENTS_DIR: deploymentsDir,
        VITE_RPC_URL: driver.anvil.url,
        VITE_CHAIN_ID: String(driver.deployment.chainId),
        VITE_IPFS_GATEWAYS: s.url,
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

/** Sets env variables for the duration of `fn` (the dev server reads them when it starts). */
export async function withEnv<T>(env: Record<string, string>, fn: () => Promise<T>): Promise<T> {
  const before = Object.fromEntries(Object.keys(env).map((k) => [k, process.env[k]]));
  Object.assign(process.env, env);
  try {
    return await fn();
  } finally {
    for (const [k, v] of Object.entries(before)) {
      if (v === undefined) delete process.env[k];
      else process.env[k] = v;
    }
  }
}

export async function screenshot(page: Page, name: string): Promise<string> {
  mkdirSync(OUTPUT_DIR, { recursive: true });
  const path = join(OUTPUT_DIR, `${name}.png`);
  await page.screenshot({ path, fullPage: true });
  return path;
}

/** Visible elements under `selector` whose text is cut (ellipsis or clipped): their texts. */
export function clippedTexts(page: Page, selector: string): Promise<string[]> {
  return page.evaluate((sel) => {
    return Array.from(document.querySelectorAll<HTMLElement>(sel))
      .filter((el) => el.offsetParent !== null && el.scrollWidth > el.clientWidth + 1)
      .map((el) => el.textContent ?? '');
  }, selector);
}

/** How wide the page scrolls against the viewport (it must not scroll sideways, down to 360 px). */
export function horizontalOverflow(page: Page): Promise<{ scroll: number; client: number; culprits: string[] }> {
  return page.evaluate(() => {
    const client = document.documentElement.clientWidth;
    // The outermost elements sticking out, to say what to fix when this fails.
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
    return { scroll: document.documentElement.scrollWidth, client, culprits };
  });
}

/** An artifact as a trainer agent stored it in the page's IndexedDB, or null where it has none. */
export async function agentStoredArtifact(page: Page, scope: AgentScope, hash: Hex): Promise<Uint8Array | null> {
  const key = `${scopeKey(scope)}|${hash.toLowerCase()}`;
  const bytes = await page.evaluate(
    async ([db, store, k]) => {
      const open = indexedDB.open(db!);
      const conn = await new Promise<IDBDatabase>((ok, fail) => {
        open.onsuccess = () => ok(open.result);
        open.onerror = () => fail(open.error);
      });
      try {
        const get = conn.transaction(store!).objectStore(store!).get(k!);
        const v = await new Promise<unknown>((ok, fail) => {
          get.onsuccess = () => ok(get.result);
          get.onerror = () => fail(get.error);
        });
        return v instanceof Uint8Array ? Array.from(v) : null;
      } finally {
        conn.close();
      }
    },
    [AGENT_DB_NAME, ARTIFACTS, key],
  );
  return bytes === null ? null : Uint8Array.from(bytes);
}
