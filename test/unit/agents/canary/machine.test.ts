// The canary producer's machine, pure, against a small in-memory model of the chain that applies
// its actions as the contracts would (seals, reveals, key commitments, the canary scan). Walks a
// whole task and the schedule's edge cases: before the first epoch, a start after epoch 0 began,
// the last submission epoch and the final phase, restarts that lost the state mid-epoch, seals
// the chain does not show, accounts that cannot take part, training that fails.
import { encodeAbiParameters, keccak256, zeroHash, type Address, type Hex } from 'viem';
import { describe, expect, it } from 'vitest';
import { expectedCanaryMask, maskColumns, type CanaryColumn } from '../../../../src/lib/chain/canary.ts';
import { sealCommitment } from '../../../../src/lib/chain/commitments.ts';
import { MISSING_TRANSCRIPT } from '../../../../src/lib/agents/transcript-gap.ts';
import { epochStart, windowTimes } from '../../../../src/lib/chain/schedule.ts';
import type { Note } from '../../../../src/lib/agents/common.ts';
import type { SealView } from '../../../../src/lib/agents/trainer/machine.ts';
import {
  DEFAULT_CANARY_CONFIG,
  canaryReads,
  canaryRecord,
  canaryStep,
  initialCanaryState,
  subKey,
  type CanaryAction,
  type CanaryIdentity,
  type CanaryObservation,
  type CanaryOutcome,
  type CanaryState,
  type MemberView,
} from '../../../../src/lib/agents/canary/machine.ts';
import { planCanaries } from '../../../../src/lib/agents/canary/plan.ts';
import { SCHEDULE, at } from '../fixtures.ts';

const SECRET: Hex = `0x${'5a'.repeat(32)}`;
const TASK = 7n;
const SCOPE = { chainId: 31337, registry: '0x5FbDB2315678afecb367f032d93F642f64180aa3' as Address, taskId: TASK };
const CREATOR: Address = '0xf39Fd6e51aad88F6F4ce6aB8827279cffFb92266';
const POOL: Address[] = Array.from(
  { length: 4 },
  (_, i) => `0x${(0x2000 + i).toString(16).padStart(40, '0')}` as Address,
);
const keyCommitOf = (a: Address): Hex => keccak256(encodeAbiParameters([{ type: 'address' }], [a]));
const plan = planCanaries({
  scope: SCOPE,
  secret: SECRET,
  pool: POOL,
  submissionEpochs: 3,
  finalEpochs: 1,
  perEpoch: 1,
  steps: { min: 4, max: 120 },
});
const ID: CanaryIdentity = { plan, keyCommits: Object.fromEntries(POOL.map((a) => [a, keyCommitOf(a)])) };
const STAKE = 10n ** 18n;

/** What a deterministic training run would give (a restart retrains to the same bytes). */
const modelOf = (epoch: number, account: Address, seed: number, steps: number) => ({
  artifactHash: keccak256(
    encodeAbiParameters(
      [{ type: 'uint256' }, { type: 'address' }, { type: 'uint256' }, { type: 'uint256' }],
      [BigInt(epoch), account, BigInt(seed), BigInt(steps)],
    ),
  ),
  wmCommit: keccak256(encodeAbiParameters([{ type: 'address' }], [account])),
  steps,
  wrong: 1,
  // As the Node canary trainer returns today: no transcript (src/lib/agents/transcript-gap.ts).
  transcript: null,
});

/** The chain as the contracts keep it, for the pool and the creator. */
class FakeChain {
  commits = new Map<number, Hex>();
  seals = new Map<string, SealView & { artifactHash?: Hex; wmCommit?: Hex }>();
  revealed = new Map<number, bigint>();
  /** Columns (revealed submissions) per submission epoch, in reveal order. */
  columns = new Map<number, CanaryColumn[]>();
  members: Record<Address, MemberView> = Object.fromEntries(
    POOL.map((a) => [
      a,
      { role: 'Trainer', keyCommit: keyCommitOf(a), eligibleFrom: 0, excluded: false } as MemberView,
    ]),
  );
  /** Seals sent but not shown (a lagging node); counts sends. */
  dropSeals = 0;
  sent: CanaryAction[] = [];
  trainFails: { retryable: boolean } | null = null;

  observe(s: CanaryState, now: bigint): CanaryObservation {
    const reads = canaryReads(s, plan, SCHEDULE, now);
    return {
      now,
      schedule: SCHEDULE,
      minStake: STAKE,
      chain: {
        commits: Object.fromEntries(reads.commits.map((e) => [e, this.commits.get(e) ?? zeroHash])),
        reveals: Object.fromEntries(
          reads.reveals.map((e) => [e, { revealed: this.revealed.has(e), mask: this.revealed.get(e) ?? 0n }]),
        ),
        members: { ...this.members },
        seals: Object.fromEntries(
          reads.seals.map(({ epoch, account }) => [subKey(epoch, account), this.seal(epoch, account)]),
        ),
      },
    };
  }

  seal(epoch: number, account: Address): SealView {
    const s = this.seals.get(subKey(epoch, account));
    return s ? { commitment: s.commitment, revealed: s.revealed } : { commitment: zeroHash, revealed: false };
  }

  /** The columns scored in `epoch`: that epoch's reveals, or every account's latest in the final phase. */
  columnsOf(epoch: number): CanaryColumn[] {
    if (epoch < SCHEDULE.submissionEpochs) return this.columns.get(epoch) ?? [];
    const latest = new Map<string, CanaryColumn>();
    for (let e = 0; e < SCHEDULE.submissionEpochs; e++)
      for (const c of this.columns.get(e) ?? []) latest.set(c.trainer.toLowerCase(), c);
    return [...latest.values()];
  }

  apply(a: Exclude<CanaryAction, { type: 'explain' }>, now: bigint): CanaryOutcome {
    this.sent.push(a);
    const tx = keccak256(encodeAbiParameters([{ type: 'uint256' }], [BigInt(this.sent.length)]));
    switch (a.type) {
      case 'commit':
        expect(now).toBeLessThan(epochStart(SCHEDULE, a.epoch));
        this.commits.set(a.epoch, a.keyHash);
        return { type: 'sent', action: 'commit', epoch: a.epoch, account: null, txHash: tx, at: now };
      case 'join':
        this.members[a.account] = { role: 'Trainer', keyCommit: a.keyCommit, eligibleFrom: 0, excluded: false };
        return { type: 'sent', action: 'join', epoch: null, account: a.account, txHash: tx, at: now };
      case 'train':
        if (this.trainFails)
          return {
            type: 'failed',
            action: 'train',
            epoch: a.epoch,
            account: a.account,
            message: 'the worker crashed',
            retryable: this.trainFails.retryable,
            at: now,
          };
        return {
          type: 'trained',
          epoch: a.epoch,
          account: a.account,
          model: modelOf(a.epoch, a.account, a.seed, a.steps),
          at: now,
        };
      case 'seal':
        // No transcript from the trainer: the documented placeholder, the same at the reveal.
        expect(a.transcript).toEqual(MISSING_TRANSCRIPT);
        expect(a.commitment).toBe(
          sealCommitment(TASK, BigInt(a.epoch), a.account, a.artifactHash, a.wmCommit, a.transcript, a.salt),
        );
        if (this.dropSeals > 0) this.dropSeals -= 1;
        else this.seals.set(subKey(a.epoch, a.account), { commitment: a.commitment, revealed: false });
        return { type: 'sent', action: 'seal', epoch: a.epoch, account: a.account, txHash: tx, at: now };
      case 'upload':
        return {
          type: 'uploaded',
          epoch: a.epoch,
          account: a.account,
          artifactHash: a.artifactHash,
          cid: `cid-${a.artifactHash}`,
          // A stand-in for the root of a file of several chunks: not the hash.
          artifactRoot: keccak256(a.artifactHash),
          at: now,
        };
      case 'reveal': {
        const seal = this.seals.get(subKey(a.epoch, a.account))!;
        const commitment = sealCommitment(
          TASK,
          BigInt(a.epoch),
          a.account,
          a.artifactHash,
          a.wmCommit,
          a.transcript,
          a.salt,
        );
        expect(commitment).toBe(seal.commitment);
        // The reveal carries the root its upload answered.
        expect(a.artifactRoot).toBe(keccak256(a.artifactHash));
        seal.revealed = true;
        const list = this.columns.get(a.epoch) ?? [];
        list.push({
          trainer: a.account,
          sealEpoch: BigInt(a.epoch),
          artifactHash: a.artifactHash,
          wmCommit: a.wmCommit,
          transcript: a.transcript,
          commitment,
        });
        this.columns.set(a.epoch, list);
        return { type: 'sent', action: 'reveal', epoch: a.epoch, account: a.account, txHash: tx, at: now };
      }
      case 'revealCanaries': {
        const w = windowTimes(SCHEDULE, a.epoch, 'ScoreReveal')!;
        expect(now >= w.opens && now < w.closes).toBe(true);
        expect(keccak256(a.key)).toBe(this.commits.get(a.epoch));
        const mask = expectedCanaryMask(TASK, BigInt(a.epoch), a.key, this.columnsOf(a.epoch));
        this.revealed.set(a.epoch, mask);
        return { type: 'canariesRevealed', epoch: a.epoch, mask, txHash: tx, at: now };
      }
    }
  }
}

const notesOf = (actions: CanaryAction[]): Note[] => actions.flatMap((a) => (a.type === 'explain' ? [a.note] : []));

/** One step at `now` with every action applied to `chain` and its outcome recorded; returns the actions. */
function run(
  s: CanaryState,
  chain: FakeChain,
  now: bigint,
  notes: Note[] = [],
): { state: CanaryState; actions: CanaryAction[] } {
  const stepped = canaryStep(s, chain.observe(s, now), ID);
  let state = stepped.state;
  notes.push(...notesOf(stepped.actions));
  for (const a of stepped.actions) {
    if (a.type === 'explain') continue;
    const r = canaryRecord(state, chain.apply(a, now));
    state = r.state;
    notes.push(...notesOf(r.actions));
  }
  return { state, actions: stepped.actions.filter((a) => a.type !== 'explain') };
}

/** Steps every `every` seconds from `from` to `to` (exclusive). */
function runSpan(
  s: CanaryState,
  chain: FakeChain,
  from: bigint,
  to: bigint,
  every = 5n,
  notes: Note[] = [],
): CanaryState {
  for (let t = from; t < to; t += every) s = run(s, chain, t, notes).state;
  return s;
}

const fresh = () => initialCanaryState({ ...SCOPE, creator: CREATOR }, 'plan');
const types = (actions: CanaryAction[]) => actions.map((a) => a.type);

describe('canary machine', () => {
  it('before the first epoch: joins the pool with the derived keys, commits the first epochs, trains one model at a time', () => {
    const chain = new FakeChain();
    for (const a of POOL) chain.members[a] = { role: 'None', keyCommit: null, eligibleFrom: null, excluded: false };
    const { state, actions } = run(fresh(), chain, 950n);
    const joins = actions.filter((a) => a.type === 'join');
    expect(joins).toEqual(
      POOL.map((account) => ({ type: 'join', account, amount: STAKE, keyCommit: keyCommitOf(account) })),
    );
    // Epochs 0 and 1 start within two epoch lengths: committed; epoch 2 (starts 3000) not yet.
    expect(actions.filter((a) => a.type === 'commit')).toEqual([
      { type: 'commit', epoch: 0, keyHash: plan.keyHash(0) },
      { type: 'commit', epoch: 1, keyHash: plan.keyHash(1) },
    ]);
    const trains = actions.filter((a) => a.type === 'train');
    expect(trains).toHaveLength(1);
    const first = plan.submissions(0)[0]!;
    expect(trains[0]).toEqual({
      type: 'train',
      epoch: 0,
      account: first.account,
      seed: first.seed,
      steps: first.steps,
    });
    // The next step trains the next account; the commitments are on chain and not sent again.
    const next = run(state, chain, 955n);
    expect(types(next.actions)).toEqual(['train']);
    expect(next.state.commits.map((c) => [c.epoch, c.status])).toEqual([
      [0, 'committed'],
      [1, 'committed'],
    ]);
  });

  it('a whole task: every planned submission is revealed, each epoch reveals exactly its planned canaries, keys go out before each epoch', () => {
    const chain = new FakeChain();
    const notes: Note[] = [];
    const s = runSpan(fresh(), chain, 950n, at(4, 1), 5n, notes);
    for (let e = 0; e < 3; e++)
      for (const account of POOL) expect(chain.seal(e, account).revealed, `epoch ${e} ${account}`).toBe(true);
    for (let e = 0; e < 4; e++) {
      const columns = chain.columnsOf(e);
      const marked = maskColumns(chain.revealed.get(e)!).map((i) => columns[i]!.trainer);
      expect(marked, `epoch ${e}`).toEqual(plan.canaries(e));
    }
    // One commit and one reveal per epoch; the reveal after canaryRevealBps of the window.
    const commits = chain.sent.filter((a) => a.type === 'commit');
    expect(commits.map((a) => a.epoch)).toEqual([0, 1, 2, 3]);
    expect(chain.sent.filter((a) => a.type === 'revealCanaries').map((a) => a.epoch)).toEqual([0, 1, 2, 3]);
    // Four models per submission epoch, no more: nothing trained twice, nothing sealed twice.
    expect(chain.sent.filter((a) => a.type === 'train')).toHaveLength(12);
    expect(chain.sent.filter((a) => a.type === 'seal')).toHaveLength(12);
    expect(s.subs.every((r) => r.status === 'revealed')).toBe(true);
    expect(s.reveals.map((r) => [r.epoch, r.status])).toEqual([0, 1, 2, 3].map((e) => [e, 'revealed']));
    // The only warnings: one per sealed probe model, that it has no training transcript yet.
    const missing = notes.filter((n) => n.key.startsWith('no-transcript/'));
    expect(missing).toHaveLength(12);
    expect(missing.every((n) => n.level === 'warn' && /MISSING_TRANSCRIPT/.test(n.message))).toBe(true);
    expect(notes.filter((n) => n.level !== 'info' && !n.key.startsWith('no-transcript/'))).toEqual([]);
    expect(notes.find((n) => n.key === 'canaries/3')!.message).toBe(
      'Epoch 3: canary key revealed; the chain marked column ' + maskColumns(chain.revealed.get(3)!)[0] + ' as canary.',
    );
  });

  it("seals at each account's secret point of the seal window, and reveals the key only after canaryRevealBps of the score-reveal window", () => {
    const chain = new FakeChain();
    let s = runSpan(fresh(), chain, 950n, at(0, 0));
    const sealT = windowTimes(SCHEDULE, 0, 'Seal')!;
    const points = plan
      .submissions(0)
      .map((p) => sealT.opens + BigInt(Math.floor((500 * p.sealAt * DEFAULT_CANARY_CONFIG.sealSpreadBps) / 10_000)));
    const firstSeal = new Map<Address, bigint>();
    for (let t = at(0, 0); t < sealT.closes; t += 1n) {
      const { state, actions } = run(s, chain, t);
      s = state;
      for (const a of actions) if (a.type === 'seal') firstSeal.set(a.account, t);
    }
    plan.submissions(0).forEach((p, i) => expect(firstSeal.get(p.account), p.account).toBe(points[i]));
    s = runSpan(s, chain, sealT.closes, at(0, 850));
    const w = windowTimes(SCHEDULE, 0, 'ScoreReveal')!;
    const revealPoint = w.opens + ((w.closes - w.opens) * 5_000n) / 10_000n;
    let revealedAt: bigint | null = null;
    for (let t = w.opens; t < w.closes && revealedAt === null; t += 1n) {
      const { state, actions } = run(s, chain, t);
      s = state;
      if (actions.some((a) => a.type === 'revealCanaries')) revealedAt = t;
    }
    expect(revealedAt).toBe(revealPoint);
  });

  it('started after epoch 0 began: epoch 0 has no canaries (explained), later epochs do', () => {
    const chain = new FakeChain();
    const notes: Note[] = [];
    const s = runSpan(fresh(), chain, at(0, 100), at(2, 0), 5n, notes);
    expect(s.commits.find((c) => c.epoch === 0)!.status).toBe('missed');
    expect(notes.find((n) => n.key === 'commit-missed/0')!.message).toBe(
      "Epoch 0 started at 1970-01-01T00:16:40Z with no canary commitment: it has no canaries of this producer, and the pool's submissions planned as its canaries are ordinary ones.",
    );
    expect(chain.revealed.has(0)).toBe(false);
    expect(chain.sent.some((a) => a.type === 'revealCanaries' && a.epoch === 0)).toBe(false);
    // Epoch 0's submissions still went in (the pool keeps its history), and epoch 1 has its canary.
    for (const a of POOL) expect(chain.seal(0, a).revealed).toBe(true);
    expect(chain.revealed.has(1)).toBe(true);
    expect(maskColumns(chain.revealed.get(1)!)).toHaveLength(1);
  });

  it('a restart that lost the state mid-epoch retrains the sealed models, recognizes its seals and reveals them; nothing is sealed twice', () => {
    const chain = new FakeChain();
    runSpan(fresh(), chain, 950n, at(1, 480));
    const sealedBefore = chain.sent.filter((a) => a.type === 'seal' && a.epoch === 1).length;
    expect(sealedBefore).toBe(4);
    // The process dies and its state file is gone: a fresh state with the same secret.
    const s = fresh();
    const trainsBefore = chain.sent.filter((a) => a.type === 'train').length;
    runSpan(s, chain, at(1, 490), at(2, 0));
    const retrained = chain.sent.slice(0).filter((a) => a.type === 'train').length - trainsBefore;
    expect(retrained).toBeGreaterThanOrEqual(4);
    expect(chain.sent.filter((a) => a.type === 'seal' && a.epoch === 1)).toHaveLength(4);
    for (const a of POOL) expect(chain.seal(1, a).revealed).toBe(true);
    // The canary of epoch 1 was revealed with the right mask by the restarted producer.
    const columns = chain.columnsOf(1);
    expect(maskColumns(chain.revealed.get(1)!).map((i) => columns[i]!.trainer)).toEqual(plan.canaries(1));
  });

  it('a restart after the reveal window of a submission it sealed but could not reveal explains the miss', () => {
    const chain = new FakeChain();
    runSpan(fresh(), chain, 950n, at(0, 480));
    let s = fresh();
    const notes: Note[] = [];
    // Back only after epoch 0's reveal window: it retrains, sees its seal, and says it was not revealed.
    s = runSpan(s, chain, at(0, 700), at(0, 720), 5n, notes);
    expect(notes.filter((n) => n.key.startsWith('missed/0/')).length).toBe(4);
    expect(notes.find((n) => n.key === `missed/0/${plan.canaries(0)[0]}`)!.message).toBe(
      `Epoch 0: pool account ${plan.canaries(0)[0]} did not submit its model: it was sealed but not revealed: the producer has no record of running before the window closed at 1970-01-01T00:26:40Z (a fresh or lost state).`,
    );
    expect(s.subs.filter((r) => r.epoch === 0).every((r) => r.status === 'missed')).toBe(true);
  });

  it('a seal the chain does not show is sent again after the retry delay, not every step', () => {
    const chain = new FakeChain();
    let s = runSpan(fresh(), chain, 950n, at(0, 0));
    chain.dropSeals = 1;
    const sends = new Map<Address, bigint[]>();
    for (let t = at(0, 0); t < at(0, 500); t += 1n) {
      const { state, actions } = run(s, chain, t);
      s = state;
      for (const a of actions) if (a.type === 'seal') sends.set(a.account, [...(sends.get(a.account) ?? []), t]);
    }
    // The first seal sent was dropped: that account sent twice, 30 s apart; the others once.
    const first = chain.sent.find((a) => a.type === 'seal')!;
    const twice = sends.get((first as { account: Address }).account)!;
    expect(twice).toHaveLength(2);
    expect(twice[1]! - twice[0]!).toBe(30n);
    expect([...sends.values()].map((v) => v.length).sort()).toEqual([1, 1, 1, 2]);
    for (const a of POOL) expect(chain.seal(0, a).commitment).not.toBe(zeroHash);
  });

  it('a send under way blocks the next one for the same submission until its outcome comes back', () => {
    const chain = new FakeChain();
    let s = runSpan(fresh(), chain, 950n, at(0, 0));
    // Step without recording outcomes: the seals are sent (in flight), not yet answered.
    const late = at(0, 450);
    const first = canaryStep(s, chain.observe(s, late), ID);
    const seals = first.actions.filter((a) => a.type === 'seal');
    expect(seals).toHaveLength(4);
    s = first.state;
    expect(s.subs.filter((r) => r.epoch === 0).every((r) => r.inFlight)).toBe(true);
    // Long past the retry delay, still nothing new for them; nor anything that would give up on them.
    const again = canaryStep(s, chain.observe(s, late + 40n), ID);
    expect(again.actions.filter((a) => a.type === 'seal')).toEqual([]);
    // One outcome back: that submission is sealed and free again, the others still wait.
    const sealed = seals[0] as Extract<CanaryAction, { type: 'seal' }>;
    const rec = canaryRecord(again.state, chain.apply(sealed, late + 41n)).state;
    expect(rec.subs.filter((r) => r.epoch === 0 && r.inFlight)).toHaveLength(3);
    expect(rec.subs.find((r) => r.epoch === 0 && r.account === sealed.account)!.status).toBe('sealed');
  });

  it('a seal of another commitment on chain is left alone; an account joined with another key is left out', () => {
    const chain = new FakeChain();
    const odd = POOL[1]!;
    chain.members[odd] = {
      role: 'Trainer',
      keyCommit: zeroHash.replace(/0$/, '1') as Hex,
      eligibleFrom: 0,
      excluded: false,
    };
    chain.seals.set(subKey(0, POOL[2]!), { commitment: keccak256('0x99'), revealed: false });
    const notes: Note[] = [];
    runSpan(fresh(), chain, 950n, at(1, 0), 5n, notes);
    expect(notes.find((n) => n.key === `member-key/${odd}`)!.level).toBe('error');
    expect(chain.sent.some((a) => 'account' in a && a.account === odd && a.type !== 'join')).toBe(false);
    expect(chain.sent.some((a) => a.type === 'seal' && a.account === POOL[2])).toBe(false);
    expect(notes.find((n) => n.key === `missed/0/${POOL[2]}`)!.message).toMatch(
      /the chain holds another seal of this account/,
    );
  });

  it('training that fails for good is given up after three tries, with the reason', () => {
    const chain = new FakeChain();
    chain.trainFails = { retryable: false };
    const notes: Note[] = [];
    const s = runSpan(fresh(), chain, 950n, at(0, 600), 5n, notes);
    const first = plan.submissions(0)[0]!.account;
    expect(chain.sent.filter((a) => a.type === 'train' && a.epoch === 0 && a.account === first)).toHaveLength(3);
    expect(s.subs.find((r) => r.epoch === 0 && r.account === first)!.missed).toBe(
      'its model could not be trained (3 failures)',
    );
    expect(notes.some((n) => n.key.startsWith('failed/train/0/'))).toBe(true);
  });

  it('a join below the task minimum is not sent; an account that joins too late is left out', () => {
    const chain = new FakeChain();
    for (const a of POOL) chain.members[a] = { role: 'None', keyCommit: null, eligibleFrom: null, excluded: false };
    const low = canaryStep(fresh(), chain.observe(fresh(), 950n), ID, { ...DEFAULT_CANARY_CONFIG, stake: STAKE / 2n });
    expect(low.actions.some((a) => a.type === 'join')).toBe(false);
    expect(notesOf(low.actions).map((n) => n.key)).toContain(`stake-below/${STAKE / 2n}`);
    const late = canaryStep(fresh(), chain.observe(fresh(), at(2, 10)), ID);
    expect(late.actions.some((a) => a.type === 'join')).toBe(false);
    expect(late.state.members.every((m) => m.status === 'unusable')).toBe(true);
  });

  it("another commitment on chain before the epoch is replaced with this secret's", () => {
    const chain = new FakeChain();
    chain.commits.set(0, keccak256('0x1234'));
    const notes: Note[] = [];
    run(fresh(), chain, 950n, notes);
    expect(chain.commits.get(0)).toBe(plan.keyHash(0));
    expect(notes.map((n) => n.key)).toContain(`commit-replace/0/${keccak256('0x1234')}`);
  });
});
