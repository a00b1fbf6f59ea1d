// The PWA part of the Vite config: web manifest, and a Workbox service worker that precaches the
// shell only. Heavy code (tfjs in the ML workers, its wasm binaries) is never precached: it is
// cached on first use (CacheFirst: file names carry content hashes), so installing the app stays
// light and Workbox's 2 MiB precache limit never silently drops a file. Datasets and /ipfs/<cid>
// content are immutable by hash: CacheFirst. The deployments file changes when a chain is
// redeployed: NetworkFirst, falling back to the last copy offline.
import type { ManifestOptions, VitePWAOptions } from 'vite-plugin-pwa';

/** Where the ML workers' own chunks go, so the precache can leave them out by path. */
export const WORKER_ASSETS = 'assets/worker';
/** Main-build chunks holding tfjs code (if any ever reach the main thread) get this prefix. */
export const TFJS_CHUNK_PREFIX = 'tfjs-';

export const PRECACHE_IGNORES = [
  `${WORKER_ASSETS}/**`,
  `assets/${TFJS_CHUNK_PREFIX}*`,
  '**/*.wasm',
  'datasets/**',
  'specs/**',
  'deployments/**',
  'zk/**',
];

export const CACHE_NAMES = {
  content: 'aiarena-content',
  datasets: 'aiarena-datasets',
  specs: 'aiarena-specs',
  lazyAssets: 'aiarena-lazy-assets',
  deployments: 'aiarena-deployments',
  zk: 'aiarena-zk',
} as const;

export const MANIFEST: Partial<ManifestOptions> = {
  name: 'AIArena',
  short_name: 'AIArena',
  description: 'Decentralized AI training with on-chain incentives: train, validate and delegate from the browser.',
  lang: 'en',
  start_url: './',
  scope: './',
  display: 'standalone',
  orientation: 'any',
  theme_color: '#0b5cad',
  background_color: '#f6f7f9',
  categories: ['productivity', 'education'],
  icons: [
    { src: 'icons/icon-192.png', sizes: '192x192', type: 'image/png', purpose: 'any' },
    { src: 'icons/icon-512.png', sizes: '512x512', type: 'image/png', purpose: 'any' },
    { src: 'icons/maskable-192.png', sizes: '192x192', type: 'image/png', purpose: 'maskable' },
    { src: 'icons/maskable-512.png', sizes: '512x512', type: 'image/png', purpose: 'maskable' },
    { src: 'icons/icon.svg', sizes: 'any', type: 'image/svg+xml', purpose: 'any' },
  ],
};

export function pwaOptions(): Partial<VitePWAOptions> {
  return {
    strategies: 'generateSW',
    registerType: 'prompt',
    // The app registers the worker itself (src/app/pwa.svelte.ts) to show an update prompt.
    injectRegister: false,
    manifest: MANIFEST,
    // The precache globs below already take the icons and favicon.
    includeAssets: [],
    includeManifestIcons: false,
    // Dev serves no service worker: the dev server and the browser tests see plain network.
    devOptions: { enabled: false },
    workbox: {
      globPatterns: ['**/*.{js,css,html,svg,png,webmanifest}'],
      globIgnores: PRECACHE_IGNORES,
      // A shell file this big is a mistake (heavy code belongs in a lazy chunk): fail the build
      // rather than ship a shell that is not fully offline.
      maximumFileSizeToCacheInBytes: 2 * 1024 * 1024,
      cleanupOutdatedCaches: true,
      navigateFallback: 'index.html',
      navigateFallbackDenylist: [/^\/(ipfs|datasets|specs|deployments|upload)\//],
      runtimeCaching: [
        {
          // Any gateway, this origin's or another's (functions here are copied into the worker).
          urlPattern: ({ url }) => /\/ipfs\/[a-z0-9]+$/i.test(url.pathname),
          handler: 'CacheFirst',
          options: {
            cacheName: CACHE_NAMES.content,
            expiration: { maxEntries: 500 },
            cacheableResponse: { statuses: [200] },
          },
        },
        {
          // Shards are named by their hash; manifests by dataset name (and hash-checked on use).
          urlPattern: ({ url, sameOrigin }) => sameOrigin && /\/datasets\/.+\.bin$/.test(url.pathname),
          handler: 'CacheFirst',
          options: {
            cacheName: CACHE_NAMES.datasets,
            expiration: { maxEntries: 500 },
            cacheableResponse: { statuses: [200] },
          },
        },
        {
          urlPattern: ({ url, sameOrigin }) => sameOrigin && /\/(datasets|specs|zk)\/.+\.json$/.test(url.pathname),
          handler: 'StaleWhileRevalidate',
          options: { cacheName: CACHE_NAMES.specs, cacheableResponse: { statuses: [200] } },
        },
        {
          // Lazy chunks, worker bundles and tfjs wasm binaries: content-hashed names, never change.
          urlPattern: ({ url, sameOrigin }) => sameOrigin && /\/assets\/.+\.(js|wasm|css)$/.test(url.pathname),
          handler: 'CacheFirst',
          options: {
            cacheName: CACHE_NAMES.lazyAssets,
            expiration: { maxEntries: 300 },
            cacheableResponse: { statuses: [200] },
          },
        },
        {
          // The proving artifacts (23 MB) have fixed names, so only a request that names the
          // version (`?sha256=` from public/zk/manifest.json) is cached; others go to the network.
          urlPattern: ({ url, sameOrigin }) =>
            sameOrigin && /\/zk\/.+\.(wasm|zkey)$/.test(url.pathname) && url.searchParams.has('sha256'),
          handler: 'CacheFirst',
          options: { cacheName: CACHE_NAMES.zk, expiration: { maxEntries: 6 }, cacheableResponse: { statuses: [200] } },
        },
        {
          urlPattern: ({ url, sameOrigin }) => sameOrigin && /\/deployments\/\d+\.json$/.test(url.pathname),
          handler: 'NetworkFirst',
          options: {
            cacheName: CACHE_NAMES.deployments,
            networkTimeoutSeconds: 4,
            cacheableResponse: { statuses: [200] },
          },
        },
      ],
    },
  };
}

/** Chunk names for the main build: tfjs code is marked so the precache can leave it out. */
export function chunkFileNames(chunk: { moduleIds: readonly string[] }): string {
  return chunk.moduleIds.some((id) => id.includes('/@tensorflow/'))
    ? `assets/${TFJS_CHUNK_PREFIX}[name]-[hash].js`
    : 'assets/[name]-[hash].js';
}
