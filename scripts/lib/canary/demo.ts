// The local stack's canaries: `npm start` runs the producer for its demo task as the demo
// creator (dev account #0) would, with `npm run canaries` in a child process (the engine trains
// there, away from the keeper and Vite), a fresh secret per start and four pool accounts funded
// on the local chain. AIARENA_CANARIES=0 leaves them out. The child ending (the task's scoring
// is over, or an error) does not stop the stack: the demo goes on without canaries.
import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import type { Hex } from 'viem';
import { REPO_ROOT } from '../paths.ts';

export const DEMO_CANARY_POOL = 4;
export const DEMO_CANARIES_PER_EPOCH = 1;

export function demoCanariesEnabled(env: NodeJS.ProcessEnv): boolean {
  const v = env.AIARENA_CANARIES?.trim();
  if (v === undefined || v === '' || v === '1') return true;
  if (v === '0') return false;
  throw new Error(`AIARENA_CANARIES must be 0 or 1, got "${v}"`);
}

export interface DemoCanaries {
  process: ChildProcess;
  /** Resolves when the child has exited. */
  stop(): Promise<void>;
}

export function startDemoCanaries(o: {
  rpcUrl: string;
  deploymentsDir: string;
  stateDir: string;
  storeUrl: string;
  taskId: bigint;
  creatorKey: Hex;
  log: (line: string) => void;
}): DemoCanaries {
  const tsx = join(REPO_ROOT, 'node_modules', 'tsx', 'dist', 'cli.mjs');
  const args = [
    tsx,
    '--import',
    './src/lib/ml/backend/node/register.mjs',
    'scripts/canaries.ts',
    '--task',
    String(o.taskId),
    '--rpc-url',
    o.rpcUrl,
    '--deployments',
    o.deploymentsDir,
    '--state-dir',
    o.stateDir,
    '--store',
    o.storeUrl,
    '--pool',
    String(DEMO_CANARY_POOL),
    '--per-epoch',
    String(DEMO_CANARIES_PER_EPOCH),
    '--fund',
  ];
  // The keys go through the environment, never the command line (visible in process lists).
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    CANARY_CREATOR_KEY: o.creatorKey,
    CANARY_SECRET: `0x${randomBytes(32).toString('hex')}`,
  };
  delete env.CANARY_POOL_KEYS;
  const child = spawn(process.execPath, args, { cwd: REPO_ROOT, env, stdio: ['ignore', 'pipe', 'pipe'] });
  for (const stream of [child.stdout, child.stderr])
    createInterface({ input: stream }).on('line', (line) => o.log(`canaries: ${line}`));
  let stopping = false;
  const gone = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  child.once('exit', (code, signal) => {
    if (stopping) return;
    o.log(
      code === 0
        ? 'canaries: the producer finished (the demo task has no scoring epoch left)'
        : `canaries: the producer stopped (${signal ?? `exit code ${code}`}); the demo goes on without canaries`,
    );
  });
  return {
    process: child,
    async stop() {
      stopping = true;
      if (child.exitCode === null && child.signalCode === null) {
        child.kill('SIGTERM');
        const timer = setTimeout(() => child.kill('SIGKILL'), 5_000);
        await gone;
        clearTimeout(timer);
      }
    },
  };
}
