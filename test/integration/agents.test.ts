// A trainer agent and a validator agent complete one epoch on a real anvil with the deployed
// contracts, the real blob store, and the real ML engine in Node (digits-mlp trained for two
// epochs on wasm, evaluated on the public digits eval set). Nothing is faked: the agents talk to
// the chain through the protocol actions, to the store over HTTP, and train and evaluate through
// the same services the workers run. Only the clock is moved (anvil's test methods), window by
// window; every step of the agents is their own decision.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { IDBFactory } from 'fake-indexeddb';
import type { Hex } from 'viem';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freePort } from '../../scripts/lib/anvil.ts';
import { startBlobStore, type BlobStore } from '../../scripts/lib/blob-store/index.ts';
import { advanceTo, createTask, faucet, finalizeEpoch, readLeaderboard, type ActionContext } from '../../src/lib/chain/actions/index.ts';
import { unpackScores } from '../../src/lib/chain/commitments.ts';
import { windowTimes } from '../../src/lib/chain/schedule.ts';
import { sha256Hex } from '../../src/lib/ml/hash.ts';
import type { CasConfig } from '../../src/lib/storage/cas/index.ts';
import {
  TrainerAgent,
  ValidatorAgent,
  actionsChainPort,
  agentStoreOn,
  casStorePort,
  keyStoreOn,
  openAgentDatabase,
  type AgentScope,
  type Note,
} from '../../src/lib/agents/index.ts';
import { useBackend } from '../unit/ml/engine/helpers.ts';
import { oneEpochTaskParams, startArenaEnv, type ArenaEnv } from './support/chain-actions-env.ts';
import { digitsDataHashes, digitsMlPort, publicFile } from './support/public-files.ts';

const WAD = 10n ** 18n;
const specBytes = publicFile('specs/digits-mlp.json');

describe('agents on anvil: one epoch, end to end', () => {
  let env: ArenaEnv;
  let blobs: BlobStore;
  let dir: string;
  let creator: ActionContext, trainerCtx: ActionContext, validatorCtx: ActionContext;

  beforeAll(async () => {
    await useBackend('cpu');
    env = await startArenaEnv();
    dir = mkdtempSync(join(tmpdir(), 'aiarena-agents-'));
    blobs = await startBlobStore({ dir, port: await freePort(), host: '127.0.0.1' });
    [creator, trainerCtx, validatorCtx] = await Promise.all([env.as(1), env.as(2), env.as(3)]);
  }, 120_000);

  afterAll(async () => {
    await blobs?.close();
    await env?.stop();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it('trainer: key, stake, train, seal, upload, reveal; validator: fetch, check, evaluate, commit, reveal; the epoch finalizes on their scores', async () => {
    const hashes = {
      modelSpec: `0x${await sha256Hex(specBytes)}` as Hex,
      ...(await digitsDataHashes()),
    };
    for (const ctx of [creator, trainerCtx, validatorCtx]) await faucet(ctx, { amount: 1_000n * WAD });
    const now = (await creator.publicClient.getBlock()).timestamp;
    const params = oneEpochTaskParams(now + 60n, { ...hashes, rewardPerEpoch: 100n * WAD });
    const { taskId } = await createTask(creator, params);

    const cas: CasConfig = { gateways: [blobs.url], upload: { kind: 'store', url: `${blobs.url}/upload` }, maxBytes: blobs.maxBlobBytes };
    const ml = digitsMlPort(specBytes, hashes);
    const db = await openAgentDatabase(new IDBFactory());
    const persist = agentStoreOn(db);
    const scope = (ctx: ActionContext, role: 'trainer' | 'validator'): AgentScope => ({
      chainId: env.deployment.chainId,
      registry: env.deployment.contracts.taskRegistry,
      taskId,
      account: ctx.wallet.account.address,
      role,
    });
    const trainer = await TrainerAgent.open({
      scope: scope(trainerCtx, 'trainer'),
      chain: actionsChainPort(trainerCtx, taskId),
      store: casStorePort(cas),
      ml,
      persist,
      keys: keyStoreOn(db),
    });
    const validator = await ValidatorAgent.open({ scope: scope(validatorCtx, 'validator'), chain: actionsChainPort(validatorCtx, taskId), store: casStorePort(cas), ml, persist });
    const notes: Note[] = [];
    const errors: unknown[] = [];
    for (const agent of [trainer, validator]) {
      agent.subscribe((e) => {
        if (e.type === 'note') notes.push(e.note);
        if (e.type === 'error') errors.push(e.error);
      });
    }
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
    // trains; the validator stakes.
    await trainer.command({ type: 'join', amount: 10n * WAD, sigma: WAD / 2n });
    await trainer.command({ type: 'startTraining', epochs: 2, backend: 'wasm' });
    await validator.command({ type: 'join', amount: 10n * WAD, sigma: WAD });
    const trainStarted = Date.now();
    await drive(trainer, 4);
    const trainSeconds = (Date.now() - trainStarted) / 1000;
    await drive(validator, 1);
    const best = trainer.state.best;
    expect(best, [...trainer.state.notes.map((n) => n.message), ...errors.map(String)].join('\n')).not.toBeNull();
    expect(best!.sealable).toBe(true);
    const pool = await actionsChainPort(trainerCtx, taskId).pool();
    expect(pool).toEqual({ role: 'Trainer', keyCommit: await keyStoreOn(db).keyCommit({ ...scope(trainerCtx, 'trainer') }), eligibleFrom: 0, excluded: false });
    expect((await actionsChainPort(validatorCtx, taskId).pool()).role).toBe('Validator');

    await advanceTo(creator, env.clock, middle('Seal'));
    await drive(trainer, 1);
    const seal = await actionsChainPort(trainerCtx, taskId).seal(0);
    expect(seal.commitment).toBe(trainer.state.epochs[0]!.seal!.commitment);
    expect(seal.revealed).toBe(false);

    await advanceTo(creator, env.clock, middle('Reveal'));
    await drive(trainer, 1);
    expect((await actionsChainPort(trainerCtx, taskId).seal(0)).revealed).toBe(true);
    expect(trainer.state.epochs[0]!.outcome).toBe('revealed');

    await advanceTo(creator, env.clock, middle('ScoreCommit'));
    await drive(validator, 3);
    const columns = await actionsChainPort(validatorCtx, taskId).columns(0);
    expect(columns).toEqual([{ submissionId: 0, trainer: trainerCtx.wallet.account.address, artifactHash: best!.artifactHash, wmCommit: best!.wmCommit, duplicate: false }]);
    const result = Object.values(validator.state.results)[0]!;
    expect(result.check).toBe('ok');
    expect(result.score).toBeGreaterThan(0.7);
    expect(validator.state.epochs[0]!.commit!.status).toBe('committed');

    await advanceTo(creator, env.clock, middle('ScoreReveal'));
    await drive(validator, 1);
    expect(validator.state.epochs[0]!.outcome).toBe('revealed');

    await advanceTo(creator, env.clock, schedule.startTime + BigInt(schedule.epochLength) + 1n);
    const steps = await finalizeEpoch(creator, { taskId });
    expect(steps.at(-1)!.degenerate).toBe(false);
    const board = await readLeaderboard(creator, taskId, 0);
    expect(board.finalized).toBe(true);
    expect(board.validators.map((v) => v.scores)).toEqual([[result.units]]);
    expect(unpackScores(validator.state.epochs[0]!.commit!.words, 1)).toEqual([result.units]);
    expect(board.rows[0]!.aggregate).toBeCloseTo(result.units / 10_000, 6);
    expect(board.rows[0]!.pool! > 0n).toBe(true);
    expect(board.validators[0]!.pool! > 0n).toBe(true);

    expect(errors).toEqual([]);
    expect(notes.filter((n) => n.level !== 'info')).toEqual([]);
    console.log(
      `agents on anvil: trained ${best!.step} steps in ${trainSeconds.toFixed(1)} s (watermark ${best!.wrong} wrong bits), ` +
        `validator score ${result.score.toFixed(4)}, trainer pool ${Number(board.rows[0]!.pool!) / 1e18} ARENA, validator pool ${Number(board.validators[0]!.pool!) / 1e18} ARENA`,
    );
  }, 300_000);
});
