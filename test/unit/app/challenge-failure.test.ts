// A failed challenge as its trainer reads it (issue 11 story d): the upheld challenges from the
// event log and from a challenge read, whether the trainer agent on this device was running
// during the response window (from its stored state), and the sentences with exact amounts.
import { getAddress, type Address, type Hex } from 'viem';
import { describe, expect, it } from 'vitest';
import type { ChallengeView } from '../../../src/lib/chain/actions/read-challenges.ts';
import type { ArenaEvent } from '../../../src/lib/chain/reads/events.ts';
import {
  answerWitness,
  failedFromEvents,
  failedFromView,
  failureView,
  type AgentTrace,
  type FailedChallenge,
} from '../../../src/lib/app-logic/challenge-failure.ts';

const a = (n: number) => getAddress(`0x${n.toString(16).padStart(40, '0')}`) as Address;
const WAD = 10n ** 18n;
const TRAINER = a(0xa1),
  OTHER = a(0xa2),
  CHALLENGER = getAddress('0x90F79bf6EB2c4f870365E785982E1f101E93b906') as Address;
const DEADLINE = 1_800_003_600n; // 2027-01-15 09:00:00 UTC
const at = { block: 1n, logIndex: 0 };

const failed = (over: Partial<FailedChallenge> = {}): FailedChallenge => ({
  challengeId: 3n,
  taskId: 2n,
  submissionId: 1n,
  epoch: 0,
  challenger: CHALLENGER,
  deadline: DEADLINE,
  proven: false,
  disclosed: false,
  segment: null,
  rewards: 1_234_567_890_123_456_789n,
  slashed: 10n * WAD,
  juryShare: 0n,
  ...over,
});

const trace = (over: Partial<AgentTrace> = {}): AgentTrace => ({ lastSeen: null, notes: [], ...over });

describe('failedFromEvents', () => {
  const events: ArenaEvent[] = [
    {
      ...at,
      kind: 'SubmissionRevealed',
      taskId: 2n,
      epoch: 1n,
      trainer: TRAINER,
      submissionId: 1n,
      artifactHash: `0x${'aa'.repeat(32)}` as Hex,
      artifactRoot: `0x${'aa'.repeat(32)}` as Hex,
      duplicate: false,
    },
    {
      ...at,
      kind: 'ChallengeOpened',
      challengeId: 3n,
      taskId: 2n,
      trainer: TRAINER,
      challenger: CHALLENGER,
      submissionId: 1n,
      bond: 5n * WAD,
      deadline: DEADLINE,
    },
    { ...at, kind: 'OwnershipProven', challengeId: 3n, taskId: 2n, trainer: TRAINER },
    {
      ...at,
      kind: 'ChallengeOpened',
      challengeId: 4n,
      taskId: 2n,
      trainer: OTHER,
      challenger: CHALLENGER,
      submissionId: 2n,
      bond: 5n * WAD,
      deadline: DEADLINE,
    },
    {
      ...at,
      kind: 'ChallengeUpheld',
      challengeId: 4n,
      taskId: 2n,
      trainer: OTHER,
      challenger: CHALLENGER,
      bond: 5n * WAD,
      rewards: 0n,
      slashed: WAD,
      juryShare: 0n,
    },
    {
      ...at,
      kind: 'ChallengeUpheld',
      challengeId: 3n,
      taskId: 2n,
      trainer: TRAINER,
      challenger: CHALLENGER,
      bond: 5n * WAD,
      rewards: 7n,
      slashed: 10n * WAD,
      juryShare: 0n,
    },
  ];

  it("keeps the account's upheld challenges in the task, with epoch, half answer and amounts", () => {
    expect(failedFromEvents(events, TRAINER, 2n)).toEqual([failed({ epoch: 1, proven: true, rewards: 7n })]);
    expect(failedFromEvents(events, OTHER, 2n).map((f) => [f.challengeId, f.slashed])).toEqual([[4n, WAD]]);
    expect(failedFromEvents(events, TRAINER, 9n)).toEqual([]);
    expect(failedFromEvents(events, null, 2n)).toEqual([]);
    // Opened but not (yet) upheld: not a failure.
    expect(failedFromEvents(events.slice(0, 3), TRAINER, 2n)).toEqual([]);
  });

  it('reads the same from a challenge view, and nothing from one not upheld', () => {
    const view = {
      challengeId: 3n,
      taskId: 2n,
      submissionId: 1n,
      trainer: TRAINER,
      challenger: CHALLENGER,
      bond: 5n * WAD,
      deadline: DEADLINE,
      status: 'upheld',
      proven: false,
      disclosure: null,
      disputeDeadline: null,
      dispute: null,
      opened: { block: 1n, time: DEADLINE - 3_600n, tx: '0x01' },
      settled: {
        block: 9n,
        time: DEADLINE + 10n,
        tx: '0x02',
        rewards: failed().rewards,
        slashed: 10n * WAD,
        juryShare: 0n,
      },
    } satisfies ChallengeView;
    expect(failedFromView(view, 0)).toEqual(failed());
    expect(failedFromView({ ...view, status: 'open' }, 0)).toBeNull();
    expect(failedFromView({ ...view, status: 'cleared' }, 0)).toBeNull();
  });
});

describe('answerWitness', () => {
  const opened = DEADLINE - 3_600n;

  it('no stored state on this device: none', () => {
    expect(answerWitness(failed(), null)).toEqual({ kind: 'none' });
    expect(answerWitness(failed(), trace())).toEqual({ kind: 'none' });
  });

  it('the agent last ran before the challenge and is back only now: closed, since its last step', () => {
    // The page opened the agent after the challenge was upheld: its stored lastSeen is from before.
    expect(answerWitness(failed(), trace({ lastSeen: opened - 100n }))).toEqual({
      kind: 'closed',
      lastRunning: opened - 100n,
    });
    // After its first step back it noticed the challenge (after the deadline) and moved lastSeen on:
    // still closed, with the time it last ran taken from when the tab opened it.
    const back = trace({
      lastSeen: DEADLINE + 500n,
      notes: [{ key: 'challenged/3', at: DEADLINE + 400n }],
      challenges: [
        { challengeId: 3n, proofAt: null, uploadAt: null, discloseAt: null, proofHalted: null, disclosureHalted: null },
      ],
    });
    expect(answerWitness(failed(), back, opened - 100n)).toEqual({ kind: 'closed', lastRunning: opened - 100n });
    // A later reload: the time it last ran is no longer known, the closed window still is.
    expect(answerWitness(failed(), back, DEADLINE + 500n)).toEqual({ kind: 'closed', lastRunning: null });
    expect(answerWitness(failed(), back)).toEqual({ kind: 'closed', lastRunning: null });
  });

  it('the agent saw it in the window: running, with why it stopped', () => {
    const saw = trace({ lastSeen: DEADLINE + 500n, notes: [{ key: 'challenged/3', at: opened + 5n }] });
    expect(answerWitness(failed(), saw)).toEqual({ kind: 'running', halted: [] });
    // Exactly at the deadline is still in the window (inclusive).
    expect(answerWitness(failed(), trace({ lastSeen: 1n, notes: [{ key: 'challenged/3', at: DEADLINE }] }))).toEqual({
      kind: 'running',
      halted: [],
    });
    // Another challenge's note does not count.
    expect(answerWitness(failed(), trace({ lastSeen: 1n, notes: [{ key: 'challenged/30', at: opened }] })).kind).toBe(
      'closed',
    );
    // Its note dropped off, but it tried to prove in the window; and said why it stopped.
    expect(
      answerWitness(
        failed(),
        trace({
          lastSeen: DEADLINE + 1n,
          challenges: [
            {
              challengeId: 3n,
              proofAt: opened + 5n,
              uploadAt: null,
              discloseAt: null,
              proofHalted: 'the key is not on this device',
              disclosureHalted: 'the submission was sealed without a training transcript',
            },
          ],
        }),
      ),
    ).toEqual({
      kind: 'running',
      halted: ['the key is not on this device', 'the submission was sealed without a training transcript'],
    });
  });
});

describe('failureView', () => {
  it('says the challenge, the closed tab with its times, the exact amounts and the exclusion', () => {
    const v = failureView(failed(), { kind: 'closed', lastRunning: DEADLINE - 3_700n });
    expect(v.title).toBe('You failed challenge #3 (submission #1, epoch 0)');
    expect(v.why).toBe(
      'You did not answer within the response window, which ended at 2027-01-15 09:00:00 UTC: neither the ownership proof nor the training transcript was posted. Your trainer agent answers challenges by itself only while its tab is open, and its tab was closed from 2027-01-15 07:58:20 UTC until after the window ended, so nothing answered it.',
    );
    expect(v.lost).toBe(
      "You lost 11.234567890123456789 ARENA: 1.234567890123456789 ARENA of unvested rewards (your delegators' share included) and 10 ARENA of your stake (slashed), to the challenger 0x90F7…b906.",
    );
    expect(v.excluded).toBe(
      'Your later submissions in task #2 are excluded: you can no longer submit in it. Epochs already scored are not re-ranked.',
    );
  });

  it('words the other reasons: no time known, half an answer, a running agent, no agent, a vote', () => {
    expect(failureView(failed({ proven: true }), { kind: 'closed', lastRunning: null }).why).toBe(
      'You did not answer within the response window, which ended at 2027-01-15 09:00:00 UTC: the training transcript was not disclosed (the ownership proof was posted). Your trainer agent answers challenges by itself only while its tab is open, and its tab was closed until after the window ended, so nothing answered it.',
    );
    expect(failureView(failed({ disclosed: true }), { kind: 'running', halted: ['no key here'] }).why).toBe(
      'You did not answer within the response window, which ended at 2027-01-15 09:00:00 UTC: the ownership proof was not posted (the transcript was disclosed). Your trainer agent was running on this device during the window but could not answer: no key here.',
    );
    expect(failureView(failed(), { kind: 'running', halted: [] }).why).toMatch(/could not answer in time\.$/);
    expect(failureView(failed(), { kind: 'none' }).why).toMatch(
      /was posted\. No trainer agent for this task and account ran on this device, so nothing answered it from here\.$/,
    );
    const vote = failureView(failed({ proven: true, disclosed: true, segment: 5, rewards: 0n, juryShare: WAD }), {
      kind: 'closed',
      lastRunning: null,
    });
    expect(vote.why).toBe("The validators' vote found that segment 5 of your training transcript does not replay.");
    expect(vote.lost).toBe(
      "You lost 10 ARENA: 0 ARENA of unvested rewards (your delegators' share included) and 10 ARENA of your stake (slashed), to the challenger 0x90F7…b906, 1 ARENA of it to the majority jurors.",
    );
    expect(failureView(failed({ epoch: null }), { kind: 'none' }).title).toBe(
      'You failed challenge #3 (submission #1)',
    );
  });
});
