import type { Hex } from 'viem';
import { describe, expect, it } from 'vitest';
import {
  parseJoin,
  parseSigmaPercent,
  sigmaChangeText,
  sigmaPreview,
  stakeView,
} from '../../../src/app/pages/train/stake.ts';
import { resultText } from '../../../src/app/pages/train/train-view.ts';

const WAD = 10n ** 18n;
const ZERO = `0x${'0'.repeat(64)}` as Hex;

describe('stakeView', () => {
  it('reads a trainer pool: latest stake, sigma as a percentage, key commitment, first epoch', () => {
    const key = `0x${'ab'.repeat(32)}` as Hex;
    expect(
      stakeView({
        ownLatest: 10n * WAD,
        delegatedLatest: 5n * WAD,
        sigmaLatest: WAD / 2n,
        role: 1,
        eligibleFrom: 0,
        keyCommit: key,
      }),
    ).toEqual({
      role: 'Trainer',
      own: 10n * WAD,
      delegated: 5n * WAD,
      sigmaPercent: '50.0 %',
      keyCommit: key,
      eligibleFrom: 0,
      sigmaChange: null,
    });
  });

  it('reads a pending change of sigma: from what, to what, from which epoch', () => {
    const base = { ownLatest: WAD, delegatedLatest: 0n, role: 1, eligibleFrom: 0, keyCommit: ZERO };
    expect(stakeView({ ...base, sigmaLatest: WAD / 2n, sigma: WAD / 4n, lastSigmaEpoch: 3 }).sigmaChange).toEqual({
      fromPercent: '25.0 %',
      toPercent: '50.0 %',
      epoch: 3,
    });
    expect(stakeView({ ...base, sigmaLatest: WAD / 2n, sigma: WAD / 2n, lastSigmaEpoch: 3 }).sigmaChange).toBeNull();
    expect(
      stakeView({ ...base, sigmaLatest: WAD / 2n, sigma: WAD / 4n, lastSigmaEpoch: 2 ** 32 - 1 }).sigmaChange,
    ).toBeNull();
  });

  it('treats no key and the "never" epoch as absent', () => {
    const v = stakeView({
      ownLatest: 0n,
      delegatedLatest: 0n,
      sigmaLatest: (125n * WAD) / 1000n,
      role: 2,
      eligibleFrom: 2 ** 32 - 1,
      keyCommit: ZERO,
    });
    expect(v).toMatchObject({ role: 'Validator', keyCommit: null, eligibleFrom: null, sigmaPercent: '12.5 %' });
    expect(
      stakeView({ ownLatest: 0n, delegatedLatest: 0n, sigmaLatest: 0n, role: 0, eligibleFrom: 0, keyCommit: ZERO })
        .eligibleFrom,
    ).toBeNull();
  });
});

describe('parseSigmaPercent', () => {
  it('turns a percentage into WAD', () => {
    expect(parseSigmaPercent('50')).toEqual({ ok: true, value: WAD / 2n });
    expect(parseSigmaPercent('12.5 %')).toEqual({ ok: true, value: (125n * WAD) / 1000n });
    expect(parseSigmaPercent('100')).toEqual({ ok: true, value: WAD });
    expect(parseSigmaPercent('0')).toEqual({ ok: true, value: 0n });
  });

  it('refuses what is not a share', () => {
    expect(parseSigmaPercent('100.01')).toEqual({ ok: false, error: 'Own reward share cannot be more than 100 %.' });
    for (const bad of ['-1', 'half', '', '1.234']) expect(parseSigmaPercent(bad).ok).toBe(false);
  });
});

describe('parseJoin', () => {
  it('checks the minimum, the balance and the share', () => {
    expect(parseJoin('10', '50', { min: WAD, balance: 100n * WAD })).toEqual({
      ok: true,
      value: { amount: 10n * WAD, sigma: WAD / 2n },
    });
    expect(parseJoin('0.5', '50', { min: WAD, balance: 100n * WAD, role: 'trainer' })).toEqual({
      ok: false,
      error:
        "Stake must be at least 1 ARENA: a trainer joins this task with at least the task's minimum stake, so no place is held with less.",
    });
    expect(parseJoin('9.99', '50', { min: 10n * WAD, balance: 100n * WAD, role: 'validator' }).ok).toBe(false);
    expect(parseJoin('10', '50', { min: 10n * WAD, balance: 100n * WAD, role: 'validator' }).ok).toBe(true);
    expect(parseJoin('200', '50', { min: WAD, balance: 100n * WAD })).toEqual({
      ok: false,
      error: 'Stake is more than your balance (100 ARENA).',
    });
    expect(parseJoin('10', '150', { min: WAD, balance: null }).ok).toBe(false);
  });
});

// Epoch 0 starts at 1000, 100 s each; 2 submission + 1 final epochs: scoring epochs 0..2.
const schedule = {
  startTime: 1_000n,
  reviewEnd: 900n,
  epochLength: 100,
  submissionEpochs: 2,
  finalEpochs: 1,
  challengeEpochs: 1,
  sealEnd: 5000,
  revealEnd: 6000,
  commitEnd: 8500,
  finalCommitEnd: 7000,
  rejected: false,
};

describe('sigmaPreview', () => {
  it('an increase applies from the epoch after next, a decrease from the next (SPEC 3)', () => {
    // In epoch 0: the next epoch is 1.
    expect(sigmaPreview({ schedule, now: 1_050n, current: WAD / 2n, next: WAD / 4n, cooldown: 1 })).toEqual({
      refusal: null,
      text: 'A decrease applies from epoch 1, the next epoch.',
      effectiveEpoch: 1,
    });
    expect(sigmaPreview({ schedule, now: 1_050n, current: WAD / 2n, next: (3n * WAD) / 4n, cooldown: 1 })).toEqual({
      refusal: null,
      text: 'An increase applies from epoch 2, the epoch after next, so your delegators have a whole epoch to undelegate first.',
      effectiveEpoch: 2,
    });
    // Before the start, the next epoch is 0.
    expect(sigmaPreview({ schedule, now: 950n, current: WAD / 2n, next: WAD, cooldown: 1 }).effectiveEpoch).toBe(1);
  });

  it('refuses what the chain would refuse: too late for an increase, inside the cooldown', () => {
    // In epoch 1: an increase would apply from 3, past the last scoring epoch (2); a decrease from 2.
    expect(sigmaPreview({ schedule, now: 1_150n, current: WAD / 2n, next: WAD, cooldown: 1 }).refusal).toBe(
      "An increase applies only from the epoch after next (epoch 3), and the task's last scoring epoch is 2: it would never apply.",
    );
    expect(sigmaPreview({ schedule, now: 1_150n, current: WAD / 2n, next: 0n, cooldown: 1 }).effectiveEpoch).toBe(2);
    expect(
      sigmaPreview({ schedule, now: 1_050n, current: WAD / 2n, next: 0n, cooldown: 2, lastSigmaEpoch: 1 }).refusal,
    ).toBe(
      'σ can change at most once every 2 epochs: your last change applies from epoch 1, so the next can be made once epoch 2 has started.',
    );
  });
});

describe('sigmaChangeText', () => {
  it('says a pending change with its epoch, and nothing once it is in force', () => {
    const change = { fromPercent: '20.0 %', toPercent: '60.0 %', epoch: 2 };
    expect(sigmaChangeText(change, schedule, 1_050n)).toBe(
      'σ changes from 20.0 % to 60.0 % from epoch 2 (the epoch after next).',
    );
    expect(sigmaChangeText(change, schedule, 1_150n)).toBe(
      'σ changes from 20.0 % to 60.0 % from epoch 2 (the next epoch).',
    );
    expect(sigmaChangeText(change, schedule, 1_250n)).toBeNull();
    expect(sigmaChangeText(null, schedule, 1_050n)).toBeNull();
  });
});

describe('resultText', () => {
  const rules = { minScore: WAD / 10n, floorBps: 5000, minValidators: 3 };
  it('says the rank, or why the submission did not qualify', () => {
    expect(
      resultText({ degenerate: false, rank: 2, aggregate: (9n * WAD) / 10n, best: WAD, pool: 12n * WAD }, rules),
    ).toEqual({ text: 'ranked #2 (score 0.9000), 12 ARENA to your pool', qualified: true });
    // Rounded like every amount in the app (formatTokens), not truncated: 1,234.56789 reads 1,234.5679.
    const pool = (text: string) =>
      resultText({ degenerate: false, rank: 1, aggregate: WAD, best: WAD, pool: BigInt(text) }, rules).text;
    expect(pool('1234567890000000000000')).toBe('ranked #1 (score 1.0000), 1,234.5679 ARENA to your pool');
    expect(pool('40000000000000')).toBe('ranked #1 (score 1.0000), <0.0001 ARENA to your pool');
    expect(resultText({ degenerate: false, rank: 0, aggregate: (4n * WAD) / 10n, best: WAD, pool: 0n }, rules)).toEqual(
      {
        text: 'did not qualify: score 0.4000 is below 50% of the best (1.0000); nothing earned',
        qualified: false,
      },
    );
    expect(
      resultText({ degenerate: false, rank: 0, aggregate: WAD / 10n, best: WAD / 10n, pool: 0n }, rules).text,
    ).toBe('did not qualify: score 0.1000 is not above the minimum 0.1000; nothing earned');
    expect(resultText({ degenerate: true, rank: 0, aggregate: null, best: null, pool: 0n }, rules).text).toBe(
      'nothing booked: fewer than 3 validators revealed scores, the epoch rolled over',
    );
  });
});
