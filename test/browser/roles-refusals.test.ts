// Issue 10's role-page bugs in headless Chromium against a real anvil, the real contracts and the
// real agents (test/browser/app-roles-support.ts): time is set per window from Node, and anvil's
// automine is switched off to hold a transaction in the mempool while the chain moves on.
//   1.6  a training run that cannot finish before the seal window closes is warned about;
//   1.8  a stake is confirmed once (amount, epoch it counts from, lock, fee) before it is sent,
//        with the amount field's Max button filled from the balance;
//   1.2  the validator's page says "committed" only once the chain holds the commitment, and a
//        commitment that lands late (refused in the reveal window) reads the same in every line;
//   1.1  on an ended task the Train and Validate pages say why staking is closed instead of
//        offering a form whose button would wait forever.
// Each test failed on the code before its fix (run from a worktree of that commit).
import { createHash } from 'node:crypto';
import type { Page } from 'playwright-core';
import { createTestClient, getAddress, http, parseEther, type Address, type Hex } from 'viem';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  Role,
  createTask,
  defaultTaskParams,
  drawEvalSeed,
  fund,
  join,
  revealSubmission,
  seal,
  timeIn,
  type SealedSubmission,
} from '../../scripts/lib/actions.ts';
import { ingestBytes } from '../../scripts/lib/blob-store/index.ts';
import { demoHashes } from '../../scripts/lib/demo-content.ts';
import { arenaTokenAbi, stakeManagerAbi } from '../../src/lib/chain/abi.generated.ts';
import { endTime, type Schedule } from '../../src/lib/chain/schedule.ts';
import { openAsDevAccount, startRolesWorld, type RolesWorld } from './app-roles-support.ts';
import { withEnv } from './app-support.ts';
import { chromiumAvailable, startHarness, type Harness } from './harness.ts';

const addr = (n: number): Address => getAddress(`0x${(0xfee0000 + n).toString(16).padStart(40, '0')}`);
const CREATOR = addr(1);
const TRAINERS = [addr(2), addr(3)];
// anvil's dev accounts #3 and #4 (the wallet panel's "Validator A" and "Validator B").
const VALIDATOR_A = getAddress('0x90F79bf6EB2c4f870365E785982E1f101E93b906');
const VALIDATOR_B = getAddress('0x15d34AAf54267DB7D7c367839AAf71A00a2C6A65');
const EPOCH = 1_000;

let world: RolesWorld;
let h: Harness;
let taskId: bigint;
let schedule: Schedule;

const balanceOf = (who: Address) =>
  world.driver.read<bigint>({
    address: world.driver.c.token,
    abi: arenaTokenAbi,
    functionName: 'balanceOf',
    args: [who],
  });
const poolRole = async (who: Address) =>
  (
    await world.driver.read<{ role: number }>({
      address: world.driver.c.stakeManager,
      abi: stakeManagerAbi,
      functionName: 'getPool',
      args: [taskId, who],
    })
  ).role;

const rolePage = (account: number, name: string, hash: string): Promise<Page> =>
  openAsDevAccount(h, account, name, hash);

/** Junk bytes in the blob store under their CID: fetchable, and refused by every artifact check. */
async function junkArtifact(label: string): Promise<Hex> {
  const bytes = new TextEncoder().encode(`not a model: ${label}`);
  await ingestBytes(world.store.disk, bytes, { maxFileBytes: world.store.maxBlobBytes });
  return `0x${createHash('sha256').update(bytes).digest('hex')}`;
}

beforeAll(async () => {
  if (!chromiumAvailable())
    throw new Error('Debian chromium is needed for the browser tests: apt-get install chromium');
  world = await startRolesWorld({ play: false });
  const d = world.driver;
  const hashes = demoHashes();
  for (const who of [CREATOR, ...TRAINERS, VALIDATOR_A, VALIDATOR_B]) await fund(d, who);
  // Short seal and reveal windows (20 s each) and a long score commit window: a run of many
  // epochs cannot make the first seal, and a commitment can be held in the mempool for a while.
  const created = await createTask(
    d,
    CREATOR,
    defaultTaskParams((await d.now()) + 200n, {
      modelSpec: hashes.modelSpec,
      trainData: hashes.trainData,
      evalData: hashes.evalData,
      epochLength: EPOCH,
      submissionEpochs: 2,
      sealEnd: 200,
      revealEnd: 400,
      commitEnd: 8_500,
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
  schedule = created.schedule;
  for (const t of TRAINERS) await join(d, taskId, t, Role.Trainer, parseEther('10'), parseEther('0.2'));
  await join(d, taskId, VALIDATOR_A, Role.Validator, parseEther('10'), parseEther('0.5'));
  // Just before the start: the review is over, epoch 0's seal window closes 22 s from now.
  await d.warp(schedule.startTime - 2n);
  h = await withEnv(world.env, () => startHarness());
}, 240_000);

afterAll(async () => {
  await h?.close();
  await world?.close();
});

describe('role pages refuse and report what the chain says', () => {
  it('1.6: warns that a run cannot finish before the seal window closes', async () => {
    const page = await rolePage(1, 'Trainer A', `#/tasks/${taskId}/train`);
    // The first Train page of the run: Vite transforms tfjs for it, which took over 60 s on a loaded 2-core machine.
    await page.getByRole('button', { name: 'Start training' }).waitFor({ timeout: 120_000 });
    await page.fill('input[id$="-epochs"]', '1000');
    await page.getByRole('button', { name: 'Start training' }).click();
    const warning = page.getByTestId('seal-deadline-warning');
    await warning.waitFor({ timeout: 120_000 });
    const text = await warning.innerText();
    expect(text).toMatch(
      /^At the measured speed this run needs about .+ more, but the seal window of epoch 0 closes in \d+ s \(chain time\)\./,
    );
    expect(text).toMatch(/The finished model can be sealed in epoch 1\.|cannot finish before the last seal window/);
    expect(text).toMatch(
      /a run of about \d+ training epochs? \(this one is planned for 1000\) ends before|Not even one training epoch fits/,
    );
    // The agent runs in this tab: said on every page, and the tab asks before it is closed.
    expect(await page.getByTestId('agents-running').innerText()).toContain(`Trainer agent running · task #${taskId}`);
    const asks = await page.evaluate(() => {
      const e = new Event('beforeunload', { cancelable: true });
      window.dispatchEvent(e);
      return e.defaultPrevented;
    });
    expect(asks).toBe(true);
    await page.getByRole('button', { name: 'Stop' }).click();
    await page.close();
  });

  it('1.8: a stake is confirmed once, with Max filled from the balance, and Cancel sends nothing', async () => {
    const page = await rolePage(4, 'Validator B', `#/tasks/${taskId}/validate`);
    await page.getByTestId('stake-minimum').waitFor({ timeout: 60_000 });
    const balance = await balanceOf(VALIDATOR_B);
    await page.getByTestId('stake-max').click();
    expect(await page.locator('input[id$="-amount"]').inputValue()).toBe(String(balance / 10n ** 18n));
    await page.fill('input[id$="-amount"]', '5');
    await page.getByRole('button', { name: 'Stake as validator' }).click();
    const dialog = page.getByTestId('stake-confirm');
    await dialog.getByRole('heading', { name: 'Stake 5 ARENA as a validator?' }).waitFor();
    const facts = await dialog.locator('dl').innerText();
    expect(facts).toContain('Counts from\nepoch 0');
    expect(facts).toMatch(/Locked\nuntil the task ends, in about /);
    expect(facts).toMatch(/Network fee\n(about .* ETH \(estimated, 226,817 gas\)|shown by your wallet)/);
    await page.getByTestId('stake-confirm-cancel').click();
    await page.waitForTimeout(1_500);
    expect(await poolRole(VALIDATOR_B)).toBe(0);
    expect(await balanceOf(VALIDATOR_B)).toBe(balance);
    await page.getByRole('button', { name: 'Stake as validator' }).click();
    await page.getByTestId('stake-confirm-confirm').click();
    await expect.poll(() => poolRole(VALIDATOR_B), { timeout: 60_000 }).toBe(Role.Validator);
    expect(await balanceOf(VALIDATOR_B)).toBe(balance - parseEther('5'));
    await page.close();
  });

  it('1.2: says committed only once the chain has it, and a late commitment reads the same everywhere', async () => {
    const d = world.driver;
    // Epoch 1: the blocks mined by the tests above moved chain time past epoch 0's short seal window.
    await d.warp(timeIn(schedule, 1, 100));
    const sealed: SealedSubmission[] = [];
    for (const [i, t] of TRAINERS.entries())
      sealed.push(await seal(d, taskId, 1, t, await junkArtifact(`trainer ${i}`)));
    await d.warp(timeIn(schedule, 1, 300));
    for (const s of sealed) await revealSubmission(d, taskId, s);
    await d.warp(timeIn(schedule, 1, 500));
    await drawEvalSeed(d, taskId, 1, VALIDATOR_A);
    // From here the validator's commitment waits in the mempool.
    const test = createTestClient({ mode: 'anvil', transport: http(world.driver.anvil.url) });
    await test.setAutomine(false);
    try {
      const page = await rolePage(3, 'Validator A', `#/tasks/${taskId}/validate`);
      const epoch = page.locator('section.epoch[data-epoch="1"]');
      await expect
        .poll(
          () =>
            epoch
              .getByTestId('epoch-status')
              .innerText()
              .catch(() => ''),
          { timeout: 120_000 },
        )
        .toBe('committing scores…');
      // Sent, not on chain: nothing says "committed".
      const phase = page.getByTestId('validator-phase');
      await expect
        .poll(() => phase.innerText())
        .toBe('Epoch 1: committing scores. The transaction is sent and not on chain yet.');
      expect(await epoch.getByTestId('scores').getAttribute('data-standing')).toBe('sending');
      expect(await epoch.getByTestId('scores').innerText()).toMatch(
        /^Scores being committed \(sent, not on chain yet\) \(0–10000, in list order\): 0, 0/,
      );
      expect(await page.getByTestId('committed').count()).toBe(0);

      // The block that takes it is in the score reveal window: the chain refuses it.
      await test.setNextBlockTimestamp({ timestamp: timeIn(schedule, 1, 9_000) });
      await test.mine({ blocks: 1 });
      await test.setAutomine(true);
      await expect
        .poll(() => epoch.getByTestId('epoch-status').innerText(), { timeout: 60_000 })
        .toBe('missed: the commitment did not land');
      await expect
        .poll(() => phase.innerText(), { timeout: 30_000 })
        .toBe(
          'Epoch 1: no scores committed. The commitment did not land before the commit window closed, so this epoch earns this validator nothing.',
        );
      expect(await epoch.getByTestId('scores').getAttribute('data-standing')).toBe('lost');
      expect(await epoch.getByTestId('scores').innerText()).toMatch(/^Scores prepared but not committed /);
      expect(await page.getByTestId('committed').count()).toBe(0);
      expect(await page.locator('body').innerText()).not.toMatch(
        /(?<!no )scores committed|committed scores|submissions committed/i,
      );
      await page.close();
    } finally {
      await test.setAutomine(true);
    }
  });

  it('1.1: on an ended task, Train and Validate say staking is closed instead of offering the form', async () => {
    await world.driver.warp(endTime(schedule) + 10n);
    const train = await rolePage(2, 'Trainer B', `#/tasks/${taskId}/train`);
    const closed = train.getByTestId('staking-closed');
    await closed.waitFor({ timeout: 60_000 });
    expect(await closed.innerText()).toBe('The task is over: no trainer can join it any more.');
    expect(await train.getByRole('button', { name: 'Stake and commit key' }).count()).toBe(0);
    await train.close();

    const validate = await rolePage(5, 'Delegator A', `#/tasks/${taskId}/validate`);
    await validate.getByTestId('staking-closed').waitFor({ timeout: 60_000 });
    expect(await validate.getByTestId('staking-closed').innerText()).toBe(
      'The task is over: no validator can join it any more.',
    );
    expect(await validate.getByRole('button', { name: 'Stake as validator' }).count()).toBe(0);
    await validate.close();
  });
});
