// Node module hooks that let plain Node (tsx scripts) load tfjs the way bundlers do. tfjs points
// Node at CommonJS bundles without gradient registrations; only its ES build registers them,
// and that build uses extensionless imports in a package Node treats as CommonJS. These hooks
// resolve `@tensorflow/tfjs-*` to the ES build, complete its relative imports, and load its
// files as ES modules (the emscripten glue in wasm-out/ stays CommonJS).
//
//   tsx --import ./src/lib/ml/backend/node/register.mjs scripts/some-script.ts
import { existsSync, statSync } from 'node:fs';
import { fileURLToPath, pathToFileURL } from 'node:url';

const TFJS = /^@tensorflow\/(tfjs-[a-z-]+)(\/.+)?$/;
const IN_TFJS_DIST = /\/node_modules\/@tensorflow\/tfjs-[a-z-]+\/dist\//;

const isFile = (p) => existsSync(p) && statSync(p).isFile();

export async function resolve(specifier, context, nextResolve) {
  const m = TFJS.exec(specifier);
  const parent = context.parentURL;
  let target = null;
  if (m) {
    const pkg = await nextResolve(`@tensorflow/${m[1]}/package.json`, context);
    // The bare name is the ES entry; a subpath (dist/register_all_gradients) names a file.
    target = fileURLToPath(new URL(m[2] ? m[2].slice(1) : 'dist/index.js', pkg.url));
  } else if (parent && IN_TFJS_DIST.test(parent) && (specifier.startsWith('./') || specifier.startsWith('../'))) {
    target = fileURLToPath(new URL(specifier, parent));
  }
  if (target !== null) {
    // `./gradients` names gradients.js, though a gradients/ folder sits beside it.
    for (const candidate of [target, `${target}.js`, `${target}/index.js`]) {
      if (/\.(m?js|cjs|json)$/.test(candidate) && isFile(candidate)) {
        return { url: pathToFileURL(candidate).href, shortCircuit: true };
      }
    }
  }
  return nextResolve(specifier, context);
}

// The ES build still calls require() in places (platform_node: require('util')).
const REQUIRE_SHIM =
  "import { createRequire as __tfjsCreateRequire } from 'node:module'; const require = __tfjsCreateRequire(import.meta.url);\n";

export async function load(url, context, nextLoad) {
  if (IN_TFJS_DIST.test(url) && url.endsWith('.js') && !url.endsWith('.node.js')) {
    const loaded = await nextLoad(url, { ...context, format: 'module' });
    const source = String(loaded.source);
    if (!/\brequire\(/.test(source) || /^\s*(const|let|var)\s+require\b/m.test(source)) return loaded;
    return { ...loaded, source: REQUIRE_SHIM + source };
  }
  return nextLoad(url, context);
}
