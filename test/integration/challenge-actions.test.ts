// The challenge actions (src/lib/chain/actions/{challenge,respond-challenge,disclose-transcript,
// resolve-challenge,read-challenges}.ts) on anvil with the deployed ChallengeModule and real
// Groth16 proofs from the committed fixture (contracts/test/fixtures/challenge), SPEC 7: a
// challenge with a permit in one transaction; an answer (ownership proof and disclosure) that
// nobody disputes, so the bond goes to the trainer; at most one open challenge per submission; an
// unanswered challenge upheld and another of the same trainer voided; and every refusal said
// before the wallet is asked. The dispute and the vote: challenge-verdicts.test.ts. The fixture's
// owners are fixed addresses, so they send through anvil's impersonation (they cannot sign
// permits: approve).
import { readFileSync } from 'node:fs';
import {
  createTestClient,
  createWalletClient,
  http,
  keccak256,
  toFunctionSelector,
  toHex,
  type Abi,
  type Address,
  type Hex,
} from 'viem';
import { foundry } from 'viem/chains';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { arenaTokenAbi, challengeModuleAbi } from '../../src/lib/chain/abi.generated.ts';
import {
  advanceTo,
  advanceToWindow,
  ActionInputError,
  ANSWER_OUTCOME,
  challenge,
  createTask,
  discloseTranscript,
  faucet,
  joinTask,
  readChallenges,
  readOpenChallengeOf,
  readClaimables,
  readPool,
  readSchedule,
  readSubmissions,
  resolveChallenge,
  respondChallenge,
  revealSubmission,
  sealSubmission,
  type ActionContext,
} from '../../src/lib/chain/actions/index.ts';
import { endTime } from '../../src/lib/chain/schedule.ts';
import { toTxError } from '../../src/lib/chain/tx/decode.ts';
import { TxError } from '../../src/lib/chain/tx/errors.ts';
import type { AccountWallet } from '../../src/lib/chain/tx/types.ts';
import type { SolidityProof } from '../../src/lib/zk/calldata.ts';
import { FIXTURE_JSON } from '../../scripts/zk/fixtures-challenge.ts';
import { fieldKey, startArenaEnv, type ArenaEnv } from './support/chain-actions-env.ts';
import { challengeTaskParams } from './support/challenge-task.ts';
import { seededTranscript } from '../../src/lib/chain/transcript-commit.ts';

/** The transcript these submissions seal: synthetic (no model is trained here), seeded, 8 segments. */
const TRANSCRIPT = seededTranscript(`0x${'7a'.repeat(32)}`, 8);

interface FixtureProof {
  publicSignals: Hex[];
  proof: Hex[];
}
const fixture = JSON.parse(readFileSync(FIXTURE_JSON, 'utf8')) as {
  owners: Record<'alice' | 'bob' | 'carol', Address>;
  keyCommits: Record<'KA' | 'KB' | 'KC', Hex>;
  models: Record<'A0' | 'S' | 'C12', { wmCommit: Hex }>;
  proofs: Record<'aliceA0' | 'aliceA0OtherKey' | 'aliceStolen' | 'bobStolen', FixtureProof>;
};

/** A fixture proof as the prover's calldata (words in the verifier's order, public signals as input). */
const asCalldata = (p: FixtureProof): SolidityProof => {
  const w = p.proof.map((x) => BigInt(x));
  const s = p.publicSignals.map((x) => BigInt(x));
  return {
    a: [w[0]!, w[1]!],
    b: [
      [w[2]!, w[3]!],
      [w[4]!, w[5]!],
    ],
    c: [w[6]!, w[7]!],
    input: [s[0]!, s[1]!, s[2]!, s[3]!],
  };
};

const WAD = 10n ** 18n;
const T = (n: number) => BigInt(n) * WAD;
const BOND = T(10);
const STAKE = T(20);
const SLASH_BPS = 5_000n;
const RESPONSE = 300;
const DISPUTE = 200;
const MANIFEST = keccak256(toHex('manifest of alice A0'));

/** Counts what would prompt the wallet: a refusal must come before any of these. */
function counting(ctx: ActionContext): { ctx: ActionContext; asked: () => number } {
  let asked = 0;
  const wallet = new Proxy(ctx.wallet, {
    get(target, key, receiver) {
      if (key === 'writeContract' || key === 'signTypedData' || key === 'sendTransaction') asked++;
      return Reflect.get(target, key, receiver);
    },
  });
  return { ctx: { ...ctx, wallet }, asked: () => asked };
}

describe('challenge actions on anvil', () => {
  let env: ArenaEnv;
  let creator: ActionContext, victor: ActionContext, dave: ActionContext, keeper: ActionContext;
  let alice: ActionContext, bob: ActionContext, carol: ActionContext;
  let taskId: bigint;
  const balance = (who: Address) =>
    creator.publicClient.readContract({
      address: creator.deployment.contracts.token,
      abi: arenaTokenAbi,
      functionName: 'balanceOf',
      args: [who],
    });
  const module = () => creator.deployment.contracts.challengeModule!;

  beforeAll(async () => {
    env = await startArenaEnv();
    [creator, victor, dave, keeper] = (await Promise.all([1, 2, 3, 5].map((i) => env.as(i)))) as ActionContext[] as [
      ActionContext,
      ActionContext,
      ActionContext,
      ActionContext,
    ];
    // The fixture's owners: impersonated, with gas money.
    const test = createTestClient({ chain: foundry, mode: 'anvil', transport: http(env.rpcUrl) });
    const impersonated = async (address: Address): Promise<ActionContext> => {
      await test.setBalance({ address, value: 10n ** 21n });
      const wallet = createWalletClient({
        account: address,
        chain: foundry,
        transport: http(env.rpcUrl),
      }) as unknown as AccountWallet;
      return { publicClient: creator.publicClient, deployment: env.deployment, wallet, permit: 'never' };
    };
    [alice, bob, carol] = (await Promise.all(
      [fixture.owners.alice, fixture.owners.bob, fixture.owners.carol].map(impersonated),
    )) as [ActionContext, ActionContext, ActionContext];
    for (const ctx of [creator, victor, dave, alice, bob, carol]) await faucet(ctx, { amount: T(1_000) });

    const now = (await creator.publicClient.getBlock()).timestamp;
    const params = challengeTaskParams(now + 100n, {
      bond: BOND,
      responseTime: RESPONSE,
      slashBps: Number(SLASH_BPS),
      disputeTime: DISPUTE,
      voteTime: 200,
      juryBps: 1_000,
    });
    ({ taskId } = await createTask(creator, params));
    for (const [ctx, key] of [
      [alice, fixture.keyCommits.KA],
      [bob, fixture.keyCommits.KB],
      [carol, fixture.keyCommits.KC],
      [dave, fieldKey('dave key')],
    ] as const) {
      await joinTask(ctx, { taskId, role: 'trainer', amount: STAKE, sigma: WAD / 2n, keyCommit: key });
    }
    await joinTask(victor, { taskId, role: 'validator', amount: STAKE, sigma: WAD });

    // Epoch 0: alice seals A0, carol C12, bob S; epoch 1: carol again.
    const artifact = (ctx: ActionContext, e: number) => keccak256(toHex(`artifact/${ctx.wallet.account.address}/${e}`));
    const salt = (ctx: ActionContext, e: number) => keccak256(toHex(`salt/${ctx.wallet.account.address}/${e}`));
    const play = async (epoch: number, subs: readonly (readonly [ActionContext, Hex])[]) => {
      await advanceToWindow(creator, env.clock, taskId, 'Seal', epoch);
      for (const [ctx, wm] of subs)
        await sealSubmission(ctx, {
          taskId,
          artifactHash: artifact(ctx, epoch),
          wmCommit: wm,
          transcript: TRANSCRIPT,
          salt: salt(ctx, epoch),
        });
      await advanceToWindow(creator, env.clock, taskId, 'Reveal', epoch);
      for (const [ctx, wm] of subs)
        await revealSubmission(ctx, {
          taskId,
          artifactHash: artifact(ctx, epoch),
          // Synthetic artifacts stand for files of one chunk: the root is the hash.
          artifactRoot: artifact(ctx, epoch),
          wmCommit: wm,
          transcript: TRANSCRIPT,
          salt: salt(ctx, epoch),
        });
    };
    await play(0, [
      [alice, fixture.models.A0.wmCommit],
      [carol, fixture.models.C12.wmCommit],
      [bob, fixture.models.S.wmCommit],
    ]);
    await play(1, [[carol, fixture.models.C12.wmCommit]]);
  }, 180_000);

  afterAll(async () => {
    await env?.stop();
  });

  it('lists the revealed submissions in id order', async () => {
    const subs = await readSubmissions(victor, taskId);
    expect(subs.map((s) => [s.submissionId, s.trainer, s.epoch, s.wmCommit, s.openChallengeId])).toEqual([
      [0n, alice.wallet.account.address, 0, fixture.models.A0.wmCommit, null],
      [1n, carol.wallet.account.address, 0, fixture.models.C12.wmCommit, null],
      [2n, bob.wallet.account.address, 0, fixture.models.S.wmCommit, null],
      [3n, carol.wallet.account.address, 1, fixture.models.C12.wmCommit, null],
    ]);
    // Each with the transcript its seal committed to.
    expect(subs.every((s) => JSON.stringify(s.transcript) === JSON.stringify(TRANSCRIPT))).toBe(true);
  });

  it('a validator challenges with a permit: one transaction, the bond moves to the module', async () => {
    const before = await balance(victor.wallet.account.address);
    const opened = await challenge(victor, { taskId, submissionId: 0n });
    const tx = await victor.publicClient.getTransaction({ hash: opened.receipt.transactionHash });
    expect(tx.input.slice(0, 10)).toBe(
      toFunctionSelector('challengeWithPermit(uint256,uint256,(uint256,uint8,bytes32,bytes32))'),
    );
    const block = await victor.publicClient.getBlock({ blockNumber: opened.receipt.blockNumber });
    expect(opened).toMatchObject({
      challengeId: 1n,
      trainer: alice.wallet.account.address,
      bond: BOND,
      deadline: block.timestamp + BigInt(RESPONSE),
    });
    expect(await balance(victor.wallet.account.address)).toBe(before - BOND);
    expect(await balance(module())).toBe(BOND);
    const { challenges, maxErr } = await readChallenges(victor, { taskId });
    expect(maxErr).toBe(8);
    expect(challenges).toEqual([
      {
        challengeId: 1n,
        taskId,
        submissionId: 0n,
        trainer: alice.wallet.account.address,
        challenger: victor.wallet.account.address,
        bond: BOND,
        deadline: opened.deadline,
        status: 'open',
        proven: false,
        disclosure: null,
        disputeDeadline: null,
        dispute: null,
        opened: { block: opened.receipt.blockNumber, time: block.timestamp, tx: opened.receipt.transactionHash },
      },
    ]);
  });

  it('refuses, before the wallet is asked: a trainer challenging, a proof of another claim, an answer by someone else', async () => {
    const d = counting(dave);
    const notValidator = await challenge(d.ctx, { taskId, submissionId: 2n }).catch((e: unknown) => e);
    expect(notValidator).toBeInstanceOf(TxError);
    expect((notValidator as TxError).message).toBe(
      "Only a validator of this task whose own stake reached the task's minimum can challenge.",
    );
    expect(d.asked()).toBe(0);

    // A valid proof that A0 carries alice's address, but under a key she never committed.
    const a = counting(alice);
    const otherKey = await respondChallenge(a.ctx, {
      challengeId: 1n,
      proof: asCalldata(fixture.proofs.aliceA0OtherKey),
    }).catch((e: unknown) => e);
    expect(otherKey).toBeInstanceOf(ActionInputError);
    expect((otherKey as ActionInputError).field).toBe('proof');
    expect((otherKey as Error).message).toMatch(
      /^The proof is for another claim: its keyCommit differs from what the chain checks/,
    );
    const short = await respondChallenge(a.ctx, { challengeId: 1n, proof: [1n, 2n, 3n] }).catch((e: unknown) => e);
    expect((short as Error).message).toBe('A proof has 8 words (a, b, c); this one has 3.');
    const unknown = await respondChallenge(a.ctx, {
      challengeId: 99n,
      proof: asCalldata(fixture.proofs.aliceA0),
    }).catch((e: unknown) => e);
    expect((unknown as Error).message).toBe('Challenge 99 does not exist.');
    expect(a.asked()).toBe(0);

    const b = counting(bob);
    const notAccused = await respondChallenge(b.ctx, {
      challengeId: 1n,
      proof: asCalldata(fixture.proofs.aliceA0),
    }).catch((e: unknown) => e);
    expect((notAccused as Error).message).toBe(
      `Challenge 1 is against ${alice.wallet.account.address}, not this account: only the accused can answer it.`,
    );
    expect(b.asked()).toBe(0);
  });

  it('the accused answers with a real proof and a disclosure; nobody disputes in time, so the bond goes to it', async () => {
    const before = {
      alice: await balance(alice.wallet.account.address),
      victor: await balance(victor.wallet.account.address),
    };
    const proven = await respondChallenge(alice, { challengeId: 1n, proof: asCalldata(fixture.proofs.aliceA0) });
    expect(proven).toMatchObject({
      trainer: alice.wallet.account.address,
      answered: false,
      disputeDeadline: null,
      outcome: ANSWER_OUTCOME,
    });
    expect(proven.outcome).toMatch(/^The ownership proof is recorded\. It is necessary but not sufficient/);
    // Half an answer moves nothing; a second proof is refused before the wallet is asked.
    expect(await balance(module())).toBe(BOND);
    const a = counting(alice);
    const twice = await respondChallenge(a.ctx, { challengeId: 1n, proof: asCalldata(fixture.proofs.aliceA0) }).catch(
      (e: unknown) => e,
    );
    expect((twice as Error).message).toBe('The ownership proof of challenge 1 was already posted.');
    const empty = await discloseTranscript(a.ctx, { challengeId: 1n, manifest: `0x${'0'.repeat(64)}` }).catch(
      (e: unknown) => e,
    );
    expect((empty as ActionInputError).field).toBe('manifest');
    const b = counting(bob);
    const notAccused = await discloseTranscript(b.ctx, { challengeId: 1n, manifest: MANIFEST }).catch(
      (e: unknown) => e,
    );
    expect((notAccused as Error).message).toBe(
      `Challenge 1 is against ${alice.wallet.account.address}, not this account: only the accused discloses.`,
    );
    expect(a.asked() + b.asked()).toBe(0);

    const disclosed = await discloseTranscript(alice, { challengeId: 1n, manifest: MANIFEST });
    const block = await alice.publicClient.getBlock({ blockNumber: disclosed.receipt.blockNumber });
    expect(disclosed).toMatchObject({
      manifest: MANIFEST,
      answered: true,
      disputeDeadline: block.timestamp + BigInt(DISPUTE),
    });
    const stored = (await readChallenges(victor, { taskId })).challenges[0]!;
    expect([stored.status, stored.proven, stored.disclosure, stored.disputeDeadline]).toEqual([
      'answered',
      true,
      MANIFEST,
      disclosed.disputeDeadline,
    ]);
    expect(stored.answeredAt!.block).toBe(disclosed.receipt.blockNumber);
    // Still unsettled: the submission has its challenge open, the trainer its count.
    expect((await readSubmissions(victor, taskId))[0]!.openChallengeId).toBe(1n);
    const early = await resolveChallenge(keeper, { challengeId: 1n }).catch((e: unknown) => e);
    expect((early as TxError).errorName).toBe('DisputeWindowOpen');

    await advanceTo(creator, env.clock, disclosed.disputeDeadline! + 1n);
    const cleared = await resolveChallenge(keeper, { challengeId: 1n });
    expect(cleared).toMatchObject({
      outcome: 'cleared',
      trainer: alice.wallet.account.address,
      challenger: victor.wallet.account.address,
      bond: BOND,
      toTrainer: BOND,
      juryShare: 0n,
    });
    expect(await balance(alice.wallet.account.address)).toBe(before.alice + BOND);
    expect(await balance(victor.wallet.account.address)).toBe(before.victor);
    expect(await balance(module())).toBe(0n);
    expect((await readSubmissions(victor, taskId))[0]!.openChallengeId).toBeNull();
    expect(await revertOf(victor.wallet.account.address, 'dispute', [1n, 0n])).toBe('WrongStatus(1, 5)');
  });

  /** The custom error a module call from `from` reverts with (simulated: the action refuses before sending). */
  async function revertOf(from: Address, functionName: string, args: readonly unknown[]): Promise<string> {
    const e = await creator.publicClient
      .simulateContract({
        account: from,
        address: module(),
        abi: challengeModuleAbi as Abi,
        functionName,
        args,
      } as never)
      .then(
        () => null,
        (x: unknown) => x,
      );
    if (e === null) return 'no revert';
    const t = toTxError(e);
    return `${t.errorName}(${(t.args ?? []).map(String).join(', ')})`;
  }

  it('at most one open challenge per submission: a second is refused before the wallet is asked, naming the open one', async () => {
    const first = await challenge(victor, { taskId, submissionId: 1n });
    expect(first.challengeId).toBe(2n);
    expect(await readOpenChallengeOf(victor, { taskId, submissionId: 1n })).toBe(2n);
    expect((await readSubmissions(victor, taskId))[1]!.openChallengeId).toBe(2n);
    const v = counting(victor);
    const second = await challenge(v.ctx, { taskId, submissionId: 1n }).catch((e: unknown) => e);
    expect(second).toBeInstanceOf(ActionInputError);
    expect((second as Error).message).toBe(
      'Challenge 2 of submission 1 is still open; a submission has at most one open challenge at a time. Wait for its outcome.',
    );
    expect(v.asked()).toBe(0);
    expect(await revertOf(victor.wallet.account.address, 'challenge', [taskId, 1n])).toBe('ChallengeAlreadyOpen(2)');
    // Another submission of the same trainer may be challenged meanwhile.
    const other = await challenge(victor, { taskId, submissionId: 3n });
    expect(other.challengeId).toBe(3n);
    expect((await readPool(victor, taskId, carol.wallet.account.address)).openChallenges).toBe(2);
  });

  it("an unanswered challenge is upheld after its deadline (slash to the challenger); the trainer's other one is then void", async () => {
    const second = {
      deadline: (await readChallenges(victor, { taskId })).challenges.find((c) => c.challengeId === 3n)!.deadline,
    };
    const early = await resolveChallenge(keeper, { challengeId: 2n }).catch((e: unknown) => e);
    expect((early as TxError).errorName).toBe('ResponseWindowOpen');
    expect((early as TxError).message).toMatch(
      /^The challenged trainer may still answer until .+; the challenge can be resolved after that\.$/,
    );

    await advanceTo(creator, env.clock, second.deadline + 1n);
    const late = await respondChallenge(carol, { challengeId: 2n, proof: asCalldata(fixture.proofs.aliceA0) }).catch(
      (e: unknown) => e,
    );
    expect((late as Error).message).toMatch(/^The time to answer challenge 2 ended at /);

    const before = {
      victor: await balance(victor.wallet.account.address),
      carol: await balance(carol.wallet.account.address),
    };
    const upheld = await resolveChallenge(keeper, { challengeId: 2n });
    const slashed = (STAKE * SLASH_BPS) / 10_000n;
    expect(upheld).toMatchObject({
      outcome: 'upheld',
      trainer: carol.wallet.account.address,
      challenger: victor.wallet.account.address,
      bond: BOND,
      rewards: 0n,
      slashed,
    });
    expect(await balance(victor.wallet.account.address)).toBe(before.victor + BOND + slashed);
    expect(await balance(carol.wallet.account.address)).toBe(before.carol);
    const pool = await readPool(victor, taskId, carol.wallet.account.address);
    expect([pool.forfeited, pool.excluded, pool.openChallenges]).toEqual([true, true, 1]);
    // Settled: no challenge of the submission is open any more.
    expect(await readOpenChallengeOf(victor, { taskId, submissionId: 1n })).toBeNull();

    const voided = await resolveChallenge(keeper, { challengeId: 3n });
    expect(voided).toMatchObject({ outcome: 'voided', challenger: victor.wallet.account.address, bond: BOND });
    expect(await balance(victor.wallet.account.address)).toBe(before.victor + 2n * BOND + slashed);
    expect(await balance(module())).toBe(0n);
    const twice = await resolveChallenge(keeper, { challengeId: 3n }).catch((e: unknown) => e);
    expect((twice as TxError).errorName).toBe('WrongStatus');
  });

  it('reads every challenge with its outcome and time', async () => {
    const { challenges } = await readChallenges(keeper, { taskId });
    expect(
      challenges.map((c) => [c.challengeId, c.status, c.submissionId, c.settled?.rewards, c.settled?.slashed]),
    ).toEqual([
      [1n, 'cleared', 0n, undefined, undefined],
      [2n, 'upheld', 1n, 0n, (STAKE * SLASH_BPS) / 10_000n],
      [3n, 'voided', 3n, undefined, undefined],
    ]);
    for (const c of challenges) {
      expect(c.settled!.time).toBeGreaterThanOrEqual(c.opened.time);
      expect(c.settled!.block).toBeGreaterThan(c.opened.block);
    }
    // Answered inside the window, cleared after the dispute window.
    expect(challenges[0]!.answeredAt!.time).toBeLessThanOrEqual(challenges[0]!.deadline);
    expect(challenges[0]!.settled!.time).toBeGreaterThan(challenges[0]!.disputeDeadline!);
    expect(challenges[0]!.settled!.toTrainer).toBe(BOND);
    expect(challenges[1]!.settled!.time).toBeGreaterThan(challenges[1]!.deadline);
    // Per trainer: only carol's.
    expect(
      (await readChallenges(keeper, { taskId, trainer: carol.wallet.account.address })).challenges.map(
        (c) => c.challengeId,
      ),
    ).toEqual([2n, 3n]);
  });

  it('the outcome shows in what each trainer can claim once the task ends, and challenges close with it', async () => {
    const s = (await readSubmissions(keeper, taskId)).length;
    expect(s).toBe(4);
    const schedule = await readSchedule(keeper, taskId);
    await advanceTo(creator, env.clock, endTime(schedule));
    const closed = await challenge(victor, { taskId, submissionId: 2n }).catch((e: unknown) => e);
    expect((closed as TxError).errorName).toBe('ChallengePeriodOver');
    const carolClaims = await readClaimables(carol, carol.wallet.account.address);
    // The slashed half is gone; the rest is withdrawable now that no challenge is open.
    expect(carolClaims.withdrawals.filter((w) => w.taskId === taskId)).toEqual([
      { taskId, kind: 'stake', amount: STAKE - (STAKE * SLASH_BPS) / 10_000n, now: true },
    ]);
    // alice answered her challenge and nobody disputed: her stake is whole.
    expect(
      (await readClaimables(alice, alice.wallet.account.address)).withdrawals.filter((w) => w.taskId === taskId),
    ).toEqual([{ taskId, kind: 'stake', amount: STAKE, now: true }]);
  });
});
