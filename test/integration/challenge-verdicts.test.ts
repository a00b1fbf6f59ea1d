// The learning stage of a challenge (SPEC 7 steps 2-3, 8.4) at the actions level, on anvil with
// the deployed ChallengeModule and real Groth16 ownership proofs from the committed fixture
// (contracts/test/fixtures/challenge): the accused posts its proof and its transcript disclosure
// (discloseTranscript), a segment is disputed (disputeSegment), the task's validators commit and
// reveal verdicts (commitVerdict, revealVerdict), anyone settles (resolveChallenge) and the
// majority jurors take their share (claimJuryShare). Three stories:
//   A. disclosure and no dispute in time: the bond goes to the trainer;
//   B. a dispute and a stake-weighted majority for "does not replay": upheld, the trainer
//      forfeits its slash, the jury takes juryBps of it pro rata to stake, the challenger the rest
//      and its bond back (amounts exact);
//   C. a dispute and a tie: cleared, the whole bond goes to the trainer, no jury is paid.
// The transcripts are synthetic commitments (no model is trained here; the replay itself is the
// ML engine's, issue 11 section 1): the chain only records what is disclosed and what is voted.
import { readFileSync } from 'node:fs';
import { createTestClient, createWalletClient, http, keccak256, toHex, type Address, type Hex } from 'viem';
import { foundry } from 'viem/chains';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  ActionInputError,
  advanceTo,
  advanceToWindow,
  challenge,
  claimJuryShare,
  commitVerdict,
  createTask,
  discloseTranscript,
  disputeSegment,
  faucet,
  joinTask,
  readChallenges,
  readJurorWeight,
  readJuryShare,
  readTally,
  readVote,
  resolveChallenge,
  respondChallenge,
  revealSubmission,
  revealVerdict,
  sealSubmission,
  type ActionContext,
} from '../../src/lib/chain/actions/index.ts';
import { seededTranscript } from '../../src/lib/chain/transcript-commit.ts';
import { TxError } from '../../src/lib/chain/tx/errors.ts';
import type { AccountWallet } from '../../src/lib/chain/tx/types.ts';
import { FIXTURE_JSON } from '../../scripts/zk/fixtures-challenge.ts';
import { startArenaEnv, tokenBalance, type ArenaEnv } from './support/chain-actions-env.ts';
import { challengeTaskParams } from './support/challenge-task.ts';

interface FixtureProof {
  publicSignals: Hex[];
  proof: Hex[];
}
const fixture = JSON.parse(readFileSync(FIXTURE_JSON, 'utf8')) as {
  owners: Record<'alice' | 'bob', Address>;
  keyCommits: Record<'KA' | 'KB', Hex>;
  models: Record<'A0' | 'S', { wmCommit: Hex }>;
  proofs: Record<'aliceA0' | 'bobStolen', FixtureProof>;
};
const words = (p: FixtureProof) => p.proof.map((x) => BigInt(x));

const WAD = 10n ** 18n;
const T = (n: number) => BigInt(n) * WAD;
const BOND = T(10);
const STAKE = T(20);
const SLASH_BPS = 5_000n;
const JURY_BPS = 1_000n;
const RESPONSE = 300;
const DISPUTE = 200;
/** Commits in the first 100 s, reveals in the next 100 s. */
const VOTE = 200;
/** Juror stakes: victor alone weighs as much as the two others together (story C's tie). */
const V_STAKE = T(30);
const J_STAKE = T(15);
/** K = 8 segments, seeded; per trainer a different root. */
const transcriptOf = (who: Address) => seededTranscript(keccak256(toHex(`transcript/${who}`)), 8);
const manifestOf = (id: bigint) => keccak256(toHex(`manifest of challenge ${id}`));
const saltOf = (who: Address, id: bigint) => keccak256(toHex(`verdict salt/${who}/${id}`));

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

describe('challenge verdicts on anvil (actions level)', () => {
  let env: ArenaEnv;
  let creator: ActionContext, victor: ActionContext, j2: ActionContext, j3: ActionContext, keeper: ActionContext;
  let alice: ActionContext, bob: ActionContext;
  let taskId: bigint;
  const me = (ctx: ActionContext) => ctx.wallet.account.address;
  const balance = (who: Address) => tokenBalance(creator, who);
  const module = () => creator.deployment.contracts.challengeModule!;

  beforeAll(async () => {
    env = await startArenaEnv();
    [creator, victor, j2, j3, keeper] = (await Promise.all(
      [1, 2, 3, 4, 5].map((i) => env.as(i)),
    )) as ActionContext[] as [ActionContext, ActionContext, ActionContext, ActionContext, ActionContext];
    const test = createTestClient({ chain: foundry, mode: 'anvil', transport: http(env.rpcUrl) });
    const impersonated = async (address: Address): Promise<ActionContext> => {
      await test.setBalance({ address, value: 10n ** 21n });
      const wallet = createWalletClient({ account: address, chain: foundry, transport: http(env.rpcUrl) });
      return {
        publicClient: creator.publicClient,
        deployment: env.deployment,
        wallet: wallet as unknown as AccountWallet,
        permit: 'never',
      };
    };
    [alice, bob] = (await Promise.all([fixture.owners.alice, fixture.owners.bob].map(impersonated))) as [
      ActionContext,
      ActionContext,
    ];
    for (const ctx of [creator, victor, j2, j3, alice, bob]) await faucet(ctx, { amount: T(1_000) });

    const now = (await creator.publicClient.getBlock()).timestamp;
    const params = challengeTaskParams(
      now + 100n,
      {
        bond: BOND,
        responseTime: RESPONSE,
        slashBps: Number(SLASH_BPS),
        disputeTime: DISPUTE,
        voteTime: VOTE,
        juryBps: Number(JURY_BPS),
      },
      { challengeEpochs: 3 },
    );
    ({ taskId } = await createTask(creator, params));
    await joinTask(alice, {
      taskId,
      role: 'trainer',
      amount: STAKE,
      sigma: WAD / 2n,
      keyCommit: fixture.keyCommits.KA,
    });
    await joinTask(bob, { taskId, role: 'trainer', amount: STAKE, sigma: WAD / 2n, keyCommit: fixture.keyCommits.KB });
    await joinTask(victor, { taskId, role: 'validator', amount: V_STAKE, sigma: WAD });
    await joinTask(j2, { taskId, role: 'validator', amount: J_STAKE, sigma: WAD });
    await joinTask(j3, { taskId, role: 'validator', amount: J_STAKE, sigma: WAD });

    // Epoch 0: alice A0 (submission 0) and bob S (1); epoch 1: alice A0 again (2).
    const play = async (epoch: number, subs: readonly (readonly [ActionContext, Hex])[]) => {
      await advanceToWindow(creator, env.clock, taskId, 'Seal', epoch);
      for (const [ctx, wm] of subs) {
        const p = {
          taskId,
          artifactHash: keccak256(toHex(`artifact/${me(ctx)}/${epoch}`)),
          wmCommit: wm,
          transcript: transcriptOf(me(ctx)),
          salt: keccak256(toHex(`salt/${me(ctx)}/${epoch}`)),
        };
        await sealSubmission(ctx, p);
      }
      await advanceToWindow(creator, env.clock, taskId, 'Reveal', epoch);
      for (const [ctx, wm] of subs)
        await revealSubmission(ctx, {
          taskId,
          artifactHash: keccak256(toHex(`artifact/${me(ctx)}/${epoch}`)),
          // Synthetic artifacts stand for files of one chunk: the root is the hash.
          artifactRoot: keccak256(toHex(`artifact/${me(ctx)}/${epoch}`)),
          wmCommit: wm,
          transcript: transcriptOf(me(ctx)),
          salt: keccak256(toHex(`salt/${me(ctx)}/${epoch}`)),
        });
    };
    await play(0, [
      [alice, fixture.models.A0.wmCommit],
      [bob, fixture.models.S.wmCommit],
    ]);
    await play(1, [[alice, fixture.models.A0.wmCommit]]);
  }, 180_000);

  afterAll(async () => {
    await env?.stop();
  });

  /** Proof and disclosure by the accused: the dispute window opens. */
  async function answer(ctx: ActionContext, challengeId: bigint, proof: FixtureProof) {
    const proven = await respondChallenge(ctx, { challengeId, proof: words(proof) });
    expect(proven.answered).toBe(false);
    const disclosed = await discloseTranscript(ctx, { challengeId, manifest: manifestOf(challengeId) });
    expect(disclosed.answered).toBe(true);
    return disclosed.disputeDeadline!;
  }

  it('A. disclosure and no dispute in time: the bond goes to the trainer', async () => {
    const before = { alice: await balance(me(alice)), victor: await balance(me(victor)) };
    const opened = await challenge(victor, { taskId, submissionId: 0n });
    const disputeDeadline = await answer(alice, opened.challengeId, fixture.proofs.aliceA0);
    await advanceTo(creator, env.clock, disputeDeadline + 1n);
    // Too late to dispute: said before the wallet is asked.
    const v = counting(victor);
    const late = await disputeSegment(v.ctx, { challengeId: opened.challengeId, segment: 1 }).catch((e: unknown) => e);
    expect((late as Error).message).toMatch(/^The time to name a segment of this transcript ended at /);
    expect(v.asked()).toBe(0);
    const cleared = await resolveChallenge(keeper, { challengeId: opened.challengeId });
    expect(cleared).toMatchObject({
      outcome: 'cleared',
      trainer: me(alice),
      bond: BOND,
      toTrainer: BOND,
      juryShare: 0n,
    });
    expect(await balance(me(alice))).toBe(before.alice + BOND);
    expect(await balance(me(victor))).toBe(before.victor - BOND);
    expect(await balance(module())).toBe(0n);
  });

  it('B. a dispute and a majority for "does not replay": upheld, with exact payouts to challenger and jury', async () => {
    const before = { bob: await balance(me(bob)), victor: await balance(me(victor)), j2: await balance(me(j2)) };
    const opened = await challenge(victor, { taskId, submissionId: 1n });
    const id = opened.challengeId;
    await answer(bob, id, fixture.proofs.bobStolen);

    // Refused before the wallet is asked: a segment out of range (K = 8), a dispute by the accused.
    const v = counting(victor);
    const outOfRange = await disputeSegment(v.ctx, { challengeId: id, segment: 8 }).catch((e: unknown) => e);
    expect(outOfRange).toBeInstanceOf(ActionInputError);
    expect((outOfRange as Error).message).toBe('The transcript has 8 segments: name one from 0 to 7.');
    const b = counting(bob);
    const byAccused = await disputeSegment(b.ctx, { challengeId: id, segment: 3 }).catch((e: unknown) => e);
    expect((byAccused as Error).message).toBe(
      'Only the challenger or a validator of this task whose own stake counts in the current epoch can dispute a segment.',
    );
    expect(v.asked() + b.asked()).toBe(0);

    const disputed = await disputeSegment(victor, { challengeId: id, segment: 5 });
    const block = await victor.publicClient.getBlock({ blockNumber: disputed.receipt.blockNumber });
    expect(disputed).toMatchObject({
      disputer: me(victor),
      segment: 5,
      commitEnd: block.timestamp + BigInt(VOTE / 2),
      voteEnd: block.timestamp + BigInt(VOTE),
    });
    expect(await readJurorWeight(keeper, taskId, me(victor))).toBe(V_STAKE);
    expect(await readJurorWeight(keeper, taskId, me(bob))).toBe(0n);

    // victor (30) and j2 (15) find segment 5 does not replay; j3 (15) that it does: 45 against 15.
    const votes = [
      [victor, false],
      [j2, false],
      [j3, true],
    ] as const;
    for (const [ctx, replays] of votes) {
      const c = await commitVerdict(ctx, { challengeId: id, replays, salt: saltOf(me(ctx), id) });
      expect(c.verdict).toMatchObject({ challengeId: id, segment: 5, juror: me(ctx), replays });
    }
    const j = counting(j2);
    const twice = await commitVerdict(j.ctx, { challengeId: id, replays: true, salt: saltOf(me(j2), id) }).catch(
      (e: unknown) => e,
    );
    expect((twice as Error).message).toBe(`You already committed a verdict on challenge ${id}.`);
    const early = await revealVerdict(j.ctx, { challengeId: id, replays: false, salt: saltOf(me(j2), id) }).catch(
      (e: unknown) => e,
    );
    expect((early as Error).message).toMatch(
      /^Verdicts are revealed from .+, once the commit half of the vote is over\.$/,
    );
    expect(j.asked()).toBe(0);

    await advanceTo(creator, env.clock, disputed.commitEnd);
    const wrong = await revealVerdict(j.ctx, { challengeId: id, replays: true, salt: saltOf(me(j2), id) }).catch(
      (e: unknown) => e,
    );
    expect((wrong as ActionInputError).field).toBe('salt');
    expect(j.asked()).toBe(0);
    for (const [ctx, replays] of votes) {
      const r = await revealVerdict(ctx, { challengeId: id, replays, salt: saltOf(me(ctx), id) });
      expect(r.verdict).toBe(replays ? 'replays' : 'does-not-replay');
    }
    expect(await readTally(keeper, id)).toMatchObject({
      replaysStake: J_STAKE,
      doesNotReplayStake: V_STAKE + J_STAKE,
      replaysVoters: 1,
      doesNotReplayVoters: 2,
      majority: null,
    });
    const stored = (await readChallenges(keeper, { taskId })).challenges.find((c) => c.challengeId === id)!;
    expect(stored.status).toBe('disputed');
    expect(stored.dispute).toMatchObject({ disputer: me(victor), segment: 5 });
    expect(stored.disputedAt!.block).toBe(disputed.receipt.blockNumber);
    const tooEarly = await resolveChallenge(keeper, { challengeId: id }).catch((e: unknown) => e);
    expect((tooEarly as TxError).errorName).toBe('VoteOpen');

    await advanceTo(creator, env.clock, disputed.voteEnd + 1n);
    const upheld = await resolveChallenge(keeper, { challengeId: id });
    const slashed = (STAKE * SLASH_BPS) / 10_000n;
    const pot = (slashed * JURY_BPS) / 10_000n;
    expect(upheld).toMatchObject({
      outcome: 'upheld',
      trainer: me(bob),
      challenger: me(victor),
      bond: BOND,
      rewards: 0n,
      slashed,
      juryShare: pot,
      toChallenger: BOND + slashed - pot,
    });
    expect(await balance(me(victor))).toBe(before.victor + slashed - pot);
    expect(await balance(me(bob))).toBe(before.bob);
    expect(await balance(module())).toBe(pot);

    // The majority shares the pot pro rata to stake; the last claimant takes the rounding rest.
    const victorShare = (pot * V_STAKE) / (V_STAKE + J_STAKE);
    expect(await readJuryShare(keeper, id, me(victor))).toBe(victorShare);
    expect(await readJuryShare(keeper, id, me(j3))).toBe(0n);
    expect((await claimJuryShare(victor, { challengeId: id })).amount).toBe(victorShare);
    expect((await claimJuryShare(j2, { challengeId: id })).amount).toBe(pot - victorShare);
    expect(await balance(me(victor))).toBe(before.victor + slashed - pot + victorShare);
    expect(await balance(me(j2))).toBe(before.j2 + pot - victorShare);
    expect(await balance(module())).toBe(0n);
    const k = counting(j3);
    const minority = await claimJuryShare(k.ctx, { challengeId: id }).catch((e: unknown) => e);
    expect((minority as Error).message).toBe(
      "Only validators who revealed the majority's verdict share the jury's pot.",
    );
    const again = await claimJuryShare(counting(victor).ctx, { challengeId: id }).catch((e: unknown) => e);
    expect((again as Error).message).toBe(`You already took your share of challenge ${id}'s jury pot.`);
    expect(k.asked()).toBe(0);
    expect(await readVote(keeper, id, me(victor))).toMatchObject({ verdict: 'does-not-replay', claimed: true });
    expect(await readTally(keeper, id)).toMatchObject({ majority: 'does-not-replay', juryPot: pot, juryPaid: pot });
  });

  it('C. a dispute and a tie: cleared, the whole bond goes to the trainer and no jury is paid', async () => {
    const before = { alice: await balance(me(alice)), victor: await balance(me(victor)) };
    const opened = await challenge(victor, { taskId, submissionId: 2n });
    const id = opened.challengeId;
    await answer(alice, id, fixture.proofs.aliceA0);
    // Any staked validator may name the segment, not only the challenger.
    const disputed = await disputeSegment(j3, { challengeId: id, segment: 0 });
    expect(disputed.disputer).toBe(me(j3));
    // victor (30) says it does not replay; j2 and j3 (15 + 15) that it does: 30 against 30.
    const votes = [
      [victor, false],
      [j2, true],
      [j3, true],
    ] as const;
    for (const [ctx, replays] of votes)
      await commitVerdict(ctx, { challengeId: id, replays, salt: saltOf(me(ctx), id) });
    await advanceTo(creator, env.clock, disputed.commitEnd);
    for (const [ctx, replays] of votes)
      await revealVerdict(ctx, { challengeId: id, replays, salt: saltOf(me(ctx), id) });
    await advanceTo(creator, env.clock, disputed.voteEnd + 1n);
    const cleared = await resolveChallenge(keeper, { challengeId: id });
    expect(cleared).toMatchObject({
      outcome: 'cleared',
      trainer: me(alice),
      bond: BOND,
      toTrainer: BOND,
      juryShare: 0n,
    });
    expect(await balance(me(alice))).toBe(before.alice + BOND);
    expect(await balance(me(victor))).toBe(before.victor - BOND);
    expect(await balance(module())).toBe(0n);
    expect(await readTally(keeper, id)).toMatchObject({
      replaysStake: 2n * J_STAKE,
      doesNotReplayStake: V_STAKE,
      majority: null,
      juryPot: 0n,
    });
    const noJury = await claimJuryShare(j2, { challengeId: id }).catch((e: unknown) => e);
    expect((noJury as Error).message).toBe(
      `Challenge ${id} was not settled by a vote with a majority, so no jury is paid.`,
    );
    const { challenges } = await readChallenges(keeper, { taskId });
    expect(challenges.map((c) => [c.challengeId, c.status, c.settled?.toTrainer, c.settled?.juryShare])).toEqual([
      [1n, 'cleared', BOND, 0n],
      [2n, 'upheld', undefined, (((STAKE * SLASH_BPS) / 10_000n) * JURY_BPS) / 10_000n],
      [3n, 'cleared', BOND, 0n],
    ]);
  });
});
