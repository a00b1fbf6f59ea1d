// The Challenges page's pure view logic: timelines by status and chain time, which row actions a
// connected account gets (and the reason when not), what challenges moved for an account, open
// challenges from the event log, and a proof's progress bar.
import { getAddress, type Address } from 'viem';
import { describe, expect, it } from 'vitest';
import type { ChallengeView, SubmissionView, TheftClaimView } from '../../../src/lib/chain/actions/read-challenges.ts';
import type { ArenaEvent } from '../../../src/lib/chain/reads/events.ts';
import { accountOutcome, challengeTimeline, openChallengesAgainst, proofProgress, rowActions, type Standing } from '../../../src/app/pages/challenges/challenges-view.ts';

const a = (n: number) => getAddress(`0x${n.toString(16).padStart(40, '0')}`) as Address;
const WAD = 10n ** 18n;
const TRAINER = a(0xa1), VALIDATOR = a(0xb1), OTHER = a(0xc1);

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
    expect(steps[1]!.detail).toBe('0x0000…00A1 has already forfeited everything in this task: resolving voids the challenge and returns the bond of 5 ARENA.');
  });

  it('answered, upheld (with what moved) and void', () => {
    const answered = challengeTimeline(challenge({ status: 'answered', settled: { block: 11n, time: 1_050n, tx: '0x02' } }), 2_000n);
    expect(answered.map((s) => [s.kind, s.at])).toEqual([['opened', 1_000n], ['answered', 1_050n]]);
    expect(answered[1]!.detail).toBe('The bond of 5 ARENA went to 0x0000…00A1: the model carries its watermark.');
    const upheld = challengeTimeline(challenge({ status: 'upheld', settled: { block: 12n, time: 1_400n, tx: '0x03', rewards: 18n * WAD + WAD / 2n, slashed: 5n * WAD } }), 2_000n);
    expect(upheld.map((s) => s.kind)).toEqual(['opened', 'deadline', 'upheld']);
    expect(upheld[2]!.detail).toBe('0x0000…00A1 forfeited 18.5 ARENA of rewards and 5 ARENA of stake to 0x0000…00B1; the bond went back.');
    const voided = challengeTimeline(challenge({ status: 'voided', settled: { block: 12n, time: 1_100n, tx: '0x04' } }), 2_000n);
    expect(voided.map((s) => [s.kind, s.title])).toEqual([['opened', 'Opened'], ['voided', 'Void']]);
  });
});

describe('rowActions', () => {
  const sub: SubmissionView = { submissionId: 2n, trainer: TRAINER, epoch: 1, duplicate: false, sealBlock: 50n, artifactHash: '0xaa', wmCommit: '0xbb', proven: false };
  const validator: Standing = { account: VALIDATOR, role: 'validator', keyBlock: 0n, forfeited: false, eligible: true };
  const owner: Standing = { account: OTHER, role: 'trainer', keyBlock: 20n, forfeited: false, eligible: true };
  const p = { now: 100n, endTime: 1_000n, forfeitedTrainers: new Set<string>() };

  it('a staked validator may challenge; an older key may claim theft', () => {
    expect(rowActions(sub, validator, p)).toEqual({ challenge: null, theft: 'Only trainers of this task, with a committed key, can claim theft.' });
    expect(rowActions(sub, owner, p)).toEqual({ challenge: 'Only validators of this task can challenge.', theft: null });
  });

  it('says why not', () => {
    expect(rowActions(sub, { ...validator, eligible: false }, p).challenge).toBe("Your validator stake has not reached the task's minimum.");
    expect(rowActions({ ...sub, proven: true }, validator, p).challenge).toBe('Its trainer already proved ownership.');
    expect(rowActions(sub, validator, { ...p, now: 1_000n }).challenge).toBe('Challenges closed with the challenge phase.');
    expect(rowActions(sub, validator, { ...p, forfeitedTrainers: new Set([TRAINER.toLowerCase()]) }).challenge).toBe('Its trainer has already forfeited everything in this task.');
    expect(rowActions(sub, { ...owner, keyBlock: 50n }, p).theft).toBe('Your key was committed after this model was sealed.');
    expect(rowActions(sub, { ...owner, account: TRAINER }, p).theft).toBe('This is your own submission.');
    expect(rowActions(sub, { account: null, role: null, keyBlock: 0n, forfeited: false, eligible: false }, p)).toEqual({
      challenge: 'Connect a wallet to challenge.',
      theft: 'Connect a wallet to claim theft.',
    });
  });
});

describe('accountOutcome', () => {
  const list = [
    challenge({ challengeId: 1n, status: 'answered' }),
    challenge({ challengeId: 2n, status: 'upheld', trainer: OTHER, settled: { block: 1n, time: 1n, tx: '0x', rewards: 7n, slashed: 3n } }),
    challenge({ challengeId: 3n, status: 'open', trainer: OTHER }),
    challenge({ challengeId: 4n, status: 'voided', trainer: OTHER }),
  ];
  const thefts: TheftClaimView[] = [{ block: 1n, time: 1n, tx: '0x', taskId: 3n, submissionId: 9n, thief: OTHER, owner: TRAINER, rewards: 11n, slashed: 2n }];

  it('per role: the challenger, the answering trainer, the forfeiting trainer', () => {
    expect(accountOutcome(list, thefts, VALIDATOR)).toEqual({ bondsAtStake: 5n * WAD, bondsLost: 5n * WAD, bondsWon: 0n, received: 10n, forfeited: 0n });
    expect(accountOutcome(list, thefts, TRAINER)).toEqual({ bondsAtStake: 0n, bondsLost: 0n, bondsWon: 5n * WAD, received: 13n, forfeited: 0n });
    expect(accountOutcome(list, thefts, OTHER)).toEqual({ bondsAtStake: 0n, bondsLost: 0n, bondsWon: 0n, received: 0n, forfeited: 23n });
    expect(accountOutcome(list, thefts, null)).toEqual({ bondsAtStake: 0n, bondsLost: 0n, bondsWon: 0n, received: 0n, forfeited: 0n });
  });
});

describe('openChallengesAgainst', () => {
  it('keeps the account\'s challenges that no later event settled, in any task', () => {
    const at = (block: number) => ({ block: BigInt(block), logIndex: 0 });
    const opened = (id: number, trainer: Address, taskId = 3n): ArenaEvent => ({ ...at(id), kind: 'ChallengeOpened', challengeId: BigInt(id), taskId, trainer, challenger: VALIDATOR, submissionId: 0n, bond: 1n, deadline: 99n });
    const events: ArenaEvent[] = [
      opened(1, TRAINER),
      opened(2, TRAINER, 4n),
      opened(3, OTHER),
      opened(4, TRAINER),
      { ...at(5), kind: 'ChallengeAnswered', challengeId: 1n, taskId: 3n, trainer: TRAINER, bond: 1n },
      { ...at(6), kind: 'ChallengeVoided', challengeId: 4n, taskId: 3n, trainer: TRAINER, challenger: VALIDATOR, bond: 1n },
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
