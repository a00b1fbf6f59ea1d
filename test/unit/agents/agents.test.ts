// Trainer and validator agents end to end in Node: the real machines, runner, IndexedDB stores
// (fake-indexeddb), key store and artifact checks, over FAKE ports (support/fakes.ts) for the
// chain, the blob store and the ML workers. The same agents run on anvil with the real engine in
// test/integration/agents.test.ts.
import { readFileSync } from 'node:fs';
import { IDBFactory } from 'fake-indexeddb';
import type { Address, Hex } from 'viem';
import { describe, expect, it } from 'vitest';
import { unpackScores } from '../../../src/lib/chain/commitments.ts';
import { seededTranscript } from '../../../src/lib/chain/transcript-commit.ts';
import { cidFromDigest } from '../../../src/lib/ml/artifact/cid.ts';
import { artifactHash } from '../../../src/lib/ml/artifact/hash.ts';
import { serializeArtifact } from '../../../src/lib/ml/artifact/serialize.ts';
import { sha256Hex } from '../../../src/lib/ml/hash.ts';
import { specHashBytes } from '../../../src/lib/ml/eval/evaluate.ts';
import { parseModelSpecBytes } from '../../../src/lib/ml/spec/parse.ts';
import { specShapes } from '../../../src/lib/ml/spec/shapes.ts';
import { keyToJson } from '../../../src/lib/ml/watermark/index.ts';
import { fileCid } from '../../../src/lib/storage/unixfs/dag.ts';
import { rootOfCid } from '../../../src/lib/storage/unixfs/ref.ts';
import {
  TrainerAgent,
  ValidatorAgent,
  agentStoreOn,
  columnProgress,
  evaluationKey,
  keyStoreOn,
  openAgentDatabase,
  resultKey,
  subsetIndices,
  subsetScore,
  weightsWmCommit,
  type AgentScope,
  type AgentStore,
  type TaskInfo,
} from '../../../src/lib/agents/index.ts';
import { keyRefOf } from '../../../src/lib/agents/trainer/agent.ts';
import { FakeMl, FakeStore, FakeWorld, craftedWeights } from './support/fakes.ts';
import { REGISTRY, SCHEDULE, TRAINER, VALIDATOR, at, hex32 } from './fixtures.ts';

const specBytes = new Uint8Array(readFileSync(new URL('../../../public/specs/digits-mlp.json', import.meta.url)));
const OTHER: Address = '0x90f79bf6eb2c4f870365e785982e1f101e93b906';
const COPIER: Address = '0x15d34aaf54267db7d7c367839aaf71a00a2c6a65';
const EVAL = hex32(0xe7a1);
const SUBSET = 100;

async function taskInfo(): Promise<TaskInfo> {
  return {
    schedule: SCHEDULE,
    modelSpec: `0x${await sha256Hex(specBytes)}`,
    trainData: hex32(0x7a1),
    evalData: EVAL,
    evalSubsetSize: SUBSET,
    minStake: { trainer: 1n, validator: 1n },
    rules: { minScore: 0n, floorBps: 5000, tolV: 5n * 10n ** 15n, minValidators: 1 },
  };
}

/** What an honest validator commits for a model the FAKE ML scores `score`: its accuracy on the epoch's subset. */
async function expectedUnits(score: number, seed: Hex): Promise<{ subset: number; full: number }> {
  const { spec } = await parseModelSpecBytes(specBytes);
  const v = { samples: FakeMl.SAMPLES, ...FakeMl.vectors(score) };
  const subset = subsetScore(spec.metric, v, subsetIndices({ seed, size: SUBSET }, FakeMl.SAMPLES));
  return {
    subset: Math.round(subset * 10_000),
    full: Math.round(
      subsetScore(
        spec.metric,
        v,
        Array.from({ length: FakeMl.SAMPLES }, (_, i) => i),
      ) * 10_000,
    ),
  };
}

const scope = (account: Address, role: 'trainer' | 'validator'): AgentScope => ({
  chainId: 31337,
  registry: REGISTRY,
  taskId: 7n,
  account,
  role,
});

interface Device {
  db: IDBDatabase;
  persist: AgentStore;
  keys: ReturnType<typeof keyStoreOn>;
}

async function device(factory = new IDBFactory()): Promise<Device & { factory: IDBFactory }> {
  const db = await openAgentDatabase(factory);
  return { db, persist: agentStoreOn(db), keys: keyStoreOn(db), factory };
}

async function setup() {
  const world = new FakeWorld(await taskInfo());
  const store = new FakeStore();
  const ml = new FakeMl(specBytes);
  const dev = await device();
  const trainer = await TrainerAgent.open({
    scope: scope(TRAINER, 'trainer'),
    chain: world.portFor(TRAINER),
    store,
    ml,
    persist: dev.persist,
    keys: dev.keys,
  });
  const validator = await ValidatorAgent.open({
    scope: scope(VALIDATOR, 'validator'),
    chain: world.portFor(VALIDATOR),
    store,
    ml,
    persist: dev.persist,
  });
  return { world, store, ml, dev, trainer, validator };
}

/** Ticks until the agent has nothing in the background. */
async function drive(agent: { tick(): Promise<void>; settled(): Promise<void> }, rounds = 3) {
  for (let i = 0; i < rounds; i++) {
    await agent.tick();
    await agent.settled();
  }
}

/** Both agents join, the trainer seals and reveals its first model in epoch 0; its artifact hash. */
async function revealOneModel({
  world,
  trainer,
  validator,
}: Pick<Awaited<ReturnType<typeof setup>>, 'world' | 'trainer' | 'validator'>): Promise<Hex> {
  await trainer.command({ type: 'join', amount: 10n, sigma: 0n });
  await trainer.command({ type: 'startTraining' });
  await validator.command({ type: 'join', amount: 10n, sigma: 0n });
  await drive(trainer);
  await drive(validator);
  world.now = at(0, 10);
  await drive(trainer, 1);
  world.now = at(0, 510);
  await drive(trainer, 1);
  return trainer.state.best!.artifactHash;
}

/** Another trainer acting by hand through the fake chain, with its own crafted artifact. */
async function handTrainer(
  world: FakeWorld,
  store: FakeStore,
  account: Address,
  artifact: Uint8Array,
  wmCommit: Hex,
  upload = true,
) {
  const port = world.portFor(account);
  const hash = await artifactHash(artifact);
  const salt = hex32(0x5a17 + account.length);
  const { sealCommitment } = await import('../../../src/lib/chain/commitments.ts');
  const transcript = seededTranscript(hex32(0x7a5), 8);
  return {
    join: () => port.join('Trainer', 1n, 0n, hex32(0x11)),
    seal: (epoch: number) =>
      port.sealSubmission({
        epoch,
        commitment: sealCommitment(7n, BigInt(epoch), account, hash, wmCommit, transcript, salt),
        artifactHash: hash,
        wmCommit,
        transcript,
        salt,
      }),
    reveal: async (epoch: number) => {
      if (upload) await store.upload(artifact);
      const artifactRoot = rootOfCid(await fileCid(artifact));
      return port.revealSubmission({ epoch, artifactHash: hash, artifactRoot, wmCommit, transcript, salt });
    },
    hash,
  };
}

describe('agents over fake ports', () => {
  it('one epoch: the trainer joins with its key, trains, seals, uploads and reveals; the validator checks, scores, commits and reveals', async () => {
    const { world, store, ml, dev, trainer, validator } = await setup();
    const { spec, hash: specHash } = await parseModelSpecBytes(specBytes);
    const params = specShapes(spec).params;

    await trainer.command({ type: 'join', amount: 10n, sigma: 0n });
    await trainer.command({ type: 'startTraining', epochs: 2 });
    await validator.command({ type: 'join', amount: 10n, sigma: 0n });
    await drive(trainer);
    await drive(validator);

    // The key was made before the join, and the join committed it.
    const keyCommit = await dev.keys.keyCommit(keyRefOf(scope(TRAINER, 'trainer')));
    expect(world.pools.get(TRAINER.toLowerCase())).toEqual({ role: 'Trainer', keyCommit, eligibleFrom: 0 });
    expect(world.pools.get(VALIDATOR.toLowerCase())).toMatchObject({ role: 'Validator', keyCommit: null });
    expect(ml.runs).toHaveLength(1);
    expect(ml.runs[0]!.epochs).toBe(2);
    const best = trainer.state.best!;
    expect(best).toMatchObject({ wrong: 0, sealable: true });
    expect(trainer.state.phase).toBe('waiting-seal');

    // Two more trainers, by hand: one reveals a wmCommit that is not its weights', one never uploads.
    const key = (await dev.keys.get(keyRefOf(scope(TRAINER, 'trainer'))))!;
    const other = serializeArtifact(specHashBytes(specHash), params, craftedWeights(spec, key.bits, OTHER, 0, 77));
    const liar = await handTrainer(world, store, OTHER, other, hex32(0xbad));
    const ghostArtifact = serializeArtifact(
      specHashBytes(specHash),
      params,
      craftedWeights(spec, key.bits, COPIER, 0, 78),
    );
    const ghost = await handTrainer(
      world,
      store,
      COPIER,
      ghostArtifact,
      weightsWmCommit(spec, craftedWeights(spec, key.bits, COPIER, 0, 78)),
      false,
    );
    await liar.join();
    await ghost.join();

    world.now = at(0, 10);
    await drive(trainer);
    await liar.seal(0);
    await ghost.seal(0);
    expect(world.log.filter((l) => l.account === TRAINER).map((l) => l.call)).toEqual(['join', 'seal']);

    world.now = at(0, 510);
    await drive(trainer);
    await liar.reveal(0);
    await ghost.reveal(0);
    expect(world.log.filter((l) => l.account === TRAINER).map((l) => l.call)).toEqual(['join', 'seal', 'reveal']);
    expect(trainer.state.epochs[0]).toMatchObject({
      epoch: 0,
      outcome: 'revealed',
      seal: { cid: cidFromDigest(best.artifactHash), status: 'revealed' },
    });
    // Uploaded under the CID its hash names, byte for byte.
    expect(await artifactHash(store.blobs.get(cidFromDigest(best.artifactHash))!)).toBe(best.artifactHash);
    // Revealed with the root of what it uploaded: a file of one chunk is its own root.
    const bestBytes = store.blobs.get(cidFromDigest(best.artifactHash))!;
    expect(trainer.state.epochs[0]!.seal!.artifactRoot).toBe(rootOfCid(await fileCid(bestBytes)));
    expect(world.submissions[0]).toMatchObject({ trainer: TRAINER, artifactRoot: best.artifactHash });

    ml.scores.set(best.artifactHash, 0.8125);
    // The reveal window: the seed does not exist yet; each model is evaluated once on every sample.
    for (let t = 520; t < 600; t += 20) {
      world.now = at(0, t);
      await drive(validator, 1);
    }
    const cols = world.columnsOf(0);
    expect(cols.map((c) => c.trainer)).toEqual([TRAINER, OTHER, COPIER]);
    expect(ml.evaluations).toEqual([best.artifactHash]);
    const preview = columnProgress(validator.state, cols, EVAL, null)[0]!;
    expect(preview).toMatchObject({ status: 'evaluated', score: null });
    expect(world.seeds.size).toBe(0);

    // The commit window: the validator draws the seed, scores the subset from the kept vectors, commits.
    world.now = at(0, 600);
    await drive(validator, 2);
    const seed = world.seeds.get(0)!;
    expect(seed).toMatch(/^0x[0-9a-f]{64}$/);
    const want = await expectedUnits(0.8125, seed);
    // The subset is not the whole set: its score differs from the preview.
    expect(Math.round(preview.fullScore! * 10_000)).toBe(want.full);
    expect(want.subset).not.toBe(want.full);
    const progress = columnProgress(validator.state, cols, EVAL, null, { seed, size: SUBSET });
    expect(progress.map((p) => [p.status, p.score === null ? null : Math.round(p.score * 10_000)])).toEqual([
      ['scored', want.subset],
      ['zero', 0],
      ['zero', 0],
    ]);
    expect(progress[1]!.reason).toMatch(/the weights' wmCommit is 0x[0-9a-f]{64}, not the revealed 0x0+bad/);
    expect(progress[2]!.reason).toMatch(/could not be fetched or evaluated in 3 attempts \(last: FAKE: no gateway has/);
    // Only the model that passed its checks reached the evaluator, once.
    expect(ml.evaluations).toEqual([best.artifactHash]);
    expect(world.log.filter((l) => l.account === VALIDATOR).map((l) => l.call)).toEqual([
      'join',
      'drawEvalSeed',
      'commitScores',
    ]);
    expect(validator.state.notes.map((n) => n.key)).toEqual(
      expect.arrayContaining(['seed/0', 'subset/0', 'eval-backend/wasm']),
    );
    // The vectors are on the device, under the evaluation's key.
    expect((await dev.persist.getSamples(scope(VALIDATOR, 'validator'), evaluationKey(cols[0]!, EVAL)))!.samples).toBe(
      250,
    );

    world.now = at(0, 860);
    await drive(validator);
    const commit = world.commits.get(`0:${VALIDATOR.toLowerCase()}`)!;
    expect(commit.revealed).toBe(true);
    expect(unpackScores(commit.words!, 3)).toEqual([want.subset, 0, 0]);
    expect(validator.state.epochs[0]!.outcome).toBe('revealed');
    expect(world.log.filter((l) => l.account === VALIDATOR).map((l) => l.call)).toEqual([
      'join',
      'drawEvalSeed',
      'commitScores',
      'revealScores',
    ]);

    // Nothing is sent twice however often the agents tick.
    for (const t of [870, 900, 990]) {
      world.now = at(0, t);
      await drive(trainer, 1);
      await drive(validator, 1);
    }
    expect(world.log).toHaveLength(4 * 3 + 1);
    expect(new Set(world.log.map((l) => `${l.account}/${l.call}/${l.epoch}`)).size).toBe(13);
  });

  it('a seed another validator drew is used as is; a reloaded validator scores from the stored vectors without evaluating again', async () => {
    const { world, store, ml, trainer, validator, dev } = await setup();
    const hash = await revealOneModel({ world, trainer, validator });
    ml.scores.set(hash, 0.6);
    world.now = at(0, 550);
    await drive(validator, 1);
    expect(ml.evaluations).toEqual([hash]);
    validator.stop();

    const seed = hex32(0x5eed);
    world.seeds.set(0, seed);
    const ml2 = new FakeMl(specBytes);
    const reopened = await ValidatorAgent.open({
      scope: scope(VALIDATOR, 'validator'),
      chain: world.portFor(VALIDATOR),
      store,
      ml: ml2,
      persist: dev.persist,
    });
    world.now = at(0, 610);
    await drive(reopened, 1);
    expect(ml2.evaluations).toEqual([]);
    expect(world.log.filter((l) => l.account === VALIDATOR).map((l) => l.call)).toEqual(['join', 'commitScores']);
    const committed = reopened.state.epochs[0]!.commit!.scores;
    expect(committed).toEqual([(await expectedUnits(0.6, seed)).subset]);
    expect(reopened.state.notes.find((n) => n.key === 'seed/0')!.message).toMatch(
      /another validator drew the evaluation seed/,
    );
  });

  it("a join below the task's minimum stake is not sent", async () => {
    const info = { ...(await taskInfo()), minStake: { trainer: 5n * 10n ** 18n, validator: 7n * 10n ** 18n } };
    const world = new FakeWorld(info);
    const dev = await device();
    const validator = await ValidatorAgent.open({
      scope: scope(VALIDATOR, 'validator'),
      chain: world.portFor(VALIDATOR),
      store: new FakeStore(),
      ml: new FakeMl(specBytes),
      persist: dev.persist,
    });
    await validator.command({ type: 'join', amount: 6n * 10n ** 18n, sigma: 0n });
    await drive(validator, 1);
    expect(world.log).toEqual([]);
    expect(validator.state.join).toBeNull();
    expect(validator.state.notes.map((n) => n.message)).toContain(
      "A validator joins this task with at least 7 ARENA, the task's minimum validator stake; 6 ARENA was asked, so nothing was sent.",
    );
  });

  it('the running model is snapshotted at the seal reserve and sealed; training then resumes', async () => {
    const { world, ml, trainer } = await setup();
    ml.holdRuns = true;
    await trainer.command({ type: 'join', amount: 10n, sigma: 0n });
    await trainer.command({ type: 'startTraining' });
    await trainer.tick();
    expect(trainer.trainingStatus).toBe('running');
    world.now = at(0, 100);
    await trainer.tick();
    expect(world.log.map((l) => l.call)).toEqual(['join']);
    world.now = at(0, 400);
    await trainer.tick();
    await trainer.settled();
    expect(trainer.state.training.snapshot).toEqual({ epoch: 0, done: true });
    await trainer.tick();
    expect(world.log.map((l) => l.call)).toEqual(['join', 'seal']);
    expect(ml.runs).toHaveLength(2);
    expect(trainer.trainingStatus).toBe('running');
    ml.finish();
    await trainer.settled();
    expect(trainer.state.training.wanted).toBe(false);
  });

  it('a model whose watermark lacks margin is not sealed; training is extended until it has it', async () => {
    const { world, ml, trainer } = await setup();
    ml.wrongBits = [5, 3];
    await trainer.command({ type: 'join', amount: 10n, sigma: 0n });
    await trainer.command({ type: 'startTraining' });
    await drive(trainer, 4);
    expect(ml.runs.map((r) => r.epochs)).toEqual([null, 31]);
    expect(trainer.state.best).toMatchObject({ wrong: 3, sealable: true });
    expect(trainer.state.notes.map((n) => n.key)).toContain('extend/1');
    world.now = at(0, 5);
    await drive(trainer, 1);
    expect(world.log.map((l) => l.call)).toEqual(['join', 'seal']);
  });
});

describe('agents: persistence and crashes', () => {
  it('storing fails: nothing is sent; once storing works the seal goes out once', async () => {
    const { world, trainer: first, dev, store, ml } = await setup();
    await first.command({ type: 'join', amount: 10n, sigma: 0n });
    await first.command({ type: 'startTraining' });
    await drive(first);
    first.stop();
    let broken = true;
    const persist: AgentStore = {
      ...dev.persist,
      saveState: async (s, state, f) => {
        if (broken && JSON.stringify(state, (_k, v) => (typeof v === 'bigint' ? String(v) : v)).includes('"prepared"'))
          throw new Error('FAKE: disk full');
        return dev.persist.saveState(s, state, f);
      },
    };
    const trainer = await TrainerAgent.open({
      scope: scope(TRAINER, 'trainer'),
      chain: world.portFor(TRAINER),
      store,
      ml,
      persist,
      keys: dev.keys,
    });
    world.now = at(0, 10);
    await expect(trainer.tick()).rejects.toThrow(/disk full/);
    expect(world.log.map((l) => l.call)).toEqual(['join']);
    broken = false;
    await trainer.tick();
    expect(world.log.map((l) => l.call)).toEqual(['join', 'seal']);
  });

  it('a page closed mid-run: the reopened agent restarts training at once, not after the retry delay', async () => {
    const { world, dev, store, ml, trainer } = await setup();
    await trainer.command({ type: 'join', amount: 10n, sigma: 0n });
    ml.holdRuns = true;
    await trainer.command({ type: 'startTraining' });
    await trainer.tick();
    expect(ml.runs).toHaveLength(1);
    expect(trainer.state.training.startedAt).not.toBeNull();
    // The page dies with its run: the stored state still says a run started a moment ago.
    trainer.stop();
    const ml2 = new FakeMl(specBytes);
    const reopened = await TrainerAgent.open({
      scope: scope(TRAINER, 'trainer'),
      chain: world.portFor(TRAINER),
      store,
      ml: ml2,
      persist: dev.persist,
      keys: dev.keys,
    });
    await reopened.tick();
    await reopened.settled();
    expect(ml2.runs).toHaveLength(1);
    reopened.stop();
  });

  it('the tab dies right after sending the seal: a reopened agent finds it on chain and reveals it with the stored salt', async () => {
    const { world, dev, store, ml, trainer } = await setup();
    await trainer.command({ type: 'join', amount: 10n, sigma: 0n });
    await trainer.command({ type: 'startTraining' });
    await drive(trainer);
    // From the crash on, nothing this instance does reaches the disk.
    let dead = false;
    const original = dev.persist.saveState;
    dev.persist.saveState = async (s, state, f) => (dead ? undefined : original(s, state, f));
    world.crashAfterSend.add(`${TRAINER.toLowerCase()}:seal`);
    world.onCrash = () => (dead = true);
    const wasSent = world.log.length;
    world.now = at(0, 10);
    await trainer.tick();
    trainer.stop();
    expect(world.log.length).toBe(wasSent + 1);
    dev.persist.saveState = original;

    const reopened = await TrainerAgent.open({
      scope: scope(TRAINER, 'trainer'),
      chain: world.portFor(TRAINER),
      store,
      ml,
      persist: dev.persist,
      keys: dev.keys,
    });
    expect(reopened.state.epochs[0]!.seal!.status).toBe('prepared');
    world.now = at(0, 100);
    await drive(reopened, 1);
    expect(reopened.state.epochs[0]!.seal!.status).toBe('sealed');
    world.now = at(0, 505);
    await drive(reopened, 1);
    expect(world.log.map((l) => l.call)).toEqual(['join', 'seal', 'reveal']);
    expect(world.seals.get(`0:${TRAINER.toLowerCase()}`)!.revealed).toBe(true);
  });

  it('the tab stays closed through the reveal window: the reopened agent explains it and goes on to the next epoch', async () => {
    const { world, dev, store, ml, trainer } = await setup();
    await trainer.command({ type: 'join', amount: 10n, sigma: 0n });
    await trainer.command({ type: 'startTraining' });
    await drive(trainer);
    world.now = at(0, 10);
    await drive(trainer, 1);
    trainer.stop();
    world.now = at(1, 20);
    const reopened = await TrainerAgent.open({
      scope: scope(TRAINER, 'trainer'),
      chain: world.portFor(TRAINER),
      store,
      ml,
      persist: dev.persist,
      keys: dev.keys,
    });
    const notes: string[] = [];
    reopened.subscribe((e) => e.type === 'note' && notes.push(e.note.message));
    await drive(reopened, 1);
    expect(reopened.state.epochs.map((e) => [e.epoch, e.outcome])).toEqual([
      [0, 'missed-reveal'],
      [1, 'open'],
    ]);
    expect(notes[0]).toMatch(
      /^Epoch 0: the seal was not revealed: this app was not running from .* A seal that is not revealed is not scored \(SPEC section 2.2\)/,
    );
    expect(world.log.map((l) => [l.call, l.epoch])).toEqual([
      ['join', -1],
      ['seal', 0],
      ['seal', 1],
    ]);
  });

  it('another instance of the task (a reset local chain) starts a fresh state', async () => {
    const { world, dev, store, ml, trainer } = await setup();
    await trainer.command({ type: 'startTraining' });
    const other = new FakeWorld({ ...world.task, schedule: { ...SCHEDULE, startTime: 5000n, reviewEnd: 4900n } });
    const fresh = await TrainerAgent.open({
      scope: scope(TRAINER, 'trainer'),
      chain: other.portFor(TRAINER),
      store,
      ml,
      persist: dev.persist,
      keys: dev.keys,
    });
    expect(fresh.state.training.wanted).toBe(false);
    const again = await TrainerAgent.open({
      scope: scope(TRAINER, 'trainer'),
      chain: world.portFor(TRAINER),
      store,
      ml,
      persist: dev.persist,
      keys: dev.keys,
    });
    // The fresh state was not saved yet, so the original is still there.
    expect(again.state.training.wanted).toBe(true);
  });

  it("refuses a model spec file that is not the task's", async () => {
    const world = new FakeWorld({ ...(await taskInfo()), modelSpec: hex32(1) });
    const dev = await device();
    await expect(
      TrainerAgent.open({
        scope: scope(TRAINER, 'trainer'),
        chain: world.portFor(TRAINER),
        store: new FakeStore(),
        ml: new FakeMl(specBytes),
        persist: dev.persist,
        keys: dev.keys,
      }),
    ).rejects.toThrow(/hashes to 0x[0-9a-f]{64}, the task names 0x0+1/);
  });
});

describe('agents: the watermark key', () => {
  it('is exported encrypted, imported on another device, and never stored or kept in state in plain text', async () => {
    const { world, dev, trainer, store, ml } = await setup();
    await trainer.command({ type: 'join', amount: 10n, sigma: 0n });
    await drive(trainer);
    const key = (await dev.keys.get(keyRefOf(scope(TRAINER, 'trainer'))))!;
    const plain = JSON.parse(keyToJson(key)) as { x: string; salt: string };

    // Nothing in IndexedDB holds the key bits or salt in the clear.
    const dump: string[] = [];
    for (const name of ['states', 'artifacts', 'keys', 'device']) {
      const values = await new Promise<unknown[]>((resolve) => {
        const r = dev.db.transaction(name).objectStore(name).getAll();
        r.onsuccess = () => resolve(r.result);
      });
      dump.push(
        JSON.stringify(values, (_k, v) =>
          typeof v === 'bigint' ? String(v) : v instanceof Uint8Array ? Buffer.from(v).toString('hex') : v,
        ),
      );
    }
    const all = dump.join('\n');
    expect(all).not.toContain(plain.x);
    expect(all).not.toContain(plain.salt.slice(2));
    expect(JSON.stringify(trainer.state, (_k, v) => (typeof v === 'bigint' ? String(v) : v))).not.toContain(
      plain.salt.slice(2),
    );

    const backup = await trainer.exportKey('correct horse battery staple');
    expect(backup).not.toContain(plain.x);

    // A new device: the agent there has no key and says so; the backup brings it back.
    const other = await device();
    const moved = await TrainerAgent.open({
      scope: scope(TRAINER, 'trainer'),
      chain: world.portFor(TRAINER),
      store,
      ml,
      persist: other.persist,
      keys: other.keys,
    });
    await moved.tick();
    expect(moved.state.phase).toBe('key-missing');
    await expect(moved.importKey(backup, 'wrong passphrase')).rejects.toThrow(/wrong passphrase/);
    const commit = await moved.importKey(backup, 'correct horse battery staple');
    expect(commit).toBe(world.pools.get(TRAINER.toLowerCase())!.keyCommit);
    await moved.tick();
    expect(moved.state.phase).not.toBe('key-missing');

    // A backup of another key is refused once the chain holds this account's commitment.
    const { generateKey, exportKeyEncrypted } = await import('../../../src/lib/ml/watermark/index.ts');
    const stranger = await exportKeyEncrypted(generateKey(64, 128), 'pw', { iterations: 310_000 });
    await expect(moved.importKey(stranger, 'pw')).rejects.toThrow(
      /but the key committed on chain for this task and account is/,
    );
  });
});

describe('agents: validator edge cases', () => {
  it('a transient fetch failure is retried and the model still scores', async () => {
    const { world, store, ml, trainer, validator } = await setup();
    const hash = await revealOneModel({ world, trainer, validator });
    store.flaky.set(cidFromDigest(hash), 1);
    ml.scores.set(hash, 0.25);
    for (let t = 600; t <= 620; t += 10) {
      world.now = at(0, t);
      await drive(validator, 1);
    }
    const seed = world.seeds.get(0)!;
    const key = resultKey(world.columnsOf(0)[0]!, EVAL, { seed, size: SUBSET });
    expect(validator.state.results[key]).toMatchObject({
      units: (await expectedUnits(0.25, seed)).subset,
      check: 'ok',
    });
    expect(world.log.at(-1)).toMatchObject({ account: VALIDATOR, call: 'commitScores' });
  });

  it('the same artifact revealed by a copier later is flagged by the chain and scored 0 without a download', async () => {
    const { world, store, ml, trainer, validator, dev } = await setup();
    await trainer.command({ type: 'join', amount: 10n, sigma: 0n });
    await trainer.command({ type: 'startTraining' });
    await validator.command({ type: 'join', amount: 10n, sigma: 0n });
    await drive(trainer);
    await drive(validator);
    const best = trainer.state.best!;
    const bytes = (await dev.persist.getArtifact(scope(TRAINER, 'trainer'), best.artifactHash))!;
    const copier = await handTrainer(world, store, COPIER, bytes, best.wmCommit);
    await copier.join();
    world.now = at(0, 10);
    await drive(trainer, 1);
    world.now = at(0, 20);
    await copier.seal(0);
    world.now = at(0, 510);
    await drive(trainer, 1);
    await copier.reveal(0);
    world.now = at(0, 600);
    await drive(validator, 2);
    const cols = world.columnsOf(0);
    expect(cols.map((c) => c.duplicate)).toEqual([false, true]);
    expect(world.commits.get(`0:${VALIDATOR.toLowerCase()}`)).toBeDefined();
    expect(ml.evaluations).toEqual([best.artifactHash]);
  });
});
