// The app shell's weight and speed: builds the production app, serves it with `vite preview`
// against a fresh local chain with one task, and loads it in headless Chromium. Writes
// docs/bench/app.md: bytes transferred on a first visit by type, what stays lazy (page chunks,
// tfjs worker chunks, wasm), DOMContentLoaded / load / first paint / first chain data, and a
// repeat visit served by the service worker.
//
//   npm run bench:app                      5 cold and 5 repeat visits, writes docs/bench/app.md
//   npm run bench:app -- --runs 3 --out /tmp/app.md
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import { join, relative } from 'node:path';
import { chromium, type Browser, type BrowserContext, type Page, type Request } from 'playwright-core';
import { createTask, defaultTaskParams, fund } from './lib/actions.ts';
import { freePort } from './lib/anvil.ts';
import { buildApp, startPreview } from './lib/app-preview.ts';
import { demoHashes } from './lib/demo-content.ts';
import { launchArena } from './lib/driver.ts';
import { REPO_ROOT } from './lib/paths.ts';
import { PRECACHE_IGNORES, TFJS_CHUNK_PREFIX, WORKER_ASSETS } from './lib/vite-pwa.ts';
import { serializeDeployment } from '../src/lib/chain/deployments.ts';
import { CHROMIUM, CHROMIUM_ARGS } from '../test/browser/harness.ts';

const args = process.argv.slice(2);
const opt = (name: string, fallback: string) => {
  const i = args.indexOf(`--${name}`);
  return i >= 0 && args[i + 1] ? args[i + 1]! : fallback;
};
const RUNS = Number(opt('runs', '5'));
const OUT = opt('out', join(REPO_ROOT, 'docs', 'bench', 'app.md'));

interface Transfer {
  url: string;
  type: string;
  bytes: number;
  fromServiceWorker: boolean;
}

interface Visit {
  transfers: Transfer[];
  domContentLoaded: number;
  load: number;
  firstContentfulPaint: number | null;
  firstData: number;
}

const kib = (n: number) => `${(n / 1024).toFixed(1)} KiB`;
const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length === 0 ? NaN : s.length % 2 ? s[(s.length - 1) / 2]! : (s[s.length / 2 - 1]! + s[s.length / 2]!) / 2;
};
const ms = (n: number) => `${Math.round(n)} ms`;

function record(page: Page): Transfer[] {
  const out: Transfer[] = [];
  page.on('requestfinished', (req: Request) => {
    void (async () => {
      const res = await req.response();
      const sizes = await req.sizes().catch(() => ({ responseBodySize: 0, responseHeadersSize: 0 }));
      out.push({
        url: req.url(),
        type: req.resourceType(),
        bytes: Math.max(0, sizes.responseBodySize) + Math.max(0, sizes.responseHeadersSize),
        fromServiceWorker: res?.fromServiceWorker() ?? false,
      });
    })();
  });
  return out;
}

async function visit(page: Page, url: string): Promise<Visit> {
  const transfers = record(page);
  await page.goto(url, { waitUntil: 'load' });
  await page.waitForFunction(() => document.querySelector('tr[data-task]') !== null, undefined, {
    timeout: 30_000,
    polling: 'raf',
  });
  const firstData = await page.evaluate(() => performance.now());
  // Let late requests (the lazy page chunk's siblings, the first refresh) settle into the record.
  await page.waitForTimeout(500);
  const timing = await page.evaluate(() => {
    const nav = performance.getEntriesByType('navigation')[0] as PerformanceNavigationTiming;
    const fcp = performance.getEntriesByName('first-contentful-paint')[0];
    return { dcl: nav.domContentLoadedEventEnd, load: nav.loadEventEnd, fcp: fcp ? fcp.startTime : null };
  });
  return {
    transfers: [...transfers],
    domContentLoaded: timing.dcl,
    load: timing.load,
    firstContentfulPaint: timing.fcp,
    firstData,
  };
}

function category(t: Transfer, rpcOrigin: string): string {
  if (t.url.startsWith(rpcOrigin)) return 'chain RPC';
  if (/\/deployments\/\d+\.json/.test(t.url)) return 'deployments file';
  if (/manifest\.webmanifest$/.test(t.url)) return 'web manifest';
  if (/\/sw\.js$|\/workbox-[\w-]+\.js$/.test(t.url)) return 'service worker';
  if (/\/favicon\.svg$/.test(t.url)) return 'favicon';
  return t.type;
}

function byCategory(ts: readonly Transfer[], rpcOrigin: string): Map<string, { count: number; bytes: number }> {
  const m = new Map<string, { count: number; bytes: number }>();
  for (const t of ts) {
    const c = category(t, rpcOrigin);
    const e = m.get(c) ?? { count: 0, bytes: 0 };
    e.count++;
    e.bytes += t.bytes;
    m.set(c, e);
  }
  return new Map([...m].sort((a, b) => b[1].bytes - a[1].bytes));
}

function walk(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) =>
    e.isDirectory() ? walk(join(dir, e.name)) : [join(dir, e.name)],
  );
}

async function main() {
  const work = mkdtempSync(join(os.tmpdir(), 'aiarena-bench-app-'));
  const d = await launchArena();
  let browser: Browser | undefined;
  let preview: Awaited<ReturnType<typeof startPreview>> | undefined;
  try {
    // One task on chain, so the first page shows real data.
    const creator = '0x00000000000000000000000000000000000a11ce' as const;
    await fund(d, creator);
    await createTask(d, creator, defaultTaskParams((await d.now()) + 200n, { ...demoHashes(), reviewPeriod: 100 }));
    const deployments = join(work, 'deployments');
    mkdirSync(deployments, { recursive: true });
    writeFileSync(join(deployments, `${d.deployment.chainId}.json`), serializeDeployment(d.deployment));
    const env = {
      AIARENA_DEPLOYMENTS_DIR: deployments,
      VITE_RPC_URL: d.anvil.url,
      VITE_CHAIN_ID: String(d.deployment.chainId),
    };
    const outDir = join(work, 'dist');
    const t0 = performance.now();
    await buildApp(outDir, env);
    const buildMs = performance.now() - t0;
    preview = await startPreview(outDir, await freePort(), env);
    const url = preview.url;

    const files = walk(outDir).map((f) => ({ path: relative(outDir, f), bytes: statSync(f).size }));
    const sw = readFileSync(join(outDir, 'sw.js'), 'utf8');
    const precached = new Set([...sw.matchAll(/url:"([^"]+)"/g)].map((m) => m[1]!));
    const precacheBytes = files.filter((f) => precached.has(f.path)).reduce((n, f) => n + f.bytes, 0);
    const heavy = files.filter(
      (f) =>
        f.path.startsWith(`${WORKER_ASSETS}/`) ||
        f.path.startsWith(`assets/${TFJS_CHUNK_PREFIX}`) ||
        /\.(wasm|zkey)$/.test(f.path),
    );

    browser = await chromium.launch({ executablePath: CHROMIUM, headless: true, args: CHROMIUM_ARGS });
    const cold: Visit[] = [];
    const warm: Visit[] = [];
    for (let i = 0; i < RUNS; i++) {
      const context: BrowserContext = await browser.newContext({ viewport: { width: 1280, height: 900 } });
      const page = await context.newPage();
      cold.push(await visit(page, url));
      await page.evaluate(async () => {
        await navigator.serviceWorker.ready;
      });
      const again = await context.newPage();
      warm.push(await visit(again, url));
      await context.close();
      console.log(`run ${i + 1}/${RUNS}: cold load ${ms(cold.at(-1)!.load)}, repeat load ${ms(warm.at(-1)!.load)}`);
    }

    const rpcOrigin = new URL(d.anvil.url).origin;
    const first = cold[0]!;
    const cats = byCategory(
      first.transfers.filter((t) => !t.fromServiceWorker),
      rpcOrigin,
    );
    const shellBytes = first.transfers
      .filter((t) => !t.url.startsWith(rpcOrigin) && !/\/deployments\//.test(t.url))
      .reduce((n, t) => n + t.bytes, 0);
    const loadedPaths = new Set(first.transfers.map((t) => new URL(t.url).pathname.replace(/^\//, '')));
    const lazyJs = files.filter(
      (f) => f.path.startsWith('assets/') && f.path.endsWith('.js') && !loadedPaths.has(f.path),
    );
    const heavyLoaded = heavy.filter((f) => loadedPaths.has(f.path));
    const warmFirst = warm[0]!;
    const warmNetwork = warmFirst.transfers.filter((t) => !t.fromServiceWorker && !t.url.startsWith(rpcOrigin));
    const warmFromSw = warmFirst.transfers.filter((t) => t.fromServiceWorker);
    const chromiumVersion = browser.version();

    const lines = [
      '# App shell: size and load time',
      '',
      `Measured by \`npm run bench:app\` (scripts/bench-app.ts) on ${new Date().toISOString().slice(0, 10)}: production build`,
      `(\`vite build\`, ${ms(buildMs)}) served by \`vite preview\` on 127.0.0.1, a fresh anvil with the protocol and one task,`,
      `headless Chromium ${chromiumVersion}, ${os.cpus().length} CPU cores (${os.cpus()[0]?.model ?? 'unknown'}), no network throttling.`,
      `Medians of ${RUNS} visits, each in a fresh browser context. Times are milliseconds from navigation start; on a loopback`,
      'server they measure parsing and rendering, not the network (a phone on 4G adds its round trips and bandwidth).',
      'Transferred = response headers + body as sent (`vite preview` compresses with gzip, as a static host would).',
      '',
      '## First visit (empty cache)',
      '',
      '| what | requests | transferred |',
      '|---|---:|---:|',
      ...[...cats].map(([c, e]) => `| ${c} | ${e.count} | ${kib(e.bytes)} |`),
      `| **app shell (all but chain data)** | | **${kib(shellBytes)}** |`,
      '',
      '| timing | median | min | max |',
      '|---|---:|---:|---:|',
      ...(
        [
          ['DOMContentLoaded', cold.map((v) => v.domContentLoaded)],
          ['load', cold.map((v) => v.load)],
          [
            'first contentful paint',
            cold.flatMap((v) => (v.firstContentfulPaint === null ? [] : [v.firstContentfulPaint])),
          ],
          ['first task row from the chain', cold.map((v) => v.firstData)],
        ] as [string, number[]][]
      ).map(([name, xs]) => `| ${name} | ${ms(median(xs))} | ${ms(Math.min(...xs))} | ${ms(Math.max(...xs))} |`),
      '',
      `After the first load the service worker installs and precaches ${precached.size} files (${kib(precacheBytes)} uncompressed):`,
      'the shell, every page chunk, icons and the manifest. It precaches no tfjs, no wasm and no datasets',
      `(ignored: ${PRECACHE_IGNORES.map((p) => `\`${p}\``).join(', ')}); those are cached on first use.`,
      '',
      'Requests of the first visit:',
      '',
      '| path | type | transferred |',
      '|---|---|---:|',
      ...first.transfers
        .filter((t) => !t.url.startsWith(rpcOrigin))
        .map((t) => `| \`${new URL(t.url).pathname}\` | ${category(t, rpcOrigin)} | ${kib(t.bytes)} |`),
      '',
      '## What stays lazy',
      '',
      `JavaScript chunks in the build that the first page did not load: ${lazyJs.length}.`,
      '',
      '| chunk | size |',
      '|---|---:|',
      ...lazyJs.sort((a, b) => b.bytes - a.bytes).map((f) => `| \`${f.path}\` | ${kib(f.bytes)} |`),
      '',
      `Heavy files in the build (ML worker and tfjs chunks in \`${WORKER_ASSETS}/\`, wasm binaries, proving keys): ${heavy.length}, ${kib(heavy.reduce((n, f) => n + f.bytes, 0))}. Loaded by the first page: ${heavyLoaded.length === 0 ? 'none' : heavyLoaded.map((f) => f.path).join(', ')}.`,
      '',
      ...(heavy.length === 0
        ? []
        : [
            '| file | size |',
            '|---|---:|',
            ...heavy
              .sort((a, b) => b.bytes - a.bytes)
              .slice(0, 15)
              .map((f) => `| \`${f.path}\` | ${kib(f.bytes)} |`),
            ...(heavy.length > 15 ? [`| ${heavy.length - 15} more | |`] : []),
          ]),
      ...(heavy.some((f) => f.path.startsWith(`${WORKER_ASSETS}/`))
        ? []
        : [
            '',
            'No ML worker chunks yet: no page imports the ML client (`src/lib/ml/client.ts`) so far. When one does, the workers and their tfjs chunks land in `assets/worker/` and are listed here.',
          ]),
      '',
      '## Repeat visit (service worker)',
      '',
      `| what | value |`,
      `|---|---:|`,
      `| app files answered by the service worker | ${warmFromSw.length} |`,
      `| app files from the network | ${warmNetwork.length} (${kib(warmNetwork.reduce((n, t) => n + t.bytes, 0))}) |`,
      `| DOMContentLoaded (median) | ${ms(median(warm.map((v) => v.domContentLoaded)))} |`,
      `| load (median) | ${ms(median(warm.map((v) => v.load)))} |`,
      `| first task row (median) | ${ms(median(warm.map((v) => v.firstData)))} |`,
      '',
      warmNetwork.length > 0
        ? `Network requests on the repeat visit: ${warmNetwork.map((t) => `\`${new URL(t.url).pathname}\``).join(', ')}.`
        : 'Every app file of the repeat visit came from the service worker; only chain reads went to the network.',
      '',
    ];
    if (heavyLoaded.length > 0)
      throw new Error(`the first page loaded heavy files: ${heavyLoaded.map((f) => f.path).join(', ')}`);
    writeFileSync(OUT, `${lines.join('\n')}`);
    console.log(`wrote ${relative(process.cwd(), OUT)}`);
  } finally {
    await browser?.close();
    await preview?.close();
    await d.stop();
    rmSync(work, { recursive: true, force: true });
  }
}

await main();
