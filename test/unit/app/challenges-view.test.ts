// The Challenges page's pure view logic: timelines by status and chain time, which row actions a
// connected account gets (and the reason when not), what challenges moved for an account, open
// challenges from the event log, and a proof's progress bar.
import { getAddress, type Address } from 'viem';
import { describe, expect, it } from 'vitest';
import type { ChallengeView, SubmissionView } from '../../../src/lib/chain/actions/read-challenges.ts';
import type { ArenaEvent } from '../../../src/lib/chain/reads/events.ts';
import {
  accountOutcome,
  challengeTerms,
  challengeTimeline,
  openChallengesAgainst,
  proofProgress,
  rowActions,
  type Standing,
} from '../../../src/lib/app-logic/challenges-view.ts';

const a = (n: number) => getAddress(`0x${n.toString(16).padStart(40, '0')}`) as Address;
const WAD = 10n ** 18n;
const TRAINER = a(0xa1),
  VALIDATOR = a(0xb1),
  OTHER = a(0xc1);

const challenge = (over: Partial<ChallengeView> = {}): ChallengeView => ({
  challengeId: 1n,
  taskId: 3n,
  submissionId: 2n,
  trainer: TRAINER,
  challenger: VALIDATOR,
  bond: 5n * WAD,
  deadline: 1_300n,
  status: 'open',
  opened: { block: 10n, time: 1_000n, tx: '0x01' },
  ...over,
});

describe('challengeTimeline', () => {
  it('open inside the window: opened, waiting with the deadline as the current step', () => {
    const steps = challengeTimeline(challenge(), 1_100n);
    expect(steps.map((s) => [s.kind, s.state, s.at])).toEqual([
      ['opened', 'done', 1_000n],
      ['deadline', 'current', 1_300n],
      ['upheld', 'upcoming', null],
    ]);
    expect(steps[0]!.detail).toBe('0x0000…00B1 challenged submission #2 with a bond of 5 ARENA.');
    expect(steps[2]!.detail).toMatch(
      /^A proof ends the challenge without a winner: the submission is proven and the bond goes back to the challenger\./,
    );
    // The deadline itself is still inside the window (respond accepts now <= deadline).
    expect(challengeTimeline(challenge(), 1_300n)[1]!.state).toBe('current');
  });

  it('open after the deadline: anyone may resolve', () => {
    const steps = challengeTimeline(challenge(), 1_301n);
    expect(steps.map((s) => [s.kind, s.state])).toEqual([
      ['opened', 'done'],
      ['deadline', 'done'],
      ['upheld', 'upcoming'],
    ]);
    expect(steps[1]!.detail).toBe('The deadline passed without a proof: anyone may resolve the challenge now.');
  });

  it('open against a trainer that already forfeited: it can only be voided', () => {
    const steps = challengeTimeline(challenge(), 1_100n, true);
    expect(steps.map((s) => [s.kind, s.state])).toEqual([
      ['opened', 'done'],
      ['voided', 'upcoming'],
    ]);
    expect(steps[1]!.detail).toBe(
      '0x0000…00A1 has already forfeited everything in this task: resolving voids the challenge and returns the bond of 5 ARENA.',
    );
  });

  it('answered, upheld (with what moved) and void', () => {
    const answered = challengeTimeline(
      challenge({ status: 'answered', settled: { block: 11n, time: 1_050n, tx: '0x02' } }),
      2_000n,
    );
    expect(answered.map((s) => [s.kind, s.at])).toEqual([
      ['opened', 1_000n],
      ['answered', 1_050n],
    ]);
    expect(answered[1]!.detail).toBe(
      '0x0000…00A1 proved that the model carries its watermark, so the submission is proven and cannot be challenged again. The bond of 5 ARENA went back to 0x0000…00B1: a proof is necessary, not sufficient, and nobody wins the bond until proof of learning exists.',
    );
    const upheld = challengeTimeline(
      challenge({
        status: 'upheld',
        settled: { block: 12n, time: 1_400n, tx: '0x03', rewards: 18n * WAD + WAD / 2n, slashed: 5n * WAD },
      }),
      2_000n,
    );
    expect(upheld.map((s) => s.kind)).toEqual(['opened', 'deadline', 'upheld']);
    expect(upheld[2]!.detail).toBe(
      '0x0000…00A1 forfeited 18.5 ARENA of rewards and 5 ARENA of stake to 0x0000…00B1; the bond went back.',
    );
    const voided = challengeTimeline(
      challenge({ status: 'voided', settled: { block: 12n, time: 1_100n, tx: '0x04' } }),
      2_000n,
    );
    expect(voided.map((s) => [s.kind, s.title])).toEqual([
      ['opened', 'Opened'],
      ['voided', 'Void'],
    ]);
  });
});

describe('rowActions', () => {
  const sub: SubmissionView = {
    submissionId: 2n,
    trainer: TRAINER,
    epoch: 1,
    duplicate: false,
    sealBlock: 50n,
    artifactHash: '0xaa',
    wmCommit: '0xbb',
    proven: false,
    openChallengeId: null,
  };
  const validator: Standing = { account: VALIDATOR, role: 'validator', forfeited: false, eligible: true };
  const trainer: Standing = { account: OTHER, role: 'trainer', forfeited: false, eligible: true };
  const p = { now: 100n, endTime: 1_000n, forfeitedTrainers: new Set<string>() };

  it('a staked validator may challenge; nobody else may', () => {
    expect(rowActions(sub, validator, p)).toEqual({ challenge: null, open: null });
    expect(rowActions(sub, trainer, p)).toEqual({
      challenge: 'Only validators of this task can challenge.',
      open: null,
    });
  });

  it('refuses a second challenge while one is open, naming it', () => {
    expect(rowActions({ ...sub, openChallengeId: 7n }, validator, p)).toEqual({
      challenge:
        'Challenge #7 of this submission is still open; a submission has at most one open challenge at a time.',
      open: 7n,
    });
  });

  it('says why not', () => {
    expect(rowActions(sub, { ...validator, eligible: false }, p).challenge).toBe(
      "Your validator stake has not reached the task's minimum.",
    );
    expect(rowActions({ ...sub, proven: true }, validator, p).challenge).toBe(
      'Its trainer already proved ownership: it cannot be challenged again.',
    );
    expect(rowActions(sub, validator, { ...p, now: 1_000n }).challenge).toBe(
      'Challenges closed with the challenge phase.',
    );
    expect(rowActions(sub, validator, { ...p, forfeitedTrainers: new Set([TRAINER.toLowerCase()]) }).challenge).toBe(
      'Its trainer has already forfeited everything in this task.',
    );
    expect(rowActions(sub, { ...validator, account: TRAINER }, p).challenge).toBe('This is your own submission.');
    expect(rowActions(sub, { account: null, role: null, forfeited: false, eligible: false }, p)).toEqual({
      challenge: 'Connect a wallet to challenge.',
      open: null,
    });
  });
});

describe('challengeTerms', () => {
  it('says before the user challenges that an answer returns the bond and that the bond is at least the minimum', () => {
    const t = challengeTerms({ bond: 5n * WAD, responseTime: 600, slashBps: 2000, maxErr: 8 });
    expect(t[0]).toBe(
      "You post a bond of 5 ARENA (the task's bond; at least 1 ARENA). It comes back to you in every outcome.",
    );
    expect(t[1]).toContain('10 minutes');
    expect(t[1]).toContain('at most 8 of 64 bits wrong');
    expect(t[2]).toContain('the challenge ends without a winner');
    expect(t[2]).toContain('necessary, not sufficient');
    expect(t[2]).toContain('until proof of learning exists');
    expect(t[3]).toContain('20 % of its stake to you');
    expect(t[4]).toBe('A submission has at most one open challenge at a time.');
    expect(challengeTerms({ bond: WAD, responseTime: 86_400, slashBps: 0, maxErr: null })[1]).toContain('24 hours');
  });
});

describe('accountOutcome', () => {
  const list = [
    challenge({ challengeId: 1n, status: 'answered' }),
    challenge({
      challengeId: 2n,
      status: 'upheld',
      trainer: OTHER,
      settled: { block: 1n, time: 1n, tx: '0x', rewards: 7n, slashed: 3n },
    }),
    challenge({ challengeId: 3n, status: 'open', trainer: OTHER }),
    challenge({ challengeId: 4n, status: 'voided', trainer: OTHER }),
  ];

  it('per role: the challenger gets every settled bond back, the answering trainer wins no bond, the forfeiting trainer pays', () => {
    expect(accountOutcome(list, VALIDATOR)).toEqual({
      bondsAtStake: 5n * WAD,
      bondsReturned: 15n * WAD,
      received: 10n,
      forfeited: 0n,
      answered: 0,
    });
    expect(accountOutcome(list, TRAINER)).toEqual({
      bondsAtStake: 0n,
      bondsReturned: 0n,
      received: 0n,
      forfeited: 0n,
      answered: 1,
    });
    expect(accountOutcome(list, OTHER)).toEqual({
      bondsAtStake: 0n,
      bondsReturned: 0n,
      received: 0n,
      forfeited: 10n,
      answered: 0,
    });
    expect(accountOutcome(list, null)).toEqual({
      bondsAtStake: 0n,
      bondsReturned: 0n,
      received: 0n,
      forfeited: 0n,
      answered: 0,
    });
  });
});

describe('openChallengesAgainst', () => {
  it("keeps the account's challenges that no later event settled, in any task", () => {
    const at = (block: number) => ({ block: BigInt(block), logIndex: 0 });
    const opened = (id: number, trainer: Address, taskId = 3n): ArenaEvent => ({
      ...at(id),
      kind: 'ChallengeOpened',
      challengeId: BigInt(id),
      taskId,
      trainer,
      challenger: VALIDATOR,
      submissionId: 0n,
      bond: 1n,
      deadline: 99n,
    });
    const events: ArenaEvent[] = [
      opened(1, TRAINER),
      opened(2, TRAINER, 4n),
      opened(3, OTHER),
      opened(4, TRAINER),
      {
        ...at(5),
        kind: 'ChallengeAnswered',
        challengeId: 1n,
        taskId: 3n,
        trainer: TRAINER,
        challenger: VALIDATOR,
        bond: 1n,
      },
      {
        ...at(6),
        kind: 'ChallengeVoided',
        challengeId: 4n,
        taskId: 3n,
        trainer: TRAINER,
        challenger: VALIDATOR,
        bond: 1n,
      },
    ];
    expect(openChallengesAgainst(events, TRAINER.toLowerCase() as Address).map((e) => e.challengeId)).toEqual([2n]);
    expect(openChallengesAgainst(events, null)).toEqual([]);
  });
});

describe('proofProgress', () => {
  it('maps each stage to a label and a growing fraction', () => {
    const steps = [
      proofProgress({ stage: 'checking' }),
      proofProgress({ stage: 'fetching', artifactHash: `0x${'ab'.repeat(32)}` }),
      proofProgress({ stage: 'loading', elapsedMs: 1, loadedBytes: 11_534_336, totalBytes: 23_068_672 }),
      proofProgress({ stage: 'witness', elapsedMs: 1 }),
      proofProgress({ stage: 'proving', elapsedMs: 1, detail: 'IFFT_A' }),
      proofProgress({ stage: 'verifying', elapsedMs: 1 }),
      proofProgress({ stage: 'done', elapsedMs: 1 }),
    ];
    expect(steps.map((s) => s.label)).toEqual([
      'Checking what the chain will verify',
      'Fetching the model 0xabab…abab',
      'Downloading the proving key (11.0 of 22.0 MB)',
      'Computing the witness',
      'Proving (IFFT_A)',
      'Checking the proof locally',
      'Proof ready',
    ]);
    const values = steps.map((s) => s.value!);
    expect(values).toEqual([...values].sort((x, y) => x - y));
    expect(values[2]).toBeCloseTo(0.25, 10);
    expect(proofProgress(null)).toEqual({ label: 'Waiting', value: 0 });
  });
});
