import type { Hex } from 'viem';
import { describe, expect, it } from 'vitest';
import { parseJoin, parseSigmaPercent, stakeView } from '../../../src/app/pages/train/stake.ts';

const WAD = 10n ** 18n;
const ZERO = `0x${'0'.repeat(64)}` as Hex;

describe('stakeView', () => {
  it('reads a trainer pool: latest stake, sigma as a percentage, key commitment, first epoch', () => {
    const key = `0x${'ab'.repeat(32)}` as Hex;
    expect(stakeView({ ownLatest: 10n * WAD, delegatedLatest: 5n * WAD, sigmaLatest: WAD / 2n, role: 1, eligibleFrom: 0, keyCommit: key })).toEqual({
      role: 'Trainer',
      own: 10n * WAD,
      delegated: 5n * WAD,
      sigmaPercent: '50.0 %',
      keyCommit: key,
      eligibleFrom: 0,
    });
  });

  it('treats no key and the "never" epoch as absent', () => {
    const v = stakeView({ ownLatest: 0n, delegatedLatest: 0n, sigmaLatest: (125n * WAD) / 1000n, role: 2, eligibleFrom: 2 ** 32 - 1, keyCommit: ZERO });
    expect(v).toMatchObject({ role: 'Validator', keyCommit: null, eligibleFrom: null, sigmaPercent: '12.5 %' });
    expect(stakeView({ ownLatest: 0n, delegatedLatest: 0n, sigmaLatest: 0n, role: 0, eligibleFrom: 0, keyCommit: ZERO }).eligibleFrom).toBeNull();
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
    expect(parseJoin('10', '50', { min: WAD, balance: 100n * WAD })).toEqual({ ok: true, value: { amount: 10n * WAD, sigma: WAD / 2n } });
    expect(parseJoin('0.5', '50', { min: WAD, balance: 100n * WAD })).toEqual({ ok: false, error: 'Stake must be at least 1 ARENA.' });
    expect(parseJoin('200', '50', { min: WAD, balance: 100n * WAD })).toEqual({ ok: false, error: 'Stake is more than your balance (100 ARENA).' });
    expect(parseJoin('10', '150', { min: WAD, balance: null }).ok).toBe(false);
  });
});
