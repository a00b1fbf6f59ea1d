// The headless agents (issue 13 part 1) on a real anvil with the real blob store: `aiarena agent
// train`, three validators (one of them keeping too, `aiarena agent run --validate --keep`) run
// in-process through `main()`
// as an operator runs them (a dev key in AIARENA_PRIVATE_KEY, a deployment file, the store's
// URLs, a state folder each), and take a small task (digits-mlp, minValidators 3) through one
// epoch: join, train with a transcript, seal, reveal, evaluate, draw the seed, commit, reveal,
// finalize. The trainer is stopped with Ctrl-C after its seal and started again with the same
// command line: it carries on from its state folder and the chain sees exactly one join, one
// seal and one reveal from it. Then `tasks`, `status` and `claim` are checked on the result. Only
// the clock is moved (anvil's test methods), window by window; each agent decides by itself.
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { zeroHash, type Hex } from 'viem';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freePort } from '../../scripts/lib/anvil.ts';
import type { BlobStore } from '../../scripts/lib/blob-store/index.ts';
import { devAccounts } from '../../scripts/lib/dev-accounts.ts';
import { actionsChainPort, casStorePort } from '../../src/lib/agents/index.ts';
import { openContentCache } from '../../src/lib/storage/content-cache-fs.ts';
import { PUBLIC_DIR } from '../../src/cli/paths.ts';
import {
  advanceTo,
  createTask,
  faucet,
  readLeaderboard,
  type ActionContext,
} from '../../src/lib/chain/actions/index.ts';
import { serializeDeployment } from '../../src/lib/chain/deployments.ts';
import { DEFAULT_REWARD_PARAMS } from '../../src/lib/chain/task-defaults.ts';
import { windowTimes } from '../../src/lib/chain/schedule.ts';
import { sha256Hex } from '../../src/lib/ml/hash.ts';
import { has, start, startCliStack, until, type CliStack } from './support/cli-run.ts';
import { oneEpochTaskParams, tokenBalance, type ArenaEnv } from './support/chain-actions-env.ts';
import { digitsDataHashes, publicFile } from './support/public-files.ts';

const WAD = 10n ** 18n;
const keys = devAccounts(10);

describe('aiarena agent: headless trainer, validators and keeper through one epoch', () => {
  let stack: CliStack;
  let env: ArenaEnv;
  let blobs: BlobStore;
  let dir: string;
  let creator: ActionContext;
  let net: string[];

  beforeAll(async () => {
    stack = await startCliStack('aiarena-cli-');
    ({ env, blobs, dir, creator, net } = stack);
  }, 120_000);

  afterAll(async () => {
    await stack?.stop();
  });

  it('join, train, seal, restart, reveal, evaluate, commit, reveal, finalize; then tasks, status, claim', async () => {
    const specBytes = publicFile('specs/digits-mlp.json');
    const hashes = { modelSpec: `0x${await sha256Hex(specBytes)}` as Hex, ...(await digitsDataHashes()) };
    const [trainerKey, ...validatorKeys] = [keys[2]!, keys[3]!, keys[4]!, keys[5]!];
    await faucet(creator, { amount: 1_000n * WAD });
    for (const k of [trainerKey, ...validatorKeys]) await faucet(creator, { amount: 100n * WAD, to: k.address });
    const now = (await creator.publicClient.getBlock()).timestamp;
    const { taskId } = await createTask(
      creator,
      oneEpochTaskParams(now + 60n, {
        ...hashes,
        rewardPerEpoch: 100n * WAD,
        reward: { ...DEFAULT_REWARD_PARAMS, minValidators: 3 },
        evalSubsetSize: 100,
      }),
    );
    const task = String(taskId);
    const content = ['--gateway', blobs.url, '--upload', `${blobs.url}/upload`, '--poll', '200', '--json'];
    const as = (k: { privateKey: Hex }) => ({ AIARENA_PRIVATE_KEY: k.privateKey });
    const trainArgs = [
      'agent',
      'train',
      '--task',
      task,
      '--stake',
      '10',
      '--epochs',
      '2',
      '--state',
      'trainer',
      ...net,
      ...content,
    ];
    // The same accounts as the app connects them (dev account i), to read what the chain holds for each.
    const ports = new Map<string, ReturnType<typeof actionsChainPort>>();
    for (const i of [2, 3, 4, 5]) ports.set(keys[i]!.address, actionsChainPort(await env.as(i), taskId));
    const port = (k: { address: `0x${string}` }) => ports.get(k.address)!;
    const nonce = (k: { address: `0x${string}` }) => creator.publicClient.getTransactionCount({ address: k.address });

    // Before the task starts: every agent joins by itself; the trainer trains.
    let trainer = start(trainArgs, as(trainerKey), dir);
    // Validator 0 also keeps, in the same process (`agent run`): one account, one RPC client,
    // its validator's and its keeper's transactions one at a time.
    const validators = validatorKeys.map((k, j) =>
      start(
        [
          'agent',
          ...(j === 0 ? ['run', '--validate', task, '--keep'] : ['validate', '--task', task]),
          '--stake',
          String(10 + 5 * j),
          '--sigma',
          '100',
          '--state',
          `validator-${j}`,
          ...net,
          ...content,
        ],
        as(k),
        dir,
      ),
    );
    const keeper = validators[0]!;
    const model = await until(
      'a sealable model',
      () => trainer.records().find((r) => r.type === 'model') ?? null,
      120_000,
    );
    expect(model).toMatchObject({ role: 'trainer', task, transcript: true });
    expect(Number(model.wrongBits)).toBeLessThanOrEqual(Number(model.maxErr) / 2);
    await until('three validators joined', async () => {
      const pools = await Promise.all(validatorKeys.map((k) => port(k).pool()));
      return pools.every((p) => p.role === 'Validator');
    });
    expect((await port(trainerKey).pool()).role).toBe('Trainer');

    const schedule = (await port(trainerKey).task()).schedule;
    const middle = (w: 'Seal' | 'Reveal' | 'ScoreCommit' | 'ScoreReveal') => {
      const t = windowTimes(schedule, 0, w)!;
      return t.opens + (t.closes - t.opens) / 4n;
    };

    await advanceTo(creator, env.clock, middle('Seal'));
    const seal = await until('the seal on chain', async () => {
      const s = await port(trainerKey).seal(0);
      return s.commitment !== zeroHash ? s : null;
    });

    // Ctrl-C: the trainer stops cleanly; started again it carries on without sending anything.
    trainer.interrupt();
    expect(await trainer.done).toBe(0);
    expect(has(trainer, { type: 'stopped', clean: true })).toBe(true);
    const afterSeal = await nonce(trainerKey);
    expect(afterSeal).toBe(2); // join (with a permit), seal
    trainer = start(trainArgs, as(trainerKey), dir);
    await until('the restarted trainer', () => has(trainer, { type: 'started' }));
    expect(
      trainer
        .records()
        .filter((r) => r.type === 'plan')
        .map((r) => r.message),
    ).toEqual([
      'already staked as trainer in this task: --stake is not sent again',
      'a sealable model exists: the agent seals it each epoch (--train-more trains on)',
    ]);
    await new Promise((r) => setTimeout(r, 1_000));
    expect(await nonce(trainerKey)).toBe(afterSeal);
    expect((await port(trainerKey).seal(0)).commitment).toBe(seal.commitment);

    await advanceTo(creator, env.clock, middle('Reveal'));
    await until('the reveal on chain', async () => (await port(trainerKey).seal(0)).revealed);
    await until('every validator evaluated the model', () =>
      validators.every((v) => has(v, { type: 'evaluations', count: 1 })),
    );

    await advanceTo(creator, env.clock, middle('ScoreCommit'));
    await until('three score commitments', async () =>
      (await Promise.all(validatorKeys.map((k) => port(k).scoreCommit(0)))).every((c) => c.commitment !== zeroHash),
    );
    await advanceTo(creator, env.clock, middle('ScoreReveal'));
    await until('three score reveals', async () =>
      (await Promise.all(validatorKeys.map((k) => port(k).scoreCommit(0)))).every((c) => c.revealed),
    );

    await advanceTo(creator, env.clock, schedule.startTime + BigInt(schedule.epochLength) + 1n);
    const finalized = await until(
      'the keeper finalizing epoch 0',
      () => keeper.records().find((r) => r.type === 'finalized' && r.task === task) ?? null,
    );
    expect(finalized).toMatchObject({ role: 'keeper', epoch: 0, degenerate: false });
    const board = await readLeaderboard(creator, taskId, 0);
    expect(board.finalized).toBe(true);
    expect(board.rows[0]).toMatchObject({ rank: 1, qualified: true });
    const units = board.validators[0]!.scores[0]!;
    expect(board.validators.map((v) => v.scores)).toEqual([[units], [units], [units]]);
    expect(units).toBeGreaterThan(7_000);

    // Exactly one join, one seal and one reveal from the trainer, across the restart.
    expect(await nonce(trainerKey)).toBe(3);
    for (const run of [trainer, ...validators]) run.interrupt();
    expect(await Promise.all([trainer, ...validators].map((r) => r.done))).toEqual([0, 0, 0, 0]);
    for (const run of [trainer, ...validators]) {
      expect(run.records().filter((r) => r.type === 'error')).toEqual([]);
      expect(run.stderr()).toBe('');
    }
    for (const v of validators)
      expect(has(v, { type: 'epoch', epoch: 0, outcome: 'revealed', commit: 'revealed' })).toBe(true);
    // The trainer's watermark key is on disk, encrypted: its bits are nowhere in the clear.
    const keyFiles = readdirSync(join(dir, 'trainer', 'keys'));
    expect(keyFiles).toHaveLength(1);
    expect(JSON.parse(readFileSync(join(dir, 'trainer', 'keys', keyFiles[0]!), 'utf8'))).toMatchObject({
      format: 'aiarena-watermark-key-at-rest',
      keyCommit: (await port(trainerKey).pool()).keyCommit,
    });

    // tasks: the task, ended, with its participants and stakes.
    const tasks = start(['tasks', '--json', ...net], {}, dir);
    expect(await tasks.done).toBe(0);
    expect(tasks.records().find((r) => r.id === task)).toMatchObject({
      phase: 'Ended',
      trainers: 1,
      validators: 3,
      trainerStake: String(10n * WAD),
      validatorStake: String(45n * WAD),
      rewardPerEpoch: String(100n * WAD),
      submissions: 1,
    });

    // status: the trainer's role, stake, rewards, and its agent's stored state.
    const status = start(['status', '--task', task, '--state', 'trainer', '--json', ...net], as(trainerKey), dir);
    expect(await status.done).toBe(0);
    const s = status.records()[0]!;
    expect(s).toMatchObject({
      task,
      account: trainerKey.address,
      role: 'Trainer',
      stake: String(10n * WAD),
      excluded: false,
    });
    expect(s.agents).toEqual([expect.objectContaining({ role: 'trainer', phase: 'submissions-over' })]);
    expect((s.rewards as { kind: string; amount: string }[]).map((r) => [r.kind, BigInt(r.amount) > 0n])).toEqual([
      ['own', true],
    ]);

    // claim: a validator takes its booked rewards, after saying yes; a second claim finds nothing.
    const v0 = validatorKeys[0]!;
    const refused = start(['claim', '--task', task, ...net], as(v0), dir);
    expect(await refused.done).toBe(2);
    expect(refused.stderr()).toMatch(/pass --yes to confirm/);
    const before = await tokenBalance(creator, v0.address);
    const claim = start(['claim', '--task', task, '--yes', '--json', ...net], as(v0), dir);
    expect(await claim.done).toBe(0);
    const claimed = claim.records().find((r) => r.type === 'claimed')!;
    expect(claimed).toMatchObject({ task, kind: 'own' });
    expect(BigInt(String(claimed.amount))).toBeGreaterThan(0n);
    expect((await tokenBalance(creator, v0.address)) - before).toBe(BigInt(String(claimed.amount)));
    const again = start(['claim', '--task', task, '--yes', '--json', ...net], as(v0), dir);
    expect(await again.done).toBe(0);
    expect(again.records()[0]).toMatchObject({ type: 'nothing' });
  }, 240_000);

  it('says what to do when the chain, the deployment, the key or the task is wrong', async () => {
    const run = async (argv: string[], env: Record<string, string> = {}) => {
      const r = start(argv, env, dir);
      return { code: await r.done, err: r.stderr() };
    };
    const down = await run(['tasks', '--rpc', `http://127.0.0.1:${await freePort()}`]);
    expect(down.code).toBe(1);
    expect(down.err).toMatch(/cannot reach the RPC at .*npm start/);
    const noDeployment = await run(['tasks', '--rpc', env.rpcUrl, '--deployment', 'missing.json']);
    expect([noDeployment.code, noDeployment.err]).toEqual([
      1,
      expect.stringMatching(/no deployment file at missing\.json/),
    ]);
    writeFileSync(join(dir, 'other-chain.json'), serializeDeployment({ ...env.deployment, chainId: 5 }));
    const wrong = await run(['tasks', '--rpc', env.rpcUrl, '--deployment', 'other-chain.json']);
    expect(wrong.err).toMatch(
      /wrong network: other-chain\.json is a deployment on chain 5, but the RPC at .* is chain 31337/,
    );
    const noKey = await run(['claim', ...net]);
    expect([noKey.code, noKey.err]).toEqual([1, expect.stringMatching(/no account key: set AIARENA_PRIVATE_KEY/)]);
    const badKey = await run(['claim', ...net], { AIARENA_PRIVATE_KEY: '0x1234' });
    expect(badKey.err).toMatch(/AIARENA_PRIVATE_KEY is not a private key/);
    expect(badKey.err).not.toMatch(/1234/);
    const unknown = await run(['status', '--task', '99', '--account', keys[2]!.address, ...net]);
    expect([unknown.code, unknown.err]).toEqual([
      1,
      expect.stringMatching(/no task 99 on this deployment: (task ids go from 1 to \d+|no task exists yet)/),
    ]);
    // Ctrl-C twice: the second does not wait for the stop (exit 130).
    const keep = start(['agent', 'keep', '--json', ...net], { AIARENA_PRIVATE_KEY: keys[7]!.privateKey }, dir);
    await until('the keeper to start', () => has(keep, { type: 'start' }));
    keep.interrupt();
    keep.interrupt();
    expect(await keep.done).toBe(130);
    expect(has(keep, { type: 'stopped', clean: false })).toBe(true);
  }, 60_000);

  it('content a task names by hash: bundled, else fetched through the gateways into the cache, then read from it', async () => {
    const cas = {
      gateways: [blobs.url],
      upload: { kind: 'store' as const, url: `${blobs.url}/upload` },
      maxBytes: blobs.maxBlobBytes,
    };
    const store = casStorePort(cas);
    const folder = join(PUBLIC_DIR, 'datasets', 'digits-eval');
    const files = readdirSync(folder);
    for (const f of files) await store.upload(new Uint8Array(readFileSync(join(folder, f))));
    const spec = publicFile('specs/fashion-mlp.json');
    await store.upload(spec);
    const manifestHash = `0x${await sha256Hex(new Uint8Array(readFileSync(join(folder, 'manifest.json'))))}` as Hex;
    const specHash = `0x${await sha256Hex(spec)}` as Hex;
    const cacheDir = join(dir, 'content-cache');
    // Nothing bundled: everything comes through the gateway, checked, into the cache.
    const remote = openContentCache({ datasetDirs: [], fileDirs: [], cacheDir, gateways: [blobs.url] });
    const got = await remote.dataset(manifestHash);
    expect(got).toBe(join(cacheDir, 'datasets', manifestHash.slice(2)));
    expect(readdirSync(got).sort()).toEqual([...files].sort());
    for (const f of files) expect(readFileSync(join(got, f))).toEqual(readFileSync(join(folder, f)));
    expect(await remote.file(specHash)).toEqual(spec);
    // From the cache now, with no gateway that answers.
    const offline = openContentCache({
      datasetDirs: [],
      fileDirs: [],
      cacheDir,
      gateways: [`http://127.0.0.1:${await freePort()}`],
    });
    expect(await offline.dataset(manifestHash)).toBe(got);
    expect(await offline.file(specHash)).toEqual(spec);
    // Bundled folders come first; content nobody has is an error that says what to do.
    const bundled = openContentCache({
      datasetDirs: [folder],
      fileDirs: [],
      cacheDir: join(dir, 'empty-cache'),
      gateways: [`http://127.0.0.1:${await freePort()}`],
    });
    expect(await bundled.dataset(manifestHash)).toBe(folder);
    await expect(bundled.file(specHash)).rejects.toThrow(
      /not bundled here, not in the cache, and the gateways .* did not serve it.*Pass --gateway/s,
    );
  }, 60_000);
});
