// `npm start` reveals the demo task's hidden final eval set for its creator (issue 10, 1.5): the
// secret (hash and salt) is a file on this machine and the reveal window is the first tenth of the
// final phase (24 s with the default 240 s epochs), so nobody could reveal it from the app and the
// demo always fell back to the public set. When the final phase opens, the set's files are put
// into the local blob store (not before: until the reveal they stay hidden) and revealFinalEval is
// sent from the creator's dev account. A failed pass (a nonce race with the canary process, a slow
// RPC) retries on the next one while the window is open.
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Hex, PublicClient } from 'viem';
import { taskRegistryAbi } from '../../src/lib/chain/abi.generated.ts';
import type { DeployWallet } from '../../src/lib/chain/deploy.ts';
import type { Deployment } from '../../src/lib/chain/deployments.ts';
import { FINAL_EVAL_STATES, type FinalEvalState } from '../../src/lib/chain/reads/task-record.ts';
import { epochStart, finalEvalDeadline, type Schedule } from '../../src/lib/chain/schedule.ts';
import { seedFiles, type BlobStore } from './blob-store/index.ts';
import { REPO_ROOT } from './paths.ts';

export type RevealStep =
  { kind: 'wait'; opens: bigint } | { kind: 'reveal'; deadline: bigint } | { kind: 'done'; state: FinalEvalState };

/** What the demo creator does now: wait for the final phase, reveal inside the window, or stop. */
export function demoRevealStep(s: Schedule, state: FinalEvalState, now: bigint): RevealStep {
  if (state !== 'Pending') return { kind: 'done', state };
  const opens = epochStart(s, s.submissionEpochs);
  const deadline = finalEvalDeadline(s);
  if (now < opens) return { kind: 'wait', opens };
  // The chain reports Pending until the deadline; from it on the status reads Fallback.
  return now < deadline ? { kind: 'reveal', deadline } : { kind: 'done', state: 'Fallback' };
}

/** The hidden set's files as `npm start` saved them: the manifest and the shards it names. */
export function hiddenSetFiles(datasetDir: string): string[] {
  const dir = join(REPO_ROOT, datasetDir);
  return readdirSync(dir)
    .filter((n) => n === 'manifest.json' || /^[0-9a-f]{64}\.bin$/.test(n))
    .sort()
    .map((n) => join(dir, n));
}

interface SecretFile {
  taskId: string;
  dataset: string;
  finalEvalHash: Hex;
  salt: Hex;
}

export interface DemoReveal {
  /** How it ended: 'Revealed', or 'Fallback' when the window passed (or the task has none). */
  settled: Promise<FinalEvalState>;
  stop(): void;
}

export function startDemoFinalEvalReveal(opts: {
  client: PublicClient;
  /** The demo task's creator (dev account #0). */
  wallet: DeployWallet;
  deployment: Deployment;
  secretFile: string;
  store: Pick<BlobStore, 'disk' | 'maxBlobBytes'>;
  log: (line: string) => void;
  intervalMs?: number;
}): DemoReveal {
  const { client, wallet, log } = opts;
  const registry = opts.deployment.contracts.taskRegistry;
  const secret = JSON.parse(readFileSync(opts.secretFile, 'utf8')) as SecretFile;
  const taskId = BigInt(secret.taskId);
  let stopped = false;
  let timer: NodeJS.Timeout | undefined;
  let seeded = false;
  let lastError = '';
  let settle!: (s: FinalEvalState) => void;
  const settled = new Promise<FinalEvalState>((resolve) => (settle = resolve));

  async function pass(): Promise<FinalEvalState | null> {
    const [schedule, status, block] = await Promise.all([
      client.readContract({ address: registry, abi: taskRegistryAbi, functionName: 'schedule', args: [taskId] }),
      client.readContract({ address: registry, abi: taskRegistryAbi, functionName: 'finalEvalStatus', args: [taskId] }),
      client.getBlock({ blockTag: 'latest' }),
    ]);
    const step = demoRevealStep(schedule, FINAL_EVAL_STATES[status] ?? 'None', block.timestamp);
    if (step.kind === 'done') return step.state;
    if (step.kind === 'wait') return null;
    if (!seeded) {
      // Fetchable the moment the reveal lands: validators load it by the revealed hash.
      await seedFiles(opts.store.disk, hiddenSetFiles(secret.dataset), opts.store.maxBlobBytes);
      seeded = true;
    }
    const hash = await wallet.writeContract({
      address: registry,
      abi: taskRegistryAbi,
      functionName: 'revealFinalEval',
      args: [taskId, secret.finalEvalHash, secret.salt],
    });
    const receipt = await client.waitForTransactionReceipt({ hash });
    if (receipt.status !== 'success') throw new Error(`revealFinalEval(${taskId}) reverted (tx ${hash})`);
    log(`demo: revealed the hidden final eval set of task ${taskId} (${secret.dataset}); the final phase scores on it`);
    return 'Revealed';
  }

  async function loop(): Promise<void> {
    let done: FinalEvalState | null = null;
    try {
      done = await pass();
      lastError = '';
    } catch (e) {
      const message = (e as Error).message.split('\n')[0] ?? String(e);
      if (message !== lastError)
        log(`demo: revealing the final eval set of task ${taskId} failed: ${message} (retrying)`);
      lastError = message;
    }
    if (done !== null) {
      if (done === 'Fallback')
        log(
          `demo: task ${taskId}'s final eval set was not revealed in time; its final phase reuses the public eval set`,
        );
      settle(done);
      return;
    }
    if (!stopped) timer = setTimeout(() => void loop(), opts.intervalMs ?? 1_000);
  }

  void loop();
  return {
    settled,
    stop() {
      stopped = true;
      if (timer) clearTimeout(timer);
    },
  };
}
