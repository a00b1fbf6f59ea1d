// The exact inputs of a circuit build, hashed: the compiler, its flags and every .circom file
// the main file includes (transitively, resolved the way circom resolves them: next to the
// including file first, then in the -l folder node_modules). The committed artifacts record
// this hash; test/unit/zk/artifacts-fresh.test.ts recomputes it to catch stale artifacts.
import { createHash } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join, posix, relative } from 'node:path';
import { CIRCOM_FLAGS } from './instances.ts';

export const REPO_ROOT = join(import.meta.dirname, '..', '..');

const sha256 = (data: string | Uint8Array) => createHash('sha256').update(data).digest('hex');

function resolveInclude(fromFile: string, spec: string): string {
  const local = join(dirname(fromFile), spec);
  if (existsSync(local)) return local;
  const lib = join(REPO_ROOT, 'node_modules', spec);
  if (existsSync(lib)) return lib;
  throw new Error(`${relative(REPO_ROOT, fromFile)} includes "${spec}", found neither next to it nor in node_modules`);
}

/** Every .circom file the main file pulls in, itself first, as repository-relative paths. */
export function circuitSources(mainFile: string): string[] {
  const seen = new Set<string>();
  const visit = (abs: string) => {
    if (seen.has(abs)) return;
    seen.add(abs);
    const text = readFileSync(abs, 'utf8')
      .replace(/\/\/.*$/gm, '')
      .replace(/\/\*[\s\S]*?\*\//g, '');
    for (const m of text.matchAll(/include\s+"([^"]+)"\s*;/g)) visit(resolveInclude(abs, m[1]!));
  };
  visit(join(REPO_ROOT, mainFile));
  return [...seen].map((abs) => relative(REPO_ROOT, abs).split('\\').join(posix.sep));
}

export function compilerVersion(): string {
  const pkg = JSON.parse(readFileSync(join(REPO_ROOT, 'node_modules', 'circom2', 'package.json'), 'utf8')) as {
    version: string;
  };
  return `circom2 ${pkg.version}`;
}

export interface SourceHash {
  hash: string;
  compiler: string;
  flags: readonly string[];
  files: { path: string; sha256: string }[];
}

export function sourceHash(mainFile: string): SourceHash {
  const files = circuitSources(mainFile)
    .sort()
    .map((path) => ({ path, sha256: sha256(readFileSync(join(REPO_ROOT, path))) }));
  const compiler = compilerVersion();
  const hash = sha256(JSON.stringify({ compiler, flags: CIRCOM_FLAGS, files }));
  return { hash, compiler, flags: CIRCOM_FLAGS, files };
}

export const fileSha256 = (path: string): string => sha256(readFileSync(join(REPO_ROOT, path)));
