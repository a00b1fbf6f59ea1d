// Issue 10, 1.6, before the run: the Train page warns that a planned run cannot finish before the
// seal window closes as soon as the epochs are set, not only once the run reports progress, and
// offers the number of training epochs that fits. Headless Chromium against a real anvil and the
// real contracts (test/browser/app-roles-support.ts); the task trains the fashion CNN on the
// bundled 60,000-image training set, so 1000 epochs take hours on any backend while the seal
// window closes in 12 minutes. It failed on the code before the fix (run from a worktree of it).
import type { Page } from 'playwright-core';
import { getAddress, parseEther, type Address } from 'viem';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTask, defaultTaskParams, fund } from '../../scripts/lib/actions.ts';
import { sha256Hex } from '../../scripts/lib/demo-content.ts';
import { readFileSync } from 'node:fs';
import { openAsDevAccount, startRolesWorld, type RolesWorld } from './app-roles-support.ts';
import { withEnv } from './app-support.ts';
import { chromiumAvailable, startHarness, type Harness } from './harness.ts';

const CREATOR: Address = getAddress('0x000000000000000000000000000000000fee0001');
const file = (p: string) => sha256Hex(readFileSync(new URL(`../../public/${p}`, import.meta.url)));

let world: RolesWorld;
let h: Harness;
let taskId: bigint;

const trainPage = (): Promise<Page> => openAsDevAccount(h, 1, 'Trainer A', `#/tasks/${taskId}/train`);

beforeAll(async () => {
  if (!chromiumAvailable())
    throw new Error('Debian chromium is needed for the browser tests: apt-get install chromium');
  world = await startRolesWorld({ play: false });
  const d = world.driver;
  await fund(d, CREATOR);
  // Epochs of an hour, seal windows of 12 minutes, two submission epochs.
  const created = await createTask(
    d,
    CREATOR,
    defaultTaskParams((await d.now()) + 200n, {
      modelSpec: file('specs/fashion-cnn.json'),
      trainData: file('datasets/fashion-mnist-train/manifest.json'),
      evalData: file('datasets/fashion-mnist-eval/manifest.json'),
      epochLength: 3_600,
      submissionEpochs: 2,
      // In basis points of the epoch: the seal window is its first 12 minutes.
      sealEnd: 2_000,
      revealEnd: 3_000,
      commitEnd: 8_000,
      evalSubsetSize: 128,
      stakeRules: {
        minTrainerStake: parseEther('1'),
        minValidatorStake: parseEther('1'),
        maxTrainers: 256,
        maxValidators: 512,
        sigmaCooldown: 1,
      },
    }),
  );
  taskId = created.taskId;
  // Just before the start: epoch 0's seal window closes 12 minutes from now.
  await d.warp(created.schedule.startTime - 2n);
  h = await withEnv(world.env, () => startHarness());
}, 240_000);

afterAll(async () => {
  await h?.close();
  await world?.close();
});

describe('Train page, before the run starts', () => {
  it('1.6: warns that the planned epochs cannot finish before the seal window closes, and offers what fits', async () => {
    const page = await trainPage();
    const start = page.getByRole('button', { name: 'Start training' });
    await start.waitFor({ timeout: 120_000 });
    await page.fill('input[id$="-epochs"]', '1000');
    const warning = page.getByTestId('seal-plan-warning');
    await warning.waitFor({ timeout: 60_000 });
    // Nothing has started: the warning comes from the plan, not from a run's progress.
    expect(await page.getByTestId('training-status').innerText()).toBe('Idle');
    expect(await page.getByTestId('train-progress').count()).toBe(0);
    expect(await warning.innerText()).toMatch(/^At (the speed measured on this device|the benchmark speed) of /);
    // Typing the epochs timed the backend here: the plan moves from the benchmark prior to it.
    await expect
      .poll(() => warning.innerText(), { timeout: 90_000 })
      .toMatch(/^At the speed measured on this device of \w+ \([\d,]+ samples\/s\)/);
    // The sentence and the button at one instant (the seconds left change while the page is read).
    const { text, fit, label } = await page.evaluate(() => {
      const read = (id: string) => document.querySelector(`[data-testid="${id}"]`);
      return {
        text: read('seal-plan-warning')?.textContent?.trim() ?? '',
        fit: Number(read('seal-plan-use')?.getAttribute('data-epochs')),
        label: read('seal-plan-use')?.textContent?.replace(/\s+/g, ' ').trim() ?? '',
      };
    });
    const m = text.match(
      /^At the speed measured on this device of \w+ \(([\d,]+) samples\/s\), 1000 training epochs of 60,000 samples \(938 steps of 64 each\) need about [^,]+, but the seal window of epoch 0 closes in (\d+) min (\d\d) s \(chain time\)\./,
    );
    expect(m, text).not.toBeNull();
    const sps = Number(m![1]!.replace(/,/g, ''));
    const left = Number(m![2]) * 60 + Number(m![3]);
    expect(left).toBeGreaterThan(300);
    expect(left).toBeLessThanOrEqual(722);
    expect(text).toContain('Only the weights the run has by then can be sealed for that epoch.');
    expect(text).toContain(
      'It cannot finish before the last seal window this account can use (epoch 1) closes either.',
    );
    // The epochs that fit in nine tenths of the time left at that speed (938 steps of 64 an epoch;
    // the shown speed is rounded, so one either side).
    expect(Math.abs(fit - Math.floor((left * 0.9 * sps) / (938 * 64)))).toBeLessThanOrEqual(1);
    expect(fit).toBeGreaterThanOrEqual(1);
    expect(fit).toBeLessThan(1000);
    expect(text).toContain(
      `About ${fit} training epoch${fit === 1 ? ' fits' : 's fit'} before epoch 0's seal window closes`,
    );
    expect(label).toBe(`Use ${fit} training epoch${fit === 1 ? '' : 's'}`);
    // The user may still start the long run.
    expect(await start.isEnabled()).toBe(true);

    // One click sets the epochs that fit (one fewer when the time left dropped past an epoch's
    // worth meanwhile), and the warning goes.
    await page.getByTestId('seal-plan-use').click();
    expect([String(fit), String(fit - 1)]).toContain(await page.locator('input[id$="-epochs"]').inputValue());
    await expect.poll(() => warning.count(), { timeout: 5_000 }).toBe(0);
    expect(await page.getByTestId('training-status').innerText()).toBe('Idle');
    await page.close();
  });
});
