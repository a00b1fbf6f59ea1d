// The Task page's epoch in words (revision 2): who qualified and why the others did not, canary
// columns (revealed mask before finalization, CanaryChecked after), validators that failed a
// canary or were outside the tolerance, what rolled over and why, the evaluation subset; and the
// verifier's ceremony and the objection lock in words.
import { getAddress, type Address, type Hex } from 'viem';
import { describe, expect, it } from 'vitest';
import {
  epochBoard,
  epochColumns,
  notQualifiedReason,
  revealedCanaries,
  type BoardTask,
} from '../../../src/app/pages/task/board.ts';
import { ceremonyView } from '../../../src/app/pages/task/ceremony.ts';
import { objectionRules, objectionText } from '../../../src/app/pages/task/objection-view.ts';
import { readCeremonyState } from '../../../src/app/snapshot.ts';
import { epochResults } from '../../../src/lib/chain/reads/activity.ts';
import type { ArenaEvent } from '../../../src/lib/chain/reads/events.ts';
import { parseDeployment } from '../../../src/lib/chain/deployments.ts';
import { NoVerifierCeremonyError } from '../../../src/lib/chain/verifier-ceremony.ts';
import { DEPLOYMENT_RECORD, testSchedule } from '../chain/fixtures.ts';

const WAD = 10n ** 18n;
const a = (n: number): Address => getAddress(`0x${n.toString(16).padStart(40, '0')}`);
const h = (n: number): Hex => `0x${n.toString(16).padStart(64, '0')}`;
// Epochs of 100 s from 1000: 3 submission epochs (0-2), 1 final (3).
const schedule = testSchedule({ startTime: 1_000n, reviewEnd: 900n, epochLength: 100 });
const task: BoardTask = {
  id: 1n,
  schedule,
  reward: { minScore: WAD / 10n, floorBps: 5000, tolV: (5n * WAD) / 1000n, minValidators: 2 },
  evalSubsetSize: 128,
};

let i = 0;
const at = () => ({ block: BigInt(++i), logIndex: 0 });
const revealed = (epoch: number, trainer: Address, id: number): ArenaEvent => ({
  ...at(),
  kind: 'SubmissionRevealed',
  taskId: 1n,
  epoch: BigInt(epoch),
  trainer,
  submissionId: BigInt(id),
  artifactHash: h(0xa0 + id),
  artifactRoot: h(0xa0 + id),
  duplicate: false,
});
const rewarded = (
  epoch: number,
  trainer: Address,
  id: number,
  rank: number,
  aggregate: bigint,
  pool: bigint,
): ArenaEvent => ({
  ...at(),
  kind: 'TrainerRewarded',
  taskId: 1n,
  epoch: BigInt(epoch),
  trainer,
  submissionId: BigInt(id),
  rank: BigInt(rank),
  aggregate,
  pool,
  own: pool / 2n,
});

// Epoch 0: trainers 1, 2, 3 and the creator's canary account 9 (column 3). 1 ranks, 2 is under
// the floor, 3 is at the minimum score; validator 21 failed the canary, 22 earned nothing.
const events: ArenaEvent[] = [
  revealed(0, a(1), 0),
  revealed(0, a(2), 1),
  revealed(0, a(3), 2),
  revealed(0, a(9), 3),
  { ...at(), kind: 'EvalSeedDrawn', taskId: 1n, epoch: 0n, seed: h(0x5eed) },
  { ...at(), kind: 'ScoresRevealed', taskId: 1n, epoch: 0n, validator: a(20) },
  { ...at(), kind: 'ScoresRevealed', taskId: 1n, epoch: 0n, validator: a(21) },
  { ...at(), kind: 'ScoresRevealed', taskId: 1n, epoch: 0n, validator: a(22) },
  { ...at(), kind: 'CanariesRevealed', taskId: 1n, epoch: 0n, canaryKey: h(0xcafe), mask: 0b1000n },
  {
    ...at(),
    kind: 'EpochScored',
    taskId: 1n,
    epoch: 0n,
    budget: 1000n * WAD,
    rT: 700n * WAD,
    rV: 300n * WAD,
    qualified: 1n,
    columns: 4n,
    m: 3n,
  },
  {
    ...at(),
    kind: 'CanaryChecked',
    taskId: 1n,
    epoch: 0n,
    submissionId: 3n,
    aggregate: (6n * WAD) / 10n,
    agreeingStake: 300n * WAD,
    valid: true,
  },
  rewarded(0, a(1), 0, 1, (9n * WAD) / 10n, 700n * WAD),
  rewarded(0, a(2), 1, 0, (4n * WAD) / 10n, 0n),
  rewarded(0, a(3), 2, 0, WAD / 10n, 0n),
  {
    ...at(),
    kind: 'ValidatorRewarded',
    taskId: 1n,
    epoch: 0n,
    validator: a(20),
    distance: 0n,
    pool: 250n * WAD,
    own: 250n * WAD,
    failedCanary: false,
  },
  {
    ...at(),
    kind: 'ValidatorRewarded',
    taskId: 1n,
    epoch: 0n,
    validator: a(21),
    distance: WAD / 10n,
    pool: 0n,
    own: 0n,
    failedCanary: true,
  },
  {
    ...at(),
    kind: 'ValidatorRewarded',
    taskId: 1n,
    epoch: 0n,
    validator: a(22),
    distance: WAD / 20n,
    pool: 0n,
    own: 0n,
    failedCanary: false,
  },
  {
    ...at(),
    kind: 'EpochFinalized',
    taskId: 1n,
    epoch: 0n,
    booked: 950n * WAD,
    rollover: 50n * WAD,
    degenerate: false,
  },
  // Epoch 1: one validator revealed, the task needs two: degenerate.
  revealed(1, a(1), 4),
  revealed(1, a(2), 5),
  { ...at(), kind: 'ScoresRevealed', taskId: 1n, epoch: 1n, validator: a(20) },
  { ...at(), kind: 'EpochFinalized', taskId: 1n, epoch: 1n, booked: 0n, rollover: 1000n * WAD, degenerate: true },
  // Epoch 2: revealed, canaries revealed (column 1), not finalized; no seed yet.
  revealed(2, a(1), 6),
  revealed(2, a(9), 7),
  { ...at(), kind: 'CanariesRevealed', taskId: 1n, epoch: 2n, canaryKey: h(0xbeef), mask: 0b10n },
];
const results = epochResults(events, 1n, 4);

describe('epochBoard', () => {
  it('ranks the qualifiers and says why the others did not qualify', () => {
    const b = epochBoard(results[0]!, task, events);
    expect(b.trainers.map((t) => [t.trainer, t.rank, t.qualified, t.result])).toEqual([
      [a(1), 1, true, 'qualified'],
      [a(2), null, false, 'did not qualify: score 0.4000 is below the floor of 50% of the best (0.9000), 0.4500'],
      [a(3), null, false, 'did not qualify: score 0.1000 is at or below the minimum score 0.1000'],
    ]);
    expect(b.qualifying).toBe(
      '1 of 3 submissions qualified for a rank: a score of at least 50% of the best (0.9000), so 0.4500, and above the minimum score 0.1000.',
    );
  });

  it('shows the canary column, excluded from the trainers, with its check', () => {
    const b = epochBoard(results[0]!, task, events);
    expect(b.trainers.map((t) => t.trainer)).not.toContain(a(9));
    expect(b.canaries).toEqual([
      {
        submissionId: 3n,
        trainer: a(9),
        aggregate: (6n * WAD) / 10n,
        valid: true,
        text: 'valid: validators further than the tolerance (0.0050) from its median 0.6000 earned nothing this epoch',
      },
    ]);
  });

  it('marks the validator that failed a canary and the one outside the tolerance', () => {
    const b = epochBoard(results[0]!, task, events);
    const notes = new Map(b.validators.map((v) => [v.validator, v]));
    expect(notes.get(a(20))).toMatchObject({ note: null, failedCanary: false, outOfTolerance: false });
    expect(notes.get(a(21))).toMatchObject({
      failedCanary: true,
      note: 'failed a canary: further than the tolerance from a valid canary’s median, so it earned nothing this epoch',
    });
    expect(notes.get(a(22))).toMatchObject({
      outOfTolerance: true,
      note: 'outside the tolerance (0.0050) of the consensus on every submission: it earned nothing',
    });
  });

  it('says what rolled over and why', () => {
    expect(epochBoard(results[0]!, task, events).rollover).toEqual({
      amount: 50n * WAD,
      text: '50 ARENA rolls over to the next scoring epoch: what nobody earned: the validators’ share of submissions that no validator scored within the tolerance.',
    });
    expect(epochBoard(results[1]!, task, events).rollover!.text).toBe(
      '1,000 ARENA rolls over to the next scoring epoch: only 1 validator revealed scores and the task needs at least 2: an epoch with fewer pays nobody.',
    );
    // Nothing qualified: the trainers' share went unearned.
    const none = { ...results[0]!, split: { ...results[0]!.split!, qualified: 0 } };
    expect(epochBoard(none, task, events).rollover!.text).toContain('no submission qualified');
    // The last scoring epoch gives it back to the creator.
    const last = { ...results[1]!, epoch: 3 };
    expect(epochBoard(last, task, events).rollover!.text).toMatch(/^1,000 ARENA returns to the creator/);
    expect(epochBoard(results[2]!, task, events).rollover).toBeNull();
  });

  it('gives the evaluation subset: size and seed, or not drawn yet', () => {
    expect(epochBoard(results[0]!, task, events).subset).toEqual({
      size: 128,
      seed: h(0x5eed),
      text: 'Evaluation subset: 128 samples of the eval set (all of it if it has fewer), chosen by the seed 0x000000…005eed, which nobody knew before the reveal window closed.',
    });
    expect(epochBoard(results[2]!, task, events).subset.text).toBe(
      'Evaluation subset: 128 samples of the eval set (all of it if it has fewer); seed not drawn yet (the first validator in the score commit window draws it, after every submission is revealed).',
    );
  });

  it('shows canaries revealed before finalization from the mask over the columns', () => {
    const b = epochBoard(results[2]!, task, events);
    expect(b.canaries).toEqual([
      {
        submissionId: 7n,
        trainer: a(9),
        aggregate: null,
        valid: null,
        text: 'revealed by the creator; checked against the validators’ scores at finalization',
      },
    ]);
    expect(b.qualifying).toBeNull();
  });
});

describe('epochColumns and revealedCanaries', () => {
  it('lists the columns in the chain order: reveals of the epoch, or every trainer’s latest in the final phase', () => {
    expect(epochColumns(events, 1n, 0, schedule).map((c) => c.submissionId)).toEqual([0n, 1n, 2n, 3n]);
    // Final epoch 3: trainers in order of their first reveal, each with its latest submission.
    expect(epochColumns(events, 1n, 3, schedule)).toEqual([
      { submissionId: 6n, trainer: a(1) },
      { submissionId: 5n, trainer: a(2) },
      { submissionId: 2n, trainer: a(3) },
      { submissionId: 7n, trainer: a(9) },
    ]);
    expect([...revealedCanaries(events, 1n, 0, schedule)]).toEqual([3n]);
    expect([...revealedCanaries(events, 1n, 1, schedule)]).toEqual([]);
  });

  it('not-qualified reasons at the edges', () => {
    const rules = task.reward;
    expect(notQualifiedReason(0n, WAD, { ...rules, minScore: 0n })).toBe(
      'score 0.0000 is at or below the minimum score 0.0000',
    );
    expect(notQualifiedReason(WAD / 2n - 1n, WAD, rules)).toMatch(
      /below the floor of 50% of the best \(1\.0000\), 0\.5000$/,
    );
  });
});

describe('ceremonyView', () => {
  const zkey = `0x${'ab'.repeat(32)}` as Hex;
  it('a development ceremony is insecure: fine on a local chain, a warning anywhere else', () => {
    const dev = { kind: 'known' as const, ceremony: { development: true, description: 'beacon', zkeySha256: zkey } };
    expect(ceremonyView(dev, 31337)).toMatchObject({
      tone: 'warn',
      title: 'Development ceremony (insecure)',
      zkeySha256: zkey,
    });
    expect(ceremonyView(dev, 31337).text).toContain('local development chains only, as this one (chain 31337) is');
    expect(ceremonyView(dev, 8453)).toMatchObject({ tone: 'bad' });
    expect(ceremonyView(dev, 8453).text).toContain('Do not trust ownership proofs here');
  });

  it('a production ceremony names its phase 2 and the proving key hash; an old verifier is unknown', () => {
    const prod = {
      kind: 'known' as const,
      ceremony: { development: false, description: 'Hermez ptau 14, 3 contributions', zkeySha256: zkey },
    };
    expect(ceremonyView(prod, 8453)).toEqual({
      tone: 'ok',
      title: 'Production ceremony',
      text: 'The ownership verifier comes from a production ceremony: Hermez ptau 14, 3 contributions',
      zkeySha256: zkey,
    });
    expect(ceremonyView({ kind: 'unknown', reason: 'no-ceremony' }, 1)).toMatchObject({
      title: 'Unknown',
      zkeySha256: null,
    });
    expect(ceremonyView({ kind: 'unknown', reason: 'no-ceremony' }, 1).text).toContain('cannot be read from the chain');
    expect(ceremonyView({ kind: 'unknown', reason: 'no-verifier' }, 1).title).toBe('No verifier');
    expect(ceremonyView({ kind: 'unreadable', detail: 'timeout' }, 1).text).toContain('timeout');
    expect(ceremonyView(undefined, 1).title).toBe('Not read yet');
  });

  it('reads the state: no verifier without a call, a verifier without ceremony() is unknown, transport errors are unreadable', async () => {
    const plain = parseDeployment(JSON.stringify(DEPLOYMENT_RECORD));
    const never = {
      readContract: async () => {
        throw new Error('must not read');
      },
      getCode: async () => '0x' as const,
    };
    expect(await readCeremonyState(never as never, plain)).toEqual({ kind: 'unknown', reason: 'no-verifier' });
    const withVerifier = parseDeployment(
      JSON.stringify({
        ...DEPLOYMENT_RECORD,
        contracts: { ...DEPLOYMENT_RECORD.contracts, watermarkVerifier: '0x2279b7a0a67db372996a5fab50d91eaa73d2ebe6' },
      }),
    );
    const old = {
      readContract: async () => {
        throw new NoVerifierCeremonyError('0x2279B7A0a67DB372996a5FaB50D91eAA73d2eBe6', 'no-ceremony');
      },
      getCode: async () => '0x60' as const,
    };
    expect(await readCeremonyState(old as never, withVerifier)).toEqual({ kind: 'unknown', reason: 'no-ceremony' });
    const down = {
      readContract: async () => {
        throw new Error('socket hang up');
      },
      getCode: async () => '0x60' as const,
    };
    expect(await readCeremonyState(down as never, withVerifier)).toEqual({
      kind: 'unreadable',
      detail: 'socket hang up',
    });
    const good = {
      readContract: async () => [false, 'imported', zkey.toUpperCase().replace('0X', '0x')] as const,
      getCode: async () => '0x60' as const,
    };
    expect(await readCeremonyState(good as never, withVerifier)).toEqual({
      kind: 'known',
      ceremony: { development: false, description: 'imported', zkeySha256: zkey },
    });
  });
});

describe('objections', () => {
  it('locked until the review ends, also after a rejection; withdrawable after', () => {
    const o = { amount: 25n * WAD, unlocksAt: 1_700_000_000n };
    expect(objectionText({ ...o, amount: 0n }, 0n, false)).toBeNull();
    const locked = objectionText(o, 1_699_999_999n, true)!;
    expect(locked.withdrawable).toBe(false);
    expect(locked.text).toMatch(
      /^Your objection of 25 ARENA is locked until the review ends at .*, even though the task is already rejected: a rejection must cost the objectors their capital for the whole review period\.$/,
    );
    expect(objectionText(o, 1_699_999_999n, false)!.text).not.toContain('already rejected');
    expect(objectionText(o, 1_700_000_000n, true)!.withdrawable).toBe(true);
    expect(objectionRules({ reviewEnd: 1_700_000_000n, rejectQuorum: 100n * WAD, objections: 25n * WAD })).toMatch(
      /reach 100 ARENA \(25 so far\).*locked until the review ends at .*, also if the task is rejected earlier\.$/,
    );
  });
});
