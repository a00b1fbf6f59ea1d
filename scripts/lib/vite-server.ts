// Runs the Vite dev server as a child process (so it can be stopped like anvil) and waits until
// it serves the app.
import { spawn, type ChildProcess } from 'node:child_process';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { REPO_ROOT } from './paths.ts';

export interface ViteServer {
  url: string;
  process: ChildProcess;
}

export async function startVite(opts: {
  port: number;
  env: Record<string, string>;
  log: (line: string) => void;
  timeoutMs?: number;
}): Promise<ViteServer> {
  const vite = join(REPO_ROOT, 'node_modules', 'vite', 'bin', 'vite.js');
  const child = spawn(
    process.execPath,
    [
      vite,
      '--port',
      String(opts.port),
      '--strictPort',
      '--host',
      '127.0.0.1',
      '--clearScreen',
      'false',
      '--logLevel',
      'warn',
    ],
    { cwd: REPO_ROOT, env: { ...process.env, ...opts.env }, stdio: ['ignore', 'pipe', 'pipe'] },
  );
  for (const stream of [child.stdout, child.stderr]) {
    createInterface({ input: stream }).on('line', (line) => opts.log(`vite: ${line}`));
  }
  const url = `http://127.0.0.1:${opts.port}/`;
  const exited = new Promise<never>((_, reject) =>
    child.once('exit', (code, signal) =>
      reject(new Error(`vite exited during start-up (${signal ?? `exit code ${code}`})`)),
    ),
  );
  exited.catch(() => {});
  try {
    await Promise.race([waitForHttp(url, opts.timeoutMs ?? 30_000), exited]);
  } catch (e) {
    child.kill('SIGTERM');
    throw e;
  }
  return { url, process: child };
}

async function waitForHttp(url: string, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    try {
      const res = await fetch(url);
      if (res.ok) return;
    } catch {
      // not listening yet
    }
    await new Promise((r) => setTimeout(r, 150));
  }
  throw new Error(`vite did not serve ${url} within ${timeoutMs} ms`);
}
