// The steps of a whole task as people play them in the app (journey.ts): create a task with a
// hidden final eval set, stake and train, stake and validate, delegate, seal and reveal, score an
// epoch, reveal the final set, challenge and answer, and take everything out at the end. Each step
// checks what it did against the chain and every screen it shows with Journey.check.
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import type { Page } from 'playwright-core';
import type { Address } from 'viem';
import { expect } from 'vitest';
import { actionsChainPort } from '../../src/lib/agents/index.ts';
import {
  advanceTo,
  readChallenges,
  readClaimables,
  readLeaderboard,
  readPool,
  resolveChallenge,
} from '../../src/lib/chain/actions/index.ts';
import { arenaTokenAbi, taskRegistryAbi } from '../../src/lib/chain/abi.generated.ts';
import { FINAL_EVAL_STATES } from '../../src/lib/chain/reads/task-record.ts';
import { formatTokens, shortHex } from '../../src/lib/format.ts';
import { waitAttr, waitText, type Journey, type RoleKey } from './journey.ts';

export const WAD = 10n ** 18n;
const FINAL_DIR = new URL('../../datasets/hidden/digits-final/', import.meta.url).pathname;

export const balance = (j: Journey, who: Address): Promise<bigint> =>
  j.stack.client.readContract({
    address: j.stack.deployment.contracts.token,
    abi: arenaTokenAbi,
    functionName: 'balanceOf',
    args: [who],
  });

export const readTask = (j: Journey) =>
  j.stack.client.readContract({
    address: j.stack.deployment.contracts.taskRegistry,
    abi: taskRegistryAbi,
    functionName: 'getTask',
    args: [j.taskId],
  });

/** Opens every collapsed group of the Create form the way a person does: by its summary. */
async function openGroups(page: Page): Promise<void> {
  for (const summary of ['Windows within an epoch', 'Stakes', 'Challenges', 'Scoring and consensus']) {
    const details = page.locator('details', { has: page.locator('summary', { hasText: summary }) });
    if ((await details.count()) && !(await details.first().evaluate((d) => (d as HTMLDetailsElement).open)))
      await page.locator('summary', { hasText: summary }).click();
  }
}

/**
 * The creator fills the Create form with `typed` (field ids without `task-`), picks the hidden
 * final eval set from this device when the task has final epochs, creates the task (one
 * confirmation) and lands on its number. Sets `j.taskId` and `j.schedule`.
 */
export async function createTask(j: Journey, page: Page, typed: Record<string, string>): Promise<void> {
  await page.getByTestId('spec-summary').waitFor({ timeout: 60_000 });
  for (const set of ['train', 'eval'])
    await expect
      .poll(() => page.locator(`[data-testid="dataset-${set}"] [data-testid="dataset-summary"]`).count(), {
        timeout: 30_000,
      })
      .toBe(1);
  await openGroups(page);
  for (const [k, v] of Object.entries(typed)) await page.fill(`#task-${k}`, v);
  if (Number(typed.finalEpochs ?? 0) > 0) {
    await page.setInputFiles(
      '#final-files',
      readdirSync(FINAL_DIR).map((f) => join(FINAL_DIR, f)),
    );
    await page.getByTestId('final-secret').waitFor({ timeout: 30_000 });
    // The salt's backup, which the page asks for before it sends the task.
    const [download] = await Promise.all([page.waitForEvent('download'), page.getByTestId('download-backup').click()]);
    expect(download.suggestedFilename()).toMatch(/\.json$/);
  }
  await j.check(page, 'create-filled');
  await page.getByTestId('create-task').click();
  // Creating asks once (issue 10, 1.8); a form the page refuses says why in its error summary.
  const confirm = page.getByTestId('create-confirm-confirm');
  await confirm.or(page.getByTestId('error-summary')).first().waitFor({ timeout: 30_000 });
  if (!(await confirm.isVisible()))
    throw new Error(`Create refused: ${await page.getByTestId('error-summary').innerText()}`);
  await confirm.click();
  await page.getByTestId('created').waitFor({ timeout: 60_000 });
  j.taskId = await j.stack.client.readContract({
    address: j.stack.deployment.contracts.taskRegistry,
    abi: taskRegistryAbi,
    functionName: 'taskCount',
  });
  expect(await page.getByTestId('created').innerText()).toContain(`Open task #${j.taskId}`);
  j.schedule = { ...(await readTask(j)).schedule };
  j.mark(`task ${j.taskId} created on the Create page`);
}

/** A trainer stakes with its key commitment (one confirmation) and starts training `epochs`. */
export async function stakeAndTrain(
  j: Journey,
  role: RoleKey,
  p: { stake: string; epochs: number; sigmaPercent?: string },
): Promise<Page> {
  const page = await j.open(role, `#/tasks/${j.taskId}/train`);
  await page.getByLabel('Stake (ARENA)').fill(p.stake);
  if (p.sigmaPercent) await page.getByLabel('Own reward share (%)').fill(p.sigmaPercent);
  await page.getByRole('button', { name: 'Stake and commit key' }).click();
  const confirm = page.getByTestId('stake-confirm-confirm');
  await confirm.waitFor({ timeout: 10_000 });
  await j.check(page, `train-confirm-${role}`);
  await confirm.click();
  await waitText(page, page.getByTestId('stake-role'), (t) => t === 'Trainer', 60_000, `${role} staked`);
  expect((await readPool(j.stack.read, j.taskId, j.address(role))).ownLatest).toBe(BigInt(p.stake) * WAD);
  await page.getByLabel('Training epochs').fill(String(p.epochs));
  await page.getByRole('button', { name: 'Start training' }).click();
  j.mark(`${role} staked ${p.stake} and started ${p.epochs} training epochs`);
  return page;
}

/** Waits until each trainer's agent holds a model it can seal. */
export async function waitSealable(j: Journey, roles: readonly RoleKey[]): Promise<void> {
  for (const role of roles)
    await waitAttr(
      j.pages.get(role)!,
      'trainer-phase',
      'data-phase',
      (v) => v === 'waiting-seal',
      180_000,
      `${role} sealable`,
    );
  await j.check(j.pages.get(roles[0]!)!, 'train-sealable');
  j.mark(`${roles.join(', ')} have sealable models`);
}

/** A validator stakes (one confirmation); the tab stays open unless `close`. */
export async function stakeValidator(j: Journey, role: RoleKey, stake: string, close = false): Promise<void> {
  const page = await j.open(role, `#/tasks/${j.taskId}/validate`);
  await page.getByLabel('Stake (ARENA)').fill(stake);
  await page.getByRole('button', { name: 'Stake as validator' }).click();
  await page.getByTestId('stake-confirm-confirm').click();
  await waitText(page, page.getByTestId('stake-role'), (t) => t === 'Validator', 60_000, `${role} staked`);
  expect((await readPool(j.stack.read, j.taskId, j.address(role))).role).toBe(2);
  await j.check(page, `validate-staked-${role}`);
  if (close) await page.close();
  j.mark(`${role} staked ${stake} as a validator`);
}

/** A delegator delegates `amount` to `to` on the Delegate page (one confirmation). */
export async function delegate(j: Journey, role: RoleKey, to: RoleKey, amount: string): Promise<Page> {
  const page = await j.open(role, `#/tasks/${j.taskId}/delegate`);
  const card = page.locator(`[data-testid="participant"][data-account="${j.address(to)}"]`);
  await card.waitFor({ timeout: 60_000 });
  await card.getByRole('button', { name: 'Delegate…' }).click();
  await card.getByLabel('Amount to delegate').fill(amount);
  await expect
    .poll(() => card.getByTestId('estimate').innerText(), { timeout: 30_000 })
    .toMatch(/for the amount typed/);
  await card.getByRole('button', { name: 'Delegate', exact: true }).click();
  await page.getByTestId('delegate-confirm-confirm').click();
  await card.getByTestId('delegate-notice').filter({ hasText: 'it counts from epoch 0' }).waitFor({ timeout: 60_000 });
  await card.getByTestId('my-position').waitFor({ timeout: 30_000 });
  expect(await card.getByTestId('my-position').innerText()).toBe(`You: ${amount}\u00a0ARENA delegated.`);
  await j.check(page, 'delegate');
  j.mark(`${role} delegated ${amount} to ${to}`);
  return page;
}

/**
 * The trainers' agents seal in epoch 0's seal window and reveal in its reveal window by themselves.
 * `sealedOnly`: trainers that seal and are then left alone (`beforeReveal` runs after every seal,
 * before the reveal window opens: a test closes a tab there).
 */
export async function sealAndReveal(
  j: Journey,
  roles: readonly RoleKey[],
  opts: { sealedOnly?: readonly RoleKey[]; beforeReveal?: () => Promise<void> } = {},
): Promise<void> {
  await j.advanceUntil('Seal', 'epoch 0 starts');
  const port = (role: RoleKey) => actionsChainPort(j.stack.as(j.roleIndex(role)), j.taskId);
  for (const role of [...roles, ...(opts.sealedOnly ?? [])]) {
    const page = j.pages.get(role)!;
    await waitText(
      page,
      page.getByTestId('seal-status').first(),
      (t) => t.startsWith('sealed: reveal opens next'),
      60_000,
      `${role} sealed`,
    );
    expect((await port(role).seal(0)).commitment).not.toBe(`0x${'0'.repeat(64)}`);
  }
  await opts.beforeReveal?.();
  await j.check(j.pages.get(roles[0]!)!, 'train-sealed');
  await j.nextWindow('reveal window of epoch 0');
  for (const role of roles) {
    const page = j.pages.get(role)!;
    await waitText(
      page,
      page.getByTestId('seal-status').first(),
      (t) => t.startsWith('revealed') || t.startsWith('sealed and revealed'),
      60_000,
      `${role} revealed`,
    );
    expect((await port(role).seal(0)).revealed).toBe(true);
  }
  j.mark(`${roles.join(', ')} sealed and revealed`);
}

/**
 * The validators' agents score `epoch` (from its reveal window, or from the start of a final
 * epoch): every model evaluated and scored on the subset the drawn seed selects, from the eval set
 * `dataSet` names, committed, then revealed in the score reveal window. What each page says it
 * committed is what the chain holds.
 */
export async function scoreEpoch(
  j: Journey,
  roles: readonly RoleKey[],
  epoch: number,
  dataSet: RegExp,
): Promise<number[][]> {
  const views: Page[] = [];
  for (const role of roles) views.push(await j.tab(role, `#/tasks/${j.taskId}/validate`));
  const section = (v: Page) => v.locator(`section[data-epoch="${epoch}"]`);
  if ((await j.where()).window === 'Reveal') await j.nextWindow(`score commit window of epoch ${epoch}`);
  for (const v of views) {
    await section(v).waitFor({ timeout: 60_000 });
    await waitText(
      v,
      section(v).getByTestId('epoch-data-set'),
      (t) => dataSet.test(t),
      90_000,
      `epoch ${epoch}'s data set`,
    );
    await v.waitForFunction(
      (e) => {
        const models = [...document.querySelectorAll(`section[data-epoch="${e}"] [data-testid="model"]`)];
        return (
          models.length > 0 && models.every((m) => ['scored', 'zero'].includes(m.getAttribute('data-status') ?? ''))
        );
      },
      epoch,
      { timeout: 180_000 },
    );
    await waitText(
      v,
      section(v).getByTestId('epoch-status'),
      (t) => t.startsWith('scores committed'),
      60_000,
      `epoch ${epoch} scores committed`,
    );
  }
  // Each validator's agent compared every model with the earlier ones of other trainers in its
  // page's eval worker (seeded probe inputs, SPEC 8.4): these were trained independently, so no
  // hint reaches the challenge threshold and nothing is challenged automatically.
  for (const v of views) {
    // A model that failed its checks (scored 0) has no predictions to compare.
    const models = await section(v).locator('[data-testid="model"][data-status="scored"]').count();
    const hints = v.getByTestId('auto-challenge-hints').locator('li');
    await expect.poll(() => hints.count(), { timeout: 60_000 }).toBeGreaterThanOrEqual(models);
    for (const li of await hints.all()) {
      expect(await li.getAttribute('data-flagged')).toBe('false');
      expect(await li.innerText()).toMatch(
        /^S\d+ of 0x[0-9a-fA-F]{4}…[0-9a-fA-F]{4}: closest (none earlier, — of probes|S\d+ of 0x[0-9a-fA-F]{4}…[0-9a-fA-F]{4}, \d+\.\d% of probes) — no action$/,
      );
    }
    expect(await v.getByTestId('auto-challenge-toggle').isChecked()).toBe(true);
    expect(await v.getByTestId('auto-challenge-bond').innerText()).toMatch(
      /^A challenge posts a bond of [\d.,]+ ARENA; this account holds [\d.,]+ ARENA\.$/,
    );
  }
  await j.check(views[0]!, `validate-epoch-${epoch}-committed`);
  j.mark(`epoch ${epoch}: both validators committed`);
  await j.nextWindow(`score reveal window of epoch ${epoch}`);
  for (const v of views)
    await waitText(v, section(v).getByTestId('epoch-status'), (t) => t.includes('revealed'), 60_000, 'scores revealed');
  const board = await readLeaderboard(j.stack.read, j.taskId, epoch);
  const committed: number[][] = [];
  for (const [i, role] of roles.entries()) {
    const onScreen = (await section(views[i]!).getByTestId('committed').innerText()).split(', ').map(Number);
    expect(board.validators.find((r) => r.validator === j.address(role))!.scores).toEqual(onScreen);
    committed.push(onScreen);
  }
  j.mark(`epoch ${epoch}: both validators revealed`);
  return committed;
}

/** The final phase opens: the creator reveals the hidden final eval set from the Create page. */
export async function revealFinalSet(j: Journey): Promise<void> {
  const page = await j.tab('creator', '#/create');
  const secret = page.locator('[data-testid="secret"]', { hasText: `Task #${j.taskId}` });
  await secret.getByTestId('reveal').click();
  await secret.getByTestId('reveal-notice').filter({ hasText: 'Revealed' }).waitFor({ timeout: 40_000 });
  const status = await j.stack.client.readContract({
    address: j.stack.deployment.contracts.taskRegistry,
    abi: taskRegistryAbi,
    functionName: 'finalEvalStatus',
    args: [j.taskId],
  });
  expect(FINAL_EVAL_STATES[status]).toBe('Revealed');
  await j.check(page, 'create-final-revealed');
  j.mark('creator revealed the hidden final eval set');
}

/**
 * In the challenge phase `challenger` challenges `trainer`'s submission on the Challenges page
 * (one confirmation with the bond); the trainer's agent, running in its open Train page, answers by
 * itself with a proof made in its browser and the disclosure of its sealed training transcript.
 * (The manual answer on the Challenges page, for a trainer whose agent is not running, is
 * test/browser/challenge-ui.test.ts.)
 */
export async function challengeAndAnswer(j: Journey, challenger: RoleKey, trainer: RoleKey): Promise<void> {
  const [column] = (await actionsChainPort(j.stack.as(j.roleIndex(challenger)), j.taskId).columns(0)).filter(
    (c) => c.trainer === j.address(trainer),
  );
  const id = column!.submissionId;
  const page = await j.tab(challenger, `#/tasks/${j.taskId}/challenges`);
  const before = await balance(j, j.address(challenger));
  await page.getByTestId(`challenge-${id}`).click();
  const confirm = page.getByRole('dialog', { name: `Challenge submission #${id}?` });
  await confirm.waitFor({ timeout: 10_000 });
  await j.check(page, 'challenge-confirm');
  await page.getByTestId('challenge-confirm-confirm').click();
  let challenges = (await readChallenges(j.stack.as(j.roleIndex(challenger)), { taskId: j.taskId })).challenges;
  for (let i = 0; challenges.length === 0 && i < 60; i++) {
    await page.waitForTimeout(500);
    challenges = (await readChallenges(j.stack.as(j.roleIndex(challenger)), { taskId: j.taskId })).challenges;
  }
  expect(challenges).toHaveLength(1);
  const challenge = challenges[0]!;
  const bond = before - (await balance(j, j.address(challenger)));
  expect(bond).toBeGreaterThan(0n);
  await page.getByTestId(`challenge-card-${challenge.challengeId}`).waitFor({ timeout: 30_000 });
  await j.check(page, 'challenge-open');
  j.mark(`${challenger} challenged ${trainer}'s submission #${id}`);

  // The trainer's Train page is open: its agent answers by itself, with the ownership proof made
  // in the page's zk worker and the disclosure of the transcript it trained and sealed (SPEC 7
  // step 2, 8.4); nobody clicks anything.
  const t = await j.tab(trainer, `#/tasks/${j.taskId}/train`);
  expect(await t.getByTestId('agent-answers').getAttribute('data-tone')).toBe('ok');
  let answered = challenge;
  for (let i = 0; i < 360 && !(answered.proven && answered.disclosure !== null); i++) {
    await t.waitForTimeout(500);
    answered = (await readChallenges(j.stack.read, { taskId: j.taskId })).challenges.find(
      (c) => c.challengeId === challenge.challengeId,
    )!;
  }
  expect([answered.status, answered.proven]).toEqual(['answered', true]);
  // The manifest digest the agent posted (sha256 of the manifest it uploaded), not a placeholder.
  expect(answered.disclosure).toMatch(/^0x[0-9a-f]{64}$/);
  expect(BigInt(answered.disclosure!)).not.toBe(0n);
  // On the trainer's page: the agent's notes say it was challenged and that it answered.
  const notes = t.getByTestId('agent-notes');
  await waitText(
    t,
    notes,
    (x) => x.includes(`challenge ${challenge.challengeId} is answered (proof and transcript are on chain)`),
    60_000,
    'the answered note on the Train page',
  );
  expect(await notes.innerText()).toContain(`your submission was challenged (challenge ${challenge.challengeId})`);
  // On the challenger's page: the answer's stage names the disclosed manifest.
  await waitText(
    page,
    page.getByTestId(`challenge-card-${challenge.challengeId}`),
    (x) => x.includes(`disclosed its training transcript (${shortHex(answered.disclosure!)})`),
    60_000,
    'the disclosure on the Challenges page',
  );
  // The bond stays with the module until the outcome.
  expect(await balance(j, j.address(challenger))).toBe(before - bond);
  await j.check(t, 'challenge-answered');
  j.mark(`${trainer} answered with a proof and a disclosure; the dispute window is open`);
}

/**
 * Nobody disputed the answered challenges: once their dispute windows are over, anyone resolves
 * them and each bond goes to its trainer (SPEC 7 step 3). Run before the trainers take their
 * rewards out: rewards vest only once no challenge is open.
 */
export async function clearUndisputed(j: Journey): Promise<void> {
  const { challenges } = await readChallenges(j.stack.read, { taskId: j.taskId });
  for (const c of challenges.filter((x) => x.status === 'answered')) {
    if ((await j.where()).now <= c.disputeDeadline!)
      await advanceTo(j.stack.read, j.stack.clock, c.disputeDeadline! + 1n);
    const before = await balance(j, c.trainer);
    const r = await resolveChallenge(j.stack.as(j.roleIndex('creator')), { challengeId: c.challengeId });
    expect(r).toMatchObject({ outcome: 'cleared', toTrainer: c.bond, juryShare: 0n });
    expect(await balance(j, c.trainer)).toBe(before + c.bond);
    j.mark(`challenge #${c.challengeId} cleared: nobody disputed, the bond went to the trainer`);
  }
}

/**
 * On the Rewards page `role` claims every reward and withdraws every stake, delegation and unspent
 * deposit available now, and exactly what the chain said it could take arrives; nothing is left.
 * Returns what it received.
 */
export async function takeEverythingOut(j: Journey, role: RoleKey): Promise<bigint> {
  const who = j.address(role);
  const claims = await readClaimables(j.stack.read, who);
  expect(
    claims.rewards.filter((r) => !r.now),
    `${role} has rewards it cannot claim`,
  ).toEqual([]);
  expect(
    claims.withdrawals.filter((w) => !w.now),
    `${role} has principal it cannot withdraw`,
  ).toEqual([]);
  const task = await readTask(j);
  const deposit = task.creator === who ? task.remainder - task.refunded : 0n;
  const due = claims.claimableNow + claims.withdrawableNow + deposit;
  const page = await j.tab(role, '#/rewards');
  await page.getByRole('heading', { name: 'Rewards', level: 1 }).waitFor();
  await waitText(
    page,
    page.getByTestId('claimable-now'),
    (t) => t === `${formatTokens(claims.claimableNow, 4)}\u00a0ARENA`,
    30_000,
    `${role} claimable`,
  );
  await j.check(page, `rewards-${role}`);
  const before = await balance(j, who);
  if (claims.claimableNow > 0n) {
    await page.getByTestId('claim-all').click();
    await page.getByTestId('claim-summary').waitFor({ timeout: 60_000 });
    expect(await page.getByTestId('claim-summary').innerText()).toMatch(
      new RegExp(
        `^Claimed ${formatTokens(claims.claimableNow, 4).replaceAll('.', '\\.')} ARENA in \\d transactions?\\.$`,
      ),
    );
  }
  // Principal and deposits, one Withdraw button per row.
  for (;;) {
    const button = page.getByRole('button', { name: /^Withdraw: / }).first();
    if (!(await button.count())) break;
    const label = await button.getAttribute('aria-label');
    await button.click();
    await expect
      .poll(() => page.getByRole('button', { name: label! }).count(), {
        timeout: 30_000,
        message: `${label} is still offered: ${await page.locator('main').innerText()}`,
      })
      .toBe(0);
  }
  expect((await balance(j, who)) - before).toBe(due);
  await waitText(page, page.getByTestId('claimable-now'), (t) => t === '0\u00a0ARENA', 30_000, `${role} nothing left`);
  const left = await readClaimables(j.stack.read, who);
  expect([left.rewards.length, left.withdrawals.length]).toEqual([0, 0]);
  // What was taken out is listed (a creator whose task paid out everything had nothing to take).
  if (due > 0n) await page.getByTestId('history-row').first().waitFor({ timeout: 30_000 });
  await j.check(page, `rewards-${role}-done`);
  j.mark(`${role} took out ${formatTokens(due, 4)} ARENA`);
  return due;
}
