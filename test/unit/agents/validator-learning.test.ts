// The validator's learning-stage decisions, pure (validator/learning.ts, similarity.ts): which
// submissions a hint compares, the threshold, the automatic challenge (once per submission, the
// bond), which segment a challenger disputes, and when a juror commits, reveals and claims.
import type { Address, Hex } from 'viem';
import { describe, expect, it } from 'vitest';
import {
  checkKey,
  initialLearningState,
  learningRecord,
  learningStep,
  segmentToDispute,
  verdictOf,
  voteWindow,
  type ChallengeObs,
  type LearningAction,
  type LearningObservation,
  type LearningState,
} from '../../../src/lib/agents/validator/learning.ts';
import {
  DEFAULT_CHALLENGE_THRESHOLD,
  checkThreshold,
  closestMatch,
  comparisonSet,
  crossesThreshold,
} from '../../../src/lib/agents/validator/similarity.ts';
import {
  DEFAULT_VALIDATOR_CONFIG,
  initialValidatorState,
  validatorCommand,
} from '../../../src/lib/agents/validator/machine.ts';
import type { Note } from '../../../src/lib/agents/common.ts';
import type { TranscriptCheckProgress } from '../../../src/lib/agents/transcript-check.ts';
import { VALIDATOR, hex32, validatorScope } from './fixtures.ts';

const A = '0x00000000000000000000000000000000000000a1' as Address;
const B = '0x00000000000000000000000000000000000000b2' as Address;
const C = '0x00000000000000000000000000000000000000c3' as Address;
const WAD = 10n ** 18n;
const BOND = 10n * WAD;
const config = { retryAfterSec: 30, maxCheckAttempts: 3, checkRetrySec: 10 };

const sub = (id: number, trainer: Address) => ({ submissionId: id, trainer, epoch: 0, evaluation: `eval-${id}` });

function obs(over: Partial<LearningObservation> = {}): LearningObservation {
  return {
    account: VALIDATOR,
    challenges: [],
    bond: BOND,
    balance: 100n * WAD,
    jurorWeight: 20n * WAD,
    periodEnd: 100_000n,
    local: { checking: [] },
    ...over,
  };
}

function challengeObs(over: Partial<ChallengeObs> = {}): ChallengeObs {
  return {
    challengeId: '7',
    submissionId: 1,
    trainer: B,
    challenger: VALIDATOR,
    status: 'answered',
    disclosure: hex32(0xd15c),
    disputeDeadline: 2_000n,
    dispute: null,
    vote: { committed: false, verdict: null, claimed: false },
    majority: null,
    share: 0n,
    ...over,
  };
}

function run(
  l: LearningState,
  o: LearningObservation,
  now: bigint,
  evaluations: Record<string, { predictions: boolean }> = {},
  entropy: Hex = hex32(0x5a17),
) {
  const s = structuredClone(l);
  const actions: LearningAction[] = [];
  const notes: Note[] = [];
  learningStep(
    s,
    o,
    {
      now,
      entropy,
      config,
      eligible: true,
      evaluations,
      note: (key, level, message) => notes.push({ key, level, message, at: now, epoch: null }),
    },
    actions,
  );
  return { s, actions, notes };
}

function record(l: LearningState, outcome: Parameters<typeof learningRecord>[1]): LearningState {
  const s = structuredClone(l);
  learningRecord(s, outcome, () => {});
  return s;
}

function progress(over: Partial<TranscriptCheckProgress>): TranscriptCheckProgress {
  return {
    challengeId: '7',
    taskId: '1',
    trainer: B,
    manifest: hex32(0xd15c),
    mode: 'whole',
    status: 'replays',
    segments: 4,
    toCheck: [0, 1, 2, 3],
    checked: [],
    firstFailing: null,
    startedAt: 0,
    updatedAt: 0,
    ...over,
  };
}
const seg = (segment: number, replays: boolean) => ({
  segment,
  replays,
  failing: replays ? 0 : 5,
  maxDeviation: 0,
  seconds: 1,
});

describe('similarity: what is compared and the threshold', () => {
  it('compares a submission with earlier ones of other trainers only', () => {
    const known = [sub(0, A), sub(1, B), sub(2, A), sub(3, C), sub(4, B)];
    expect(comparisonSet(sub(2, A), known).map((k) => k.submissionId)).toEqual([1]);
    expect(comparisonSet(sub(4, B), known).map((k) => k.submissionId)).toEqual([0, 2, 3]);
    expect(comparisonSet(sub(0, A), known)).toEqual([]);
  });

  it('takes the closest by probe agreement; eval agreement only on one eval set', () => {
    const p = (xs: number[], set = 'E') => ({ eval: Int32Array.from(xs), evalSet: set, probes: Int32Array.from(xs) });
    const model = p([1, 2, 3, 4]);
    const m = closestMatch(model, [
      { submissionId: 0, trainer: A, predictions: p([1, 0, 0, 0]) },
      { submissionId: 1, trainer: C, predictions: p([1, 2, 3, 0]) },
      { submissionId: 2, trainer: C, predictions: p([1, 2, 0, 0], 'F') },
    ]);
    expect(m).toEqual({ submissionId: 1, trainer: C, probes: 0.75, eval: 0.75 });
    expect(closestMatch(model, [{ submissionId: 2, trainer: C, predictions: p([1, 2, 3, 4], 'F') }])!.eval).toBeNull();
    expect(closestMatch(model, [])).toBeNull();
    // Probes of another count are not comparable: skipped, not an error.
    expect(
      closestMatch(model, [{ submissionId: 3, trainer: C, predictions: { ...p([1, 2, 3]), evalSet: 'E' } }]),
    ).toBeNull();
  });

  it('the threshold comes from the bench, applies at or above, and must be a share', () => {
    expect(DEFAULT_CHALLENGE_THRESHOLD).toBe(0.768);
    const at = (probes: number) => ({ submissionId: 0, trainer: A, probes, eval: null });
    expect(crossesThreshold(at(0.768), 0.768)).toBe(true);
    expect(crossesThreshold(at(0.767), 0.768)).toBe(false);
    expect(crossesThreshold(null, 0.768)).toBe(false);
    expect(() => checkThreshold(0)).toThrow(/in \(0, 1\]/);
    expect(() => checkThreshold(1.2)).toThrow(/in \(0, 1\]/);
    expect(checkThreshold(0.9)).toBe(0.9);
  });

  it('the settings are kept in the state and a bad threshold is refused without change', () => {
    const s0 = initialValidatorState(validatorScope);
    expect(s0.learning.settings).toEqual({ auto: true, threshold: 0.768 });
    const s1 = validatorCommand(s0, { type: 'challengeSettings', threshold: 0.8, auto: false });
    expect(s1.learning.settings).toEqual({ auto: false, threshold: 0.8 });
    expect(() => validatorCommand(s1, { type: 'challengeSettings', threshold: 2 })).toThrow(RangeError);
    expect(s1.learning.settings.threshold).toBe(0.8);
  });
});

describe('hints and the automatic challenge', () => {
  const known = (): LearningState => {
    const l = initialLearningState();
    for (const s of [sub(0, A), sub(1, B)]) l.submissions[s.submissionId] = s;
    return l;
  };

  it('waits for earlier evaluations, then compares each submission once', () => {
    const l = known();
    // Submission 1 evaluated, 0 not yet: no hint of 1 until 0 is done.
    expect(run(l, obs(), 10n, { 'eval-1': { predictions: true } }).actions).toEqual([]);
    const r = run(l, obs(), 10n, { 'eval-0': { predictions: true }, 'eval-1': { predictions: true } });
    expect(r.actions).toEqual([{ type: 'compare', submission: sub(0, A), against: [], threshold: 0.768 }]);
    // 0 hinted (nothing earlier): 1 is compared with 0.
    const l2 = record(l, {
      type: 'compared',
      submissionId: 0,
      trainer: A,
      closest: null,
      compared: 0,
      threshold: 0.768,
      at: 11n,
    });
    const r2 = run(l2, obs(), 12n, { 'eval-0': { predictions: true }, 'eval-1': { predictions: true } });
    expect(r2.actions).toEqual([{ type: 'compare', submission: sub(1, B), against: [sub(0, A)], threshold: 0.768 }]);
    // An earlier model that failed its checks (no predictions) is not waited for, and not compared.
    const r3 = run(l2, obs(), 12n, { 'eval-0': { predictions: false }, 'eval-1': { predictions: true } });
    expect(r3.actions).toEqual([{ type: 'compare', submission: sub(1, B), against: [], threshold: 0.768 }]);
  });

  const hinted = (probes: number) =>
    record(known(), {
      type: 'compared',
      submissionId: 1,
      trainer: B,
      closest: { submissionId: 0, trainer: A, probes, eval: 0.99 },
      compared: 1,
      threshold: 0.768,
      at: 20n,
    });

  it('challenges at or above the threshold, once, with the bond stated', () => {
    const below = run(hinted(0.737), obs(), 21n);
    expect(below.actions).toEqual([]);
    const r = run(hinted(0.8), obs(), 21n);
    expect(r.actions).toEqual([{ type: 'challenge', submissionId: 1 }]);
    expect(r.s.challenges[1]).toMatchObject({ status: 'sending', bond: BOND.toString(), sends: 1 });
    expect(r.notes.find((n) => n.key === 'auto-challenge/1')!.message).toMatch(
      /bond of 10 ARENA: S1 agrees with S0 .* on 80\.0% of the probe inputs \(threshold 76\.8%\)/,
    );
    // Sent: not again before the retry time, and never again once opened.
    expect(run(r.s, obs(), 30n).actions).toEqual([]);
    const opened = record(r.s, { type: 'challengeOpened', submissionId: 1, challengeId: '7', at: 31n });
    expect(
      run(opened, obs({ challenges: [challengeObs({ status: 'cleared', disclosure: null })] }), 1_000n).actions,
    ).toEqual([]);
  });

  it('a challenge refused for good is not repeated', () => {
    const r = run(hinted(0.9), obs(), 21n);
    const refused = record(r.s, {
      type: 'learningFailed',
      action: 'challenge',
      key: '1',
      message: 'ChallengeAlreadyOpen',
      retryable: false,
      at: 22n,
    });
    expect(refused.challenges[1]!.status).toBe('refused');
    expect(run(refused, obs(), 1_000n).actions).toEqual([]);
  });

  it('does not challenge when the balance cannot cover the bond, and says so', () => {
    const r = run(hinted(0.9), obs({ balance: 9n * WAD }), 21n);
    expect(r.actions).toEqual([]);
    expect(r.s.challenges[1]).toBeUndefined();
    expect(r.notes.find((n) => n.key === 'bond-short/1')).toMatchObject({ level: 'warn' });
    expect(r.notes.find((n) => n.key === 'bond-short/1')!.message).toMatch(
      /bond of 10 ARENA and this account holds 9 ARENA/,
    );
    // The status states the bond whatever happens, and warns while the balance cannot cover it.
    expect(r.s.terms).toEqual({ bond: BOND.toString(), balance: (9n * WAD).toString(), covered: false, at: 21n });
    expect(r.notes.find((n) => n.key === `bond-uncovered/${BOND}`)).toMatchObject({ level: 'warn' });
    const quiet = run(initialLearningState(), obs(), 5n);
    expect(quiet.s.terms).toMatchObject({ bond: BOND.toString(), covered: true });
    expect(quiet.notes).toEqual([]);
  });

  it('leaves a submission another validator challenged, and does nothing when off or past the period', () => {
    const other = challengeObs({ challenger: C, status: 'open', disclosure: null });
    expect(run(hinted(0.9), obs({ challenges: [other] }), 21n).actions).toEqual([]);
    const off = hinted(0.9);
    off.settings.auto = false;
    expect(run(off, obs(), 21n).actions).toEqual([]);
    const late = run(hinted(0.9), obs({ periodEnd: 21n }), 21n);
    expect(late.actions).toEqual([]);
    expect(late.notes[0]!.message).toMatch(/challenge period is over/);
  });
});

describe('the challenger: check the whole transcript, dispute the first failing segment', () => {
  it('segmentToDispute: the first failing, the segment a problem shows, none when all replay', () => {
    expect(segmentToDispute(progress({ status: 'fails', firstFailing: 2 }))).toBe(2);
    expect(segmentToDispute(progress({ status: 'replays' }))).toBeNull();
    expect(segmentToDispute(progress({ status: 'replaying' }))).toBeNull();
    const problem = (
      kind: 'mismatch' | 'foreign-start' | 'not-the-artifact' | 'unavailable',
      firstFailing: number | null = null,
    ) => progress({ status: 'problem', problem: { kind, message: kind }, firstFailing });
    expect(segmentToDispute(problem('not-the-artifact', 3))).toBe(3);
    expect(segmentToDispute(problem('foreign-start', 0))).toBe(0);
    expect(segmentToDispute(problem('mismatch', 0))).toBe(0);
    expect(segmentToDispute(problem('unavailable', 2))).toBe(2);
  });

  it('starts the check once disclosed, disputes the first failing segment in time, once', () => {
    const l = initialLearningState();
    const c = challengeObs();
    expect(run(l, obs({ challenges: [challengeObs({ status: 'open', disclosure: null })] }), 100n).actions).toEqual([]);
    const r = run(l, obs({ challenges: [c] }), 100n);
    expect(r.actions).toEqual([
      { type: 'checkTranscript', challengeId: '7', submissionId: 1, mode: 'whole', segment: null },
    ]);
    // Running: not started twice.
    expect(run(l, obs({ challenges: [c], local: { checking: ['7/whole'] } }), 101n).actions).toEqual([]);
    // One check at a time (the replays share one eval worker): a second challenge waits for the first.
    const two = run(l, obs({ challenges: [c, challengeObs({ challengeId: '8', submissionId: 2 })] }), 100n);
    expect(two.actions).toEqual([
      { type: 'checkTranscript', challengeId: '7', submissionId: 1, mode: 'whole', segment: null },
    ]);
    const other = obs({
      challenges: [challengeObs({ challengeId: '8', submissionId: 2 })],
      local: { checking: ['7/whole'] },
    });
    expect(run(l, other, 101n).actions).toEqual([]);
    const failed = record(l, {
      type: 'transcriptChecked',
      key: checkKey('7', 'whole'),
      progress: progress({ status: 'fails', firstFailing: 2, checked: [seg(0, true), seg(1, true), seg(2, false)] }),
      at: 150n,
    });
    const d = run(failed, obs({ challenges: [c] }), 160n);
    expect(d.actions).toEqual([{ type: 'disputeSegment', challengeId: '7', segment: 2 }]);
    expect(d.notes.find((n) => n.key === 'dispute/7')!.message).toMatch(
      /segment 2 of 4 does not replay \(5 coordinates/,
    );
    const sent = record(d.s, { type: 'learningSent', action: 'disputeSegment', challengeId: '7', at: 161n });
    expect(run(sent, obs({ challenges: [c] }), 500n).actions).toEqual([]);
  });

  it('names no segment when every segment replays', () => {
    const l = record(initialLearningState(), {
      type: 'transcriptChecked',
      key: checkKey('7', 'whole'),
      progress: progress({ status: 'replays', checked: [0, 1, 2, 3].map((i) => seg(i, true)) }),
      at: 150n,
    });
    const r = run(l, obs({ challenges: [challengeObs()] }), 160n);
    expect(r.actions).toEqual([]);
    expect(r.notes.map((n) => n.key)).toEqual(['replays/7']);
  });

  it('a check that could not fetch is tried again, then counts as failing', () => {
    let l = initialLearningState();
    const unavailable = progress({
      status: 'problem',
      problem: { kind: 'unavailable', message: 'gateway down' },
      firstFailing: 1,
    });
    for (let i = 0; i < 3; i++) {
      const r = run(l, obs({ challenges: [challengeObs()] }), 100n + 20n * BigInt(i));
      expect(r.actions).toEqual([
        { type: 'checkTranscript', challengeId: '7', submissionId: 1, mode: 'whole', segment: null },
      ]);
      l = record(r.s, { type: 'transcriptChecked', key: '7/whole', progress: unavailable, at: 100n + 20n * BigInt(i) });
    }
    expect(run(l, obs({ challenges: [challengeObs()] }), 200n).actions).toEqual([
      { type: 'disputeSegment', challengeId: '7', segment: 1 },
    ]);
  });

  it('past the dispute deadline nothing is sent, and the note says why', () => {
    const l = record(initialLearningState(), {
      type: 'transcriptChecked',
      key: '7/whole',
      progress: progress({ status: 'fails', firstFailing: 0, checked: [seg(0, false)] }),
      at: 150n,
    });
    const r = run(l, obs({ challenges: [challengeObs()] }), 2_001n);
    expect(r.actions).toEqual([]);
    expect(r.notes.map((n) => n.key)).toEqual(['dispute-missed/7']);
  });
});

describe('the juror: verdicts in the vote windows, and the jury share', () => {
  const dispute = { disputer: C, segment: 2, commitEnd: 1_000n, voteEnd: 1_100n };
  const disputed = (over: Partial<ChallengeObs> = {}) =>
    challengeObs({ challenger: C, status: 'disputed', dispute, ...over });

  it('voteWindow: commits before commitEnd, reveals from it until voteEnd inclusive', () => {
    expect(voteWindow(dispute, 999n)).toBe('commit');
    expect(voteWindow(dispute, 1_000n)).toBe('reveal');
    expect(voteWindow(dispute, 1_100n)).toBe('reveal');
    expect(voteWindow(dispute, 1_101n)).toBe('over');
  });

  it('verdictOf: a clean replay replays; problems fail the segments they concern', () => {
    const p = progress({ status: 'fails', firstFailing: 2, checked: [seg(0, true), seg(1, true), seg(2, false)] });
    expect([0, 1, 2, 3].map((i) => verdictOf(p, i))).toEqual([true, true, false, null]);
    const art = progress({
      status: 'problem',
      problem: { kind: 'not-the-artifact', message: '' },
      checked: [seg(0, true)],
    });
    expect([0, 1, 3].map((i) => verdictOf(art, i))).toEqual([true, null, false]);
    const mismatch = progress({ status: 'problem', problem: { kind: 'mismatch', message: '' } });
    expect(verdictOf(mismatch, 1)).toBe(false);
  });

  it('checks the disputed segment, commits with a stored salt, reveals the same in the second half, claims when in the majority', () => {
    const l0 = initialLearningState();
    const r1 = run(l0, obs({ challenges: [disputed()] }), 900n);
    expect(r1.actions).toEqual([
      { type: 'checkTranscript', challengeId: '7', submissionId: 1, mode: 'segment', segment: 2 },
    ]);
    expect(r1.s.verdicts['7']!.status).toBe('checking');
    const l1 = record(r1.s, {
      type: 'transcriptChecked',
      key: '7/segment',
      progress: progress({ mode: 'segment', status: 'fails', toCheck: [2], firstFailing: 2, checked: [seg(2, false)] }),
      at: 950n,
    });
    const salt = hex32(0x5a1757);
    const r2 = run(l1, obs({ challenges: [disputed()] }), 951n, {}, salt);
    expect(r2.actions).toEqual([{ type: 'commitVerdict', challengeId: '7', replays: false, salt }]);
    // The salt is in the state the runner stores before it sends the commitment.
    expect(r2.s.verdicts['7']).toMatchObject({ status: 'prepared', replays: false, salt });
    const l2 = record(r2.s, { type: 'learningSent', action: 'commitVerdict', challengeId: '7', at: 952n });
    // Still the commit half: nothing to do.
    expect(
      run(l2, obs({ challenges: [disputed({ vote: { committed: true, verdict: null, claimed: false } })] }), 999n)
        .actions,
    ).toEqual([]);
    const r3 = run(
      l2,
      obs({ challenges: [disputed({ vote: { committed: true, verdict: null, claimed: false } })] }),
      1_000n,
      {},
      hex32(1),
    );
    expect(r3.actions).toEqual([{ type: 'revealVerdict', challengeId: '7', replays: false, salt }]);
    const l3 = record(r3.s, { type: 'learningSent', action: 'revealVerdict', challengeId: '7', at: 1_001n });
    const settled = (majority: 'replays' | 'does-not-replay', share: bigint) =>
      disputed({
        status: 'upheld',
        majority,
        share,
        vote: { committed: true, verdict: 'does-not-replay', claimed: false },
      });
    expect(run(l3, obs({ challenges: [settled('replays', 0n)] }), 1_200n).actions).toEqual([]);
    expect(run(l3, obs({ challenges: [settled('does-not-replay', 3n * WAD)] }), 1_200n).actions).toEqual([
      { type: 'claimJuryShare', challengeId: '7' },
    ]);
  });

  it('the challenger votes from its whole check without replaying again', () => {
    const l = record(initialLearningState(), {
      type: 'transcriptChecked',
      key: '7/whole',
      progress: progress({ status: 'fails', firstFailing: 2, checked: [seg(0, true), seg(1, true), seg(2, false)] }),
      at: 800n,
    });
    const r = run(l, obs({ challenges: [disputed({ challenger: VALIDATOR })] }), 900n, {}, hex32(9));
    expect(r.actions.map((a) => a.type)).toEqual(['commitVerdict']);
    expect(r.actions[0]).toMatchObject({ replays: false, salt: hex32(9) });
  });

  it('does not vote without weight, nor after the commit half; a check too slow is noted', () => {
    expect(run(initialLearningState(), obs({ challenges: [disputed()], jurorWeight: 0n }), 900n).actions).toEqual([]);
    expect(run(initialLearningState(), obs({ challenges: [disputed()] }), 1_000n).actions).toEqual([]);
    const checking = run(initialLearningState(), obs({ challenges: [disputed()] }), 900n).s;
    const late = run(checking, obs({ challenges: [disputed()], local: { checking: ['7/segment'] } }), 1_000n);
    expect(late.actions).toEqual([]);
    expect(late.s.verdicts['7']!.status).toBe('missed');
    expect(late.notes.map((n) => n.key)).toEqual(['verdict-missed/7']);
  });

  it('a stored state from before the learning stage opens with it', () => {
    expect(DEFAULT_VALIDATOR_CONFIG.maxCheckAttempts).toBe(3);
    const old = initialValidatorState(validatorScope) as Partial<ReturnType<typeof initialValidatorState>>;
    delete old.learning;
    const s = validatorCommand(old as ReturnType<typeof initialValidatorState>, {
      type: 'challengeSettings',
      auto: false,
    });
    expect(s.learning.settings.auto).toBe(false);
  });
});
