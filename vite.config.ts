import { svelte } from '@sveltejs/vite-plugin-svelte';
import { defineConfig } from 'vite';
import { VitePWA } from 'vite-plugin-pwa';
import { deploymentsDir } from './scripts/lib/paths.ts';
import { deploymentsPlugin } from './scripts/lib/vite-deployments.ts';
import { chunkFileNames, pwaOptions, WORKER_ASSETS } from './scripts/lib/vite-pwa.ts';

export default defineConfig({
  plugins: [svelte(), deploymentsPlugin(deploymentsDir()), VitePWA(pwaOptions())],
  server: { host: '127.0.0.1' },
  preview: { host: '127.0.0.1' },
  // The ML workers load tfjs backends with dynamic imports (code splitting), which needs ES
  // module workers. Their chunks go to their own folder, which the service worker caches on first
  // use instead of precaching (scripts/lib/vite-pwa.ts).
  worker: {
    format: 'es',
    rolldownOptions: {
      output: {
        entryFileNames: `${WORKER_ASSETS}/[name]-[hash].js`,
        chunkFileNames: `${WORKER_ASSETS}/[name]-[hash].js`,
      },
    },
  },
  build: { rolldownOptions: { output: { chunkFileNames } } },
  optimizeDeps: {
    // Pre-bundled at startup: a dependency first discovered inside a running worker would make
    // Vite re-optimize and answer the worker's next import with 504 (it cannot reload a worker).
    include: [
      '@tensorflow/tfjs-core',
      '@tensorflow/tfjs-core/dist/register_all_gradients',
      '@tensorflow/tfjs-backend-cpu',
      '@tensorflow/tfjs-backend-wasm',
      '@tensorflow/tfjs-backend-webgl',
      '@tensorflow/tfjs-backend-webgpu',
      'comlink',
      // The app shell's chain client: found only after the first page loads, it would otherwise
      // trigger a re-optimization and a reload under a running page (and a browser test).
      'viem',
      'viem/actions',
      // The wallet and the role pages (loaded after the first page): same reason.
      '@wagmi/core',
      'viem/accounts',
      'viem/chains',
      'qrcode-generator',
      // The trainer's key commitment (Train page) and the WalletConnect provider (loaded on
      // demand): found late, each made the dev server re-optimize and answer the page's next
      // import with 504, so a first visit to Train under `npm start` showed "Page unavailable".
      'poseidon-lite',
      '@walletconnect/ethereum-provider',
      'multiformats/cid',
      'multiformats/hashes/digest',
      // The proving worker (workers/prove.worker.ts).
      'snarkjs',
    ],
  },
});
