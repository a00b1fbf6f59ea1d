// Issue 10, 1.5: the demo task's hidden final eval set used to be unrevealable (its secret is a
// file on the server's disk, the reveal window 24 s), so the demo always fell back to the public
// set. Here the demo task is created as `npm start` creates it (scripts/lib/seed-local.ts) on a
// real anvil with the local blob store, and started with the reveal `npm start` runs
// (scripts/lib/demo-final-eval.ts). When the final phase opens the set is revealed within its
// window, the store serves it, the validator's own decision (epochDataHash) scores the final epoch
// on the hidden set and not on the public one, and the Task page in Chromium says so with the
// hidden set's manifest loaded from the store.
import { createHash } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { http, type Hex } from 'viem';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fund } from '../../scripts/lib/actions.ts';
import { DEMO_FILES } from '../../scripts/lib/demo-content.ts';
import { startDemoFinalEvalReveal, type DemoReveal } from '../../scripts/lib/demo-final-eval.ts';
import { DEMO_EPOCHS } from '../../scripts/lib/demo-task.ts';
import { devAccounts } from '../../scripts/lib/dev-accounts.ts';
import { localPublicClient, localWallet } from '../../scripts/lib/local-chain.ts';
import { createDemoTask } from '../../scripts/lib/seed-local.ts';
import { taskRegistryAbi } from '../../src/lib/chain/abi.generated.ts';
import { advanceTo, devClock, readSchedule, type ActionContext } from '../../src/lib/chain/actions/index.ts';
import { epochStart, finalEvalDeadline } from '../../src/lib/chain/schedule.ts';
import { epochDataHash } from '../../src/lib/agents/validator/machine.ts';
import { FINAL_EVAL_STATES } from '../../src/lib/chain/reads/task-record.ts';
import { cidFromDigest } from '../../src/lib/ml/artifact/cid.ts';
import { startRolesWorld, type RolesWorld } from './app-roles-support.ts';
import { withEnv } from './app-support.ts';
import { chromiumAvailable, startHarness, type Harness } from './harness.ts';

let world: RolesWorld;
let h: Harness | undefined;
let reveal: DemoReveal | undefined;
let stateDir: string;
const logs: string[] = [];

beforeAll(async () => {
  if (!chromiumAvailable())
    throw new Error('Debian chromium is needed for the browser tests: apt-get install chromium');
  world = await startRolesWorld({ play: false });
  stateDir = mkdtempSync(join(tmpdir(), 'aiarena-demo-state-'));
}, 180_000);

afterAll(async () => {
  reveal?.stop();
  await h?.close();
  await world?.close();
  rmSync(stateDir, { recursive: true, force: true });
});

describe('npm start reveals the demo task’s hidden final eval set', () => {
  it('reveals it in the window when the final phase opens, and the final epoch is scored on it', async () => {
    const url = world.driver.anvil.url;
    const client = localPublicClient(url);
    const key = devAccounts(1)[0]!;
    const creator = localWallet(url, key.privateKey);
    await fund(world.driver, creator.account.address, 10_000n * 10n ** 18n);
    const deployment = world.driver.deployment;
    const demo = await createDemoTask(client, creator, deployment, { epochSeconds: 120, reviewSeconds: 10, stateDir });
    reveal = startDemoFinalEvalReveal({
      client,
      wallet: creator,
      deployment,
      secretFile: demo.secretFile,
      store: world.store,
      log: (l) => logs.push(l),
      intervalMs: 200,
    });

    const ctx: ActionContext = { publicClient: client, deployment, wallet: creator as ActionContext['wallet'] };
    const schedule = await readSchedule(ctx, demo.taskId);
    const opens = epochStart(schedule, DEMO_EPOCHS.submission);
    expect(finalEvalDeadline(schedule) - opens).toBe(12n);
    const hidden = `0x${createHash('sha256').update(readFileSync(DEMO_FILES.finalEval)).digest('hex')}` as Hex;
    // Hidden until the reveal: the store does not have it.
    expect((await fetch(`${world.store.url}/ipfs/${cidFromDigest(hidden)}`, { method: 'HEAD' })).status).toBe(404);

    await advanceTo(ctx, devClock(http(url)), opens);
    const settled = await Promise.race([reveal.settled, new Promise((r) => setTimeout(() => r('timeout'), 30_000))]);
    expect(settled, logs.join('\n')).toBe('Revealed');

    const read = <T>(functionName: string) =>
      client.readContract({
        address: deployment.contracts.taskRegistry,
        abi: taskRegistryAbi,
        functionName: functionName as never,
        args: [demo.taskId] as never,
      }) as Promise<T>;
    const status = FINAL_EVAL_STATES[await read<number>('finalEvalStatus')];
    const task = await read<{ finalEvalHash: Hex; evalData: Hex }>('getTask');
    expect(status).toBe('Revealed');
    expect(task.finalEvalHash).toBe(hidden);
    expect((await fetch(`${world.store.url}/ipfs/${cidFromDigest(hidden)}`)).status).toBe(200);
    // What a validator scores each epoch on, from the same reads its chain adapter makes.
    const obs = {
      schedule,
      evalData: task.evalData,
      chain: { finalEval: { status, hash: status === 'Revealed' ? task.finalEvalHash : null } },
    };
    expect(epochDataHash(obs as Parameters<typeof epochDataHash>[0], DEMO_EPOCHS.submission - 1)).toBe(task.evalData);
    expect(epochDataHash(obs as Parameters<typeof epochDataHash>[0], DEMO_EPOCHS.submission)).toBe(hidden);
    expect(hidden).not.toBe(task.evalData);
    expect(logs.join('\n')).toContain(`demo: revealed the hidden final eval set of task ${demo.taskId}`);

    h = await withEnv(world.env, () => startHarness());
    const page = await h.open(`/#/tasks/${demo.taskId}`);
    await page.setViewportSize({ width: 1280, height: 900 });
    const data = page.locator('section[aria-labelledby="data-title"]');
    await data.getByText('Final evaluation data: digits-final').waitFor({ timeout: 30_000 });
    expect(await data.innerText()).toContain('revealed by the creator for the final phase');
  });
});
