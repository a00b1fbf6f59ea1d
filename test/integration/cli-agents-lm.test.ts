// The headless agents (src/cli) on a language-model task (issue 14): `aiarena agent train` trains a
// small byte-level transformer with a transcript on a bundled Solidity set, seals and reveals it;
// two validators (one also keeping: `agent run --validate --keep`) evaluate it on a token set they
// do not bundle, fetched by hash through the gateway into their content cache, draw the seed,
// commit and reveal, reporting their scores in bits per byte; the keeper finalizes. Real anvil,
// real blob store, real ML on wasm; only the clock is moved.
//
// Two things are smaller than the Solidity demo so that it runs in well under a minute here: the
// model is the template with one block of width 16 (the demo trains at about 12 sequences a
// second on wasm), and the task trains on the public eval split (3,457 sequences: one epoch in
// seconds, where the training split's 28,473 take minutes) and is scored on the hidden split,
// uploaded to the store as a creator would reveal it.
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { zeroHash, type Hex } from 'viem';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { BlobStore } from '../../scripts/lib/blob-store/index.ts';
import { devAccounts } from '../../scripts/lib/dev-accounts.ts';
import { actionsChainPort, casStorePort } from '../../src/lib/agents/index.ts';
import {
  advanceTo,
  createTask,
  faucet,
  readLeaderboard,
  type ActionContext,
} from '../../src/lib/chain/actions/index.ts';
import { windowTimes } from '../../src/lib/chain/schedule.ts';
import { DEFAULT_REWARD_PARAMS } from '../../src/lib/chain/task-defaults.ts';
import { createEvalService } from '../../src/lib/ml/eval/service.ts';
import { sha256Hex } from '../../src/lib/ml/hash.ts';
import { WASM_DIR } from '../unit/ml/engine/helpers.ts';
import { oneEpochTaskParams, type ArenaEnv } from './support/chain-actions-env.ts';
import { has, start, startCliStack, until, type CliStack } from './support/cli-run.ts';
import { publicFile } from './support/public-files.ts';
import { smallLmSpecText } from './support/small-lm-spec.ts';

const WAD = 10n ** 18n;
const keys = devAccounts(10);
const REPO = new URL('../../', import.meta.url);
const HIDDEN = new URL('datasets/hidden/solidity-final/', REPO).pathname;
const SUBSET = 500;

/** The Solidity template with one narrow block; a transcript segment every 20 steps. */
const specBytes = new TextEncoder().encode(
  smallLmSpecText({ name: 'solidity-gpt-cli-test', batchSize: 32, interval: 20 }),
);

describe('aiarena agent on a language-model task', () => {
  let stack: CliStack;
  let env: ArenaEnv;
  let blobs: BlobStore;
  let dir: string;
  let creator: ActionContext;
  let net: string[];

  beforeAll(async () => {
    stack = await startCliStack('aiarena-cli-lm-');
    ({ env, blobs, dir, creator, net } = stack);
  }, 120_000);

  afterAll(async () => {
    await stack?.stop();
  });

  it('trains with a transcript, seals, reveals; validators score it in bits per byte; the keeper finalizes', async () => {
    // The creator uploads the spec and the set the app does not bundle (the hidden split).
    const store = casStorePort({
      gateways: [blobs.url],
      upload: { kind: 'store', url: `${blobs.url}/upload` },
      maxBytes: blobs.maxBlobBytes,
    });
    await store.upload(specBytes);
    for (const f of readdirSync(HIDDEN)) await store.upload(new Uint8Array(readFileSync(join(HIDDEN, f))));
    const hashes = {
      modelSpec: `0x${await sha256Hex(specBytes)}` as Hex,
      trainData: `0x${await sha256Hex(publicFile('datasets/solidity-eval/manifest.json'))}` as Hex,
      evalData: `0x${await sha256Hex(new Uint8Array(readFileSync(join(HIDDEN, 'manifest.json'))))}` as Hex,
    };
    const [trainerKey, ...validatorKeys] = [keys[2]!, keys[3]!, keys[4]!];
    await faucet(creator, { amount: 1_000n * WAD });
    for (const k of [trainerKey, ...validatorKeys]) await faucet(creator, { amount: 100n * WAD, to: k.address });
    const now = (await creator.publicClient.getBlock()).timestamp;
    const { taskId } = await createTask(
      creator,
      oneEpochTaskParams(now + 60n, {
        ...hashes,
        rewardPerEpoch: 100n * WAD,
        reward: { ...DEFAULT_REWARD_PARAMS, minValidators: 2 },
        evalSubsetSize: SUBSET,
      }),
    );
    const task = String(taskId);
    const content = ['--gateway', blobs.url, '--upload', `${blobs.url}/upload`, '--poll', '200', '--json'];
    const as = (k: { privateKey: Hex }) => ({ AIARENA_PRIVATE_KEY: k.privateKey });
    // The same accounts as the app connects them (dev account i), to read what the chain holds for each.
    const [trainerPort, ...validatorPorts] = (await Promise.all(
      [2, 3, 4].map((i) => env.as(i).then((ctx) => actionsChainPort(ctx, taskId))),
    )) as [ReturnType<typeof actionsChainPort>, ...ReturnType<typeof actionsChainPort>[]];

    const started = Date.now();
    const trainer = start(
      ['agent', 'train', '--task', task, '--stake', '10', '--epochs', '1', '--state', 'trainer', ...net, ...content],
      as(trainerKey),
      dir,
    );
    const validators = validatorKeys.map((k, j) =>
      start(
        [
          'agent',
          ...(j === 0 ? ['run', '--validate', task, '--keep'] : ['validate', '--task', task]),
          '--stake',
          '10',
          '--state',
          `validator-${j}`,
          ...net,
          ...content,
        ],
        as(k),
        dir,
      ),
    );
    const model = await until(
      'a sealable model',
      () => trainer.records().find((r) => r.type === 'model') ?? null,
      120_000,
    );
    const trainSeconds = (Date.now() - started) / 1000;
    // One epoch of 3,457 sequences in batches of 32: 109 steps, 6 transcript segments of 20.
    expect(model).toMatchObject({ role: 'trainer', task, transcript: true, step: 120 });
    expect(Number(model.wrongBits)).toBeLessThanOrEqual(Number(model.maxErr) / 2);
    await until('two validators joined', async () =>
      (await Promise.all(validatorPorts.map((p) => p.pool()))).every((p) => p.role === 'Validator'),
    );

    const schedule = (await trainerPort.task()).schedule;
    const middle = (w: 'Seal' | 'Reveal' | 'ScoreCommit' | 'ScoreReveal') => {
      const t = windowTimes(schedule, 0, w)!;
      return t.opens + (t.closes - t.opens) / 4n;
    };
    await advanceTo(creator, env.clock, middle('Seal'));
    await until('the seal on chain', async () => (await trainerPort.seal(0)).commitment !== zeroHash);
    await advanceTo(creator, env.clock, middle('Reveal'));
    await until('the reveal on chain', async () => (await trainerPort.seal(0)).revealed);
    await until(
      'both validators evaluated the model',
      () => validators.every((v) => has(v, { type: 'evaluations', count: 1 })),
      90_000,
    );
    await advanceTo(creator, env.clock, middle('ScoreCommit'));
    await until('two score commitments', async () =>
      (await Promise.all(validatorPorts.map((p) => p.scoreCommit(0)))).every((c) => c.commitment !== zeroHash),
    );
    await advanceTo(creator, env.clock, middle('ScoreReveal'));
    await until('two score reveals', async () =>
      (await Promise.all(validatorPorts.map((p) => p.scoreCommit(0)))).every((c) => c.revealed),
    );
    await advanceTo(creator, env.clock, schedule.startTime + BigInt(schedule.epochLength) + 1n);
    const finalized = await until(
      'the keeper finalizing epoch 0',
      () => validators[0]!.records().find((r) => r.type === 'finalized' && r.task === task) ?? null,
    );
    expect(finalized).toMatchObject({ role: 'keeper', epoch: 0, degenerate: false });

    // The committed score is what a direct evaluation of the revealed model on the seed's subset of
    // the hidden split gives; each validator reported it in bits per byte.
    const board = await readLeaderboard(creator, taskId, 0);
    expect(board.rows[0]).toMatchObject({ rank: 1, qualified: true });
    const units = board.validators[0]!.scores[0]!;
    expect(board.validators.map((v) => v.scores)).toEqual([[units], [units]]);
    const [column] = await trainerPort.columns(0);
    const artifact = await store.fetchVerified({ hash: column!.artifactHash, root: column!.artifactRoot });
    const direct = await createEvalService({ backend: { wasmPaths: WASM_DIR } }).evaluate({
      specBytes,
      artifact,
      expectedArtifactHash: column!.artifactHash,
      dataGateways: [blobs.url],
      expectedDataHash: hashes.evalData.slice(2),
      backend: 'wasm',
      subset: { seed: board.evalSeed!, size: SUBSET },
    });
    expect(units).toBe(Math.round(direct.score * 10_000));
    const bpb = Number((8 * (1 - units / 10_000)).toFixed(4));
    // One epoch on 3,457 sequences: well below the cap, nowhere near a compressor.
    expect(bpb).toBeGreaterThan(2.5);
    expect(bpb).toBeLessThan(6);
    for (const v of validators)
      expect(v.records()).toContainEqual(
        expect.objectContaining({ type: 'epoch', epoch: 0, commit: 'revealed', scores: [units], bitsPerByte: [bpb] }),
      );

    for (const run of [trainer, ...validators]) run.interrupt();
    expect(await Promise.all([trainer, ...validators].map((r) => r.done))).toEqual([0, 0, 0]);
    for (const run of [trainer, ...validators]) {
      expect(run.records().filter((r) => r.type === 'error')).toEqual([]);
      expect(run.stderr()).toBe('');
    }
    console.log(
      `cli on an LM task: trained ${String(model.step)} steps in ${trainSeconds.toFixed(1)} s, scored ${units} (${bpb} bits per byte on ${SUBSET} hidden sequences)`,
    );
  }, 240_000);
});
