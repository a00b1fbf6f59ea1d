import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vitest/config';

// Browser tests: Node-side vitest files that drive headless Chromium against a Vite server.
// tfjs resolves to its ES builds as in vitest.config.ts (the tests compute Node references).
const tfjsDir = fileURLToPath(new URL('./node_modules/@tensorflow/', import.meta.url));

export default defineConfig({
  resolve: {
    alias: [{ find: /^@tensorflow\/(tfjs-[a-z-]+)$/, replacement: `${tfjsDir}$1/dist/index.js` }],
  },
  test: {
    include: ['test/browser/**/*.test.ts'],
    testTimeout: 180_000,
    hookTimeout: 180_000,
    fileParallelism: false,
    server: { deps: { inline: [/@tensorflow\//] } },
  },
});
