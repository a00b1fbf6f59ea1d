// The Challenges page's learning stage in headless Chromium against a real anvil, the blob store
// and the dev server (issue 11 section 4): a trainer's answered challenge (a real Groth16 proof
// from the committed fixture, posted from Node, and the disclosure posted with the
// discloseTranscript action: a manifest hash, no transcript is trained here), a validator's
// replay shown from a TranscriptCheckProgress fixture (the validator agent publishes the same),
// the dispute of the failing segment from the page (a segment outside K refused before the
// wallet; one confirmation), the validator's verdict committed from the page (salt kept in the
// browser) and revealed after the Dev page moved chain time and the page was reloaded, a second
// juror voting the other way from Node, the tally with stake weights, the resolve (confirmed,
// upheld) with the money moved, and the majority juror's jury share claimed from the page. Amounts
// are read from the chain. Last, the page fits a 390x844 phone.
import { readFileSync } from 'node:fs';
import type { Page } from 'playwright-core';
import { createTestClient, createWalletClient, http, keccak256, toHex, type Address, type Hex } from 'viem';
import { foundry } from 'viem/chains';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FIXTURE_JSON } from '../../scripts/zk/fixtures-challenge.ts';
import { devAccounts } from '../../scripts/lib/dev-accounts.ts';
import { localPublicClient, localWallet } from '../../scripts/lib/local-chain.ts';
import { arenaTokenAbi } from '../../src/lib/chain/abi.generated.ts';
import {
  advanceToWindow,
  challenge,
  commitVerdict,
  createTask,
  devClock,
  discloseTranscript,
  faucet,
  joinTask,
  readChallenges,
  readTally,
  respondChallenge,
  revealSubmission,
  revealVerdict,
  sealSubmission,
  type ActionContext,
} from '../../src/lib/chain/actions/index.ts';
import type { AccountWallet } from '../../src/lib/chain/tx/types.ts';
import { seededTranscript } from '../../src/lib/chain/transcript-commit.ts';
import type { TranscriptCheckProgress } from '../../src/lib/agents/transcript-check.ts';
import { challengeTaskParams } from '../integration/support/challenge-task.ts';
import { connectDevAccount, devStep, shot, startRolesWorld, type RolesWorld } from './app-roles-support.ts';
import { horizontalOverflow, withEnv } from './app-support.ts';
import { chromiumAvailable, startHarness, type Harness } from './harness.ts';

const fixture = JSON.parse(readFileSync(FIXTURE_JSON, 'utf8')) as {
  owners: Record<'alice', Address>;
  keyCommits: Record<'KA', Hex>;
  models: Record<'A0', { wmCommit: Hex }>;
  proofs: Record<'aliceA0', { proof: Hex[] }>;
};

const WAD = 10n ** 18n;
const T = (n: number) => BigInt(n) * WAD;
const BOND = T(5);
const TRAINER_STAKE = T(20);
/** Validator A outweighs B two to one: A's "does not replay" is the majority. */
const A_STAKE = T(30);
const B_STAKE = T(15);
const K = 8;
const DISPUTED = 5;
/** Epochs of 1000 s (oneEpochTaskParams); a vote of two epochs: commits end one epoch after the dispute. */
const VOTE = 2_000;
const MANIFEST = keccak256(toHex('transcript manifest of alice'));

let world: RolesWorld;
let h: Harness;
let page: Page;
let taskId: bigint;
const ctx: Record<'creator' | 'validatorA' | 'validatorB' | 'alice', ActionContext> = {} as never;
const me = (c: ActionContext): Address => c.wallet.account.address;
const balance = (who: Address) =>
  ctx.creator.publicClient.readContract({
    address: world.driver.c.token,
    abi: arenaTokenAbi,
    functionName: 'balanceOf',
    args: [who],
  });

async function shown(testid: string, timeout = 20_000) {
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
const card = () => page.getByTestId('challenge-card-1');
const stage = (kind: string) => card().locator(`[data-stage="${kind}"]`);
const goto = async (hash: string) => page.evaluate((hh) => (location.hash = hh), hash);

beforeAll(async () => {
  if (!chromiumAvailable())
    throw new Error('Debian chromium is needed for the browser tests: apt-get install chromium');
  world = await startRolesWorld({ play: false });
  const url = world.driver.anvil.url;
  const client = localPublicClient(url);
  const keys = devAccounts(10);
  const dev = (i: number): ActionContext => ({
    publicClient: client,
    deployment: world.driver.deployment,
    wallet: localWallet(url, keys[i]!.privateKey) as ActionContext['wallet'],
  });
  ctx.creator = dev(0);
  ctx.validatorA = dev(3);
  ctx.validatorB = dev(4);
  // The fixture's proof is for its owner's address: anvil impersonates it (no private key).
  await createTestClient({ chain: foundry, mode: 'anvil', transport: http(url) }).setBalance({
    address: fixture.owners.alice,
    value: 10n ** 21n,
  });
  ctx.alice = {
    publicClient: client,
    deployment: world.driver.deployment,
    wallet: createWalletClient({
      account: fixture.owners.alice,
      chain: foundry,
      transport: http(url),
    }) as unknown as AccountWallet,
    permit: 'never',
  };
  for (const c of Object.values(ctx)) await faucet(c, { amount: T(1_000) });
  const clock = devClock(http(url));
  const now = (await client.getBlock()).timestamp;
  ({ taskId } = await createTask(
    ctx.creator,
    challengeTaskParams(
      now + 60n,
      { bond: BOND, responseTime: 3_600, slashBps: 5_000, disputeTime: 3_600, voteTime: VOTE, juryBps: 1_000 },
      { submissionEpochs: 1, challengeEpochs: 3 },
    ),
  ));
  await joinTask(ctx.alice, {
    taskId,
    role: 'trainer',
    amount: TRAINER_STAKE,
    sigma: WAD / 2n,
    keyCommit: fixture.keyCommits.KA,
  });
  await joinTask(ctx.validatorA, { taskId, role: 'validator', amount: A_STAKE, sigma: WAD });
  await joinTask(ctx.validatorB, { taskId, role: 'validator', amount: B_STAKE, sigma: WAD });
  const submission = {
    taskId,
    artifactHash: keccak256(toHex('artifact of alice')),
    wmCommit: fixture.models.A0.wmCommit,
    transcript: seededTranscript(keccak256(toHex('transcript of alice')), K),
    salt: keccak256(toHex('seal salt of alice')),
  };
  await advanceToWindow(ctx.creator, clock, taskId, 'Seal', 0);
  await sealSubmission(ctx.alice, submission);
  await advanceToWindow(ctx.creator, clock, taskId, 'Reveal', 0);
  // A synthetic artifact stands for a file of one chunk: its root is its hash.
  await revealSubmission(ctx.alice, { ...submission, artifactRoot: submission.artifactHash });
  // Challenged, then answered in full by the trainer: the proof, then the disclosure.
  const opened = await challenge(ctx.validatorA, { taskId, submissionId: 0n });
  expect(opened.challengeId).toBe(1n);
  await respondChallenge(ctx.alice, { challengeId: 1n, proof: fixture.proofs.aliceA0.proof.map((x) => BigInt(x)) });
  expect((await discloseTranscript(ctx.alice, { challengeId: 1n, manifest: MANIFEST })).answered).toBe(true);

  h = await withEnv(world.env, () => startHarness());
  page = await h.open(`/#/tasks/${taskId}/challenges`);
  await page.setViewportSize({ width: 1280, height: 900 });
  await page.locator('h1', { hasText: `Challenges · Task #${taskId}` }).waitFor({ timeout: 30_000 });
  await connectDevAccount(page, 3, 'Validator A');
}, 240_000);

afterAll(async () => {
  await h?.close();
  await world?.close();
});

describe('the Challenges page: dispute, verdicts, outcome', () => {
  it('shows the answered challenge by stage, what is open now, and the replay of its transcript', async () => {
    await shown('stages-1');
    await expect.poll(() => stage('disclosure').getAttribute('data-status'), { timeout: 20_000 }).toBe('done');
    expect(await stage('proof').getAttribute('data-status')).toBe('done');
    expect(await stage('dispute').getAttribute('data-status')).toBe('current');
    expect(await stage('disclosure').innerText()).toMatch(
      /Transcript disclosure\s+\d{4}-\d\d-\d\d \d\d:\d\d:\d\d UTC\s+Manifest 0x[0-9a-f]{4}…[0-9a-f]{4} posted\./,
    );
    expect(await page.getByTestId('owed-1').innerText()).toMatch(
      /^Now: The challenger or a staked validator may dispute one segment; otherwise the bond goes to the trainer\. Until \d{4}-\d\d-\d\d \d\d:\d\d:\d\d UTC \((1 h 00 min|59 min \d\d s) left\)\.$/,
    );
    expect(await page.getByTestId('money-1').innerText()).toMatch(
      /At stake\s+Bond held by the challenge module\s+5\sARENA/,
    );
    // The validator agent's replay, as it publishes it (a fixture: segment 5 does not replay).
    const progress: TranscriptCheckProgress = {
      challengeId: '1',
      taskId: String(taskId),
      trainer: fixture.owners.alice,
      manifest: MANIFEST,
      mode: 'whole',
      status: 'fails',
      segments: K,
      toCheck: [0, 1, 2, 3, 4, 5, 6, 7],
      checked: [0, 1, 2, 3, 4]
        .map((segment) => ({ segment, replays: true, failing: 0, maxDeviation: 0, seconds: 1.5 }))
        .concat({
          segment: DISPUTED,
          replays: false,
          failing: 12,
          maxDeviation: 0.25,
          seconds: 2,
        }),
      firstFailing: DISPUTED,
      startedAt: 0,
      updatedAt: 0,
    };
    // A string, not a function: vitest rewrites import() in this file's functions for Node.
    await page.evaluate(`(async () => {
      const { publishCheck } = await import('/src/app/pages/challenges/transcript-checks.svelte.ts');
      publishCheck(${JSON.stringify(progress)});
    })()`);
    await shown('check-1');
    expect(await page.getByTestId('check-1').innerText()).toMatch(
      /Replay of the transcript\s+Segment 5 does not replay: dispute it\.\s+6 of 8 segments checked\s+Segment 0: replays \(1\.5 s\)[\s\S]*Segment 5: does not replay: 12 coordinates outside the rule, largest deviation 0\.250 \(2\.0 s\)/,
    );
    // The failing segment is what the dispute form offers.
    expect(await page.getByTestId('dispute-segment-1').inputValue()).toBe(String(DISPUTED));
  });

  it('disputes the failing segment from the page: a segment outside K is refused before the wallet, then one confirmation', async () => {
    const field = page.getByTestId('dispute-segment-1');
    await field.fill('8');
    await page.getByTestId('dispute-1').click();
    await page
      .getByText('Segment 8 does not exist: enter a segment from 0 to 7 (the transcript has 8 segments).')
      .waitFor();
    expect(await page.getByRole('dialog').count()).toBe(0);
    await field.fill(String(DISPUTED));
    await page.getByTestId('dispute-1').click();
    const asked = page.getByRole('dialog', { name: `Dispute segment ${DISPUTED} of challenge #1?` });
    await asked.waitFor({ timeout: 10_000 });
    expect(await asked.innerText()).toMatch(
      /Segment\s+5 of 8 \(from state 5 to state 6\)[\s\S]*Bond at stake\s+5 ARENA of 0x90F7…b906/,
    );
    expect((await readChallenges(ctx.validatorA, { taskId })).challenges[0]!.status).toBe('answered');
    await page.getByTestId('dispute-confirm-confirm').click();
    await expect.poll(() => card().getAttribute('data-status'), { timeout: 20_000 }).toBe('disputed');
    const c = (await readChallenges(ctx.validatorA, { taskId })).challenges[0]!;
    expect(c.dispute).toMatchObject({ disputer: me(ctx.validatorA), segment: DISPUTED });
    await expect
      .poll(() => stage('dispute').innerText(), { timeout: 20_000 })
      .toMatch(/0x90F7…b906 named segment 5 as not replaying\./);
    expect(await stage('votes').getAttribute('data-status')).toBe('current');
  });

  it('commits a verdict from the page (salt kept in this browser); a second juror commits from Node', async () => {
    await shown('commit-form-1');
    await page.getByTestId('verdict-fails-1').check();
    await page.getByTestId('commit-1').click();
    await shown('commit-1-why');
    expect(await page.getByTestId('commit-1-why').innerText()).toBe(
      'You committed your verdict; reveal it once the commit half of the vote is over.',
    );
    const kept = await page.evaluate(() => Object.keys(localStorage).filter((k) => k.startsWith('aiarena-verdict:')));
    expect(kept).toHaveLength(1);
    await commitVerdict(ctx.validatorB, { challengeId: 1n, replays: true, salt: keccak256(toHex('salt of B')) });
    await expect
      .poll(() => page.getByTestId('tally-1').innerText(), { timeout: 20_000 })
      .toMatch(/2 committed · 0 revealed/);
    expect(await page.getByTestId('owed-1').innerText()).toMatch(
      /^Now: Validators commit their verdicts on the segment\. Until /,
    );
  });

  it('after the Dev page moves chain time past the commits, a reloaded page reveals the verdict with the kept salt', async () => {
    await goto('#/dev');
    await devStep(page, `Next epoch of task ${taskId}`, /epoch 1 of task #\d+ has started/);
    await devStep(page, `Next epoch of task ${taskId}`, /epoch 2 of task #\d+ has started/);
    await goto(`#/tasks/${taskId}/challenges`);
    await page.reload();
    await page.getByTestId('wallet-button').waitFor({ timeout: 30_000 });
    // The wallet reconnects by itself after a reload; connect only if it did not.
    const back = await page
      .waitForFunction(
        () => document.querySelector('[data-testid="wallet-button"]')?.textContent?.includes('Validator A') ?? false,
        undefined,
        { timeout: 10_000 },
      )
      .then(() => true)
      .catch(() => false);
    if (!back) await connectDevAccount(page, 3, 'Validator A');
    await shown('reveal-1');
    await expect.poll(() => page.getByTestId('reveal-1').isEnabled(), { timeout: 20_000 }).toBe(true);
    await page.getByTestId('reveal-1').click();
    await shown('reveal-1-why');
    // Never "salt missing" in between: the kept salt and the vote are read together.
    expect(await page.getByTestId('reveal-1-why').innerText()).toBe('Your verdict is revealed.');
    await revealVerdict(ctx.validatorB, { challengeId: 1n, replays: true, salt: keccak256(toHex('salt of B')) });
    const t = await readTally(ctx.validatorA, 1n);
    expect([t.doesNotReplayStake, t.replaysStake]).toEqual([A_STAKE, B_STAKE]);
    await expect
      .poll(() => page.getByTestId('tally-1').innerText(), { timeout: 20_000 })
      .toMatch(
        /2 committed · 2 revealed\s+Replays\s+1 juror\s+15\sARENA \(33 %\)\s+Does not replay\s+1 juror\s+30\sARENA \(67 %\)\s+2 of 2 committed verdicts revealed: "does not replay" leads by revealed stake\./,
      );
    // Revealed: the kept salt is gone.
    expect(
      await page.evaluate(() => Object.keys(localStorage).filter((k) => k.startsWith('aiarena-verdict:'))),
    ).toEqual([]);
  });

  it('after the vote the validator resolves (confirmed, upheld), sees the money moved, and claims the jury share', async () => {
    await goto('#/dev');
    await devStep(page, `Next epoch of task ${taskId}`, /epoch 3 of task #\d+ has started/);
    await goto(`#/tasks/${taskId}/challenges`);
    await shown('resolve-1');
    const before = await balance(me(ctx.validatorA));
    await page.getByTestId('resolve-1').click();
    const asked = page.getByRole('dialog', { name: 'Resolve challenge #1?' });
    await asked.waitFor({ timeout: 10_000 });
    expect(await asked.innerText()).toMatch(
      /Outcome\s+Upheld: 0x[0-9a-fA-F]{4}…[0-9a-fA-F]{4} forfeits .* \(less the jury’s share\)/,
    );
    await page.getByTestId('resolve-confirm-confirm').click();
    await expect.poll(() => card().getAttribute('data-status'), { timeout: 20_000 }).toBe('upheld');
    const settled = (await readChallenges(ctx.validatorA, { taskId })).challenges[0]!.settled!;
    // Half the trainer's stake is slashed; the jury keeps 10 % of the forfeit.
    expect([settled.rewards, settled.slashed, settled.juryShare]).toEqual([0n, T(10), T(1)]);
    expect(await balance(me(ctx.validatorA))).toBe(before + BOND + T(10) - T(1));
    await expect
      .poll(() => page.getByTestId('money-1').innerText(), { timeout: 20_000 })
      .toMatch(
        /Money moved\s+Bond returned\s+5\sARENA → 0x90F7…b906\s+Rewards forfeited\s+0\sARENA → 0x90F7…b906\s+Stake slashed\s+10\sARENA → 0x90F7…b906\s+Jury share \(majority jurors, pro rata to stake\)\s+1\sARENA → majority jurors\s+Jury share claimed \(0 claims\)\s+0\sARENA → majority jurors\s+Paid to the challenger \(forfeit less the jury share\)\s+9\sARENA → 0x90F7…b906/,
      );
    expect(await stage('outcome').getAttribute('data-status')).toBe('done');
    expect(await page.getByTestId('tally-1').innerText()).toContain('The majority found the segment does not replay.');

    // The majority juror's share: one confirmation naming the amount; exactly that arrives.
    await shown('claim-jury-1');
    const mid = await balance(me(ctx.validatorA));
    await page.getByTestId('claim-jury-1').click();
    const claim = page.getByRole('dialog', { name: 'Claim your jury share of challenge #1?' });
    await claim.waitFor({ timeout: 10_000 });
    expect(await claim.innerText()).toMatch(/Amount\s+1 ARENA to you/);
    await page.getByTestId('claim-confirm-confirm').click();
    await shown('claim-jury-1-why');
    expect(await page.getByTestId('claim-jury-1-why').innerText()).toBe('You took your jury share.');
    expect(await balance(me(ctx.validatorA))).toBe(mid + T(1));
    await shot(page, 'challenges-verdict-desktop');
  });

  it('fits a 390x844 phone', async () => {
    await page.setViewportSize({ width: 390, height: 844 });
    await page.waitForTimeout(300);
    const overflow = await horizontalOverflow(page);
    expect(overflow.scroll, overflow.culprits.join(', ')).toBeLessThanOrEqual(overflow.client);
    await shot(page, 'challenges-verdict-phone');
  });
});
