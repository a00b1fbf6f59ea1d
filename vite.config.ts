import { svelte } from '@sveltejs/vite-plugin-svelte';
import { defineConfig } from 'vite';
import { deploymentsDir } from './scripts/lib/paths.ts';
import { deploymentsPlugin } from './scripts/lib/vite-deployments.ts';

export default defineConfig({
  plugins: [svelte(), deploymentsPlugin(deploymentsDir())],
  server: { host: '127.0.0.1' },
  preview: { host: '127.0.0.1' },
  // The ML workers load tfjs backends with dynamic imports (code splitting), which needs ES
  // module workers.
  worker: { format: 'es' },
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
    ],
  },
});
