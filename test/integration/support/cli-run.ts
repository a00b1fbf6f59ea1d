// `aiarena <argv>` run in-process for the CLI integration tests, as an operator runs it: its own
// environment, working folder and Ctrl-C; every JSON record it writes kept for the test to read.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort } from '../../../scripts/lib/anvil.ts';
import { startBlobStore, type BlobStore } from '../../../scripts/lib/blob-store/index.ts';
import { main, type Io } from '../../../src/cli/main.ts';
import type { ActionContext } from '../../../src/lib/chain/actions/index.ts';
import { serializeDeployment } from '../../../src/lib/chain/deployments.ts';
import { startArenaEnv, type ArenaEnv } from './chain-actions-env.ts';

export interface Run {
  io: Io;
  /** Every JSON record written so far. */
  records(): Record<string, unknown>[];
  stderr(): string;
  interrupt(): void;
  done: Promise<number>;
}

/** `aiarena <argv>` in-process, with its own environment and Ctrl-C. */
export function start(argv: string[], env: Record<string, string>, cwd: string): Run {
  const out: string[] = [];
  const err: string[] = [];
  let handler: (() => void) | null = null;
  const io: Io = {
    readStdin: async () => '',
    stdout: (t) => void out.push(t),
    stderr: (t) => void err.push(t),
    env,
    cwd,
    isTTY: false,
    onInterrupt: (h) => {
      handler = h;
      return () => (handler = null);
    },
  };
  return {
    io,
    records: () =>
      out
        .join('')
        .split('\n')
        .filter((l) => l.startsWith('{'))
        .map((l) => JSON.parse(l) as Record<string, unknown>),
    stderr: () => err.join(''),
    interrupt: () => handler?.(),
    done: main(argv, io),
  };
}

export async function until<T>(
  what: string,
  check: () => Promise<T | null | false> | T | null | false,
  ms = 60_000,
): Promise<T> {
  const deadline = Date.now() + ms;
  for (;;) {
    const got = await check();
    if (got !== null && got !== false) return got;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

export const has = (run: Run, match: Record<string, unknown>) =>
  run.records().some((r) => Object.entries(match).every(([k, v]) => JSON.stringify(r[k]) === JSON.stringify(v)));

/**
 * What the CLI tests run against: anvil with the protocol, the blob store, a working folder with
 * the deployment file, the creator (dev account 1) and the network options every command takes.
 */
export interface CliStack {
  env: ArenaEnv;
  blobs: BlobStore;
  dir: string;
  creator: ActionContext;
  net: string[];
  stop(): Promise<void>;
}

export async function startCliStack(prefix: string): Promise<CliStack> {
  const env = await startArenaEnv();
  const dir = mkdtempSync(join(tmpdir(), prefix));
  const blobs = await startBlobStore({ dir: join(dir, 'blobs'), port: await freePort(), host: '127.0.0.1' });
  writeFileSync(join(dir, 'deployment.json'), serializeDeployment(env.deployment));
  return {
    env,
    blobs,
    dir,
    creator: await env.as(1),
    net: ['--rpc', env.rpcUrl, '--deployment', 'deployment.json'],
    async stop() {
      await blobs.close();
      await env.stop();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
