// Builds the contracts when forge's output is missing or older than the sources, so a fresh
// clone needs no separate build step and an edited contract is never deployed stale.
import { spawn } from 'node:child_process';
import { existsSync, readdirSync, statSync, utimesSync } from 'node:fs';
import { join } from 'node:path';
import { foundryBinary } from '../bin/foundry.mjs';
import { CONTRACTS, OUT_DIR } from './artifacts.ts';
import { REPO_ROOT } from './paths.ts';

export const SRC_DIR = join(REPO_ROOT, 'contracts', 'src');

/** Newest modification time (ms) of the .sol files under `dir`, 0 if none. */
export function newestSourceMtime(dir: string): number {
  let newest = 0;
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) newest = Math.max(newest, newestSourceMtime(path));
    else if (entry.name.endsWith('.sol')) newest = Math.max(newest, statSync(path).mtimeMs);
  }
  return newest;
}

export function artifactPath(name: string, outDir = OUT_DIR): string {
  return join(outDir, `${name}.sol`, `${name}.json`);
}

/** Why a build is needed, or null. `artifacts` maps contract name to mtime (null = missing). */
export function staleReason(newestSource: number, artifacts: Record<string, number | null>): string | null {
  const missing = Object.entries(artifacts)
    .filter(([, t]) => t === null)
    .map(([n]) => n);
  if (missing.length > 0) return `no build output for ${missing.join(', ')}`;
  const oldest = Math.min(...Object.values(artifacts).map((t) => t!));
  return newestSource > oldest ? 'contracts/src changed since the last build' : null;
}

export function contractsStaleReason(srcDir = SRC_DIR, outDir = OUT_DIR): string | null {
  const artifacts = Object.fromEntries(
    CONTRACTS.map((name) => {
      const path = artifactPath(name, outDir);
      return [name, existsSync(path) ? statSync(path).mtimeMs : null];
    }),
  );
  return staleReason(newestSourceMtime(srcDir), artifacts);
}

/** `forge build` of the deployable sources only (tests are built by `npm run test:contracts`). */
export function forgeBuild(): Promise<void> {
  return new Promise((resolve, reject) => {
    const child = spawn(foundryBinary('forge'), ['build', '--skip', 'test', '--skip', 'script'], {
      cwd: REPO_ROOT,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let output = '';
    child.stdout.on('data', (d) => (output += d));
    child.stderr.on('data', (d) => (output += d));
    child.once('error', reject);
    child.once('exit', (code, signal) => {
      if (code === 0) resolve();
      else reject(new Error(`forge build failed (${signal ?? `exit ${code}`}):\n${output.slice(-4_000)}`));
    });
  });
}

/** Builds if needed; returns whether it built. */
export async function ensureContractsBuilt(log: (line: string) => void): Promise<boolean> {
  const reason = contractsStaleReason();
  if (!reason) return false;
  log(`Building contracts (${reason}); a clean build takes about 15 s...`);
  const t0 = Date.now();
  await forgeBuild();
  // forge skips unchanged sources by content hash and then leaves old artifacts untouched: mark
  // them as checked against today's sources, or a merely touched file would rebuild every start.
  const now = new Date();
  for (const name of CONTRACTS) {
    const path = artifactPath(name);
    if (!existsSync(path)) throw new Error(`forge build finished but ${path} is missing`);
    utimesSync(path, now, now);
  }
  log(`Contracts built in ${((Date.now() - t0) / 1000).toFixed(1)} s.`);
  return true;
}
