// The app in headless Chromium against a real anvil with a played task (dev server): Explore
// shows the task with the chain's numbers, the Task page its leaderboards, charts, spec and
// datasets; navigation moves focus; a 390x844 phone gets no sideways scroll. A second task
// (scored-task.ts) shows revision 2 on the Task page: who qualified and why not, the canary
// column, a validator that failed it, a rolled-over epoch, the evaluation subset and seed, and the
// verifier's ceremony. Screenshots go to test-output/ (git-ignored).
import { parseEventLogs, type Abi } from 'viem';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Page } from 'playwright-core';
import * as abis from '../../src/lib/chain/abi.generated.ts';
import { formatTokens, formatWad } from '../../src/lib/format.ts';
import { readVerifierCeremony } from '../../src/lib/chain/verifier-ceremony.ts';
import { EPOCH0_SCORES, SCORED, SCORED_SUBSET } from './scored-task.ts';
import { PLAYERS } from '../integration/support/played-task.ts';
import { horizontalOverflow, screenshot, startAppWorld, withEnv, type AppWorld } from './app-support.ts';
import { chromiumAvailable, startHarness, type Harness } from './harness.ts';

let world: AppWorld;
let h: Harness;

beforeAll(async () => {
  if (!chromiumAvailable())
    throw new Error('Debian chromium is needed for the browser tests: apt-get install chromium');
  world = await startAppWorld({ scored: true });
  h = await withEnv(world.env, () => startHarness());
}, 180_000);

afterAll(async () => {
  await h?.close();
  await world?.close();
});

const ALL_ABIS = [abis.stakeManagerAbi, abis.submissionBookAbi, abis.rewardEngineAbi].flat() as Abi;

/** The played task's booked rewards straight from its receipts (viem decoding, not the app's). */
function booked() {
  const logs = world.played.receipts.flatMap((r) => parseEventLogs({ abi: ALL_ABIS, logs: r.logs }));
  const args = (name: string) =>
    logs.filter((l) => l.eventName === name).map((l) => l.args as Record<string, bigint | string>);
  return {
    trainers: args('TrainerRewarded').reduce((n, a) => n + (a.pool as bigint), 0n),
    validators: args('ValidatorRewarded').reduce((n, a) => n + (a.pool as bigint), 0n),
    trainerRows: (epoch: bigint) =>
      args('TrainerRewarded')
        .filter((a) => a.epoch === epoch)
        .sort((x, y) => Number(x.rank) - Number(y.rank)),
    validatorRows: (epoch: bigint) => args('ValidatorRewarded').filter((a) => a.epoch === epoch),
  };
}

const cell = (page: Page, id: string) => page.locator(`tr[data-task="1"] [data-testid="${id}"] .v`).innerText();

describe('Explore', () => {
  let page: Page;
  beforeAll(async () => {
    page = await h.open('/');
    await page.locator('tr[data-task="1"]').waitFor({ timeout: 30_000 });
  });
  afterAll(() => page?.close());

  it('shows the played task with the numbers on chain', async () => {
    const { taskRegistry, stakeManager, submissionBook } = world.driver.deployment.contracts;
    const c = world.driver.client;
    const [task, trainers, validators, submissions] = await Promise.all([
      c.readContract({ address: taskRegistry, abi: abis.taskRegistryAbi, functionName: 'getTask', args: [1n] }),
      c.readContract({ address: stakeManager, abi: abis.stakeManagerAbi, functionName: 'trainersOf', args: [1n] }),
      c.readContract({ address: stakeManager, abi: abis.stakeManagerAbi, functionName: 'validatorsOf', args: [1n] }),
      c.readContract({
        address: submissionBook,
        abi: abis.submissionBookAbi,
        functionName: 'submissionCount',
        args: [1n],
      }),
    ]);
    expect(await cell(page, 'trainers')).toBe(String(trainers.length));
    expect(await cell(page, 'validators')).toBe(String(validators.length));
    expect(await cell(page, 'training-submissions')).toBe(String(submissions));
    expect(await cell(page, 'delegators')).toBe(String(PLAYERS.delegators.length));
    expect(await cell(page, 'validation-submissions')).toBe('4');
    expect(await cell(page, 'pool')).toContain(`${formatTokens(task.rewardPerEpoch * 4n)}\u00a0ARENA`);
    expect(await cell(page, 'pool')).toContain(`paid ${formatTokens(task.paid)}`);
    const b = booked();
    expect(b.trainers).toBeGreaterThan(0n);
    expect(await cell(page, 'trainer-rewards')).toContain(formatTokens(b.trainers));
    expect(await cell(page, 'validator-rewards')).toContain(formatTokens(b.validators));
    const row = await page.locator('tr[data-task="1"]').innerText();
    expect(row).toContain('Submission');
    // Playing task #2 moved the clock about 190 s into epoch 2's score commit window.
    expect(row).toMatch(
      /seal window of epoch 2 in|reveal window of epoch 2 in|score commit window of epoch 2 in|score reveal window of epoch 2 in|epoch 3 starts in|final phase starts/,
    );
    await expect.poll(() => page.title()).toBe('Explore tasks · AIArena');
    await screenshot(page, 'explore-desktop');
  });

  it('says which chain and block it shows and has a labelled main navigation', async () => {
    const status = await page.locator('header .status').innerText();
    expect(status).toMatch(/Chain 31337 · block \d+/);
    const nav = page.getByRole('navigation', { name: 'Main' });
    expect(await nav.getByRole('link', { name: 'Explore' }).getAttribute('aria-current')).toBe('page');
    expect(await nav.getByRole('link', { name: 'Dev' }).count()).toBe(1);
  });

  it('moves focus to the skip target and to the new page heading on navigation', async () => {
    await page.keyboard.press('Tab');
    expect(await page.evaluate(() => document.activeElement?.textContent)).toBe('Skip to content');
    await page.keyboard.press('Enter');
    expect(await page.evaluate(() => document.activeElement?.id)).toBe('main');
    expect(await page.evaluate(() => location.hash)).toBe('');
    await page.getByRole('link', { name: 'Task #1' }).click();
    await page.locator('h1', { hasText: 'Task #1' }).waitFor();
    await expect
      .poll(() => page.evaluate(() => document.activeElement?.tagName + ':' + document.activeElement?.textContent))
      .toBe('H1:Task #1');
    await page.goBack();
    await page.locator('h1', { hasText: 'Explore tasks' }).waitFor();
  });
});

describe('Task page', () => {
  let page: Page;
  beforeAll(async () => {
    page = await h.open('/#/tasks/1');
    await page.getByRole('table', { name: /Epoch 1 leaderboard/ }).waitFor({ timeout: 30_000 });
  });
  afterAll(() => page?.close());

  it('shows the latest finalized epoch ranked as booked, and any epoch picked', async () => {
    const check = async (epoch: bigint) => {
      const rows = booked().trainerRows(epoch);
      const table = page.getByRole('table', { name: new RegExp(`Epoch ${epoch} leaderboard`) });
      const scores = await table.locator('[data-testid="score"]').allInnerTexts();
      expect(scores).toEqual(rows.map((r) => formatWad(r.aggregate as bigint)));
      const ranks = await table.locator('tbody tr td:first-child').allInnerTexts();
      expect(ranks).toEqual(['1', '2', '3']);
      const dist = await page.locator('[data-testid="distance"]').allInnerTexts();
      expect(dist.sort()).toEqual(
        booked()
          .validatorRows(epoch)
          .map((v) => formatWad(v.distance as bigint))
          .sort(),
      );
    };
    await check(1n);
    const bar = await page
      .getByRole('figure', { name: /Distance to consensus, epoch 1/ })
      .locator('li')
      .first()
      .innerText();
    expect(bar).toMatch(/0\.\d{4} [\d,]+\.\d+ ARENA/);
    await page.getByLabel('Epoch', { exact: true }).selectOption('0');
    await page.getByRole('table', { name: /Epoch 0 leaderboard/ }).waitFor();
    expect(await page.evaluate(() => location.hash)).toBe('#/tasks/1?epoch=0');
    await check(0n);
    await page.getByLabel('Epoch', { exact: true }).selectOption('2');
    await page.getByText('Submissions revealed in epoch 2').waitFor();
    expect(await page.getByText('Scores and rewards appear once the epoch is finalized').count()).toBe(1);
  });

  it('charts scores over epochs with a table of the same numbers', async () => {
    const figure = page.getByRole('figure', { name: /Aggregate score per trainer/ });
    expect(await figure.locator('svg[role="img"] g path[fill="none"]').count()).toBe(3);
    await figure.getByText('Show the numbers').click();
    const rows = await figure.locator('table tbody tr').allInnerTexts();
    expect(rows).toHaveLength(2);
    expect(rows[0]).toContain('0.90');
  });

  it('renders the model spec and the datasets fetched by CID', async () => {
    await page.getByRole('heading', { name: 'Model: digits-mlp' }).waitFor({ timeout: 20_000 });
    const spec = await page.locator('section[aria-labelledby="spec-title"]').innerText();
    expect(spec).toContain('dense, 128 units, relu (hidden)');
    expect(spec).toContain((64 * 128 + 128 + 128 * 10 + 10).toLocaleString('en-US'));
    expect(spec).toMatch(/CID\s+bafkrei[a-z2-7]+/);
    await page.getByRole('heading', { name: 'Training data: digits-train' }).waitFor({ timeout: 20_000 });
    const data = await page.locator('section[aria-labelledby="data-title"]').innerText();
    expect(data).toContain('1,297 samples');
    expect(data).toContain('hidden until the final phase');
    await screenshot(page, 'task-desktop');
  });
});

describe('Task page, revision 2', () => {
  let page: Page;
  const logs = () => world.scored!.receipts.flatMap((r) => parseEventLogs({ abi: ALL_ABIS, logs: r.logs }));
  const args = (name: string, epoch: bigint) =>
    logs()
      .filter((l) => l.eventName === name && (l.args as { epoch?: bigint }).epoch === epoch)
      .map((l) => l.args as Record<string, unknown>);
  beforeAll(async () => {
    page = await h.open(`/#/tasks/${world.scored!.taskId}?epoch=0`);
    await page.getByRole('table', { name: /Epoch 0 leaderboard/ }).waitFor({ timeout: 30_000 });
  });
  afterAll(() => page?.close());

  it('ranks only the submissions that qualified and says why the others did not', async () => {
    const booked = args('TrainerRewarded', 0n);
    // Independent of the app: the chain booked rank 1 for A and rank 0 (did not qualify) for B and C.
    expect(booked.map((b) => [b.trainer, b.rank])).toEqual([
      [SCORED.trainers[0], 1n],
      [SCORED.trainers[1], 0n],
      [SCORED.trainers[2], 0n],
    ]);
    const rows = page.locator('[data-testid="board-row"]');
    expect(await rows.count()).toBe(3);
    expect(await page.locator('[data-testid="board-row"] [data-testid="rank"]').allInnerTexts()).toEqual([
      '1',
      '—',
      '—',
    ]);
    expect(await rows.evaluateAll((els) => els.map((e) => e.getAttribute('data-qualified')))).toEqual([
      'true',
      'false',
      'false',
    ]);
    expect(await page.locator('[data-testid="board-row"] [data-testid="score"]').allInnerTexts()).toEqual(
      booked.map((b) => formatWad(b.aggregate as bigint)),
    );
    const results = await page.locator('[data-testid="board-row"] [data-testid="result"]').allInnerTexts();
    expect(results[0]).toBe('qualified');
    expect(results[1]).toBe('did not qualify: score 0.3000 is below the floor of 50% of the best (0.9000), 0.4500');
    expect(results[2]).toBe('did not qualify: score 0.0000 is at or below the minimum score 0.0000');
    expect(await page.getByTestId('qualifying').innerText()).toBe(
      '1 of 3 submissions qualified for a rank: a score of at least 50% of the best (0.9000), so 0.4500, and above 0.',
    );
  });

  it('shows the canary column, excluded from trainer rewards, and the validator that failed it', async () => {
    const checked = args('CanaryChecked', 0n);
    expect(checked).toHaveLength(1);
    const canary = page.locator('[data-testid="canary-row"]');
    expect(await canary.count()).toBe(1);
    expect(await canary.getAttribute('data-valid')).toBe('true');
    const text = await canary.innerText();
    expect(text).toContain(`#${checked[0]!.submissionId}`);
    expect(text).toContain(formatWad(checked[0]!.aggregate as bigint));
    // The canary account is not in the trainers' leaderboard.
    const board = await page.getByRole('table', { name: /Epoch 0 leaderboard/ }).innerText();
    expect(board).not.toContain(`${SCORED.canary.slice(0, 6)}…${SCORED.canary.slice(-4)}`);
    const failed = args('ValidatorRewarded', 0n)
      .filter((v) => v.failedCanary === true)
      .map((v) => v.validator);
    expect(failed).toEqual([SCORED.validators[2]]);
    const flagged = page.locator('[data-testid="validator-row"][data-failed-canary="true"]');
    expect(await flagged.count()).toBe(1);
    expect(await flagged.locator('[data-testid="validator-note"]').innerText()).toMatch(/^failed a canary/);
    expect(EPOCH0_SCORES[2]![3]).toBe(2000);
  });

  it('gives the evaluation subset with the seed drawn on chain, or not drawn yet', async () => {
    const seed = await world.driver.client.readContract({
      address: world.driver.c.submissionBook,
      abi: abis.submissionBookAbi,
      functionName: 'evalSeedOf',
      args: [world.scored!.taskId, 0n],
    });
    const subset = page.getByTestId('eval-subset');
    expect(await subset.getAttribute('data-seed')).toBe(seed);
    expect(await subset.innerText()).toContain(`Evaluation subset: ${SCORED_SUBSET} samples of the eval set`);
    expect(await page.getByTestId('subset-size').innerText()).toBe(`${SCORED_SUBSET} samples`);
    expect(await page.getByTestId('min-validators').innerText()).toBe('3');
    await screenshot(page, 'task-rev2-epoch0-desktop');
    await page.getByLabel('Epoch', { exact: true }).selectOption('2');
    await page.getByText('Submissions revealed in epoch 2').waitFor();
    expect(await page.getByTestId('eval-subset').innerText()).toMatch(/seed not drawn yet/);
  });

  it('says an epoch with fewer validators than minValidators paid nobody and rolled over', async () => {
    const [finalized] = args('EpochFinalized', 1n);
    expect(finalized).toMatchObject({ degenerate: true });
    await page.getByLabel('Epoch', { exact: true }).selectOption('1');
    const rollover = page.getByTestId('rollover');
    await rollover.waitFor();
    expect(await rollover.innerText()).toBe(
      `${formatTokens(finalized!.rollover as bigint, 4)} ARENA rolls over to the next scoring epoch: only 2 validators revealed scores and the task needs at least 3: an epoch with fewer pays nobody.`,
    );
    expect(await page.getByTestId('rolled-over').innerText()).toContain(
      formatTokens((finalized!.rollover as bigint) + (args('EpochFinalized', 0n)[0]!.rollover as bigint), 2),
    );
  });

  it('names the ceremony the deployed ownership verifier came from', async () => {
    const c = await readVerifierCeremony(world.driver.client, world.driver.c.watermarkVerifier!);
    expect(c.development).toBe(true);
    expect(await page.getByTestId('ceremony-title').innerText()).toBe('Development ceremony (insecure)');
    expect(await page.getByTestId('ceremony').innerText()).toContain('anyone can forge an ownership proof');
    expect(await page.getByTestId('ceremony-zkey').innerText()).toBe(c.zkeySha256);
  });

  it('fits a 360 px phone', async () => {
    await page.setViewportSize({ width: 360, height: 740 });
    await page.getByLabel('Epoch', { exact: true }).selectOption('0');
    await page.locator('[data-testid="canary-row"]').waitFor();
    const o = await horizontalOverflow(page);
    expect(o.scroll, o.culprits.join('; ')).toBeLessThanOrEqual(o.client);
    await screenshot(page, 'task-rev2-phone');
  });
});

describe('addresses', () => {
  it('says when a task does not exist or an address is wrong', async () => {
    const page = await h.open('/#/tasks/99');
    try {
      await page.getByText('There is no task #99 on chain 31337 (tasks go up to #2).').waitFor({ timeout: 30_000 });
      await page.goto(`${h.base}/#/tasks/abc`);
      await page.getByRole('heading', { name: 'Page not found' }).waitFor();
      expect(await page.locator('main').innerText()).toContain('"abc" is not a task number');
      await page.goto(`${h.base}/#/tasks/1/train`);
      await page.getByRole('heading', { name: /Train · Task #1/ }).waitFor();
      expect(await page.getByRole('link', { name: 'Back to task #1' }).getAttribute('href')).toBe('#/tasks/1');
      await expect.poll(() => page.title()).toBe('Train · Task #1 · AIArena');
    } finally {
      await page.close();
    }
  });
});

describe('phone', () => {
  it('renders Explore and the Task page at 390x844 without sideways scrolling', async () => {
    const page = await h.context.newPage();
    try {
      await page.setViewportSize({ width: 390, height: 844 });
      await page.goto(`${h.base}/`);
      await page.locator('tr[data-task="1"]').waitFor({ timeout: 30_000 });
      const o1 = await horizontalOverflow(page);
      expect(o1.scroll, o1.culprits.join('; ')).toBeLessThanOrEqual(o1.client);
      const nav = await page.getByRole('navigation', { name: 'Main' }).boundingBox();
      expect(nav!.y + nav!.height).toBeCloseTo(844, 0);
      await screenshot(page, 'explore-phone');
      await page.goto(`${h.base}/#/tasks/1`);
      await page.getByRole('heading', { name: 'Model: digits-mlp' }).waitFor({ timeout: 30_000 });
      const o2 = await horizontalOverflow(page);
      expect(o2.scroll, o2.culprits.join('; ')).toBeLessThanOrEqual(o2.client);
      await screenshot(page, 'task-phone');
      await page.setViewportSize({ width: 360, height: 740 });
      const o3 = await horizontalOverflow(page);
      expect(o3.scroll, o3.culprits.join('; ')).toBeLessThanOrEqual(o3.client);
    } finally {
      await page.close();
    }
  });
});
