// Dependencies point down: nothing in src/lib may import from src/app or workers/ (the guide's
// rule; issue 10 section 3.5). Every import statement of every src/lib module is read, resolved
// against its file and checked; a worker script named through `new URL(..., import.meta.url)`
// counts as an import too (that is how Vite bundles one). Also: every error class in src/lib
// extends the one base, ArenaError (section 3.2).
import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join, relative, resolve, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
const FORBIDDEN = ['src/app', 'workers'];

/** Module specifiers a source file names: static imports and re-exports, dynamic imports, worker URLs. */
export function specifiers(source: string): string[] {
  const out: string[] = [];
  const patterns = [
    /\b(?:import|export)\s+(?:type\s+)?(?:[\w*${}\s,]+?\s+from\s+)?['"]([^'"]+)['"]/g,
    /\bimport\s*\(\s*['"]([^'"]+)['"]\s*\)/g,
    /\bnew\s+URL\s*\(\s*['"]([^'"]+)['"]\s*,\s*import\.meta\.url\s*\)/g,
  ];
  for (const re of patterns) for (const m of source.matchAll(re)) out.push(m[1]!);
  return out;
}

/** The specifiers of `file` (repository-relative) that resolve into src/app or workers/. */
export function forbiddenImports(file: string, source: string): string[] {
  return specifiers(source).filter((spec) => {
    if (!spec.startsWith('.')) return false;
    const target = relative(root, resolve(root, dirname(file), spec))
      .split(sep)
      .join('/');
    return FORBIDDEN.some((dir) => target === dir || target.startsWith(`${dir}/`));
  });
}

function sourceFiles(dir: string): string[] {
  return readdirSync(join(root, dir), { withFileTypes: true }).flatMap((d) => {
    const path = `${dir}/${d.name}`;
    if (d.isDirectory()) return sourceFiles(path);
    return /\.(ts|js|mjs|svelte)$/.test(d.name) ? [path] : [];
  });
}

describe('src/lib imports', () => {
  it('finds every kind of import that reaches src/app or workers/', () => {
    const source = [
      "import type { AppConfig } from '../../app/config.ts';",
      "import { x } from '../../lib/ok.ts';",
      "export { y } from '../../../workers/train.worker.ts';",
      "const m = await import('../../app/routes.ts');",
      "new Worker(new URL('../../../workers/eval.worker.ts', import.meta.url));",
      "import 'viem';",
      "import {\n  a,\n  b,\n} from '../../app/ui/x.ts';",
    ].join('\n');
    expect(forbiddenImports('src/lib/ml/client.ts', source)).toEqual([
      '../../app/config.ts',
      '../../../workers/train.worker.ts',
      '../../app/ui/x.ts',
      '../../app/routes.ts',
      '../../../workers/eval.worker.ts',
    ]);
    // The same path one level up stays inside src/lib.
    expect(forbiddenImports('src/lib/ml/client.ts', "import { q } from '../app-logic/errors.ts';")).toEqual([]);
  });

  it('no module in src/lib imports from src/app or workers/', () => {
    const files = sourceFiles('src/lib');
    expect(files.length).toBeGreaterThan(100);
    const found = files.flatMap((f) =>
      forbiddenImports(f, readFileSync(join(root, f), 'utf8')).map((spec) => `${f}: ${spec}`),
    );
    expect(found).toEqual([]);
  });
});

describe('src/lib errors', () => {
  it('no class in src/lib extends Error directly except the base, ArenaError', () => {
    const found = sourceFiles('src/lib')
      .filter((f) => f !== 'src/lib/errors.ts')
      .flatMap((f) =>
        [...readFileSync(join(root, f), 'utf8').matchAll(/class\s+(\w+)\s+extends\s+Error\b/g)].map(
          (m) => `${f}: ${m[1]}`,
        ),
      );
    expect(found).toEqual([]);
  });
});
