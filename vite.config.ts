import { svelte } from '@sveltejs/vite-plugin-svelte';
import { defineConfig } from 'vite';
import { deploymentsDir } from './scripts/lib/paths.ts';
import { deploymentsPlugin } from './scripts/lib/vite-deployments.ts';

export default defineConfig({
  plugins: [svelte(), deploymentsPlugin(deploymentsDir())],
  server: { host: '127.0.0.1' },
  preview: { host: '127.0.0.1' },
});
