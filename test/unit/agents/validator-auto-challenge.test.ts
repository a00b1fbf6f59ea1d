// The validator agent's automatic challenge end to end in Node: the real machine, runner,
// IndexedDB store and artifact checks over FAKE ports (support/fakes.ts) for the chain and the
// ML workers, and a FAKE ChallengePort. Three trainers reveal in epoch 0; the FAKE ML predicts
// the same classes for A's and B's models on most probe inputs (B copied A) and not for C's. The
// agent evaluates each model once, with the task's seeded probes, makes each hint from the kept
// predictions, and challenges B, once, stating the bond.
import { readFileSync } from 'node:fs';
import { IDBFactory } from 'fake-indexeddb';
import type { Address } from 'viem';
import { describe, expect, it } from 'vitest';
import { seededTranscript } from '../../../src/lib/chain/transcript-commit.ts';
import { sealCommitment } from '../../../src/lib/chain/commitments.ts';
import { artifactHash } from '../../../src/lib/ml/artifact/hash.ts';
import { fileCid } from '../../../src/lib/storage/unixfs/dag.ts';
import { rootOfCid } from '../../../src/lib/storage/unixfs/ref.ts';
import { serializeArtifact } from '../../../src/lib/ml/artifact/serialize.ts';
import { sha256Hex } from '../../../src/lib/ml/hash.ts';
import { specHashBytes } from '../../../src/lib/ml/eval/evaluate.ts';
import { parseModelSpecBytes } from '../../../src/lib/ml/spec/parse.ts';
import { specShapes } from '../../../src/lib/ml/spec/shapes.ts';
import { generateKey } from '../../../src/lib/ml/watermark/key.ts';
import {
  ValidatorAgent,
  agentStoreOn,
  openAgentDatabase,
  weightsWmCommit,
  type ChallengeObs,
  type TaskInfo,
} from '../../../src/lib/agents/index.ts';
import type { ChallengePort, EvalRequest, SampleEval } from '../../../src/lib/agents/ports.ts';
import { PROBE_COUNT, PROBE_RANGE, probeSeed } from '../../../src/lib/agents/validator/similarity.ts';
import { FakeMl, FakeStore, FakeWorld, craftedWeights } from './support/fakes.ts';
import { REGISTRY, SCHEDULE, VALIDATOR, at, hex32 } from './fixtures.ts';

const specBytes = new Uint8Array(readFileSync(new URL('../../../public/specs/digits-mlp.json', import.meta.url)));
const A: Address = '0x90f79bf6eb2c4f870365e785982e1f101e93b906';
const B: Address = '0x15d34aaf54267db7d7c367839aaf71a00a2c6a65';
const C: Address = '0x9965507d1a55bcc2695c58ba16fb37d819b0a4dc';
const WAD = 10n ** 18n;

/** FAKE ML with predictions: per artifact, a class per probe (and per eval sample). */
class PredictingMl extends FakeMl {
  readonly probes = new Map<string, Int32Array>();
  readonly requests: EvalRequest[] = [];
  override async evaluateSamples(req: EvalRequest): Promise<SampleEval> {
    this.requests.push(req);
    const base = await super.evaluateSamples(req);
    const p = this.probes.get(req.artifactHash)!;
    return req.probes
      ? { ...base, predictions: new Int32Array(base.samples).fill(3), probePredictions: p.slice(0, req.probes.count) }
      : base;
  }
}

/** Probe classes: the first `same` of 1000 as the reference pattern, the rest shifted by `shift`. */
const pattern = (same: number, shift: number) =>
  Int32Array.from({ length: PROBE_COUNT }, (_, i) => (i < same ? i % 10 : (i + shift) % 10));

function fakeChallenges(balance: bigint) {
  const opened: number[] = [];
  const list: ChallengeObs[] = [];
  const port: ChallengePort = {
    challenges: async () => structuredClone(list),
    terms: async () => ({ bond: 10n * WAD, balance, jurorWeight: 10n }),
    submission: async () => {
      throw new Error('FAKE: not used');
    },
    async challenge(submissionId) {
      opened.push(submissionId);
      list.push({
        challengeId: String(list.length + 1),
        submissionId,
        trainer: B,
        challenger: VALIDATOR,
        status: 'open',
        disclosure: null,
        disputeDeadline: null,
        dispute: null,
        vote: { committed: false, verdict: null, claimed: false },
        majority: null,
        share: 0n,
      });
      return { challengeId: BigInt(list.length), txHash: hex32(1) };
    },
    disputeSegment: async () => ({ txHash: hex32(2) }),
    commitVerdict: async () => ({ txHash: hex32(3) }),
    revealVerdict: async () => ({ txHash: hex32(4) }),
    claimJuryShare: async () => ({ txHash: hex32(5) }),
  };
  return { port, opened };
}

async function scenario(balance: bigint) {
  const task: TaskInfo = {
    schedule: SCHEDULE,
    modelSpec: `0x${await sha256Hex(specBytes)}`,
    trainData: hex32(0x7a1),
    evalData: hex32(0xe7a1),
    evalSubsetSize: 100,
    minStake: { trainer: 1n, validator: 1n },
    rules: { minScore: 0n, floorBps: 5000, tolV: 5n * 10n ** 15n, minValidators: 1 },
  };
  const world = new FakeWorld(task);
  const store = new FakeStore();
  const ml = new PredictingMl(specBytes);
  const { spec, hash: specHash } = await parseModelSpecBytes(specBytes);
  const params = specShapes(spec).params;
  const key = generateKey(64, 128);
  // B copied A (90% of the probes alike); C is independent (70% alike with either).
  const trainers = [
    [A, 1000, 0],
    [B, 900, 1],
    [C, 700, 2],
  ] as const;
  const subs = [];
  for (const [i, [who, same, shift]] of trainers.entries()) {
    const w = craftedWeights(spec, key.bits, who, 0, 90 + i);
    const bytes = serializeArtifact(specHashBytes(specHash), params, w);
    const hash = await artifactHash(bytes);
    ml.probes.set(hash, pattern(same, shift));
    const p = {
      port: world.portFor(who),
      bytes,
      hash,
      who,
      wmCommit: weightsWmCommit(spec, w),
      transcript: seededTranscript(hex32(0x7a5 + i), 8),
      salt: hex32(0x5a17 + i),
    };
    await p.port.join('Trainer', 1n, 0n, hex32(0x11 + i));
    subs.push(p);
  }
  const fake = fakeChallenges(balance);
  const validator = await ValidatorAgent.open({
    scope: { chainId: 31337, registry: REGISTRY, taskId: 7n, account: VALIDATOR, role: 'validator' },
    chain: world.portFor(VALIDATOR),
    challenges: fake.port,
    store,
    ml,
    persist: agentStoreOn(await openAgentDatabase(new IDBFactory())),
  });
  await validator.command({ type: 'join', amount: 10n, sigma: 0n });
  await validator.tick();
  await validator.settled();
  world.now = at(0, 10);
  for (const p of subs)
    await p.port.sealSubmission({
      epoch: 0,
      commitment: sealCommitment(7n, 0n, p.who, p.hash, p.wmCommit, p.transcript, p.salt),
      artifactHash: p.hash,
      wmCommit: p.wmCommit,
      transcript: p.transcript,
      salt: p.salt,
    });
  world.now = at(0, 510);
  for (const p of subs) {
    await store.upload(p.bytes);
    await p.port.revealSubmission({
      epoch: 0,
      artifactHash: p.hash,
      artifactRoot: rootOfCid(await fileCid(p.bytes)),
      wmCommit: p.wmCommit,
      transcript: p.transcript,
      salt: p.salt,
    });
  }
  return { world, ml, validator, fake };
}

async function revealWindow(s: Awaited<ReturnType<typeof scenario>>) {
  for (let t = 520; t < 620; t += 10) {
    s.world.now = at(0, t);
    await s.validator.tick();
    await s.validator.settled();
  }
}

describe('the automatic challenge (agent over fake ports)', () => {
  it('evaluates with the seeded probes, hints each model once, challenges the copy once with the bond stated', async () => {
    const s = await scenario(100n * WAD);
    await revealWindow(s);
    // One evaluation per model, each with the task's probes.
    expect(s.ml.requests.map((r) => r.probes)).toEqual(
      Array(3).fill({
        seed: probeSeed(31337, REGISTRY, 7n),
        count: PROBE_COUNT,
        lo: PROBE_RANGE[0],
        hi: PROBE_RANGE[1],
      }),
    );
    const hints = s.validator.state.learning.hints;
    expect(hints[0]).toMatchObject({ closest: null, compared: 0, flagged: false });
    expect(hints[1]).toMatchObject({ closest: { submissionId: 0, trainer: A, probes: 0.9, eval: 1 }, flagged: true });
    // C agrees with A on 70% and with B on 70% (the shifted entries differ from both).
    expect(hints[2]).toMatchObject({ compared: 2, flagged: false });
    expect(hints[2]!.closest!.probes).toBeCloseTo(0.7, 3);
    expect(s.fake.opened).toEqual([1]);
    expect(s.validator.state.learning.challenges[1]).toMatchObject({
      status: 'opened',
      challengeId: '1',
      bond: (10n * WAD).toString(),
    });
    expect(s.validator.state.notes.find((n) => n.key === 'auto-challenge/1')!.message).toMatch(
      /^Challenging submission 1 with a bond of 10 ARENA: S1 agrees with S0 .* on 90\.0% of the probe inputs/,
    );
    // Later steps neither compare again nor challenge again.
    await revealWindow(s);
    expect(s.fake.opened).toEqual([1]);
    expect(s.ml.requests).toHaveLength(3);
  });

  it('with too small a balance nothing is sent, and the status says why', async () => {
    const s = await scenario(5n * WAD);
    await revealWindow(s);
    expect(s.validator.state.learning.hints[1]!.flagged).toBe(true);
    expect(s.fake.opened).toEqual([]);
    expect(s.validator.state.learning.terms).toMatchObject({ covered: false, bond: (10n * WAD).toString() });
    expect(s.validator.state.notes.map((n) => n.key)).toEqual(
      expect.arrayContaining([`bond-uncovered/${10n * WAD}`, 'bond-short/1']),
    );
  });

  it('a lower threshold set by the user challenges C as well; automation off challenges nothing', async () => {
    const s = await scenario(100n * WAD);
    await s.validator.challengeSettings({ threshold: 0.6 });
    await revealWindow(s);
    expect(s.fake.opened).toEqual([1, 2]);
    const off = await scenario(100n * WAD);
    await off.validator.challengeSettings({ auto: false });
    await revealWindow(off);
    expect(off.validator.state.learning.hints[1]!.flagged).toBe(true);
    expect(off.fake.opened).toEqual([]);
  });
});
