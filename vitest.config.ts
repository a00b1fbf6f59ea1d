import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vitest/config';

// tfjs packages point Node at CommonJS bundles that lack the gradient registrations (only the
// ES module build has register_all_gradients). Resolve them to their ES builds and let Vite
// transform them, so tests load one tfjs-core with gradients, as the browser build does.
const tfjsDir = fileURLToPath(new URL('./node_modules/@tensorflow/', import.meta.url));

export default defineConfig({
  resolve: {
    alias: [{ find: /^@tensorflow\/(tfjs-[a-z-]+)$/, replacement: `${tfjsDir}$1/dist/index.js` }],
  },
  test: {
    include: ['test/unit/**/*.test.ts', 'test/integration/**/*.test.ts'],
    testTimeout: 60_000,
    hookTimeout: 120_000,
    server: { deps: { inline: [/@tensorflow\//] } },
  },
});
