// A trainer agent and three validator agents complete one epoch on a real anvil with the deployed
// contracts, the real blob store, and the real ML engine in Node (a wide digits MLP trained for two
// epochs on wasm, evaluated on the public digits eval set). The model is wide on purpose: its
// artifact (1.25 MB) is more than one 1 MiB chunk, so it is a UnixFS DAG whose root the reveal
// publishes and the validators fetch it by, block by block. Nothing is faked: the agents talk to
// the chain through the protocol actions, to the store over HTTP, and train and evaluate through
// the same services the workers run. The validators evaluate the model once on the whole eval set
// in the reveal window, race to draw the epoch's evaluation seed in the commit window (one draw
// lands, the others read it), and commit its subset's score; the epoch finalizes with the median
// (SPEC 2.2, 4; minValidators 3). Only the clock is moved (anvil's test methods), window by
// window; every step of the agents is their own decision.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Hex } from 'viem';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freePort } from '../../scripts/lib/anvil.ts';
import { startBlobStore, type BlobStore } from '../../scripts/lib/blob-store/index.ts';
import { submissionBookAbi } from '../../src/lib/chain/abi.generated.ts';
import {
  advanceTo,
  createTask,
  faucet,
  finalizeEpoch,
  readEvalSeed,
  readLeaderboard,
  readLogs,
  type ActionContext,
} from '../../src/lib/chain/actions/index.ts';
import { DEFAULT_REWARD_PARAMS } from '../../src/lib/chain/task-defaults.ts';
import { createEvalService, type EvalJob } from '../../src/lib/ml/eval/service.ts';
import { unpackScores } from '../../src/lib/chain/commitments.ts';
import { windowTimes } from '../../src/lib/chain/schedule.ts';
import { sha256Hex } from '../../src/lib/ml/hash.ts';
import type { CasConfig } from '../../src/lib/storage/cas/index.ts';
import { fileCid } from '../../src/lib/storage/unixfs/dag.ts';
import { rootOfCid } from '../../src/lib/storage/unixfs/ref.ts';
import { CHUNK_BYTES } from '../../src/lib/storage/unixfs/settings.ts';
import { TrainerAgent, ValidatorAgent, actionsChainPort } from '../../src/lib/agents/index.ts';
import { useBackend } from '../unit/ml/engine/helpers.ts';
import { oneEpochTaskParams, startArenaEnv, type ArenaEnv } from './support/chain-actions-env.ts';
import { openHonestAgents } from './support/honest-agents.ts';
import { digitsDataHashes, digitsMlPort, publicFetch, publicFile } from './support/public-files.ts';
import { WASM_DIR } from '../unit/ml/engine/helpers.ts';

const WAD = 10n ** 18n;
/** digits-mlp with a 4,096-unit hidden layer: 311k parameters, an artifact of two chunks. */
const specBytes = (() => {
  const spec = JSON.parse(new TextDecoder().decode(publicFile('specs/digits-mlp.json'))) as {
    name: string;
    description: string;
    layers: { units?: number }[];
  };
  spec.name = 'digits-mlp-wide';
  spec.description = '64-4096-10 MLP: an artifact larger than one UnixFS chunk';
  spec.layers[1]!.units = 4096;
  return new TextEncoder().encode(JSON.stringify(spec));
})();

const SUBSET = 100;

describe('agents on anvil: one epoch, end to end', () => {
  let env: ArenaEnv;
  let blobs: BlobStore;
  let dir: string;
  let creator: ActionContext, trainerCtx: ActionContext;
  let validatorCtxs: ActionContext[];

  beforeAll(async () => {
    await useBackend('cpu');
    env = await startArenaEnv();
    dir = mkdtempSync(join(tmpdir(), 'aiarena-agents-'));
    blobs = await startBlobStore({ dir, port: await freePort(), host: '127.0.0.1' });
    [creator, trainerCtx, ...validatorCtxs] = await Promise.all([
      env.as(1),
      env.as(2),
      env.as(3),
      env.as(4),
      env.as(5),
    ]);
  }, 120_000);

  afterAll(async () => {
    await blobs?.close();
    await env?.stop();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it('trainer: key, stake, train, seal, upload, reveal; validators: fetch, check, evaluate once, draw the seed, score its subset, commit, reveal; the epoch finalizes on the median', async () => {
    const hashes = {
      modelSpec: `0x${await sha256Hex(specBytes)}` as Hex,
      ...(await digitsDataHashes()),
    };
    for (const ctx of [creator, trainerCtx, ...validatorCtxs]) await faucet(ctx, { amount: 1_000n * WAD });
    const now = (await creator.publicClient.getBlock()).timestamp;
    const params = oneEpochTaskParams(now + 60n, {
      ...hashes,
      rewardPerEpoch: 100n * WAD,
      reward: { ...DEFAULT_REWARD_PARAMS, minValidators: 3 },
      evalSubsetSize: SUBSET,
    });
    const { taskId } = await createTask(creator, params);

    const cas: CasConfig = {
      gateways: [blobs.url],
      upload: { kind: 'store', url: `${blobs.url}/upload` },
      maxBytes: blobs.maxBlobBytes,
    };
    // The real eval service, with every job it is given recorded.
    const service = createEvalService({ backend: { wasmPaths: WASM_DIR }, fetch: publicFetch });
    const evalJobs: EvalJob[] = [];
    const ml = digitsMlPort(specBytes, hashes, {
      evaluate: (job, events) => {
        evalJobs.push(job);
        return service.evaluate(job, events);
      },
    });
    const { trainer, validators, notes, errors, persist, keys, scope } = await openHonestAgents({
      env,
      taskId,
      trainer: trainerCtx,
      validators: validatorCtxs,
      cas,
      ml,
    });
    const drive = async (agent: TrainerAgent | ValidatorAgent, ticks = 2) => {
      for (let i = 0; i < ticks; i++) {
        await agent.tick();
        await agent.settled();
      }
    };
    const schedule = trainer.taskInfo.schedule;
    const middle = (window: 'Seal' | 'Reveal' | 'ScoreCommit' | 'ScoreReveal') => {
      const t = windowTimes(schedule, 0, window)!;
      return t.opens + (t.closes - t.opens) / 4n;
    };

    // Before the task starts: the trainer makes its key and stakes with its commitment, then
    // trains; the validators stake (different stakes: the median is stake-weighted).
    await trainer.command({ type: 'join', amount: 10n * WAD, sigma: WAD / 2n });
    await trainer.command({ type: 'startTraining', epochs: 2, backend: 'wasm' });
    for (const [j, v] of validators.entries())
      await v.command({ type: 'join', amount: BigInt(10 + 5 * j) * WAD, sigma: WAD });
    const trainStarted = Date.now();
    await drive(trainer, 4);
    const trainSeconds = (Date.now() - trainStarted) / 1000;
    for (const v of validators) await drive(v, 1);
    const best = trainer.state.best;
    expect(best, [...trainer.state.notes.map((n) => n.message), ...errors.map(String)].join('\n')).not.toBeNull();
    expect(best!.sealable).toBe(true);
    const pool = await actionsChainPort(trainerCtx, taskId).pool();
    expect(pool).toEqual({
      role: 'Trainer',
      keyCommit: await keys.keyCommit({ ...scope(trainerCtx, 'trainer') }),
      eligibleFrom: 0,
      excluded: false,
    });
    for (const ctx of validatorCtxs) expect((await actionsChainPort(ctx, taskId).pool()).role).toBe('Validator');

    await advanceTo(creator, env.clock, middle('Seal'));
    await drive(trainer, 1);
    const seal = await actionsChainPort(trainerCtx, taskId).seal(0);
    expect(seal.commitment).toBe(trainer.state.epochs[0]!.seal!.commitment);
    expect(seal.revealed).toBe(false);

    await advanceTo(creator, env.clock, middle('Reveal'));
    await drive(trainer, 1);
    expect((await actionsChainPort(trainerCtx, taskId).seal(0)).revealed).toBe(true);
    expect(trainer.state.epochs[0]!.outcome).toBe('revealed');

    // The reveal window: no seed exists; each validator evaluates the model once, on every sample.
    for (const v of validators) await drive(v, 1);
    expect(await readEvalSeed(creator, { taskId, epoch: 0 })).toBeNull();
    expect(evalJobs.map((j) => [j.perSample, j.subset, j.indices])).toEqual(
      Array(3).fill([true, undefined, undefined]),
    );

    // The commit window: all three tick at once, so their draws race; one lands, the others read it.
    await advanceTo(creator, env.clock, middle('ScoreCommit'));
    await Promise.all(validators.map((v) => drive(v, 3)));
    const seed = (await readEvalSeed(creator, { taskId, epoch: 0 }))!;
    expect(seed).toMatch(/^0x[0-9a-f]{64}$/);
    const drawn = await readLogs(creator, {
      address: env.deployment.contracts.submissionBook,
      abi: submissionBookAbi,
      eventName: 'EvalSeedDrawn',
      args: { taskId },
    });
    expect(drawn).toHaveLength(1);
    const columns = await actionsChainPort(validatorCtxs[0]!, taskId).columns(0);
    const artifact = (await persist.getArtifact(scope(trainerCtx, 'trainer'), best!.artifactHash))!;
    // The trainer revealed the root of the DAG it uploaded: a dag-pb root, not the hash.
    expect(artifact.length).toBeGreaterThan(CHUNK_BYTES);
    const artifactRoot = rootOfCid(await fileCid(artifact));
    expect(artifactRoot).not.toBe(best!.artifactHash);
    expect(columns).toEqual([
      {
        submissionId: 0,
        trainer: trainerCtx.wallet.account.address,
        artifactHash: best!.artifactHash,
        artifactRoot,
        wmCommit: best!.wmCommit,
        duplicate: false,
      },
    ]);
    // No validator evaluated again: the subset score came from the kept per-sample results.
    expect(evalJobs).toHaveLength(3);
    // What a direct evaluation of exactly the seed's subset gives (the eval service draws it).
    const direct = await service.evaluate({
      specBytes,
      artifact,
      dataUrl: 'http://local/datasets/digits-eval',
      expectedDataHash: hashes.evalData.slice(2),
      backend: 'wasm',
      subset: { seed, size: SUBSET },
    });
    expect(direct.samples).toBe(SUBSET);
    const units = Math.round(direct.score * 10_000);
    for (const v of validators) {
      const rec = v.state.epochs[0]!;
      expect(rec.seed).toBe(seed);
      expect(rec.commit!.status).toBe('committed');
      expect(rec.commit!.scores).toEqual([units]);
    }
    expect(units).toBeGreaterThan(7_000);

    await advanceTo(creator, env.clock, middle('ScoreReveal'));
    for (const v of validators) await drive(v, 1);
    for (const v of validators) expect(v.state.epochs[0]!.outcome).toBe('revealed');

    await advanceTo(creator, env.clock, schedule.startTime + BigInt(schedule.epochLength) + 1n);
    const steps = await finalizeEpoch(creator, { taskId });
    expect(steps.at(-1)).toMatchObject({ finished: true, degenerate: false, rollover: 0n });
    const board = await readLeaderboard(creator, taskId, 0);
    expect(board.finalized).toBe(true);
    expect(board.evalSeed).toBe(seed);
    expect(board.validators.map((v) => v.scores)).toEqual([[units], [units], [units]]);
    expect(unpackScores(validators[0]!.state.epochs[0]!.commit!.words, 1)).toEqual([units]);
    // The median of three equal scores, and every validator at distance 0 earns.
    expect(board.rows[0]).toMatchObject({ rank: 1, qualified: true, aggregate: units / 10_000 });
    expect(board.rows[0]!.pool! > 0n).toBe(true);
    for (const v of board.validators) expect([v.failedCanary, v.distance, v.pool! > 0n]).toEqual([false, 0, true]);

    expect(errors).toEqual([]);
    // The only warning: the engine records no training transcript yet, so the model was sealed
    // with the documented placeholder (src/lib/agents/transcript-gap.ts), and the agent says so.
    expect(notes.filter((n) => n.level !== 'info').map((n) => n.key)).toEqual(['no-transcript/0']);
    console.log(
      `agents on anvil: trained ${best!.step} steps in ${trainSeconds.toFixed(1)} s (watermark ${best!.wrong} wrong bits), ` +
        `subset score ${(units / 10_000).toFixed(4)} (whole set ${validators[0]!.state.evaluations[Object.keys(validators[0]!.state.evaluations)[0]!]!.fullScore.toFixed(4)}), ` +
        `trainer pool ${Number(board.rows[0]!.pool!) / 1e18} ARENA, validator pools ${board.validators.map((v) => Number(v.pool!) / 1e18).join(' / ')} ARENA`,
    );
  }, 300_000);
});
