// The Challenges page's stage view (issue 11 section 4): the five stages with their times by
// chain time, who owes what now, the verdict tally, the money moved, what a connected account may
// do as challenger, juror or trainer (and why not), the segment field, the forecast of a resolve,
// a validator's replay progress (TranscriptCheckProgress fixtures) and the kept verdict salts.
import { getAddress, type Address, type Hex } from 'viem';
import { describe, expect, it } from 'vitest';
import type { TranscriptCheckProgress } from '../../../src/lib/agents/transcript-check.ts';
import type { ChallengeView } from '../../../src/lib/chain/actions/read-challenges.ts';
import type { TallyView } from '../../../src/lib/chain/actions/read-verdicts.ts';
import {
  challengeStages,
  checkView,
  jurorActions,
  moneyMoved,
  owedNow,
  parseSegment,
  resolveForecast,
  tallySummary,
  type VerdictRead,
} from '../../../src/lib/app-logic/challenges-view.ts';
import { ActionInputError, type ActionContext } from '../../../src/lib/chain/actions/context.ts';
import { commitKeptVerdict, forgetRevealed, revealKeptVerdict } from '../../../src/lib/app-logic/verdict-flow.ts';
import {
  forgetVerdict,
  keepVerdict,
  loadVerdict,
  verdictKey,
  type KeyValue,
} from '../../../src/lib/app-logic/verdict-salts.ts';

const a = (n: number) => getAddress(`0x${n.toString(16).padStart(40, '0')}`) as Address;
const WAD = 10n ** 18n;
const TRAINER = a(0xa1),
  CHALLENGER = a(0xb1),
  JUROR = a(0xc1),
  NOBODY = a(0xd1);
const MANIFEST = `0x${'cd'.repeat(32)}` as Hex;

const challenge = (over: Partial<ChallengeView> = {}): ChallengeView => ({
  challengeId: 1n,
  taskId: 3n,
  submissionId: 2n,
  trainer: TRAINER,
  challenger: CHALLENGER,
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
const answered: Partial<ChallengeView> = {
  status: 'answered',
  proven: true,
  disclosure: MANIFEST,
  disputeDeadline: 1_500n,
  proofAt: { block: 11n, time: 1_040n, tx: '0x02' },
  disclosedAt: { block: 12n, time: 1_050n, tx: '0x03' },
  answeredAt: { block: 12n, time: 1_050n, tx: '0x03' },
};
const disputed: Partial<ChallengeView> = {
  ...answered,
  status: 'disputed',
  dispute: { disputer: JUROR, segment: 3, commitEnd: 1_700n, voteEnd: 1_900n },
  disputedAt: { block: 13n, time: 1_450n, tx: '0x04' },
};
const tally = (over: Partial<TallyView> = {}): TallyView => ({
  replaysStake: 0n,
  doesNotReplayStake: 0n,
  replaysVoters: 0,
  doesNotReplayVoters: 0,
  majority: null,
  juryPot: 0n,
  juryPaid: 0n,
  claims: 0,
  ...over,
});
const ZERO = `0x${'00'.repeat(32)}` as Hex;
const COMMITTED = `0x${'ab'.repeat(32)}` as Hex;
const verdict = (t: Partial<TallyView>, mine: Partial<NonNullable<VerdictRead['mine']>> | null, committed = 0) => ({
  tally: tally(t),
  committed,
  mine: mine ? { commitment: ZERO, weight: 0n, verdict: null, claimed: false, share: 0n, ...mine } : null,
});
const shape = (c: ChallengeView, now: bigint, lost = false) =>
  challengeStages(c, now, lost).map((s) => [s.kind, s.status, s.at, s.deadline]);

describe('challengeStages and owedNow', () => {
  it('open: proof and disclosure owed by the trainer until the deadline, the rest waits', () => {
    expect(shape(challenge(), 1_100n)).toEqual([
      ['proof', 'current', null, 1_300n],
      ['disclosure', 'current', null, 1_300n],
      ['dispute', 'waiting', null, null],
      ['votes', 'waiting', null, null],
      ['outcome', 'waiting', null, null],
    ]);
    expect(owedNow(challenge(), 1_100n)).toEqual({
      who: 'trainer',
      text: '0x0000…00A1 owes its ownership proof and its training transcript.',
      until: 1_300n,
    });
    // Half an answer: only the missing half is owed.
    const half = challenge({ proven: true, proofAt: { block: 11n, time: 1_040n, tx: '0x02' } });
    expect(shape(half, 1_100n).slice(0, 2)).toEqual([
      ['proof', 'done', 1_040n, 1_300n],
      ['disclosure', 'current', null, 1_300n],
    ]);
    expect(owedNow(half, 1_100n)!.text).toBe('0x0000…00A1 owes its training transcript.');
  });

  it('open past the deadline: the missing halves are missed, nothing can be disputed, anyone may resolve', () => {
    expect(shape(challenge(), 1_301n)).toEqual([
      ['proof', 'missed', null, 1_300n],
      ['disclosure', 'missed', null, 1_300n],
      ['dispute', 'skipped', null, null],
      ['votes', 'waiting', null, null],
      ['outcome', 'current', null, null],
    ]);
    // The deadline itself is still inside the window (inclusive).
    expect(owedNow(challenge(), 1_300n)!.who).toBe('trainer');
    expect(owedNow(challenge(), 1_301n)).toEqual({
      who: 'anyone',
      text: 'Anyone may resolve the challenge now.',
      until: null,
    });
  });

  it('answered: both halves done with their times, the dispute window is current until its deadline', () => {
    const c = challenge(answered);
    expect(shape(c, 1_200n)).toEqual([
      ['proof', 'done', 1_040n, 1_300n],
      ['disclosure', 'done', 1_050n, 1_300n],
      ['dispute', 'current', null, 1_500n],
      ['votes', 'waiting', null, null],
      ['outcome', 'waiting', null, null],
    ]);
    expect(challengeStages(c, 1_200n)[1]!.note).toBe('Manifest 0xcdcd…cdcd posted.');
    expect(owedNow(c, 1_500n)).toMatchObject({ who: 'disputers', until: 1_500n });
    expect(shape(c, 1_501n).slice(2)).toEqual([
      ['dispute', 'missed', null, 1_500n],
      ['votes', 'skipped', null, null],
      ['outcome', 'current', null, null],
    ]);
  });

  it('disputed: commits until commitEnd (exclusive), reveals until voteEnd (inclusive), then resolvable', () => {
    const c = challenge(disputed);
    const votes = (now: bigint) => challengeStages(c, now).find((s) => s.kind === 'votes')!;
    expect(challengeStages(c, 1_600n)[2]).toMatchObject({
      status: 'done',
      at: 1_450n,
      note: '0x0000…00C1 named segment 3 as not replaying.',
    });
    expect(votes(1_600n)).toMatchObject({ status: 'current', deadline: 1_699n });
    expect(votes(1_600n).note).toMatch(/^Validators commit their verdicts \(reveals from 1970-01-01 00:28:20 UTC\)\.$/);
    expect(owedNow(c, 1_699n)).toEqual({
      who: 'jurors',
      text: 'Validators commit their verdicts on the segment.',
      until: 1_699n,
    });
    expect(votes(1_700n)).toMatchObject({
      status: 'current',
      deadline: 1_900n,
      note: 'Validators who committed reveal their verdicts.',
    });
    expect(owedNow(c, 1_900n)).toMatchObject({ who: 'jurors', until: 1_900n });
    expect(votes(1_901n)).toMatchObject({ status: 'done' });
    expect(owedNow(c, 1_901n)!.who).toBe('anyone');
  });

  it('settled: the outcome is done at its time, nothing is owed; a void skips what did not happen', () => {
    const up = challenge({
      ...disputed,
      status: 'upheld',
      settled: { block: 20n, time: 2_000n, tx: '0x09', rewards: 0n, slashed: WAD, juryShare: WAD / 10n },
    });
    expect(shape(up, 2_100n).at(-1)).toEqual(['outcome', 'done', 2_000n, null]);
    expect(shape(up, 2_100n)[3]![1]).toBe('done');
    expect(owedNow(up, 2_100n)).toBeNull();
    const cleared = challenge({
      ...answered,
      status: 'cleared',
      settled: { block: 20n, time: 1_600n, tx: '0x09', toTrainer: 5n * WAD, juryShare: 0n },
    });
    expect(
      shape(cleared, 1_700n)
        .slice(2)
        .map((s) => s[1]),
    ).toEqual(['missed', 'skipped', 'done']);
    const voided = challenge({ status: 'voided', settled: { block: 20n, time: 1_200n, tx: '0x09' } });
    expect(shape(voided, 1_250n).map((s) => s[1])).toEqual(['skipped', 'skipped', 'skipped', 'skipped', 'done']);
    // The trainer already forfeited elsewhere: only resolving (void) is left, at any time.
    expect(owedNow(challenge(), 1_100n, true)!.who).toBe('anyone');
    expect(shape(challenge(), 1_100n, true).map((s) => s[1])).toEqual([
      'missed',
      'missed',
      'skipped',
      'skipped',
      'current',
    ]);
  });
});

describe('tallySummary', () => {
  it('counts committed and revealed jurors, stake and share per side, and who leads', () => {
    const s = tallySummary(
      verdict(
        { replaysStake: 15n * WAD, replaysVoters: 1, doesNotReplayStake: 45n * WAD, doesNotReplayVoters: 2 },
        null,
        4,
      ),
      false,
    );
    expect([s.committed, s.revealed]).toEqual([4, 3]);
    expect(s.lines.map((l) => [l.label, l.voters, l.stake, l.fraction])).toEqual([
      ['Replays', 1, 15n * WAD, 0.25],
      ['Does not replay', 2, 45n * WAD, 0.75],
    ]);
    expect(s.sentence).toBe('3 of 4 committed verdicts revealed: "does not replay" leads by revealed stake.');
    expect(tallySummary(verdict({}, null, 1), false).sentence).toBe(
      '1 verdict committed, none revealed yet: a tie or no votes clears the trainer.',
    );
    expect(
      tallySummary(
        verdict({ majority: 'does-not-replay', doesNotReplayStake: WAD, doesNotReplayVoters: 1 }, null, 1),
        true,
      ).sentence,
    ).toBe('The majority found the segment does not replay.');
    expect(
      tallySummary(
        verdict({ replaysStake: WAD, doesNotReplayStake: WAD, replaysVoters: 1, doesNotReplayVoters: 1 }, null, 2),
        true,
      ).sentence,
    ).toBe('No majority (a tie or no revealed verdicts): the trainer was cleared.');
  });
});

describe('moneyMoved', () => {
  it('upheld after a vote: bond back, forfeit and slash, jury share, and the challenger gets the forfeit less the jury share', () => {
    const c = challenge({
      ...disputed,
      status: 'upheld',
      settled: { block: 20n, time: 2_000n, tx: '0x09', rewards: 3n * WAD, slashed: 7n * WAD, juryShare: WAD },
    });
    expect(moneyMoved(c, tally({ juryPaid: WAD / 2n, claims: 1 })).map((m) => [m.label, m.wei, m.to])).toEqual([
      ['Bond returned', 5n * WAD, '0x0000…00B1'],
      ['Rewards forfeited', 3n * WAD, '0x0000…00B1'],
      ['Stake slashed', 7n * WAD, '0x0000…00B1'],
      ['Jury share (majority jurors, pro rata to stake)', WAD, 'majority jurors'],
      ['Jury share claimed (1 claim)', WAD / 2n, 'majority jurors'],
      ['Paid to the challenger (forfeit less the jury share)', 9n * WAD, '0x0000…00B1'],
    ]);
  });

  it('cleared, void and unsettled', () => {
    const cleared = challenge({
      ...disputed,
      status: 'cleared',
      settled: { block: 20n, time: 2_000n, tx: '0x09', toTrainer: 4n * WAD, juryShare: WAD },
    });
    expect(moneyMoved(cleared, null).map((m) => [m.label, m.wei, m.to])).toEqual([
      ['Bond paid to the trainer', 4n * WAD, '0x0000…00A1'],
      ['Jury share (majority jurors, pro rata to stake)', WAD, 'majority jurors'],
    ]);
    expect(moneyMoved(challenge({ status: 'voided' }), null)).toEqual([
      { label: 'Bond returned', wei: 5n * WAD, to: '0x0000…00B1' },
    ]);
    expect(moneyMoved(challenge(disputed), null)).toEqual([
      { label: 'Bond held by the challenge module', wei: 5n * WAD, to: 'held' },
    ]);
  });
});

describe('jurorActions', () => {
  const none = { show: false, why: null };
  it('dispute: the challenger and staked validators may, others see why not, the trainer sees nothing; only in the window', () => {
    const c = challenge(answered);
    expect(
      jurorActions(c, 1_400n, { account: CHALLENGER, weight: 0n, verdict: null, saltKept: false }).dispute,
    ).toEqual({ show: true, why: null });
    expect(jurorActions(c, 1_400n, { account: JUROR, weight: WAD, verdict: null, saltKept: false }).dispute).toEqual({
      show: true,
      why: null,
    });
    expect(
      jurorActions(c, 1_400n, { account: NOBODY, weight: 0n, verdict: null, saltKept: false }).dispute.why,
    ).toMatch(/^Only the challenger or a validator of this task whose own stake counts/);
    expect(jurorActions(c, 1_400n, { account: TRAINER, weight: 0n, verdict: null, saltKept: false }).dispute).toEqual(
      none,
    );
    expect(
      jurorActions(c, 1_501n, { account: CHALLENGER, weight: WAD, verdict: null, saltKept: false }).dispute,
    ).toEqual(none);
    expect(jurorActions(c, 1_400n, { account: null, weight: 0n, verdict: null, saltKept: false })).toEqual({
      dispute: none,
      commit: none,
      reveal: none,
      claim: none,
    });
  });

  it('commit before commitEnd by a staked validator, once; reveal in the second half only with the salt on this device', () => {
    const c = challenge(disputed);
    const fresh = verdict({}, {});
    const mine = verdict({}, { commitment: COMMITTED, weight: WAD });
    expect(jurorActions(c, 1_600n, { account: JUROR, weight: WAD, verdict: fresh, saltKept: false }).commit).toEqual({
      show: true,
      why: null,
    });
    expect(
      jurorActions(c, 1_600n, { account: NOBODY, weight: 0n, verdict: fresh, saltKept: false }).commit.why,
    ).toMatch(/^Only a validator of this task/);
    const after = jurorActions(c, 1_600n, { account: JUROR, weight: WAD, verdict: mine, saltKept: true });
    expect(after.commit.why).toBe('You committed your verdict; reveal it once the commit half of the vote is over.');
    expect(after.reveal.why).toBe('Reveals open at 1970-01-01 00:28:20 UTC.');
    expect(jurorActions(c, 1_700n, { account: JUROR, weight: WAD, verdict: mine, saltKept: true })).toMatchObject({
      commit: none,
      reveal: { show: true, why: null },
    });
    expect(jurorActions(c, 1_900n, { account: JUROR, weight: WAD, verdict: mine, saltKept: false }).reveal.why).toMatch(
      /^The salt of your committed verdict is not on this device/,
    );
    expect(jurorActions(c, 1_901n, { account: JUROR, weight: WAD, verdict: mine, saltKept: true }).reveal).toEqual(
      none,
    );
    const revealed = verdict({}, { commitment: COMMITTED, weight: WAD, verdict: 'replays' });
    expect(
      jurorActions(c, 1_800n, { account: JUROR, weight: WAD, verdict: revealed, saltKept: false }).reveal.why,
    ).toBe('Your verdict is revealed.');
    // The accused never votes on its own transcript.
    expect(jurorActions(c, 1_600n, { account: TRAINER, weight: WAD, verdict: fresh, saltKept: false }).commit).toEqual(
      none,
    );
  });

  it('claim: majority jurors with a share; others see why not', () => {
    const c = challenge({ ...disputed, status: 'upheld' });
    const t = { majority: 'does-not-replay' as const, juryPot: WAD };
    const claim = (mine: Partial<NonNullable<VerdictRead['mine']>>) =>
      jurorActions(c, 2_000n, {
        account: JUROR,
        weight: WAD,
        verdict: verdict(t, { commitment: COMMITTED, ...mine }),
        saltKept: false,
      }).claim;
    expect(claim({ verdict: 'does-not-replay', share: WAD })).toEqual({ show: true, why: null });
    expect(claim({ verdict: 'replays', share: 0n }).why).toMatch(/^Your verdict was not the majority's/);
    expect(claim({ verdict: 'does-not-replay', claimed: true }).why).toBe('You took your jury share.');
    expect(claim({ verdict: null })).toEqual(none);
    expect(
      jurorActions(c, 2_000n, {
        account: JUROR,
        weight: WAD,
        verdict: verdict({}, { verdict: 'replays' }),
        saltKept: false,
      }).claim,
    ).toEqual(none);
  });
});

describe('parseSegment and resolveForecast', () => {
  it('takes 0..K-1 and names the range otherwise', () => {
    expect(parseSegment(' 3 ', 8)).toEqual({ ok: true, value: 3 });
    expect(parseSegment('8', 8)).toEqual({
      ok: false,
      error: 'Segment 8 does not exist: enter a segment from 0 to 7 (the transcript has 8 segments).',
    });
    for (const bad of ['', '-1', '1.5', 'two', '0x3'])
      expect(parseSegment(bad, 8)).toEqual({
        ok: false,
        error: 'Enter a segment from 0 to 7 (the transcript has 8 segments).',
      });
  });

  it('forecasts the module rule: open upheld, strict majority upheld, tie cleared, forfeited void', () => {
    expect(resolveForecast(challenge(), null).outcome).toBe('upheld');
    expect(resolveForecast(challenge(disputed), tally({ doesNotReplayStake: 2n, replaysStake: 1n })).outcome).toBe(
      'upheld',
    );
    const tie = resolveForecast(challenge(disputed), tally({ doesNotReplayStake: 1n, replaysStake: 1n }));
    expect(tie).toEqual({ outcome: 'cleared', sentence: 'Cleared: the bond of 5 ARENA goes to 0x0000…00A1.' });
    expect(resolveForecast(challenge(disputed), tally({ replaysStake: 1n })).sentence).toBe(
      'Cleared: the bond of 5 ARENA goes to 0x0000…00A1, less the majority jurors’ share.',
    );
    expect(resolveForecast(challenge(answered), null).outcome).toBe('cleared');
    expect(resolveForecast(challenge(disputed), null, true).outcome).toBe('voided');
  });
});

describe('checkView (TranscriptCheckProgress fixtures)', () => {
  const base: TranscriptCheckProgress = {
    challengeId: '1',
    taskId: '3',
    trainer: TRAINER,
    manifest: MANIFEST,
    mode: 'whole',
    status: 'fetching',
    segments: 8,
    toCheck: [0, 1, 2, 3, 4, 5, 6, 7],
    checked: [],
    firstFailing: null,
    startedAt: 0,
    updatedAt: 0,
  };
  const ok = (segment: number) => ({ segment, replays: true, failing: 0, maxDeviation: 0, seconds: 1.25 });
  const bad = { segment: 2, replays: false, failing: 17, maxDeviation: 0.01234, seconds: 12.6 };

  it('null renders nothing; fetching is indeterminate', () => {
    expect(checkView(null)).toBeNull();
    expect(checkView(base)).toMatchObject({
      status: 'Fetching the disclosed transcript…',
      bar: { label: 'Fetching', value: null },
      counts: '0 of 8 segments checked',
    });
  });

  it('replaying: the bar counts segments done and the steps of the current one; a failure so far is the segment to dispute', () => {
    const v = checkView({
      ...base,
      status: 'replaying',
      checked: [ok(0), ok(1), bad],
      firstFailing: 2,
      step: { segment: 3, done: 50, of: 100 },
    })!;
    expect(v.bar).toEqual({ label: 'Replaying segment 3: step 50 of 100', value: 3.5 / 8 });
    expect(v.status).toBe('Replaying; segment 2 does not replay.');
    expect(v.dispute).toBe(2);
    expect(v.rows).toEqual([
      { segment: 0, replays: true, text: 'replays (1.3 s)' },
      { segment: 1, replays: true, text: 'replays (1.3 s)' },
      {
        segment: 2,
        replays: false,
        text: 'does not replay: 17 coordinates outside the rule, largest deviation 0.0123 (13 s)',
      },
    ]);
    expect(v.counts).toBe('3 of 8 segments checked');
  });

  it('ends: replays, fails (dispute it), a problem with its message, cancelled; a juror checks the disputed segment only', () => {
    expect(checkView({ ...base, status: 'replays', checked: [0, 1, 2, 3, 4, 5, 6, 7].map(ok) })).toMatchObject({
      status: 'Every segment checked replays.',
      tone: 'ok',
      bar: null,
      dispute: null,
      counts: '8 of 8 segments checked',
    });
    expect(checkView({ ...base, status: 'fails', checked: [ok(0), ok(1), bad], firstFailing: 2 })).toMatchObject({
      status: 'Segment 2 does not replay: dispute it.',
      tone: 'error',
      dispute: 2,
    });
    expect(
      checkView({
        ...base,
        status: 'problem',
        problem: { kind: 'mismatch', message: 'The manifest names another trajRoot.' },
      })!.status,
    ).toBe('The check stopped: The manifest names another trajRoot.');
    expect(checkView({ ...base, status: 'cancelled' })!.tone).toBe('muted');
    const juror = checkView({ ...base, mode: 'segment', toCheck: [3], status: 'replays', checked: [ok(3)] })!;
    expect([juror.status, juror.counts]).toEqual([
      'The disputed segment replays.',
      '1 of 1 segment checked (the disputed one)',
    ]);
  });
});

describe('verdict salts', () => {
  const memory = (): KeyValue & { map: Map<string, string> } => {
    const map = new Map<string, string>();
    return {
      map,
      getItem: (k) => map.get(k) ?? null,
      setItem: (k, v) => void map.set(k, v),
      removeItem: (k) => void map.delete(k),
    };
  };
  const place = { chainId: 31337, module: a(0xeeee), challengeId: 7n, juror: JUROR };
  const salt = `0x${'5a'.repeat(32)}` as Hex;

  it('keeps, finds (only for the same chain, module, challenge and juror) and forgets a verdict', () => {
    const s = memory();
    keepVerdict(s, place, { replays: false, salt, segment: 3 });
    expect(loadVerdict(s, place)).toEqual({ replays: false, salt, segment: 3 });
    expect(verdictKey(place)).toBe(`aiarena-verdict:31337:${a(0xeeee).toLowerCase()}:7:${JUROR.toLowerCase()}`);
    for (const other of [{ chainId: 1 }, { challengeId: 8n }, { juror: NOBODY }, { module: a(0xffff) }])
      expect(loadVerdict(s, { ...place, ...other })).toBeNull();
    forgetVerdict(s, place);
    expect(loadVerdict(s, place)).toBeNull();
  });

  it('a storage that refuses throws before anything is sent; garbage stored reads as nothing', () => {
    const full: KeyValue = {
      getItem: () => null,
      setItem: () => {
        throw new Error('QuotaExceededError');
      },
      removeItem: () => undefined,
    };
    expect(() => keepVerdict(full, place, { replays: true, salt, segment: 0 })).toThrow(
      /^The verdict's salt could not be kept in this browser \(QuotaExceededError\), so nothing was sent/,
    );
    expect(() => keepVerdict(undefined, place, { replays: true, salt, segment: 0 })).toThrow(/keeps no local storage/);
    const s = memory();
    for (const raw of [
      'not json',
      '{"replays":true,"salt":"0x12","segment":1}',
      '{"replays":"yes","salt":"' + salt + '","segment":1}',
    ]) {
      s.map.set(verdictKey(place), raw);
      expect(loadVerdict(s, place)).toBeNull();
    }
  });
});

describe('verdict flow: nothing is sent without a kept salt', () => {
  const module = a(0xeeee);
  /** A context whose chain and wallet fail the test if touched. */
  const untouched = () => {
    let touched = 0;
    const trap = new Proxy({}, { get: () => (touched++, () => Promise.reject(new Error('touched'))) });
    const ctx = {
      publicClient: trap,
      deployment: { chainId: 31337, contracts: { challengeModule: module } },
      wallet: new Proxy(
        { account: { address: JUROR } },
        { get: (t, k) => (k === 'account' ? t.account : (touched++, trap)) },
      ),
    } as unknown as ActionContext;
    return { ctx, touched: () => touched };
  };

  it('commit: a storage that refuses the salt stops before any read or prompt', async () => {
    const { ctx, touched } = untouched();
    const full: KeyValue = {
      getItem: () => null,
      setItem: () => {
        throw new Error('QuotaExceededError');
      },
      removeItem: () => undefined,
    };
    await expect(commitKeptVerdict(ctx, full, { challengeId: 1n, segment: 3, replays: false })).rejects.toThrow(
      /so nothing was sent/,
    );
    expect(touched()).toBe(0);
  });

  it('reveal: no kept salt on this device is said before any read or prompt; forgetRevealed drops only the revealed', async () => {
    const { ctx, touched } = untouched();
    const map = new Map<string, string>();
    const s: KeyValue = {
      getItem: (k) => map.get(k) ?? null,
      setItem: (k, v) => void map.set(k, v),
      removeItem: (k) => void map.delete(k),
    };
    const err = await revealKeptVerdict(ctx, s, { challengeId: 1n }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ActionInputError);
    expect((err as ActionInputError).field).toBe('salt');
    expect((err as Error).message).toMatch(/^The salt of your committed verdict is not on this device/);
    expect(touched()).toBe(0);
    const salt = `0x${'5a'.repeat(32)}` as Hex;
    const where = { chainId: 31337, module, juror: JUROR };
    for (const challengeId of [1n, 2n]) keepVerdict(s, { ...where, challengeId }, { replays: true, salt, segment: 0 });
    forgetRevealed(s, where, [2n]);
    expect(loadVerdict(s, { ...where, challengeId: 1n })).not.toBeNull();
    expect(loadVerdict(s, { ...where, challengeId: 2n })).toBeNull();
  });
});
