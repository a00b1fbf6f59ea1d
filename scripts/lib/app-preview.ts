// Builds the app and serves the production build with `vite preview`, as child processes with
// their own environment (Vite compiles VITE_* values into the bundle): for the offline browser
// test and the app benchmark.
import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { REPO_ROOT } from './paths.ts';

const VITE = join(REPO_ROOT, 'node_modules', 'vite', 'bin', 'vite.js');

export interface BuildEnv {
  /** Folder whose <chainId>.json files the build publishes and preview serves. */
  AIARENA_DEPLOYMENTS_DIR: string;
  VITE_RPC_URL?: string;
  VITE_CHAIN_ID?: string;
  VITE_IPFS_GATEWAYS?: string;
  VITE_REFRESH_MS?: string;
}

function run(args: string[], env: BuildEnv, onLine?: (line: string) => void) {
  // NODE_ENV=production: a test runner's NODE_ENV=test would make Vite build a development bundle
  // (import.meta.env.DEV, and no service worker registration).
  const child = spawn(process.execPath, [VITE, ...args], {
    cwd: REPO_ROOT,
    env: { ...process.env, NODE_ENV: 'production', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  const take = (d: Buffer) => {
    out += d.toString();
    if (onLine) for (const line of d.toString().split('\n')) if (line.trim()) onLine(line);
  };
  child.stdout!.on('data', take);
  child.stderr!.on('data', take);
  return { child, output: () => out };
}

/** `vite build` into `outDir`; rejects with the build's output when it fails. */
export async function buildApp(outDir: string, env: BuildEnv): Promise<string> {
  const { child, output } = run(['build', '--outDir', outDir, '--emptyOutDir', '--logLevel', 'warn'], env);
  const code = await new Promise<number | null>((resolve) => child.once('exit', resolve));
  if (code !== 0) throw new Error(`vite build failed (exit ${code}):\n${output()}`);
  return output();
}

export interface Preview {
  url: string;
  close(): Promise<void>;
}

/** `vite preview` of `outDir` on `port`; resolves once it answers. */
export async function startPreview(outDir: string, port: number, env: BuildEnv): Promise<Preview> {
  const { child, output } = run(
    ['preview', '--outDir', outDir, '--port', String(port), '--strictPort', '--host', '127.0.0.1'],
    env,
  );
  const url = `http://127.0.0.1:${port}/`;
  const close = () =>
    new Promise<void>((resolve) => {
      if (child.exitCode !== null) return resolve();
      child.once('exit', () => resolve());
      child.kill('SIGTERM');
    });
  const deadline = Date.now() + 30_000;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`vite preview exited (${child.exitCode}):\n${output()}`);
    try {
      if ((await fetch(url)).ok) return { url, close };
    } catch {
      // not listening yet
    }
    if (Date.now() > deadline) {
      await close();
      throw new Error(`vite preview did not serve ${url} within 30 s:\n${output()}`);
    }
    await new Promise((r) => setTimeout(r, 150));
  }
}
