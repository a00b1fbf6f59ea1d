// The trainer agent with transcripts on anvil (issue 11 section 4; docs/transcript.md section 11):
// it trains digits-mlp as a transcript run of the fixed program (states on disk, as in Node),
// seals and reveals the transcript's real root, and when a validator challenges the submission it
// answers by itself while it runs: the ownership proof (real Groth16, prover in-process) and the
// disclosure (every state and the manifest to the blob store, the manifest's digest on chain). A
// validator then opens the disclosure by that digest and gets states whose Merkle root is the
// sealed trajRoot and whose last state is the revealed artifact. In the next epoch the agent
// trains on from its revealed transcript (SPEC 8.1) and the chain accepts the continuation's
// seal. Only the clock is moved.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { IDBFactory } from 'fake-indexeddb';
import type { Hex } from 'viem';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freePort } from '../../scripts/lib/anvil.ts';
import { startBlobStore, type BlobStore } from '../../scripts/lib/blob-store/index.ts';
import { benchKey } from '../../scripts/lib/watermark-attacks.ts';
import {
  advanceTo,
  challenge,
  createTask,
  faucet,
  joinTask,
  readChallenge,
  readPool,
  readSubmissions,
  resolveChallenge,
  type ActionContext,
} from '../../src/lib/chain/actions/index.ts';
import { gatewayFetcher } from '../../src/lib/chain/reads/gateway.ts';
import { endTime, windowTimes } from '../../src/lib/chain/schedule.ts';
import {
  TrainerAgent,
  actionsChainPort,
  agentStoreOn,
  casStorePort,
  keyStoreOn,
  mlPort,
  openAgentDatabase,
  openDisclosure,
  ownershipProverPort,
  type Note,
} from '../../src/lib/agents/index.ts';
import { specShapes } from '../../src/lib/ml/spec/shapes.ts';
import { parseModelSpecBytes } from '../../src/lib/ml/spec/parse.ts';
import { sha256Hex } from '../../src/lib/ml/hash.ts';
import { createEvalService } from '../../src/lib/ml/eval/service.ts';
import { createTrainService } from '../../src/lib/ml/train/service.ts';
import { checkDisclosure } from '../../src/lib/ml/transcript/disclosure.ts';
import { merkleRoot } from '../../src/lib/ml/transcript/merkle.ts';
import { stateArtifact } from '../../src/lib/ml/transcript/state.ts';
import { keyCommit } from '../../src/lib/ml/watermark/commit.ts';
import { fieldToBytes32 } from '../../src/lib/ml/watermark/field.ts';
import { Rng } from '../../src/lib/ml/rng.ts';
import { openCheckpointStore } from '../../src/lib/storage/checkpoints.ts';
import { openTranscriptDir } from '../../src/lib/storage/transcripts-fs.ts';
import { releaseProverThreads } from '../../src/lib/zk/index.ts';
import { createProveService } from '../../src/lib/zk/service.ts';
import { WASM_DIR, useBackend } from '../unit/ml/engine/helpers.ts';
import { startArenaEnv, type ArenaEnv } from './support/chain-actions-env.ts';
import { challengeTaskParams } from './support/challenge-task.ts';
import { digitsDataHashes, publicFetch, publicFile } from './support/public-files.ts';

const WAD = 10n ** 18n;
const specBytes = publicFile('specs/digits-mlp.json');

describe('a trainer agent with transcripts on anvil', () => {
  let env: ArenaEnv;
  let blobs: BlobStore;
  let dir: string;
  let creator: ActionContext, alice: ActionContext, victor: ActionContext;

  beforeAll(async () => {
    await useBackend('wasm');
    env = await startArenaEnv();
    dir = mkdtempSync(join(tmpdir(), 'aiarena-trainer-transcripts-'));
    blobs = await startBlobStore({ dir: join(dir, 'blobs'), port: await freePort(), host: '127.0.0.1' });
    [creator, alice, victor] = await Promise.all([env.as(1), env.as(2), env.as(5)]);
  }, 120_000);

  afterAll(async () => {
    await blobs?.close();
    await env?.stop();
    await releaseProverThreads();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it('trains with a transcript, seals its root, answers a challenge with proof and disclosure by itself, and continues it next epoch', async () => {
    const hashes = { modelSpec: `0x${await sha256Hex(specBytes)}` as Hex, ...(await digitsDataHashes()) };
    for (const ctx of [creator, alice, victor]) await faucet(ctx, { amount: 1_000n * WAD });
    const now = (await creator.publicClient.getBlock()).timestamp;
    const response = 600;
    const { taskId } = await createTask(
      creator,
      challengeTaskParams(
        now + 60n,
        {
          bond: 5n * WAD,
          responseTime: response,
          slashBps: 5_000,
          disputeTime: response,
          voteTime: response,
          juryBps: 1_000,
        },
        hashes,
      ),
    );
    const cas = {
      gateways: [blobs.url],
      upload: { kind: 'store' as const, url: `${blobs.url}/upload` },
      maxBytes: blobs.maxBlobBytes,
    };

    // Node: the train service keeps transcripts in a directory; the agent and its ML port open the same one.
    const transcriptDir = join(dir, 'transcripts');
    const transcripts = await openTranscriptDir(transcriptDir);
    const ml = mlPort({
      trainer: createTrainService({
        backend: { wasmPaths: WASM_DIR },
        fetch: publicFetch,
        openStore: () => openCheckpointStore(new IDBFactory()),
        openTranscriptStore: () => openTranscriptDir(transcriptDir),
      }),
      evaluator: createEvalService({ backend: { wasmPaths: WASM_DIR }, fetch: publicFetch }),
      specBytes,
      trainData: hashes.trainData,
      dataUrl: () => 'http://local/datasets/digits-train',
      transcripts,
      fetch: publicFetch,
    });
    const { spec, hash: specHash } = await parseModelSpecBytes(specBytes);
    const prover = ownershipProverPort(
      alice,
      {
        prover: createProveService({ fetch: publicFetch }),
        manifestUrl: 'http://local/zk/manifest.json',
        content: gatewayFetcher([blobs.url]),
        spec,
        specHash: `0x${specHash}`,
      },
      alice.wallet.account.address,
    );
    const db = await openAgentDatabase(new IDBFactory());
    const keys = keyStoreOn(db);
    const scope = {
      chainId: env.deployment.chainId,
      registry: env.deployment.contracts.taskRegistry,
      taskId,
      account: alice.wallet.account.address,
      role: 'trainer' as const,
    };
    const key = benchKey(64, 128, 'trainer-transcript/alice');
    await keys.put({ chainId: scope.chainId, registry: scope.registry, taskId, account: scope.account }, key);
    const rng = Rng.seeded('trainer-transcript-agent', 'alice');
    const trainer = await TrainerAgent.open({
      scope,
      chain: actionsChainPort(alice, taskId),
      store: casStorePort(cas),
      ml,
      persist: agentStoreOn(db),
      keys,
      transcripts,
      prover,
      random: (b) => b.forEach((_, i) => (b[i] = rng.nextU32() & 0xff)),
    });
    const notes: Note[] = [];
    const errors: unknown[] = [];
    trainer.subscribe((e) => {
      if (e.type === 'note') notes.push(e.note);
      if (e.type === 'error') errors.push(e.error);
    });
    const drive = async (ticks = 1) => {
      for (let i = 0; i < ticks; i++) {
        await trainer.tick();
        await trainer.settled();
      }
    };
    const schedule = trainer.taskInfo.schedule;
    const middle = (w: 'Seal' | 'Reveal', epoch = 0) => {
      const t = windowTimes(schedule, epoch, w)!;
      return t.opens + (t.closes - t.opens) / 4n;
    };

    await trainer.command({ type: 'join', amount: 10n * WAD, sigma: WAD / 2n });
    await trainer.command({ type: 'startTraining', epochs: 2, backend: 'wasm' });
    await joinTask(victor, { taskId, role: 'validator', amount: 10n * WAD, sigma: WAD });
    const started = Date.now();
    await drive(4);
    const trainSeconds = (Date.now() - started) / 1000;
    const best = trainer.state.best;
    expect(best, notes.map((n) => n.message).join('\n')).not.toBeNull();
    // 2 epochs of 41 steps at interval 50: K = 2 segments, ids under the agent's run.
    expect(best!.transcript!.segments).toBe(2);
    expect(best!.transcriptId).toMatch(/^tr-[0-9a-f]{16}\.t0\.k2$/);
    const meta = (await transcripts.meta(best!.transcriptId!))!;
    expect(meta.leaves).toHaveLength(3);
    expect(best!.transcript!.trajRoot).toBe(merkleRoot(meta.leaves));
    expect(best!.step).toBe(100);

    await advanceTo(creator, env.clock, middle('Seal'));
    await drive();
    await advanceTo(creator, env.clock, middle('Reveal'));
    await drive();
    expect(trainer.state.epochs[0]!.outcome).toBe('revealed');
    const [submission] = await readSubmissions(creator, taskId);
    // The chain holds the real root, not the MISSING_TRANSCRIPT placeholder.
    expect(submission!.transcript).toEqual(best!.transcript);
    expect(submission!.artifactHash).toBe(best!.artifactHash);

    // A validator challenges; the agent answers while it runs, without being asked.
    const opened = await challenge(victor, { taskId, submissionId: submission!.submissionId });
    const answerStarted = Date.now();
    await drive(3);
    const answerSeconds = (Date.now() - answerStarted) / 1000;
    const stored = (await readChallenge(creator, opened.challengeId))!;
    expect([stored.status, stored.proven], notes.map((n) => n.message).join('\n')).toEqual(['answered', true]);
    const rec = trainer.state.challenges![0]!;
    expect(stored.disclosure).toBe(rec.manifest);
    expect([rec.proofs, rec.discloses]).toEqual([1, 1]);

    // The validator's side: the disclosure by its on-chain digest.
    const opened2 = await openDisclosure(casStorePort(cas), stored.disclosure!);
    const d = opened2.disclosure;
    const states = await Promise.all(d.leaves.map((_, i) => opened2.state(i)));
    const leaves = await Promise.all(states.map(async (s) => `0x${await sha256Hex(s)}` as Hex));
    expect(merkleRoot(leaves)).toBe(submission!.transcript.trajRoot);
    const lastArtifact = stateArtifact(states.at(-1)!, specShapes(spec).params);
    expect(`0x${await sha256Hex(lastArtifact)}`).toBe(submission!.artifactHash);
    const pool = await readPool(creator, taskId, alice.wallet.account.address);
    expect(pool.keyCommit).toBe(fieldToBytes32(keyCommit(key)));
    expect(
      checkDisclosure(d, {
        commitment: submission!.transcript,
        chainId: env.deployment.chainId,
        task: taskId,
        trainer: alice.wallet.account.address,
        keyCommit: pool.keyCommit,
        specHash: hashes.modelSpec,
      }),
    ).toEqual([]);

    // Epoch 1: training on continues alice's revealed transcript (SPEC 8.1), and the chain accepts
    // the continuation's seal: its start is the earlier root and K.
    await trainer.command({ type: 'startTraining', epochs: 1, backend: 'wasm' });
    await drive(3);
    const next = trainer.state.best!;
    expect(next.transcriptId).toMatch(/^tr-[0-9a-f]{16}\.t1\.k1$/);
    expect(next.transcript).toEqual({
      trajRoot: next.transcript!.trajRoot,
      segments: 1,
      startRoot: submission!.transcript.trajRoot,
      startLeaf: 2,
    });
    const contMeta = (await transcripts.meta(next.transcriptId!))!;
    expect(contMeta.leaves[0]).toBe(meta.leaves[2]);
    await advanceTo(creator, env.clock, middle('Seal', 1));
    await drive();
    await advanceTo(creator, env.clock, middle('Reveal', 1));
    await drive();
    expect(trainer.state.epochs[1]!.outcome).toBe('revealed');
    const second = (await readSubmissions(creator, taskId)).find((x) => x.epoch === 1)!;
    expect(second.transcript).toEqual(next.transcript);
    // Every state of both transcripts is still kept.
    for (const m of [meta, contMeta])
      for (let i = 0; i < m.leaves.length; i++) expect(await transcripts.state(m.id, i)).toBeDefined();

    // SPEC 8.2 keeps transcripts until the rewards vest. Past the task's end no challenge can be
    // opened, but the answered one is not settled: the agent keeps everything.
    await transcripts.save({ ...meta, id: 'tr-another-task.t0.k2', leaves: [meta.leaves[0]!] }, 0, new Uint8Array(8));
    await advanceTo(creator, env.clock, endTime(schedule) + 1n);
    await drive(2);
    expect((await readChallenge(creator, opened.challengeId))!.status).toBe('answered');
    expect(trainer.state.transcriptsPruned).toBeUndefined();
    expect((await transcripts.list()).map((m) => m.id).sort()).toEqual(
      [meta.id, contMeta.id, 'tr-another-task.t0.k2'].sort(),
    );
    // Settled (nobody disputed: cleared): the rewards have vested, and the agent deletes this task's
    // transcripts, once, with a note; another scope's transcript in the same store stays.
    await resolveChallenge(victor, { challengeId: opened.challengeId });
    await drive(2);
    expect(trainer.state.transcriptsPruned).toBeTypeOf('bigint');
    expect((await transcripts.list()).map((m) => m.id)).toEqual(['tr-another-task.t0.k2']);
    expect(await transcripts.state(meta.id, 0)).toBeUndefined();
    expect(notes.find((n) => n.key === 'transcripts-pruned')?.message).toBe(
      'The task has ended and its rewards have vested, so nobody can ask for the training transcripts any more: the agent deleted the 2 transcripts of this task from this device.',
    );

    expect(errors).toEqual([]);
    expect(notes.filter((n) => n.level !== 'info').map((n) => n.key)).toEqual([`challenged/${opened.challengeId}`]);
    console.log(
      `trainer agent with transcripts: trained ${best!.step} steps (K = ${best!.transcript!.segments}) in ${trainSeconds.toFixed(1)} s, ` +
        `answered the challenge (proof + ${states.length} states disclosed) in ${answerSeconds.toFixed(1)} s`,
    );
  }, 600_000);
});
