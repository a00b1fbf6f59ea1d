// The Challenges page's pure view logic: timelines by stage and chain time, which row actions a
// connected account gets (and the reason when not), what challenges moved for an account, open
// challenges from the event log, and a proof's progress bar.
import { getAddress, type Address } from 'viem';
import { describe, expect, it } from 'vitest';
import type { ChallengeView, SubmissionView } from '../../../src/lib/chain/actions/read-challenges.ts';
import { SEEDED_START } from '../../../src/lib/chain/transcript-commit.ts';
import type { ArenaEvent } from '../../../src/lib/chain/reads/events.ts';
import {
  accountOutcome,
  awaitsAnswer,
  canResolve,
  challengeTerms,
  challengeTimeline,
  openChallengesAgainst,
  proofProgress,
  provenChallenges,
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
  proven: false,
  disclosure: null,
  disputeDeadline: null,
  dispute: null,
  opened: { block: 10n, time: 1_000n, tx: '0x01' },
  ...over,
});

const MANIFEST = `0x${'cd'.repeat(32)}` as const;
const answeredOver: Partial<ChallengeView> = {
  status: 'answered',
  proven: true,
  disclosure: MANIFEST,
  disputeDeadline: 1_500n,
  proofAt: { block: 11n, time: 1_040n, tx: '0x02' },
  disclosedAt: { block: 12n, time: 1_050n, tx: '0x03' },
  answeredAt: { block: 12n, time: 1_050n, tx: '0x03' },
};
const disputedOver: Partial<ChallengeView> = {
  ...answeredOver,
  status: 'disputed',
  dispute: { disputer: OTHER, segment: 3, commitEnd: 1_700n, voteEnd: 1_900n },
  disputedAt: { block: 13n, time: 1_500n, tx: '0x04' },
};

describe('challengeTimeline', () => {
  it('open inside the window: opened, waiting for both halves of the answer with the deadline as the current step', () => {
    const steps = challengeTimeline(challenge(), 1_100n);
    expect(steps.map((s) => [s.kind, s.state, s.at])).toEqual([
      ['opened', 'done', 1_000n],
      ['deadline', 'current', 1_300n],
      ['upheld', 'upcoming', null],
    ]);
    expect(steps[0]!.detail).toBe('0x0000…00B1 challenged submission #2 with a bond of 5 ARENA.');
    expect(steps[1]!.detail).toBe(
      '0x0000…00A1 must post an ownership proof and disclose its training transcript before the deadline (no ownership proof yet, no transcript disclosed yet).',
    );
    expect(steps[2]!.detail).toMatch(/^With both in, validators may dispute a segment of the transcript\./);
    // Half an answer is shown as such.
    expect(challengeTimeline(challenge({ proven: true }), 1_100n)[1]!.detail).toContain(
      'the ownership proof is in, no transcript disclosed yet',
    );
    // The deadline itself is still inside the window (respond and disclose accept now <= deadline).
    expect(challengeTimeline(challenge(), 1_300n)[1]!.state).toBe('current');
  });

  it('open after the deadline: anyone may resolve', () => {
    const steps = challengeTimeline(challenge({ disclosure: MANIFEST }), 1_301n);
    expect(steps.map((s) => [s.kind, s.state])).toEqual([
      ['opened', 'done'],
      ['deadline', 'done'],
      ['upheld', 'upcoming'],
    ]);
    expect(steps[1]!.detail).toBe(
      'The deadline passed (no ownership proof yet, the transcript is disclosed): anyone may resolve the challenge now.',
    );
  });

  it('open against a trainer that already forfeited: it can only be voided, at any stage', () => {
    for (const over of [{}, answeredOver, disputedOver]) {
      const steps = challengeTimeline(challenge(over), 1_100n, true);
      expect(steps.map((s) => [s.kind, s.state])).toEqual([
        ['opened', 'done'],
        ['voided', 'upcoming'],
      ]);
      expect(steps[1]!.detail).toBe(
        '0x0000…00A1 has already forfeited everything in this task: resolving voids the challenge and returns the bond of 5 ARENA.',
      );
    }
  });

  it('answered: the dispute window, then nobody disputed', () => {
    const inWindow = challengeTimeline(challenge(answeredOver), 1_400n);
    expect(inWindow.map((s) => [s.kind, s.state, s.at])).toEqual([
      ['opened', 'done', 1_000n],
      ['answered', 'done', 1_050n],
      ['dispute', 'current', 1_500n],
    ]);
    expect(inWindow[1]!.detail).toBe(
      '0x0000…00A1 posted its ownership proof and disclosed its training transcript (0xcdcd…cdcd).',
    );
    const after = challengeTimeline(challenge(answeredOver), 1_501n);
    expect(after[2]).toMatchObject({ state: 'done', title: 'Nobody disputed in time' });
    expect(after[2]!.detail).toBe('Resolving clears the trainer: the bond of 5 ARENA goes to it.');
  });

  it('disputed: commits, then reveals, then the vote is over', () => {
    const kinds = (now: bigint) => challengeTimeline(challenge(disputedOver), now).map((s) => [s.kind, s.state, s.at]);
    expect(kinds(1_600n)).toEqual([
      ['opened', 'done', 1_000n],
      ['answered', 'done', 1_050n],
      ['dispute', 'done', 1_500n],
      ['vote', 'current', 1_700n],
    ]);
    expect(challengeTimeline(challenge(disputedOver), 1_600n)[3]!.title).toBe('Verdicts being committed');
    expect(challengeTimeline(challenge(disputedOver), 1_800n)[3]!.title).toBe('Verdicts being revealed');
    expect(kinds(1_901n)[3]).toEqual(['vote', 'done', 1_900n]);
    expect(challengeTimeline(challenge(disputedOver), 1_600n)[2]!.title).toBe('Segment 3 disputed');
  });

  it('upheld at the deadline, upheld by the vote (with the jury), cleared, void', () => {
    const atDeadline = challengeTimeline(
      challenge({
        status: 'upheld',
        settled: {
          block: 12n,
          time: 1_400n,
          tx: '0x03',
          rewards: 18n * WAD + WAD / 2n,
          slashed: 5n * WAD,
          juryShare: 0n,
        },
      }),
      2_000n,
    );
    expect(atDeadline.map((s) => s.kind)).toEqual(['opened', 'deadline', 'upheld']);
    expect(atDeadline[2]!.detail).toBe(
      '0x0000…00A1 forfeited 18.5 ARENA of rewards and 5 ARENA of stake to 0x0000…00B1; the bond went back.',
    );
    const byVote = challengeTimeline(
      challenge({
        ...disputedOver,
        status: 'upheld',
        settled: { block: 14n, time: 2_000n, tx: '0x05', rewards: 0n, slashed: 10n * WAD, juryShare: WAD },
      }),
      2_100n,
    );
    expect(byVote.map((s) => s.kind)).toEqual(['opened', 'answered', 'dispute', 'upheld']);
    expect(byVote[3]!.detail).toBe(
      '0x0000…00A1 forfeited 0 ARENA of rewards and 10 ARENA of stake; 1 ARENA of it went to the majority jurors, the rest to 0x0000…00B1; the bond went back.',
    );
    const cleared = challengeTimeline(
      challenge({
        ...answeredOver,
        status: 'cleared',
        settled: { block: 14n, time: 1_600n, tx: '0x05', toTrainer: 5n * WAD, juryShare: 0n },
      }),
      2_000n,
    );
    expect(cleared.map((s) => s.kind)).toEqual(['opened', 'answered', 'cleared']);
    expect(cleared[2]!.detail).toBe('Nobody disputed a segment in time: 5 ARENA of the bond went to 0x0000…00A1.');
    const clearedByVote = challengeTimeline(
      challenge({
        ...disputedOver,
        status: 'cleared',
        settled: { block: 14n, time: 2_000n, tx: '0x05', toTrainer: 4n * WAD + WAD / 2n, juryShare: WAD / 2n },
      }),
      2_100n,
    );
    expect(clearedByVote[3]!.detail).toBe(
      'The vote did not uphold the challenge: 4.5 ARENA of the bond went to 0x0000…00A1 and 0.5 ARENA to the majority jurors.',
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

describe('canResolve and awaitsAnswer', () => {
  it('resolve is offered once the current stage is over, or at once when the trainer already forfeited', () => {
    expect([canResolve(challenge(), 1_300n), canResolve(challenge(), 1_301n)]).toEqual([false, true]);
    expect([canResolve(challenge(answeredOver), 1_500n), canResolve(challenge(answeredOver), 1_501n)]).toEqual([
      false,
      true,
    ]);
    expect([canResolve(challenge(disputedOver), 1_900n), canResolve(challenge(disputedOver), 1_901n)]).toEqual([
      false,
      true,
    ]);
    expect(canResolve(challenge(disputedOver), 1_600n, true)).toBe(true);
    expect(canResolve(challenge({ status: 'cleared' }), 9_999n, true)).toBe(false);
  });

  it('the accused has something to post until both halves are in, before the deadline', () => {
    expect(awaitsAnswer(challenge(), 1_300n)).toBe(true);
    expect(awaitsAnswer(challenge({ proven: true }), 1_300n)).toBe(true);
    expect(awaitsAnswer(challenge({ proven: true, disclosure: MANIFEST }), 1_300n)).toBe(false);
    expect(awaitsAnswer(challenge(), 1_301n)).toBe(false);
    expect(awaitsAnswer(challenge(answeredOver), 1_100n)).toBe(false);
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
    artifactRoot: '0xaa',
    wmCommit: '0xbb',
    transcript: { trajRoot: `0x${'11'.repeat(32)}`, segments: 8, startRoot: SEEDED_START, startLeaf: 0 },
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
  it('says before the user challenges what the trainer must post, when a segment may be disputed and what the vote decides', () => {
    const t = challengeTerms({
      bond: 5n * WAD,
      responseTime: 600,
      slashBps: 2000,
      maxErr: 8,
      disputeTime: 7_200,
      voteTime: 600,
      juryBps: 1000,
    });
    expect(t[0]).toBe("You post a bond of 5 ARENA (the task's bond; at least 1 ARENA).");
    expect(t[1]).toContain('10 minutes');
    expect(t[1]).toContain('at most 8 of 64 bits wrong');
    expect(t[1]).toContain('disclose its training transcript');
    expect(t[1]).toContain('20 % of its stake to you');
    expect(t[2]).toContain('within 2 hours');
    expect(t[2]).toContain('If nobody does, your bond goes to the trainer.');
    expect(t[3]).toContain('for 10 minutes');
    expect(t[3]).toContain('share 10 % of the losing side');
    expect(t[4]).toBe('A submission has at most one open challenge at a time.');
    expect(challengeTerms({ bond: WAD, responseTime: 86_400, slashBps: 0, maxErr: null })[1]).toContain('24 hours');
  });
});

describe('accountOutcome', () => {
  const list = [
    challenge({
      challengeId: 1n,
      ...answeredOver,
      status: 'cleared',
      settled: { block: 1n, time: 1n, tx: '0x', toTrainer: 4n * WAD, juryShare: WAD },
    }),
    challenge({
      challengeId: 2n,
      status: 'upheld',
      trainer: OTHER,
      settled: { block: 1n, time: 1n, tx: '0x', rewards: 7n, slashed: 3n, juryShare: 1n },
    }),
    challenge({ challengeId: 3n, status: 'disputed', trainer: OTHER }),
    challenge({ challengeId: 4n, status: 'voided', trainer: OTHER }),
  ];

  it('per role: the challenger gets upheld and void bonds back and loses cleared ones; the cleared trainer is paid; the failed one pays', () => {
    expect(accountOutcome(list, VALIDATOR)).toEqual({
      bondsAtStake: 5n * WAD,
      bondsReturned: 10n * WAD,
      bondsLost: 5n * WAD,
      received: 9n,
      forfeited: 0n,
      answered: 0,
    });
    expect(accountOutcome(list, TRAINER)).toEqual({
      bondsAtStake: 0n,
      bondsReturned: 0n,
      bondsLost: 0n,
      received: 4n * WAD,
      forfeited: 0n,
      answered: 1,
    });
    expect(accountOutcome(list, OTHER)).toEqual({
      bondsAtStake: 0n,
      bondsReturned: 0n,
      bondsLost: 0n,
      received: 0n,
      forfeited: 10n,
      answered: 0,
    });
    expect(accountOutcome(list, null)).toEqual({
      bondsAtStake: 0n,
      bondsReturned: 0n,
      bondsLost: 0n,
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
      // Answered is not settled: the dispute and the vote may still fail the trainer.
      { ...at(5), kind: 'ChallengeAnswered', challengeId: 2n, taskId: 4n, trainer: TRAINER, disputeDeadline: 99n },
      {
        ...at(5),
        kind: 'ChallengeCleared',
        challengeId: 1n,
        taskId: 3n,
        trainer: TRAINER,
        challenger: VALIDATOR,
        bond: 1n,
        toTrainer: 1n,
        juryShare: 0n,
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
    // Half an answer leaves it open; the alert then stops offering the proof.
    const withProof: ArenaEvent[] = [
      ...events,
      { ...at(7), kind: 'OwnershipProven', challengeId: 2n, taskId: 4n, trainer: TRAINER },
    ];
    expect(openChallengesAgainst(withProof, TRAINER).map((e) => e.challengeId)).toEqual([2n]);
    expect([...provenChallenges(withProof)]).toEqual([2n]);
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
