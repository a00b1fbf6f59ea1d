// Issue 10's done-when on a 390x844 phone (touch, mobile viewport): every role plays one whole
// task in the app, from the dev accounts, and no screen on the way scrolls sideways or shows a
// value never filled in. The creator creates a task with one submission epoch, one final epoch on
// a hidden eval set and one challenge epoch; two trainers stake and train in the page's worker; two
// validators stake; a delegator delegates; the trainers' agents seal and reveal; the validators'
// agents score epoch 0 on the public set; the final phase opens and the creator reveals the hidden
// set from the Create page; the keeper finalizes epoch 0; the validators score the final epoch on
// the hidden set; in the challenge phase a validator challenges a trainer, whose agent answers by
// itself on the phone with a proof made there and the disclosure of its training transcript; the task ends and everyone takes out what is theirs on the Rewards
// page. Chain time moves with the Dev page's buttons. The desktop journey (with the failure
// paths) is e2e-whole-task-desktop.test.ts.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readLeaderboard } from '../../src/lib/chain/actions/index.ts';
import { Journey, PHONE, waitAttr } from './journey.ts';
import {
  challengeAndAnswer,
  clearUndisputed,
  createTask,
  delegate,
  readTask,
  revealFinalSet,
  scoreEpoch,
  sealAndReveal,
  stakeAndTrain,
  stakeValidator,
  takeEverythingOut,
  waitSealable,
  WAD,
} from './journey-steps.ts';

const j = new Journey(PHONE);

beforeAll(() => j.start(), 180_000);
afterAll(() => j.stop());

describe('a whole task on a phone, every role', () => {
  it('the creator creates a task with a hidden final eval set', async () => {
    const page = await j.open('creator', '#/create');
    await createTask(j, page, {
      reviewPeriod: '10',
      startDelay: '1800',
      epochLength: '600',
      submissionEpochs: '1',
      finalEpochs: '1',
      challengeEpochs: '1',
      rewardPerEpoch: '100',
      minTrainerStake: '1',
      minValidatorStake: '1',
      minValidators: '2',
      evalSubsetSize: '100',
      bond: '5',
    });
    const task = await readTask(j);
    expect([task.schedule.submissionEpochs, task.schedule.finalEpochs, task.schedule.challengeEpochs]).toEqual([
      1, 1, 1,
    ]);
    expect(task.finalEvalCommit).not.toBe(`0x${'0'.repeat(64)}`);
  });

  it('two trainers stake and train, two validators stake, a delegator delegates', async () => {
    await stakeAndTrain(j, 'trainerA', { stake: '10', epochs: 2 });
    await stakeAndTrain(j, 'trainerB', { stake: '10', epochs: 2 });
    await stakeValidator(j, 'validatorA', '10');
    await stakeValidator(j, 'validatorB', '10');
    await delegate(j, 'delegator', 'trainerA', '30');
    await waitSealable(j, ['trainerA', 'trainerB']);
  });

  it('epoch 0: the trainers seal and reveal, the validators score the public eval set', async () => {
    await sealAndReveal(j, ['trainerA', 'trainerB']);
    const scores = await scoreEpoch(j, ['validatorA', 'validatorB'], 0, /^Scored on the public eval set\.$/);
    for (const s of scores) for (const v of s) expect(v).toBeGreaterThan(7000);
  });

  it('the final phase: the creator reveals the hidden set, epoch 0 is finalized, the validators score on the hidden set', async () => {
    await j.nextWindow('final phase starts \\(epoch 1\\)');
    await revealFinalSet(j);
    await expect
      .poll(() => readLeaderboard(j.stack.read, j.taskId, 0).then((b) => b.finalized), { timeout: 60_000 })
      .toBe(true);
    // The Task page on the phone: epoch 0's leaderboard and the revealed final set.
    const page = await j.tab('delegator', `#/tasks/${j.taskId}?epoch=0`);
    await page.getByRole('table', { name: /Epoch 0 leaderboard/ }).waitFor({ timeout: 30_000 });
    await page
      .locator('section[aria-labelledby="data-title"]')
      .getByText('revealed by the creator for the final phase')
      .waitFor({ timeout: 30_000 });
    await j.check(page, 'task-final-phase');
    const scores = await scoreEpoch(
      j,
      ['validatorA', 'validatorB'],
      1,
      /^Scored on the hidden final eval set, revealed by the creator for the final phase\.$/,
    );
    for (const s of scores) for (const v of s) expect(v).toBeGreaterThan(6000);
    // The trainers' pages say the submission phase is over, without offering to train or seal.
    for (const role of ['trainerA', 'trainerB'] as const) {
      const t = await j.tab(role, `#/tasks/${j.taskId}/train`);
      await waitAttr(t, 'trainer-phase', 'data-phase', (v) => v === 'submissions-over', 30_000);
      await j.check(t, `train-final-${role}`);
    }
  });

  it('the challenge phase: a validator challenges a trainer, whose agent answers on the phone with a proof and the disclosure', async () => {
    await j.nextWindow('challenge phase starts');
    await expect
      .poll(() => readLeaderboard(j.stack.read, j.taskId, 1).then((b) => b.finalized), { timeout: 60_000 })
      .toBe(true);
    await challengeAndAnswer(j, 'validatorB', 'trainerB');
  });

  it('the task ends and everyone takes out what is theirs', async () => {
    await j.nextWindow('task ends');
    await clearUndisputed(j);
    const received = new Map<string, bigint>();
    for (const role of ['trainerA', 'trainerB', 'validatorA', 'validatorB', 'delegator', 'creator'] as const)
      received.set(role, await takeEverythingOut(j, role));
    // Stakes came back with rewards on top; the delegator got its 30 back and more.
    for (const role of ['trainerA', 'trainerB', 'validatorA', 'validatorB'] as const)
      expect(received.get(role)!).toBeGreaterThan(10n * WAD);
    expect(received.get('delegator')!).toBeGreaterThan(30n * WAD);
    // The deposit (100 ARENA for each of the two scoring epochs) went to the players and back to
    // the creator, less the rounding dust the reward accumulators keep (a few wei per share).
    const principal = { trainerA: 10n, trainerB: 10n, validatorA: 10n, validatorB: 10n, delegator: 30n, creator: 0n };
    const out = Object.entries(principal).reduce((n, [role, p]) => n + received.get(role)! - p * WAD, 0n);
    expect(out).toBeLessThanOrEqual(200n * WAD);
    expect(200n * WAD - out).toBeLessThan(10n ** 9n);
    // The trainer's agent starts on its Train page, but with the task over it has nothing left to
    // miss: no "keep this tab open" line, and closing the tab does not ask.
    const t = await j.tab('trainerA', `#/tasks/${j.taskId}/train`);
    await waitAttr(t, 'trainer-phase', 'data-phase', (v) => v !== null && v !== '', 60_000);
    await t.waitForTimeout(1500);
    expect(await t.getByTestId('agents-running').count()).toBe(0);
    await j.check(t, 'task-ended');
  });
});
