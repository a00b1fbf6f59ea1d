// Issue 11, story (d): a trainer whose tab is closed during the response window fails, and the
// page says why. Headless Chromium against a real anvil, the blob store and the dev server.
// Setup from Node (as challenge-verdict-ui.test.ts): a digits task, Trainer A joined with a
// watermark key, a sealed and revealed submission in epoch 0. Then in the browser Trainer A opens
// the Train page with that key in the device's key store: its agent runs there and steps (its
// stored state says so). The tab is closed (the page's unload guard answered as a person would).
// Validator A challenges the submission from Node; another tab's Dev page moves chain time past
// the response window with its buttons; the challenge is resolved from Node (upheld: no answer).
// When Trainer A opens the app again, the Train page and the Challenges page say that it failed
// challenge #1 because nothing answered within the window while its tab was closed (since the
// agent's last step, read from its IndexedDB state), what it lost to the exact wei (read from the
// chain), and that its later submissions are excluded.
import { readFileSync } from 'node:fs';
import type { Page } from 'playwright-core';
import { formatUnits, http, keccak256, toHex, type Address, type Hex } from 'viem';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sha256Hex } from '../../scripts/lib/demo-content.ts';
import { devAccounts } from '../../scripts/lib/dev-accounts.ts';
import { localPublicClient, localWallet } from '../../scripts/lib/local-chain.ts';
import { benchKey } from '../../scripts/lib/watermark-attacks.ts';
import {
  advanceToWindow,
  challenge,
  createTask,
  devClock,
  faucet,
  joinTask,
  readChallenges,
  readPool,
  resolveChallenge,
  revealSubmission,
  sealSubmission,
  type ActionContext,
} from '../../src/lib/chain/actions/index.ts';
import { formatChainTime } from '../../src/lib/chain/tx/sentences.ts';
import { seededTranscript } from '../../src/lib/chain/transcript-commit.ts';
import { keyCommit } from '../../src/lib/ml/watermark/commit.ts';
import { fieldToBytes32 } from '../../src/lib/ml/watermark/field.ts';
import { keyToJson } from '../../src/lib/ml/watermark/key.ts';
import { challengeTaskParams } from '../integration/support/challenge-task.ts';
import { digitsDataHashes } from '../integration/support/public-files.ts';
import { connectDevAccount, devStep, shot, startRolesWorld, type RolesWorld } from './app-roles-support.ts';
import { horizontalOverflow, withEnv } from './app-support.ts';
import { chromiumAvailable, startHarness, type Harness } from './harness.ts';

const WAD = 10n ** 18n;
const T = (n: number) => BigInt(n) * WAD;
/** An odd stake, so the slashed half has all 18 decimals to show. */
const STAKE = 20n * WAD + 123_456_789_012_345_679n;
const BOND = T(5);
/** Twenty minutes to answer; epochs of 1000 s, so two "Next epoch" clicks pass the deadline. */
const RESPONSE = 1_200;
const KEY = benchKey(64, 128, 'ui/tab-closed');

let world: RolesWorld;
let h: Harness;
let taskId: bigint;
const ctx = {} as Record<'creator' | 'trainer' | 'validator', ActionContext>;
const me = (c: ActionContext): Address => c.wallet.account.address;
/** The trainer agent's stored state in this browser (its IndexedDB record). */
let scope: { chainId: number; registry: Address; taskId: string; account: Address };
/** The agent's last step before its tab was closed (chain time). */
let lastRunning: bigint;

async function shown(page: Page, testid: string, timeout = 30_000) {
  try {
    await page.getByTestId(testid).waitFor({ timeout });
  } catch (e) {
    throw new Error(
      `${testid} did not show in ${timeout} ms; the page showed:\n${await page.locator('main').innerText()}`,
      {
        cause: e,
      },
    );
  }
}

/** The agent's stored lastSeen, read in the page (a string, not a function: vitest rewrites import()). */
const storedLastSeen = (page: Page): Promise<string | null> =>
  page.evaluate(`(async () => {
    const { openAgentStore } = await import('/src/lib/agents/store.ts');
    const s = ${JSON.stringify(scope)};
    const store = await openAgentStore();
    const rec = await store.loadState({ ...s, taskId: BigInt(s.taskId), role: 'trainer' });
    store.close();
    return rec && rec.state.lastSeen !== null ? String(rec.state.lastSeen) : null;
  })()`);

/** A tab of the app with Trainer A connected (the wallet choice is remembered; connect if not). */
async function openAsTrainer(hash: string): Promise<Page> {
  const page = await h.open(hash);
  await page.setViewportSize({ width: 1280, height: 900 });
  await page.getByTestId('wallet-button').waitFor({ timeout: 30_000 });
  const back = await page
    .waitForFunction(
      () => document.querySelector('[data-testid="wallet-button"]')?.textContent?.includes('Trainer A') ?? false,
      undefined,
      { timeout: 5_000 },
    )
    .then(() => true)
    .catch(() => false);
  if (!back) await connectDevAccount(page, 1, 'Trainer A');
  return page;
}

beforeAll(async () => {
  if (!chromiumAvailable())
    throw new Error('Debian chromium is needed for the browser tests: apt-get install chromium');
  world = await startRolesWorld({ play: false });
  const url = world.driver.anvil.url;
  const client = localPublicClient(url);
  const keys = devAccounts(4);
  const dev = (i: number): ActionContext => ({
    publicClient: client,
    deployment: world.driver.deployment,
    wallet: localWallet(url, keys[i]!.privateKey) as ActionContext['wallet'],
  });
  ctx.creator = dev(0);
  ctx.trainer = dev(1);
  ctx.validator = dev(3);
  for (const c of Object.values(ctx)) await faucet(c, { amount: T(1_000) });
  const clock = devClock(http(url));
  const now = (await client.getBlock()).timestamp;
  const spec = sha256Hex(readFileSync(new URL('../../public/specs/digits-mlp.json', import.meta.url)));
  ({ taskId } = await createTask(
    ctx.creator,
    challengeTaskParams(
      now + 60n,
      { bond: BOND, responseTime: RESPONSE, slashBps: 5_000, disputeTime: 3_600, voteTime: 2_000, juryBps: 1_000 },
      { submissionEpochs: 1, challengeEpochs: 3, modelSpec: spec as Hex, ...(await digitsDataHashes()) },
    ),
  ));
  await joinTask(ctx.trainer, {
    taskId,
    role: 'trainer',
    amount: STAKE,
    sigma: WAD / 2n,
    keyCommit: fieldToBytes32(keyCommit(KEY)) as Hex,
  });
  await joinTask(ctx.validator, { taskId, role: 'validator', amount: T(10), sigma: WAD });
  const submission = {
    taskId,
    artifactHash: keccak256(toHex('artifact of trainer A')),
    wmCommit: keccak256(toHex('wm of trainer A')),
    transcript: seededTranscript(keccak256(toHex('transcript of trainer A')), 8),
    salt: keccak256(toHex('seal salt of trainer A')),
  };
  await advanceToWindow(ctx.creator, clock, taskId, 'Seal', 0);
  await sealSubmission(ctx.trainer, submission);
  await advanceToWindow(ctx.creator, clock, taskId, 'Reveal', 0);
  // A synthetic artifact stands for a file of one chunk: its root is its hash.
  await revealSubmission(ctx.trainer, { ...submission, artifactRoot: submission.artifactHash });
  scope = {
    chainId: world.driver.deployment.chainId,
    registry: world.driver.c.taskRegistry,
    taskId: String(taskId),
    account: me(ctx.trainer),
  };
  h = await withEnv(world.env, () => startHarness());
}, 240_000);

afterAll(async () => {
  await h?.close();
  await world?.close();
});

describe('story (d): the tab is closed during the response window', () => {
  it("the trainer's agent runs in its tab, and the tab is closed before the challenge", async () => {
    const page = await openAsTrainer('/#/');
    // The key its agent made when it joined, in this browser's key store (the agent finds it there).
    await page.evaluate(`(async () => {
      const [{ openAgentDatabase }, { keyStoreOn }, { keyFromJson }] = await Promise.all([
        import('/src/lib/agents/store.ts'), import('/src/lib/agents/keys.ts'), import('/src/lib/ml/watermark/key.ts'),
      ]);
      const ref = ${JSON.stringify(scope)};
      const db = await openAgentDatabase();
      await keyStoreOn(db).put({ ...ref, taskId: BigInt(ref.taskId) }, keyFromJson(${JSON.stringify(keyToJson(KEY))}));
      db.close();
    })()`);
    await page.evaluate((hh) => (location.hash = hh), `#/tasks/${taskId}/train`);
    await shown(page, 'trainer-phase', 60_000);
    // Its agent has stepped and stored its state: chain time of its last step.
    await expect.poll(() => storedLastSeen(page), { timeout: 20_000 }).not.toBeNull();
    expect(await page.getByTestId('failed-challenges').count()).toBe(0);
    // Closed as a person closes it: the unload guard may ask, and the person leaves.
    page.on('dialog', (d) => void d.accept());
    const closed = page.waitForEvent('close');
    await page.close({ runBeforeUnload: true });
    await closed;
    lastRunning = BigInt((await storedLastSeen(await h.open('/#/dev')))!);
    // The Dev tab does not run the trainer agent: its last step stays where the closed tab left it.
  });

  it('challenged while the tab is closed; the Dev page moves time past the window; resolved, upheld', async () => {
    const { challengeId } = await challenge(ctx.validator, { taskId, submissionId: 0n });
    expect(challengeId).toBe(1n);
    const dev = h.context.pages().find((p) => p.url().endsWith('#/dev'))!;
    await dev.getByRole('button', { name: `Next epoch of task ${taskId}` }).waitFor({ timeout: 30_000 });
    await devStep(dev, `Next epoch of task ${taskId}`, /epoch 1 of task #\d+ has started/);
    await devStep(dev, `Next epoch of task ${taskId}`, /epoch 2 of task #\d+ has started/);
    const open = (await readChallenges(ctx.validator, { taskId })).challenges[0]!;
    expect(open.status).toBe('open');
    expect(
      await localPublicClient(world.driver.anvil.url)
        .getBlock()
        .then((b) => b.timestamp),
    ).toBeGreaterThan(open.deadline);
    // Nothing answered: the agent's tab was closed the whole window.
    expect([open.proven, open.disclosure]).toEqual([false, null]);
    expect(lastRunning).toBeLessThanOrEqual(open.opened.time);
    expect(await storedLastSeen(dev)).toBe(String(lastRunning));
    const pool = await readPool(ctx.validator, taskId, me(ctx.trainer));
    await resolveChallenge(ctx.validator, { challengeId: 1n });
    const c = (await readChallenges(ctx.validator, { taskId })).challenges[0]!;
    expect(c.status).toBe('upheld');
    expect(c.settled!.slashed).toBe(pool.ownLatest / 2n);
    expect(c.settled!.rewards).toBe(pool.ownRewards + pool.delegatorRewards);
    await dev.close();
  });

  it('the trainer opens the app again: the Train page says it failed challenge #1, why, what it lost, and the exclusion', async () => {
    const c = (await readChallenges(ctx.validator, { taskId })).challenges[0]!;
    const s = c.settled!;
    const exact = (wei: bigint) => `${formatUnits(wei, 18)} ARENA`;
    const why = `You did not answer within the response window, which ended at ${formatChainTime(c.deadline)}: neither the ownership proof nor the training transcript was posted. Your trainer agent answers challenges by itself only while its tab is open, and its tab was closed from ${formatChainTime(lastRunning)} until after the window ended, so nothing answered it.`;
    const lost = `You lost ${exact(s.rewards! + s.slashed!)}: ${exact(s.rewards!)} of unvested rewards (your delegators' share included) and ${exact(s.slashed!)} of your stake (slashed), to the challenger 0x90F7…b906.`;
    const excluded = `Your later submissions in task #${taskId} are excluded: you can no longer submit in it. Epochs already scored are not re-ranked.`;
    // The exact slash: half of an odd stake, every decimal.
    expect(formatUnits(s.slashed!, 18)).toBe('10.061728394506172839');

    const page = await openAsTrainer(`/#/tasks/${taskId}/train`);
    await shown(page, 'failed-challenge-1', 60_000);
    const card = page.getByTestId('failed-challenge-1');
    expect(await card.locator('h3').innerText()).toBe('You failed challenge #1 (submission #0, epoch 0)');
    expect(await card.locator('[data-part="why"]').innerText()).toBe(why);
    expect(await card.locator('[data-part="lost"]').innerText()).toBe(lost);
    expect(await card.locator('[data-part="excluded"]').innerText()).toBe(excluded);
    await expect
      .poll(() => page.getByTestId('trainer-phase').getAttribute('data-phase'), { timeout: 20_000 })
      .toBe('excluded');
    // The agent stepped again here; the page still knows since when its tab had been closed.
    await expect.poll(() => storedLastSeen(page), { timeout: 20_000 }).not.toBe(String(lastRunning));
    expect(await card.locator('[data-part="why"]').innerText()).toBe(why);
    await shot(page, 'train-failed-challenge-desktop');

    // The Challenges page says the same on the trainer's own card.
    await page.evaluate((hh) => (location.hash = hh), `#/tasks/${taskId}/challenges`);
    await shown(page, 'failure-1');
    const failure = page.getByTestId('failure-1');
    expect(await failure.locator('h3').innerText()).toBe('You failed challenge #1 (submission #0, epoch 0)');
    // Its agent has run since (this tab): the window is known to have passed with the tab closed,
    // the time it last ran before is no longer.
    expect(await failure.locator('[data-part="why"]').innerText()).toBe(
      why.replace(` from ${formatChainTime(lastRunning)}`, ''),
    );
    expect(await failure.locator('[data-part="lost"]').innerText()).toBe(lost);
    expect(await failure.locator('[data-part="excluded"]').innerText()).toBe(excluded);
    await page.setViewportSize({ width: 390, height: 844 });
    await page.waitForTimeout(300);
    const overflow = await horizontalOverflow(page);
    expect(overflow.scroll, overflow.culprits.join(', ')).toBeLessThanOrEqual(overflow.client);
  });
});
