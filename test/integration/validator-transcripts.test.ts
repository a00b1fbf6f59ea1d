// The validator agent in the learning stage of challenges (SPEC 7 step 3, 8.3, 8.4) on anvil with
// the deployed ChallengeModule, the real blob store and the real transcript engine in Node:
// a trainer (the challenge fixture's alice, whose committed key KA is regenerated here, so its
// Groth16 ownership proof from the fixture verifies) trains two short digits-mlp transcripts with
// runTranscript: an honest one, and one whose last state is nudged off the replay (a "jump").
// The validator agent that challenged both replays each disclosed transcript: it names no
// segment of the honest one, and disputes exactly the tampered segment of the other; it and a
// second validator agent check the disputed segment, commit "does not replay" in the first half
// of the vote and reveal it in the second; the challenge is upheld and both take their jury
// share. Only the clock is moved; every step of the agents is their own decision.
import { createHash } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createTestClient, createWalletClient, http, keccak256, toHex, type Address, type Hex } from 'viem';
import { foundry } from 'viem/chains';
import { IDBFactory } from 'fake-indexeddb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freePort } from '../../scripts/lib/anvil.ts';
import { startBlobStore, type BlobStore } from '../../scripts/lib/blob-store/index.ts';
import { FIXTURE_JSON } from '../../scripts/zk/fixtures-challenge.ts';
import {
  ValidatorAgent,
  actionsChainPort,
  actionsChallengePort,
  agentStoreOn,
  casStorePort,
  openAgentDatabase,
  type Note,
  type TranscriptCheckEvent,
} from '../../src/lib/agents/index.ts';
import { uploadDisclosure } from '../../src/lib/agents/disclosure.ts';
import type { TranscriptCheckProgress } from '../../src/lib/agents/transcript-check.ts';
import {
  advanceTo,
  advanceToWindow,
  challenge,
  createTask,
  discloseTranscript,
  faucet,
  joinTask,
  readChallenge,
  readTally,
  readVote,
  resolveChallenge,
  respondChallenge,
  revealSubmission,
  sealSubmission,
  type ActionContext,
} from '../../src/lib/chain/actions/index.ts';
import { verdictCommitment } from '../../src/lib/chain/commitments.ts';
import { seededTranscript } from '../../src/lib/chain/transcript-commit.ts';
import type { AccountWallet } from '../../src/lib/chain/tx/types.ts';
import { artifactHash } from '../../src/lib/ml/artifact/hash.ts';
import { fileCid } from '../../src/lib/storage/unixfs/dag.ts';
import { rootOfCid } from '../../src/lib/storage/unixfs/ref.ts';
import { specShapes } from '../../src/lib/ml/spec/shapes.ts';
import { createProgram } from '../../src/lib/ml/transcript/program.ts';
import { roundToGrid } from '../../src/lib/ml/transcript/round.ts';
import { runTranscript } from '../../src/lib/ml/transcript/run.ts';
import { merkleRoot } from '../../src/lib/ml/transcript/merkle.ts';
import { leafOf, stateArtifact } from '../../src/lib/ml/transcript/state.ts';
import type { TranscriptStore } from '../../src/lib/ml/transcript/store.ts';
import { keyCommit } from '../../src/lib/ml/watermark/commit.ts';
import { fieldToBytes32 } from '../../src/lib/ml/watermark/field.ts';
import { generateKey, type RandomFill } from '../../src/lib/ml/watermark/key.ts';
import type { CasConfig } from '../../src/lib/storage/cas/index.ts';
import { openTranscriptDir } from '../../src/lib/storage/transcripts-fs.ts';
import type { WatermarkKey } from '../../src/lib/ml/watermark/types.ts';
import { useBackend } from '../unit/ml/engine/helpers.ts';
import { digitsSpec, programOptions } from '../unit/ml/transcript/fixture.ts';
import { startArenaEnv, type ArenaEnv } from './support/chain-actions-env.ts';
import { challengeTaskParams } from './support/challenge-task.ts';
import { digitsDataHashes, digitsMlPort } from './support/public-files.ts';

interface FixtureProof {
  publicSignals: Hex[];
  proof: Hex[];
}
const fixture = JSON.parse(readFileSync(FIXTURE_JSON, 'utf8')) as {
  owners: Record<'alice', Address>;
  keyCommits: Record<'KA', Hex>;
  models: Record<'A0', { wmCommit: Hex }>;
  proofs: Record<'aliceA0', FixtureProof>;
};

/** scripts/zk/fixtures-challenge.ts's seeded bytes (sha256(label/counter) blocks): alice's key KA again. */
function seededFill(label: string): RandomFill {
  let counter = 0;
  let pool = new Uint8Array(0);
  return (bytes) => {
    let filled = 0;
    while (filled < bytes.length) {
      if (pool.length === 0) pool = new Uint8Array(createHash('sha256').update(`${label}/${counter++}`).digest());
      const take = Math.min(pool.length, bytes.length - filled);
      bytes.set(pool.subarray(0, take), filled);
      pool = pool.subarray(take);
      filled += take;
    }
    return bytes;
  };
}

const WAD = 10n ** 18n;
const T = (n: number) => BigInt(n) * WAD;
const BOND = T(10);
const K = 3;
const RESPONSE = 900;
/** Shorter than half the vote: the honest challenge clears before the other's vote ends (alice then forfeits, and a later outcome is void). */
const DISPUTE = 250;
const VOTE = 600;
const JURY_BPS = 1_000;

describe('validator agents check disclosed transcripts, dispute and vote (anvil, Node engine)', () => {
  let env: ArenaEnv;
  let blobs: BlobStore;
  let dir: string;
  let store: TranscriptStore;
  let creator: ActionContext, victor: ActionContext, juror: ActionContext, alice: ActionContext;
  let taskId: bigint;

  beforeAll(async () => {
    await useBackend('wasm');
    env = await startArenaEnv();
    dir = mkdtempSync(join(tmpdir(), 'aiarena-validator-transcripts-'));
    blobs = await startBlobStore({ dir: join(dir, 'blobs'), port: await freePort(), host: '127.0.0.1' });
    store = await openTranscriptDir(join(dir, 'transcripts'));
    [creator, victor, juror] = await Promise.all([env.as(1), env.as(2), env.as(3)]);
    const test = createTestClient({ chain: foundry, mode: 'anvil', transport: http(env.rpcUrl) });
    await test.setBalance({ address: fixture.owners.alice, value: 10n ** 21n });
    alice = {
      publicClient: creator.publicClient,
      deployment: env.deployment,
      wallet: createWalletClient({
        account: fixture.owners.alice,
        chain: foundry,
        transport: http(env.rpcUrl),
      }) as unknown as AccountWallet,
      permit: 'never',
    };
    for (const ctx of [creator, victor, juror, alice]) await faucet(ctx, { amount: T(1_000) });
  }, 180_000);

  afterAll(async () => {
    store?.close();
    await blobs?.close();
    await env?.stop();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it('replays an honest transcript and names nothing; disputes exactly the tampered segment; both agents vote "does not replay" and take their jury share', async () => {
    const digits = await digitsSpec({ interval: 10 });
    const data = await digitsDataHashes();
    const modelSpec = `0x${digits.hash}` as Hex;
    const now = (await creator.publicClient.getBlock()).timestamp;
    ({ taskId } = await createTask(
      creator,
      challengeTaskParams(
        now + 100n,
        {
          bond: BOND,
          responseTime: RESPONSE,
          slashBps: 5_000,
          disputeTime: DISPUTE,
          voteTime: VOTE,
          juryBps: JURY_BPS,
        },
        { challengeEpochs: 3, modelSpec, ...data },
      ),
    ));
    const KA: WatermarkKey = generateKey(64, 128, seededFill('aiarena challenge fixture key KA'));
    expect(fieldToBytes32(keyCommit(KA))).toBe(fixture.keyCommits.KA);
    await joinTask(alice, {
      taskId,
      role: 'trainer',
      amount: T(20),
      sigma: WAD / 2n,
      keyCommit: fixture.keyCommits.KA,
    });
    await joinTask(victor, { taskId, role: 'validator', amount: T(30), sigma: WAD });
    await joinTask(juror, { taskId, role: 'validator', amount: T(15), sigma: WAD });

    // Alice's transcripts: the honest run, and a copy whose last state is moved off the replay
    // (one weight moved by 0.5, far beyond the segment rule's outlier tolerance: a move of a few
    // grid steps on one weight now passes as an outlier), re-rooted so that it matches its own seal.
    const identity = { chainId: env.deployment.chainId, task: taskId, trainer: fixture.owners.alice };
    const options = { ...(await programOptions(digits, identity)), keyBits: KA.bits };
    const t0 = Date.now();
    const honest = await runTranscript({ ...options, id: 'honest', store, segments: K, backend: 'wasm' });
    const trainSeconds = (Date.now() - t0) / 1000;
    expect(honest.status).toBe('completed');
    const states = await Promise.all(Array.from({ length: K + 1 }, (_, i) => store.state('honest', i).then((b) => b!)));
    const program = await createProgram(options);
    const end = program.decode(states[K]!);
    const bits = program.settings.mantissaBits;
    end.weights[0]![77] = roundToGrid(end.weights[0]![77]! + 0.5, bits);
    const tamperedStates = [...states.slice(0, K), program.encode(end)];
    program.dispose();
    const leaves = await Promise.all(tamperedStates.map((b) => leafOf(b)));
    const tamperedMeta = { ...honest.meta, id: 'tampered', leaves, root: merkleRoot(leaves) };
    for (const [i, b] of tamperedStates.entries()) await store.save(tamperedMeta, i, b);
    const params = specShapes(digits.spec).params;
    const located = async (bytes: Uint8Array) => ({
      artifact: await artifactHash(bytes),
      artifactRoot: rootOfCid(await fileCid(bytes)),
    });
    const subs = [
      { id: 'honest', root: honest.root!, ...(await located(stateArtifact(states[K]!, params))) },
      { id: 'tampered', root: tamperedMeta.root, ...(await located(stateArtifact(tamperedStates[K]!, params))) },
    ];
    expect(subs[0]!.artifact).toBe(honest.artifactHash);

    // Epoch 0: the honest model (submission 0); epoch 1: the tampered one (submission 1). The
    // ownership proof is the fixture's (it binds wmCommit, keyCommit and owner, not the weights).
    for (const [epoch, s] of subs.entries()) {
      const p = {
        taskId,
        artifactHash: s.artifact,
        wmCommit: fixture.models.A0.wmCommit,
        transcript: seededTranscript(s.root, K),
        salt: keccak256(toHex(`salt/${epoch}`)),
      };
      await advanceToWindow(creator, env.clock, taskId, 'Seal', epoch);
      await sealSubmission(alice, p);
      await advanceToWindow(creator, env.clock, taskId, 'Reveal', epoch);
      await revealSubmission(alice, { ...p, artifactRoot: s.artifactRoot });
    }

    // The validator agents (each with its own eval service: one replay at a time per worker).
    const cas: CasConfig = {
      gateways: [blobs.url],
      upload: { kind: 'store', url: `${blobs.url}/upload` },
      maxBytes: blobs.maxBlobBytes,
    };
    const persist = agentStoreOn(await openAgentDatabase(new IDBFactory()));
    const notes: Note[] = [];
    const errors: unknown[] = [];
    const checkEvents: TranscriptCheckEvent[] = [];
    const open = async (ctx: ActionContext) => {
      const agent = await ValidatorAgent.open({
        scope: {
          chainId: env.deployment.chainId,
          registry: env.deployment.contracts.taskRegistry,
          taskId,
          account: ctx.wallet.account.address,
          role: 'validator',
        },
        chain: actionsChainPort(ctx, taskId),
        challenges: actionsChallengePort(ctx, taskId),
        store: casStorePort(cas),
        ml: digitsMlPort(digits.bytes, data),
        persist,
        lock: null,
      });
      agent.subscribe((e) => {
        if (e.type === 'note') notes.push(e.note);
        if (e.type === 'error') errors.push(e.error);
        if (e.type === 'transcript-check') checkEvents.push(e);
      });
      return agent;
    };
    const [checker, second] = await Promise.all([open(victor), open(juror)]);
    const drive = async (agent: ValidatorAgent, ticks = 1) => {
      for (let i = 0; i < ticks; i++) {
        await agent.tick();
        await agent.settled();
      }
    };

    // The challenge epoch: the checker's account challenges both; alice proves and discloses.
    const schedule = checker.taskInfo.schedule;
    await advanceTo(creator, env.clock, schedule.startTime + 2n * BigInt(schedule.epochLength) + 1n);
    const ids: bigint[] = [];
    for (const submissionId of [0n, 1n]) ids.push((await challenge(victor, { taskId, submissionId })).challengeId);
    const [cHonest, cTampered] = ids as [bigint, bigint];
    const sizes: number[] = [];
    for (const [i, s] of subs.entries()) {
      await respondChallenge(alice, {
        challengeId: ids[i]!,
        proof: fixture.proofs.aliceA0.proof.map((x) => BigInt(x)),
      });
      const d = await uploadDisclosure(casStorePort(cas), store, s.id, KA);
      sizes.push(d.bytes);
      const r = await discloseTranscript(alice, { challengeId: ids[i]!, manifest: d.manifest });
      expect(r.answered).toBe(true);
    }

    // The checker replays both transcripts, one after the other, and disputes the tampered one.
    const c0 = Date.now();
    await drive(checker, 4);
    const checkSeconds = (Date.now() - c0) / 1000;
    const whole = (id: bigint) => checker.state.learning.checks[`${id}/whole`]!;
    expect(errors).toEqual([]);
    expect(whole(cHonest), notes.map((n) => n.message).join('\n')).toMatchObject({
      mode: 'whole',
      status: 'replays',
      segments: K,
      toCheck: [0, 1, 2],
      firstFailing: null,
    });
    expect(whole(cHonest).checked.map((c) => [c.segment, c.replays, c.failing])).toEqual([
      [0, true, 0],
      [1, true, 0],
      [2, true, 0],
    ]);
    expect(whole(cTampered), notes.map((n) => n.message).join('\n')).toMatchObject({
      status: 'fails',
      firstFailing: K - 1,
    });
    expect(whole(cTampered).checked.map((c) => [c.segment, c.replays])).toEqual([
      [0, true],
      [1, true],
      [2, false],
    ]);
    expect(whole(cTampered).checked[2]!.failing).toBeGreaterThan(0);
    // Progress went out as events, step by step, ending in each check's result.
    const reports = (id: bigint) => checkEvents.filter((e) => e.key === `${id}/whole`).map((e) => e.progress);
    const last = (ps: TranscriptCheckProgress[]) => ps.at(-1)!;
    expect(reports(cHonest).map((p) => p.status)[0]).toBe('fetching');
    expect(reports(cHonest).some((p) => p.step?.segment === 1 && p.step.done === 10 && p.step.of === 10)).toBe(true);
    expect(last(reports(cHonest)).status).toBe('replays');
    expect(last(reports(cTampered)).status).toBe('fails');
    const onChain = async (id: bigint) => (await readChallenge(creator, id))!;
    expect((await onChain(cHonest)).dispute).toBeNull();
    expect((await onChain(cTampered)).dispute).toMatchObject({
      disputer: victor.wallet.account.address,
      segment: K - 1,
    });
    expect(notes.map((n) => n.key)).toContain(`replays/${cHonest}`);

    // Verdicts: the second agent replays only the disputed segment; the checker votes from its
    // own whole check. Both commit in the first half of the vote.
    await drive(second, 3);
    await drive(checker, 1);
    expect(second.state.learning.checks[`${cTampered}/segment`]).toMatchObject({
      mode: 'segment',
      status: 'fails',
      toCheck: [K - 1],
      firstFailing: K - 1,
    });
    expect(second.state.learning.checks[`${cTampered}/whole`]).toBeUndefined();
    expect(checker.state.learning.checks[`${cTampered}/segment`]).toBeUndefined();
    for (const [agent, ctx] of [
      [checker, victor],
      [second, juror],
    ] as const) {
      const v = agent.state.learning.verdicts[cTampered.toString()]!;
      expect(v).toMatchObject({ status: 'committed', replays: false, segment: K - 1 });
      // The stored salt opens the commitment on chain: it was kept before the commit was sent.
      const vote = await readVote(creator, cTampered, ctx.wallet.account.address);
      expect(vote.commitment).toBe(verdictCommitment(cTampered, K - 1, ctx.wallet.account.address, false, v.salt!));
    }
    expect(checker.state.learning.verdicts[cHonest.toString()]).toBeUndefined();

    // The second half: both reveal; then the vote ends and anyone settles it.
    const dispute = (await onChain(cTampered)).dispute!;
    await advanceTo(creator, env.clock, dispute.commitEnd);
    await drive(checker, 1);
    await drive(second, 1);
    const tally = await readTally(creator, cTampered);
    expect([tally.doesNotReplayVoters, tally.replaysVoters]).toEqual([2, 0]);
    expect(tally.doesNotReplayStake).toBe(T(45));
    // The honest challenge: nobody named a segment in time; it clears (before alice forfeits).
    const honestDeadline = (await onChain(cHonest)).disputeDeadline!;
    expect(honestDeadline < dispute.commitEnd).toBe(true);
    await resolveChallenge(creator, { challengeId: cHonest });
    expect((await onChain(cHonest)).status).toBe('cleared');
    await advanceTo(creator, env.clock, dispute.voteEnd + 1n);
    await resolveChallenge(creator, { challengeId: cTampered });
    expect((await onChain(cTampered)).status).toBe('upheld');

    // The jury's shares: each claims its own, pro rata to stake (30 : 15), and the pot is emptied.
    await drive(checker, 1);
    await drive(second, 1);
    const settled = await readTally(creator, cTampered);
    expect(settled.majority).toBe('does-not-replay');
    expect(settled.juryPot > 0n).toBe(true);
    expect(settled.juryPaid).toBe(settled.juryPot);
    expect(settled.claims).toBe(2);
    for (const [agent, ctx] of [
      [checker, victor],
      [second, juror],
    ] as const) {
      expect((await readVote(creator, cTampered, ctx.wallet.account.address)).claimed).toBe(true);
      expect(agent.state.learning.verdicts[cTampered.toString()]!.status).toBe('claimed');
    }
    expect(errors).toEqual([]);
    expect(notes.filter((n) => n.level === 'error')).toEqual([]);
    console.log(
      `validator transcripts: trained ${K} segments of 10 steps in ${trainSeconds.toFixed(1)} s; disclosures ${sizes.join(' / ')} bytes; ` +
        `the checker replayed ${K} + ${K} segments in ${checkSeconds.toFixed(1)} s; segment ${K - 1} of the tampered transcript failed on ` +
        `${whole(cTampered).checked[2]!.failing} coordinates; jury pot ${Number(settled.juryPot) / 1e18} ARENA`,
    );
  }, 600_000);
});
