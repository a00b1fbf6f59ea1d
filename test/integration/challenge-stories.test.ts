// The challenge stories of SPEC sections 7 and 8 (issue 11 section 5), end to end on anvil with
// the deployed contracts, the real blob store, the ML engine in Node (real training, real
// transcript replays) and real Groth16 proofs through the app's proving path
// (src/lib/app-logic/ownership.ts). Agents act by themselves; the test moves the clock, plays the
// people who are not agents (a challenger that disputes by hand, a thief, a copier) and checks
// every token against ChallengeModule's rules (docs/contracts.md, "Challenges", "Verdicts"):
//
//   (a) epoch 0: alice's trainer agent trains digits-mlp on wasm with a transcript, seals its
//       root and reveals. vince, a staked validator, challenges it; the agent answers by itself
//       (ownership proof + disclosure). vince disputes the last segment anyway and votes "does
//       not replay"; two validator agents replay that segment on the reference backend, wasm
//       (jade evaluates models on cpu, and still replays on wasm: docs/transcript.md section 5),
//       and vote "replays". The challenge clears: alice gets
//       the bond less juryBps, victor and jade share juryBps of it pro rata to stake, vince gets
//       nothing back.
//   (b) epoch 1: mallory copies alice's revealed model, re-watermarks it with its own key (40
//       steps, so its ownership proof verifies), fabricates a transcript that starts from its own
//       seeded state, trains one honest segment and jumps to the stolen weights
//       (scripts/lib/transcript-forgery.ts), seals and reveals. victor's agent scores it, finds
//       it functionally close to alice's model (probe agreement above the threshold) and
//       challenges by itself; mallory proves and discloses; victor replays the whole transcript
//       and disputes exactly the jump; victor and jade vote "does not replay"; the challenge is
//       upheld after epoch 1 is finalized: mallory forfeits its booked rewards and half its
//       stake, victor gets its bond and the forfeit less juryBps, the jurors the rest.
//   (c) epoch 2: carol reveals alice's model fine-tuned for an epoch without any watermark.
//       victor's agent challenges it by itself; carol cannot prove with its own key
//       (WatermarkDoesNotDecodeError) and after the deadline the challenge is upheld without any
//       vote: victor gets its bond, carol's booked rewards (its delegator's share included) and
//       slashBps of its stake.
//
// Only the clock is moved (anvil). Seeds and keys are fixed so the run repeats.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { IDBFactory } from 'fake-indexeddb';
import type { Address, Hex } from 'viem';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freePort } from '../../scripts/lib/anvil.ts';
import { startBlobStore, type BlobStore } from '../../scripts/lib/blob-store/index.ts';
import { forgeTheft, type ForgedTranscript } from '../../scripts/lib/transcript-forgery.ts';
import { benchKey } from '../../scripts/lib/watermark-attacks.ts';
import { arenaTokenAbi } from '../../src/lib/chain/abi.generated.ts';
import {
  advanceTo,
  challenge,
  claimJuryShare,
  commitVerdict,
  createTask,
  delegate,
  discloseTranscript,
  disputeSegment,
  faucet,
  finalizeEpoch,
  joinTask,
  randomSalt,
  readChallenge,
  readClaimables,
  readJuryShare,
  readPool,
  readSubmissions,
  readTally,
  readVote,
  resolveChallenge,
  respondChallenge,
  revealSubmission,
  revealVerdict,
  sealSubmission,
  type ActionContext,
} from '../../src/lib/chain/actions/index.ts';
import { gatewayFetcher } from '../../src/lib/chain/reads/gateway.ts';
import { windowTimes, type Schedule } from '../../src/lib/chain/schedule.ts';
import { seededTranscript } from '../../src/lib/chain/transcript-commit.ts';
import {
  TrainerAgent,
  ValidatorAgent,
  actionsChainPort,
  actionsChallengePort,
  agentStoreOn,
  casStorePort,
  keyStoreOn,
  mlPort,
  openAgentDatabase,
  ownershipProverPort,
  type AgentScope,
  type EvaluatorHandle,
  type Note,
} from '../../src/lib/agents/index.ts';
import { uploadDisclosure } from '../../src/lib/agents/disclosure.ts';
import { weightsWmCommit } from '../../src/lib/agents/artifact-checks.ts';
import { artifactHash } from '../../src/lib/ml/artifact/hash.ts';
import { fileCid } from '../../src/lib/storage/unixfs/dag.ts';
import { rootOfCid } from '../../src/lib/storage/unixfs/ref.ts';
import { serializeArtifact } from '../../src/lib/ml/artifact/serialize.ts';
import { createEvalService } from '../../src/lib/ml/eval/service.ts';
import { Rng } from '../../src/lib/ml/rng.ts';
import { cosineSimilarity, submissionWeights } from '../../src/lib/ml/similarity.ts';
import { specShapes } from '../../src/lib/ml/spec/shapes.ts';
import { createTrainService } from '../../src/lib/ml/train/service.ts';
import type { TranscriptStore } from '../../src/lib/ml/transcript/store.ts';
import { keyCommit } from '../../src/lib/ml/watermark/commit.ts';
import { fieldToBytes32 } from '../../src/lib/ml/watermark/field.ts';
import { openCheckpointStore } from '../../src/lib/storage/checkpoints.ts';
import { uploadBlob, type CasConfig } from '../../src/lib/storage/cas/index.ts';
import { openTranscriptDir } from '../../src/lib/storage/transcripts-fs.ts';
import { releaseProverThreads, WatermarkDoesNotDecodeError } from '../../src/lib/zk/index.ts';
import { createProveService } from '../../src/lib/zk/service.ts';
import { proveResponse, type OwnershipEnv } from '../../src/lib/app-logic/ownership.ts';
import { WASM_DIR, useBackend } from '../unit/ml/engine/helpers.ts';
import { programOptions } from '../unit/ml/transcript/fixture.ts';
import { startArenaEnv, type ArenaEnv } from './support/chain-actions-env.ts';
import { challengeTaskParams } from './support/challenge-task.ts';
import { digitsDataHashes, digitsMlPort, publicFetch } from './support/public-files.ts';
import { loadDigits, ownerWrongBits, fineTuneCopy, type Digits } from './support/thieves.ts';

/** carol's transcript commitment: synthetic (she never trained), seeded, 8 segments. */
const CAROL_TRANSCRIPT = seededTranscript(`0x${'7a'.repeat(32)}`, 8);

const WAD = 10n ** 18n;
const T = (n: number) => BigInt(n) * WAD;
const BPS = 10_000n;
const STAKE = T(10);
/** Jurors' own stakes (their weights): victor 10, jade 20, vince 15. */
const JADE_STAKE = T(20);
const VINCE_STAKE = T(15);
const BOND = T(5);
const SLASH_BPS = 5_000n;
const JURY_BPS = 1_000n;
const RESPONSE = 300;
const DISPUTE = 300;
const VOTE = 300;
/**
 * alice's training: the epochs docs/bench/similarity.md trained its models for, where the
 * automatic challenge's threshold was measured (after 2 epochs a thief's re-watermarked copy
 * agrees with the original on only 69.7% of the probe inputs: below the threshold).
 */
const ALICE_EPOCHS = 20;
/** Long enough for a whole challenge (answer, dispute, vote) inside one epoch's windows. */
const EPOCH = 2_000;

/** A seeded stand-in for crypto.getRandomValues, so the agents' seeds and salts repeat. */
const seededRandom = (label: string) => {
  const rng = Rng.seeded('challenge-stories', label);
  return (bytes: Uint8Array) => {
    for (let i = 0; i < bytes.length; i++) bytes[i] = rng.nextU32() & 0xff;
  };
};

/** What jade's eval service ran, on which backend: jade evaluates on cpu and replays on the reference backend. */
type BackendLog = { job: 'evaluate' | 'replay'; asked: string; ran: string }[];
function recordingEvaluator(log: BackendLog): EvaluatorHandle {
  const service = createEvalService({ backend: { wasmPaths: WASM_DIR }, fetch: publicFetch });
  return {
    async evaluate(job, events) {
      const r = await service.evaluate(job, events);
      log.push({ job: 'evaluate', asked: String(job.backend), ran: r.backend });
      return r;
    },
    async replay(job, events) {
      const r = await service.replay(job, events);
      log.push({ job: 'replay', asked: String(job.backend), ran: r.backend });
      return r;
    },
  };
}

describe('challenge stories on anvil, with real training, real replays and real proofs', () => {
  let env: ArenaEnv;
  let blobs: BlobStore;
  let dir: string;
  let creator: ActionContext,
    alice: ActionContext,
    carol: ActionContext,
    mallory: ActionContext,
    victor: ActionContext,
    delia: ActionContext,
    keeper: ActionContext,
    jadeCtx: ActionContext,
    vince: ActionContext;
  let taskId: bigint;
  let schedule: Schedule;
  let digits: Digits;
  let cas: CasConfig;
  let ownership: OwnershipEnv;
  let transcripts: TranscriptStore;
  let thiefStore: TranscriptStore;
  let trainer: TrainerAgent;
  let validator: ValidatorAgent;
  let jade: ValidatorAgent;
  const jadeBackends: BackendLog = [];
  const key = {
    alice: benchKey(64, 128, 'story/alice'),
    carol: benchKey(64, 128, 'story/carol'),
    mallory: benchKey(64, 128, 'story/mallory'),
  };
  const notes: Record<'alice' | 'victor' | 'jade', Note[]> = { alice: [], victor: [], jade: [] };
  const errors: unknown[] = [];
  const numbers: Record<string, unknown> = {};
  /** Submission ids by who revealed them. */
  const sub: Record<string, bigint> = {};
  let aliceChallenge = 0n;
  let started = 0;

  const balance = (who: Address) =>
    creator.publicClient.readContract({
      address: creator.deployment.contracts.token,
      abi: arenaTokenAbi,
      functionName: 'balanceOf',
      args: [who],
    });
  const me = (ctx: ActionContext) => ctx.wallet.account.address;
  const middle = (epoch: number, window: 'Seal' | 'Reveal' | 'ScoreCommit' | 'ScoreReveal') => {
    const t = windowTimes(schedule, epoch, window)!;
    return t.opens + (t.closes - t.opens) / 4n;
  };
  const epochEnd = (epoch: number) => schedule.startTime + BigInt(epoch + 1) * BigInt(schedule.epochLength);
  const at = (t: bigint) => advanceTo(creator, env.clock, t);
  const told = (who: keyof typeof notes) => notes[who].map((n) => `${n.key}: ${n.message}`).join('\n');
  const drive = async (agent: TrainerAgent | ValidatorAgent, ticks = 1) => {
    for (let i = 0; i < ticks; i++) {
      await agent.tick();
      await agent.settled();
    }
  };
  /** Ticks `agent` until `done` holds (each tick waits for the work it started). */
  const driveUntil = async (
    agent: TrainerAgent | ValidatorAgent,
    who: keyof typeof notes,
    done: () => boolean | Promise<boolean>,
    what: string,
    max = 8,
  ) => {
    for (let i = 0; i < max && !(await done()); i++) await drive(agent);
    if (!(await done())) throw new Error(`${who}: ${what} not reached in ${max} ticks\n${told(who)}`);
  };
  /** The validators score the epoch: evaluations in the reveal window, seed, commit, reveal. */
  const scoreEpoch = async (epoch: number) => {
    await at(middle(epoch, 'ScoreCommit'));
    for (const [agent, who] of [
      [validator, 'victor'],
      [jade, 'jade'],
    ] as const)
      await driveUntil(
        agent,
        who,
        () => agent.state.epochs.find((e) => e.epoch === epoch)?.commit?.status === 'committed',
        `scores of epoch ${epoch} committed`,
      );
    await at(middle(epoch, 'ScoreReveal'));
    for (const [agent, who] of [
      [validator, 'victor'],
      [jade, 'jade'],
    ] as const)
      await driveUntil(
        agent,
        who,
        () => agent.state.epochs.find((e) => e.epoch === epoch)?.commit?.status === 'revealed',
        `scores of epoch ${epoch} revealed`,
      );
    await at(epochEnd(epoch) + 1n);
    await finalizeEpoch(keeper, { taskId });
  };
  /** Serializes weights as the task's artifact, as a client would at reveal. */
  const publish = async (weights: Float32Array[]) => {
    const bytes = serializeArtifact(
      Uint8Array.from(Buffer.from(digits.specHash, 'hex')),
      specShapes(digits.spec).params,
      weights,
    );
    return { bytes, artifactHash: await artifactHash(bytes), wmCommit: weightsWmCommit(digits.spec, weights) };
  };
  const weightsOf = (bytes: Uint8Array) => submissionWeights(bytes, digits.spec, digits.specHash);
  /** Seals in the seal window and reveals in the reveal window of `epoch`, uploading the artifact first. */
  const sealAndReveal = async (
    ctx: ActionContext,
    epoch: number,
    p: { bytes: Uint8Array; artifactHash: Hex; wmCommit: Hex; transcript: ReturnType<typeof seededTranscript> },
  ) => {
    const args = { taskId, artifactHash: p.artifactHash, wmCommit: p.wmCommit, transcript: p.transcript };
    const salt = randomSalt();
    await at(middle(epoch, 'Seal'));
    await sealSubmission(ctx, { ...args, salt });
    await at(middle(epoch, 'Reveal'));
    await uploadBlob(p.bytes, cas);
    const r = await revealSubmission(ctx, { ...args, artifactRoot: rootOfCid(await fileCid(p.bytes)), salt });
    expect(r.duplicate).toBe(false);
    return r.submissionId;
  };

  beforeAll(async () => {
    started = Date.now();
    await useBackend('wasm');
    env = await startArenaEnv();
    dir = mkdtempSync(join(tmpdir(), 'aiarena-challenge-stories-'));
    blobs = await startBlobStore({ dir: join(dir, 'blobs'), port: await freePort(), host: '127.0.0.1' });
    cas = {
      gateways: [blobs.url],
      upload: { kind: 'store', url: `${blobs.url}/upload` },
      maxBytes: blobs.maxBlobBytes,
    };
    [creator, alice, carol, mallory, victor, delia, keeper, jadeCtx, vince] = (await Promise.all(
      [1, 2, 3, 4, 5, 6, 7, 8, 9].map((i) => env.as(i)),
    )) as ActionContext[] as [
      ActionContext,
      ActionContext,
      ActionContext,
      ActionContext,
      ActionContext,
      ActionContext,
      ActionContext,
      ActionContext,
      ActionContext,
    ];
    digits = await loadDigits();
    for (const ctx of [creator, alice, carol, mallory, victor, delia, jadeCtx, vince])
      await faucet(ctx, { amount: T(1_000) });

    const hashes = { modelSpec: `0x${digits.specHash}` as Hex, ...(await digitsDataHashes()) };
    const now = (await creator.publicClient.getBlock()).timestamp;
    ({ taskId } = await createTask(
      creator,
      challengeTaskParams(
        now + 60n,
        {
          bond: BOND,
          responseTime: RESPONSE,
          slashBps: Number(SLASH_BPS),
          disputeTime: DISPUTE,
          voteTime: VOTE,
          juryBps: Number(JURY_BPS),
        },
        { ...hashes, submissionEpochs: 3, epochLength: EPOCH },
      ),
    ));

    // alice's agent keeps its transcripts on disk, as the Node train service does; its ML port
    // and the agent open the same directory.
    const transcriptDir = join(dir, 'transcripts');
    transcripts = await openTranscriptDir(transcriptDir);
    thiefStore = await openTranscriptDir(join(dir, 'thief'));
    const aliceMl = mlPort({
      trainer: createTrainService({
        backend: { wasmPaths: WASM_DIR },
        fetch: publicFetch,
        openStore: () => openCheckpointStore(new IDBFactory()),
        openTranscriptStore: () => openTranscriptDir(transcriptDir),
      }),
      evaluator: createEvalService({ backend: { wasmPaths: WASM_DIR }, fetch: publicFetch }),
      specBytes: digits.specBytes,
      trainData: hashes.trainData,
      dataUrl: () => 'http://local/datasets/digits-train',
      transcripts,
      fetch: publicFetch,
    });
    const jadeMl = mlPort({
      trainer: createTrainService({
        backend: { wasmPaths: WASM_DIR },
        fetch: publicFetch,
        openStore: () => openCheckpointStore(new IDBFactory()),
      }),
      evaluator: recordingEvaluator(jadeBackends),
      specBytes: digits.specBytes,
      trainData: hashes.trainData,
      dataUrl: (hash) => `http://local/datasets/${hash === hashes.trainData ? 'digits-train' : 'digits-eval'}`,
      evalBackend: 'cpu',
    });
    ownership = {
      prover: createProveService({ fetch: publicFetch }),
      manifestUrl: 'http://local/zk/manifest.json',
      content: gatewayFetcher([blobs.url]),
      spec: digits.spec,
      specHash: `0x${digits.specHash}`,
    };

    const db = await openAgentDatabase(new IDBFactory());
    const keys = keyStoreOn(db);
    const persist = agentStoreOn(db);
    const scope = (ctx: ActionContext, role: 'trainer' | 'validator'): AgentScope => ({
      chainId: env.deployment.chainId,
      registry: env.deployment.contracts.taskRegistry,
      taskId,
      account: me(ctx),
      role,
    });
    const aliceScope = scope(alice, 'trainer');
    // alice's key, as if imported from her backup: fixed so the run repeats (the agent would make a random one).
    await keys.put(
      { chainId: aliceScope.chainId, registry: aliceScope.registry, taskId, account: me(alice) },
      key.alice,
    );
    const listen = (agent: TrainerAgent | ValidatorAgent, who: keyof typeof notes) =>
      agent.subscribe((e) => {
        if (e.type === 'note') notes[who].push(e.note);
        if (e.type === 'error') errors.push(e.error);
      });
    trainer = await TrainerAgent.open({
      scope: aliceScope,
      chain: actionsChainPort(alice, taskId),
      store: casStorePort(cas),
      ml: aliceMl,
      persist,
      keys,
      transcripts,
      prover: ownershipProverPort(alice, ownership, me(alice)),
      lock: null,
      random: seededRandom('alice'),
    });
    listen(trainer, 'alice');
    const openValidator = async (ctx: ActionContext, ml: ReturnType<typeof mlPort>, label: string) =>
      ValidatorAgent.open({
        scope: scope(ctx, 'validator'),
        chain: actionsChainPort(ctx, taskId),
        challenges: actionsChallengePort(ctx, taskId),
        store: casStorePort(cas),
        ml,
        persist,
        lock: null,
        random: seededRandom(label),
      });
    validator = await openValidator(victor, digitsMlPort(digits.specBytes, hashes), 'victor');
    listen(validator, 'victor');
    jade = await openValidator(jadeCtx, jadeMl, 'jade');
    listen(jade, 'jade');
    // jade votes but leaves challenging to others.
    await jade.challengeSettings({ auto: false });
    schedule = trainer.taskInfo.schedule;

    // Before the start: alice's agent stakes with her key's commitment and trains (wasm); carol and
    // mallory stake with theirs; delia delegates to carol; victor and jade stake through their
    // agents, vince by hand.
    await trainer.command({ type: 'join', amount: STAKE, sigma: WAD / 2n });
    await trainer.command({ type: 'startTraining', epochs: ALICE_EPOCHS, backend: 'wasm' });
    for (const [ctx, k] of [
      [carol, key.carol],
      [mallory, key.mallory],
    ] as const)
      await joinTask(ctx, {
        taskId,
        role: 'trainer',
        amount: STAKE,
        sigma: WAD / 2n,
        keyCommit: fieldToBytes32(keyCommit(k)) as Hex,
      });
    await delegate(delia, { taskId, delegatee: me(carol), amount: T(10) });
    await validator.command({ type: 'join', amount: STAKE, sigma: WAD });
    await jade.command({ type: 'join', amount: JADE_STAKE, sigma: WAD });
    await joinTask(vince, { taskId, role: 'validator', amount: VINCE_STAKE, sigma: WAD });
    const t0 = Date.now();
    await drive(trainer, 4);
    numbers.aliceTrainSeconds = (Date.now() - t0) / 1000;
    await drive(validator);
    await drive(jade);
    const best = trainer.state.best!;
    expect(best.sealable, told('alice')).toBe(true);
    // 20 epochs of 41 steps at the spec's default interval of 50: K = 17 segments, trained on wasm.
    expect(best.transcript!.segments).toBe(17);
    expect((await transcripts.meta(best.transcriptId!))!.backend).toBe('wasm');

    // Epoch 0: alice's agent seals and reveals the transcript's real root.
    await at(middle(0, 'Seal'));
    await drive(trainer);
    await at(middle(0, 'Reveal'));
    await drive(trainer);
    expect(trainer.state.epochs[0]!.outcome).toBe('revealed');
    const [a0] = await readSubmissions(keeper, taskId);
    expect([a0!.trainer, a0!.transcript]).toEqual([me(alice), best.transcript]);
    sub.alice = a0!.submissionId;
    numbers.setupSeconds = (Date.now() - started) / 1000;
  }, 300_000);

  afterAll(async () => {
    trainer?.stop();
    validator?.stop();
    jade?.stop();
    transcripts?.close();
    thiefStore?.close();
    await blobs?.close();
    await env?.stop();
    await releaseProverThreads();
    if (dir) rmSync(dir, { recursive: true, force: true });
    numbers.totalSeconds = (Date.now() - started) / 1000;
    numbers.warnings = Object.fromEntries(
      Object.entries(notes).map(([who, ns]) => [who, ns.filter((n) => n.level === 'warn').map((n) => n.key)]),
    );
    console.info(
      `challenge stories: ${JSON.stringify(numbers, (_, v: unknown) => (typeof v === 'bigint' ? v.toString() : v))}`,
    );
  });

  it('(a) an honest trainer answers by itself; a dispute anyway is voted "replays" by jurors on the reference backend (one evaluates on cpu); the challenger loses its bond', async () => {
    const t0 = Date.now();
    const vinceBefore = await balance(me(vince));
    const opened = await challenge(vince, { taskId, submissionId: sub.alice! });
    const id = opened.challengeId;
    aliceChallenge = id;
    expect(await balance(me(vince))).toBe(vinceBefore - BOND);

    // alice's agent proves ownership and discloses its transcript, unasked.
    await driveUntil(
      trainer,
      'alice',
      async () => (await readChallenge(keeper, id))!.status === 'answered',
      'the answer',
    );
    const answered = (await readChallenge(keeper, id))!;
    const rec = trainer.state.challenges!.find((c) => c.challengeId === id)!;
    expect([answered.proven, answered.disclosure, rec.proofs, rec.discloses]).toEqual([true, rec.manifest, 1, 1]);

    // vince names the last segment anyway and votes that it does not replay.
    const K = trainer.state.best!.transcript!.segments;
    const dispute = await disputeSegment(vince, { challengeId: id, segment: K - 1 });
    const vinceSalt = randomSalt();
    await commitVerdict(vince, { challengeId: id, replays: false, salt: vinceSalt });

    // The validator agents replay the disputed segment, each on its own backend, and commit.
    for (const [agent, who] of [
      [validator, 'victor'],
      [jade, 'jade'],
    ] as const)
      await driveUntil(
        agent,
        who,
        () => agent.state.learning.verdicts[id.toString()]?.status === 'committed',
        'a committed verdict',
      );
    for (const agent of [validator, jade]) {
      expect(agent.state.learning.checks[`${id}/segment`]).toMatchObject({
        mode: 'segment',
        status: 'replays',
        toCheck: [K - 1],
        firstFailing: null,
      });
      expect(agent.state.learning.verdicts[id.toString()]).toMatchObject({ replays: true, segment: K - 1 });
    }
    // jade evaluates on cpu but replays on wasm, the reference backend alice trained on: exactly.
    expect(jadeBackends.filter((r) => r.job === 'evaluate').map((r) => r.ran)).toContain('cpu');
    expect(jadeBackends.filter((r) => r.job === 'replay')).toEqual([{ job: 'replay', asked: 'wasm', ran: 'wasm' }]);
    const segment = jade.state.learning.checks[`${id}/segment`]!.checked[0]!;
    expect(segment).toMatchObject({ backend: 'wasm', failing: 0, maxDeviation: 0 });
    numbers.aJurorReplay = { failing: segment.failing, maxDeviation: segment.maxDeviation, seconds: segment.seconds };

    await at(dispute.commitEnd);
    await revealVerdict(vince, { challengeId: id, replays: false, salt: vinceSalt });
    for (const [agent, who] of [
      [validator, 'victor'],
      [jade, 'jade'],
    ] as const)
      await driveUntil(
        agent,
        who,
        () => agent.state.learning.verdicts[id.toString()]?.status === 'revealed',
        'a revealed verdict',
      );
    const tally = await readTally(keeper, id);
    expect(tally).toMatchObject({
      replaysStake: STAKE + JADE_STAKE,
      doesNotReplayStake: VINCE_STAKE,
      replaysVoters: 2,
      doesNotReplayVoters: 1,
    });

    // The vote ends; the trainer is cleared: the bond less the jury's share goes to alice.
    await at(dispute.voteEnd + 1n);
    const aliceBefore = await balance(me(alice));
    const pot = (BOND * JURY_BPS) / BPS;
    const resolved = await resolveChallenge(keeper, { challengeId: id });
    expect(resolved).toMatchObject({
      outcome: 'cleared',
      trainer: me(alice),
      challenger: me(vince),
      bond: BOND,
      toTrainer: BOND - pot,
      juryShare: pot,
    });
    expect(await balance(me(alice))).toBe(aliceBefore + BOND - pot);

    // The majority jurors claim by themselves, pro rata to stake; the last takes the rounding rest.
    const victorShare = (pot * STAKE) / (STAKE + JADE_STAKE);
    expect(await readJuryShare(keeper, id, me(victor))).toBe(victorShare);
    expect(await readJuryShare(keeper, id, me(vince))).toBe(0n);
    const before = { victor: await balance(me(victor)), jade: await balance(me(jadeCtx)) };
    await driveUntil(validator, 'victor', async () => (await readVote(keeper, id, me(victor))).claimed, 'the claim');
    await driveUntil(jade, 'jade', async () => (await readVote(keeper, id, me(jadeCtx))).claimed, 'the claim');
    expect(await balance(me(victor))).toBe(before.victor + victorShare);
    expect(await balance(me(jadeCtx))).toBe(before.jade + pot - victorShare);
    expect(await readTally(keeper, id)).toMatchObject({ majority: 'replays', juryPot: pot, juryPaid: pot, claims: 2 });
    // vince is in the minority: nothing to claim, and its bond is gone.
    await expect(claimJuryShare(vince, { challengeId: id })).rejects.toThrow(/majority's verdict/);
    expect(await readVote(keeper, id, me(vince))).toMatchObject({ verdict: 'does-not-replay', weight: VINCE_STAKE });
    expect(await balance(me(vince))).toBe(vinceBefore - BOND);
    expect((await readChallenge(keeper, id))!.status).toBe('cleared');
    expect((await readPool(keeper, taskId, me(alice))).forfeited).toBe(false);
    numbers.a = { pot, victorShare, jadeShare: pot - victorShare, seconds: (Date.now() - t0) / 1000 };

    // The rest of epoch 0: the validators score alice's model; rewards are booked.
    await scoreEpoch(0);
    expect((await readPool(keeper, taskId, me(alice))).ownRewards).toBeGreaterThan(0n);
  }, 300_000);

  let theft: ForgedTranscript & { stolen: Float32Array[] };

  it('(b) a re-keyed thief with a forged transcript is challenged automatically, its jump disputed, and the jury upholds', async () => {
    const t0 = Date.now();
    // mallory takes alice's revealed model from the store, re-watermarks it with its own key and
    // forges a transcript from its own seeded start: one honest segment, then the jump.
    const [a0] = await readSubmissions(keeper, taskId);
    const published = await gatewayFetcher([blobs.url])(a0!.artifactHash);
    await useBackend('wasm');
    const opts = {
      ...(await programOptions(
        { spec: digits.spec, hash: digits.specHash },
        { chainId: env.deployment.chainId, task: taskId, trainer: me(mallory) },
      )),
      keyBits: key.mallory.bits,
    };
    theft = await forgeTheft({
      ...opts,
      artifact: published,
      data: () => opts.openData(7),
      honestSegments: 1,
      store: thiefStore,
      id: 'theft',
      backend: 'wasm',
    });
    const weights = weightsOf(theft.artifact);
    const wrong = {
      mallory: ownerWrongBits(digits, weights, key.mallory, me(mallory)),
      alice: ownerWrongBits(digits, weights, key.alice, me(alice)),
    };
    // Its own key decodes the stolen model within the proof's tolerance: the ownership step passes.
    expect(wrong.mallory).toBeLessThanOrEqual(digits.spec.watermark!.maxErr);
    numbers.theft = {
      wrongBits: wrong,
      cosine: cosineSimilarity(weights, weightsOf(published)),
      segments: theft.segments,
      jump: theft.jump,
      forgeSeconds: (Date.now() - t0) / 1000,
    };
    expect([theft.segments, theft.jump]).toEqual([2, 1]);

    sub.mallory = await sealAndReveal(mallory, 1, {
      bytes: theft.artifact,
      artifactHash: theft.artifactHash,
      wmCommit: weightsWmCommit(digits.spec, weights),
      transcript: seededTranscript(theft.root, theft.segments),
    });

    // victor's agent evaluates the new model, finds it close to alice's, and challenges by itself.
    const mine = () => validator.state.learning.challenges[sub.mallory!.toString()];
    await driveUntil(validator, 'victor', () => mine()?.status === 'opened', 'the automatic challenge');
    const hint = validator.state.learning.hints[sub.mallory!.toString()]!;
    expect(hint).toMatchObject({ flagged: true, closest: { submissionId: Number(sub.alice), trainer: me(alice) } });
    expect(hint.closest!.probes).toBeGreaterThanOrEqual(validator.state.learning.settings.threshold);
    numbers.thiefHint = hint.closest;
    const id = BigInt(mine()!.challengeId!);
    const opened = (await readChallenge(keeper, id))!;
    expect([opened.challenger, opened.trainer, opened.bond]).toEqual([me(victor), me(mallory), BOND]);
    // jade (automatic challenges off) evaluates the epoch too.
    await drive(jade, 2);

    // mallory answers: a valid proof with its own key, and the forged transcript.
    const { proof } = await proveResponse(mallory, ownership, {
      challengeId: id,
      account: me(mallory),
      key: key.mallory,
    });
    await respondChallenge(mallory, { challengeId: id, proof: proof.calldata });
    const { manifest } = await uploadDisclosure(casStorePort(cas), thiefStore, 'theft', key.mallory);
    expect((await discloseTranscript(mallory, { challengeId: id, manifest })).answered).toBe(true);

    // victor's agent replays the whole transcript and disputes exactly the jump.
    await driveUntil(
      validator,
      'victor',
      async () => (await readChallenge(keeper, id))!.status === 'disputed',
      'the dispute',
    );
    const whole = validator.state.learning.checks[`${id}/whole`]!;
    expect(whole).toMatchObject({ status: 'fails', segments: 2, firstFailing: theft.jump });
    expect(whole.checked.map((c) => [c.segment, c.replays])).toEqual([
      [0, true],
      [1, false],
    ]);
    const dispute = (await readChallenge(keeper, id))!.dispute!;
    expect([dispute.disputer, dispute.segment]).toEqual([me(victor), theft.jump]);
    numbers.jump = { failing: whole.checked[1]!.failing, maxDeviation: whole.checked[1]!.maxDeviation };

    // The jurors: victor from its own whole check, jade replays the jump on wasm.
    for (const [agent, who] of [
      [validator, 'victor'],
      [jade, 'jade'],
    ] as const)
      await driveUntil(
        agent,
        who,
        () => agent.state.learning.verdicts[id.toString()]?.status === 'committed',
        'a committed verdict',
      );
    expect(jade.state.learning.checks[`${id}/segment`]).toMatchObject({ status: 'fails', firstFailing: theft.jump });
    // Jade replays the jump once, on the reference backend: it fails there, and nothing else is asked.
    expect(jadeBackends.filter((r) => r.job === 'replay').slice(-1)).toEqual([
      { job: 'replay', asked: 'wasm', ran: 'wasm' },
    ]);
    expect(jade.state.learning.checks[`${id}/segment`]!.checked).toMatchObject([
      { segment: theft.jump, replays: false, backend: 'wasm' },
    ]);
    await at(dispute.commitEnd);
    for (const [agent, who] of [
      [validator, 'victor'],
      [jade, 'jade'],
    ] as const)
      await driveUntil(
        agent,
        who,
        () => agent.state.learning.verdicts[id.toString()]?.status === 'revealed',
        'a revealed verdict',
      );
    expect(await readTally(keeper, id)).toMatchObject({
      doesNotReplayStake: STAKE + JADE_STAKE,
      replaysStake: 0n,
      doesNotReplayVoters: 2,
      replaysVoters: 0,
    });

    // Epoch 1 is scored and finalized: mallory's rewards are booked; then the vote settles.
    await scoreEpoch(1);
    const pool = await readPool(keeper, taskId, me(mallory));
    const booked = pool.ownRewards + pool.delegatorRewards;
    expect(pool.ownRewards).toBeGreaterThan(0n);
    await at(dispute.voteEnd + 1n);
    const slashed = (STAKE * SLASH_BPS) / BPS;
    const jury = ((booked + slashed) * JURY_BPS) / BPS;
    const before = { victor: await balance(me(victor)), mallory: await balance(me(mallory)) };
    const resolved = await resolveChallenge(keeper, { challengeId: id });
    expect(resolved).toMatchObject({
      outcome: 'upheld',
      trainer: me(mallory),
      challenger: me(victor),
      bond: BOND,
      rewards: booked,
      slashed,
      juryShare: jury,
      toChallenger: BOND + booked + slashed - jury,
    });
    expect(await balance(me(victor))).toBe(before.victor + BOND + booked + slashed - jury);
    expect(await balance(me(mallory))).toBe(before.mallory);

    // The jurors claim: victor first (floor of its pro-rata share), jade takes the rest.
    const victorShare = (jury * STAKE) / (STAKE + JADE_STAKE);
    const mid = { victor: await balance(me(victor)), jade: await balance(me(jadeCtx)) };
    await driveUntil(validator, 'victor', async () => (await readVote(keeper, id, me(victor))).claimed, 'the claim');
    await driveUntil(jade, 'jade', async () => (await readVote(keeper, id, me(jadeCtx))).claimed, 'the claim');
    expect(await balance(me(victor))).toBe(mid.victor + victorShare);
    expect(await balance(me(jadeCtx))).toBe(mid.jade + jury - victorShare);
    expect(await readTally(keeper, id)).toMatchObject({
      majority: 'does-not-replay',
      juryPot: jury,
      juryPaid: jury,
      claims: 2,
    });
    // mallory: forfeited, excluded, nothing to claim, half its stake left to withdraw.
    expect(await readPool(keeper, taskId, me(mallory))).toMatchObject({
      forfeited: true,
      excluded: true,
      ownRewards: 0n,
    });
    const m = await readClaimables(mallory, me(mallory));
    expect(m.rewards.filter((r) => r.taskId === taskId && r.amount > 0n)).toEqual([]);
    expect(m.withdrawals.find((w) => w.taskId === taskId)?.amount).toBe(STAKE - slashed);
    numbers.b = {
      booked,
      slashed,
      jury,
      victorShare,
      jadeShare: jury - victorShare,
      seconds: (Date.now() - t0) / 1000,
    };
  }, 300_000);

  it('(c) a plain copier is challenged automatically, cannot prove with its own key, and is upheld without a vote', async () => {
    const t0 = Date.now();
    // carol takes alice's revealed model from the store and fine-tunes it for an epoch, no watermark.
    const [a0] = await readSubmissions(keeper, taskId);
    const stolen = weightsOf(await gatewayFetcher([blobs.url])(a0!.artifactHash));
    await useBackend('wasm');
    const copy = await publish(await fineTuneCopy(digits, stolen, 1, 21));
    const weights = weightsOf(copy.bytes);
    numbers.copy = {
      carolOwnBits: ownerWrongBits(digits, weights, key.carol, me(carol)),
      aliceBits: ownerWrongBits(digits, weights, key.alice, me(alice)),
      cosine: cosineSimilarity(weights, stolen),
    };
    sub.carol = await sealAndReveal(carol, 2, { ...copy, transcript: CAROL_TRANSCRIPT });

    const mine = () => validator.state.learning.challenges[sub.carol!.toString()];
    await driveUntil(validator, 'victor', () => mine()?.status === 'opened', 'the automatic challenge');
    const hint = validator.state.learning.hints[sub.carol!.toString()]!;
    expect(hint.flagged).toBe(true);
    expect(hint.closest!.probes).toBeGreaterThanOrEqual(validator.state.learning.settings.threshold);
    numbers.copierHint = hint.closest;
    const id = BigInt(mine()!.challengeId!);
    const opened = (await readChallenge(keeper, id))!;

    const refused = await proveResponse(carol, ownership, {
      challengeId: id,
      account: me(carol),
      key: key.carol,
    }).catch((e: unknown) => e);
    expect(refused).toBeInstanceOf(WatermarkDoesNotDecodeError);
    expect((refused as WatermarkDoesNotDecodeError).wrong).toBeGreaterThan(digits.spec.watermark!.maxErr);
    numbers.copierOwnKeyWrong = (refused as WatermarkDoesNotDecodeError).wrong;
    // The copy still carries alice's bits: her key decodes it within the tolerance.
    expect((numbers.copy as { aliceBits: number }).aliceBits).toBeLessThanOrEqual(digits.spec.watermark!.maxErr);

    // Epoch 2 is scored and finalized (carol's rewards are booked), then the deadline has passed.
    await scoreEpoch(2);
    expect(epochEnd(2) > opened.deadline).toBe(true);
    const pool = await readPool(keeper, taskId, me(carol));
    const booked = pool.ownRewards + pool.delegatorRewards;
    expect(pool.ownRewards).toBeGreaterThan(0n);
    expect(pool.delegatorRewards).toBeGreaterThan(0n);
    const before = { victor: await balance(me(victor)), carol: await balance(me(carol)) };
    const resolved = await resolveChallenge(keeper, { challengeId: id });
    const slashed = (STAKE * SLASH_BPS) / BPS;
    expect(resolved).toMatchObject({
      outcome: 'upheld',
      trainer: me(carol),
      challenger: me(victor),
      bond: BOND,
      rewards: booked,
      slashed,
      juryShare: 0n,
    });
    expect(await balance(me(victor))).toBe(before.victor + BOND + booked + slashed);
    expect(await balance(me(carol))).toBe(before.carol);
    // No vote took place: nothing was disclosed, disputed or voted.
    const settled = (await readChallenge(keeper, id))!;
    expect([settled.status, settled.proven, settled.disclosure, settled.dispute]).toEqual([
      'upheld',
      false,
      null,
      null,
    ]);
    expect(await readTally(keeper, id)).toMatchObject({ replaysVoters: 0, doesNotReplayVoters: 0, juryPot: 0n });
    numbers.c = { booked, slashed, seconds: (Date.now() - t0) / 1000 };
    // What the Rewards page shows: nothing left for carol or for her delegator.
    const delia_ = await readClaimables(delia, me(delia));
    expect(delia_.rewards.filter((r) => r.taskId === taskId && r.amount > 0n)).toEqual([]);
    const carol_ = await readClaimables(carol, me(carol));
    expect(carol_.rewards.filter((r) => r.taskId === taskId && r.amount > 0n)).toEqual([]);
    expect(carol_.withdrawals.find((w) => w.taskId === taskId)?.amount).toBe(STAKE - slashed);

    // Nothing went wrong on the agents' side in the three stories.
    expect(errors).toEqual([]);
    const warnings = (who: keyof typeof notes) => notes[who].filter((n) => n.level !== 'info').map((n) => n.key);
    // alice was told to keep running while challenged; the validators flagged the two copies.
    expect(warnings('alice')).toEqual([`challenged/${aliceChallenge}`]);
    for (const who of ['victor', 'jade'] as const)
      expect(warnings(who)).toEqual([`hint/${sub.mallory}`, `hint/${sub.carol}`]);
  }, 300_000);
});
