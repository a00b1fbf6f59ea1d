// Reading a corpus's source files out of installed packages, and pinning them: a package's digest
// covers every file the corpus takes from it, so a changed package stops the converter instead
// of silently changing the dataset hashes.
import { createHash } from 'node:crypto';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { comparePaths, type TextFile } from '../../../src/lib/ml/data/text.ts';

export interface CorpusPackage {
  /** The package's name: the first part of every corpus path from it. */
  name: string;
  version: string;
  /** SPDX expression of the package's licence. */
  license: string;
  /** Its licence files (relative to `dir`), copied verbatim into the corpus's notices. */
  licenseFiles?: string[];
  /** What the notices say instead when the package ships no licence file. */
  licenseNote?: string;
  /** Where it is installed. */
  dir: string;
  /** `packageDigest` of its files; when given, reading checks it. */
  digest?: string;
}

/** Files under `dir` whose names end in `suffix`, as '/'-separated paths relative to `dir`, sorted. */
export function listFiles(dir: string, suffix: string): string[] {
  const out: string[] = [];
  const walk = (rel: string) => {
    for (const e of readdirSync(join(dir, rel), { withFileTypes: true })) {
      const path = rel === '' ? e.name : `${rel}/${e.name}`;
      // Links are not followed: a package's corpus is what it ships, not what a link points to.
      if (e.isDirectory()) walk(path);
      else if (e.isFile() && e.name.endsWith(suffix)) out.push(path);
    }
  };
  walk('');
  return out.sort(comparePaths);
}

/** sha256 over `sha256sum`-style lines ("<hex>  <path>\n") of the files, in path order. */
export function packageDigest(files: readonly TextFile[]): string {
  const lines = [...files]
    .sort((a, b) => comparePaths(a.path, b.path))
    .map((f) => `${createHash('sha256').update(f.bytes).digest('hex')}  ${f.path}\n`);
  return createHash('sha256').update(lines.join('')).digest('hex');
}

function readVersion(dir: string): string | undefined {
  try {
    return (JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8')) as { version?: string }).version;
  } catch {
    return undefined;
  }
}

/**
 * The package's `*.sol` (or other `suffix`) files as corpus files named `<name>/<path>`. Checks
 * the installed version (when the folder has a package.json) and the pinned digest.
 */
export function readPackage(pkg: CorpusPackage, suffix: string): TextFile[] {
  const version = readVersion(pkg.dir);
  if (version !== undefined && version !== pkg.version)
    throw new Error(`${pkg.name}: ${pkg.dir} holds version ${version}, the corpus is built from ${pkg.version}`);
  const files = listFiles(pkg.dir, suffix).map((rel) => {
    const buf = readFileSync(join(pkg.dir, rel));
    return { path: `${pkg.name}/${rel}`, bytes: new Uint8Array(buf.buffer, buf.byteOffset, buf.byteLength) };
  });
  if (files.length === 0) throw new Error(`${pkg.name}: no *${suffix} files under ${pkg.dir}`);
  const digest = packageDigest(files);
  if (pkg.digest !== undefined && digest !== pkg.digest) {
    throw new Error(
      `${pkg.name} ${pkg.version}: its ${files.length} *${suffix} files have digest ${digest}, expected ${pkg.digest}; the package changed, review the corpus`,
    );
  }
  return files;
}

/**
 * The notices file of a corpus: per package its version, licence and licence files verbatim (the
 * MIT licence asks that its notice travel with copies of the software, which the datasets are).
 */
export function renderNotices(title: string, packages: readonly CorpusPackage[], script: string): string {
  const out = [
    `# ${title}: licences of the sources`,
    '',
    `Written by \`${script}\` (do not edit) from the installed packages' own licence files.`,
    '',
  ];
  for (const p of packages) {
    out.push(`## ${p.name} ${p.version} (${p.license})`, '');
    if (p.licenseNote !== undefined) out.push(p.licenseNote, '');
    for (const rel of p.licenseFiles ?? []) {
      const text = readFileSync(join(p.dir, rel), 'utf8').replace(/\s+$/, '');
      out.push(`\`${rel}\`:`, '', '```text', text, '```', '');
    }
  }
  return out.join('\n');
}
