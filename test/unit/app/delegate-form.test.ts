// Amount parsing shared by every form, and the Delegate page's checks before a wallet prompt.
import { describe, expect, it } from 'vitest';
import {
  parseDecimalWad,
  parseInteger,
  parsePercentBps,
  parseTokenAmount,
  tokenInputText,
} from '../../../src/lib/app-logic/amount.ts';
import {
  checkDelegateAmount,
  delegateModes,
  ratePercent,
  sigmaPercent,
} from '../../../src/lib/app-logic/delegate-form.ts';

const WAD = 10n ** 18n;

describe('token amounts', () => {
  it('reads decimals and thousands separators exactly', () => {
    expect(parseTokenAmount('12.5')).toEqual({ ok: true, value: 12n * WAD + WAD / 2n });
    expect(parseTokenAmount(' 1,000 ')).toEqual({ ok: true, value: 1000n * WAD });
    expect(parseTokenAmount('1 000.000000000000000001')).toEqual({ ok: true, value: 1000n * WAD + 1n });
    expect(parseTokenAmount('.5')).toEqual({ ok: true, value: WAD / 2n });
    expect(parseTokenAmount('7.')).toEqual({ ok: true, value: 7n * WAD });
  });

  it('says what is wrong', () => {
    const err = (text: string, rules = {}) => {
      const r = parseTokenAmount(text, rules);
      return r.ok ? 'ok' : r.error;
    };
    expect(err('')).toBe('Amount is empty: type a number of ARENA.');
    expect(err('-3')).toBe('Amount cannot be negative.');
    expect(err('abc')).toBe('Amount "abc" is not a number.');
    expect(err('1.2.3')).toBe('Amount "1.2.3" is not a number.');
    expect(err('.')).toBe('Amount "." is not a number.');
    expect(err('0')).toBe('Amount must be more than zero.');
    expect(err('0', { allowZero: true })).toBe('ok');
    expect(err('0.0000000000000000001')).toBe('Amount has more than 18 decimals.');
    expect(err('5', { min: 10n * WAD })).toBe('Amount must be at least 10 ARENA.');
    expect(err('11', { max: { value: 10n * WAD, what: 'your balance' } })).toBe(
      'Amount is more than your balance (10 ARENA).',
    );
  });

  it('round-trips through the text a field shows', () => {
    for (const v of [0n, 1n, WAD, 1234n * WAD + WAD / 8n]) {
      expect(parseTokenAmount(tokenInputText(v), { allowZero: true })).toEqual({ ok: true, value: v });
    }
  });

  it('reads integers, fractions and percentages in range', () => {
    expect(parseInteger('240', 'Epoch length', 10, 100, 's')).toEqual({
      ok: false,
      error: 'Epoch length must be from 10 to 100 s.',
    });
    expect(parseInteger('42', 'X', 1, 100)).toEqual({ ok: true, value: 42 });
    expect(parseInteger('4.2', 'X', 1, 100, 'epochs')).toEqual({
      ok: false,
      error: 'X must be a whole number of epochs.',
    });
    expect(parseDecimalWad('0.85', 'q', 0, 1)).toEqual({ ok: true, value: (85n * WAD) / 100n });
    expect(parseDecimalWad('1.5', 'q', 0, 1)).toEqual({ ok: false, error: 'q must be from 0 to 1.' });
    expect(parseDecimalWad('20', 'λV', 0, 50)).toEqual({ ok: true, value: 20n * WAD });
    expect(parsePercentBps('12.5', 'Slash')).toEqual({ ok: true, value: 1250 });
    expect(parsePercentBps('50 %', 'Slash')).toEqual({ ok: true, value: 5000 });
    expect(parsePercentBps('100.5', 'Slash')).toEqual({ ok: false, error: 'Slash must be from 0 to 100 %.' });
    expect(parsePercentBps('1.234', 'Slash')).toMatchObject({ ok: false });
  });
});

describe('delegate forms', () => {
  it('offers the actions a position allows, saying why the others are not', () => {
    const none = delegateModes(null, { ended: false });
    expect(none.map((m) => [m.mode, m.unavailable === null])).toEqual([
      ['delegate', true],
      ['undelegate', false],
      ['withdraw', false],
      ['claim', false],
    ]);
    const some = delegateModes({ principal: WAD, unbonding: 0n, pendingRewards: 5n }, { ended: true });
    expect(some.map((m) => m.unavailable === null)).toEqual([false, true, true, true]);
    expect(some[0]!.unavailable).toBe('No scoring epoch is left for a new delegation to count in.');
    expect(delegateModes(null, { ended: true, closedReason: 'closed because' })[0]!.unavailable).toBe('closed because');
    expect(
      delegateModes({ principal: 0n, unbonding: WAD, pendingRewards: 0n }, { ended: false })[2]!.unavailable,
    ).toBeNull();
  });

  it('checks amounts against the balance and the delegation', () => {
    expect(checkDelegateAmount('delegate', '50', { balance: 100n * WAD, principal: 0n })).toEqual({
      ok: true,
      value: 50n * WAD,
    });
    expect(checkDelegateAmount('delegate', '150', { balance: 100n * WAD, principal: 0n })).toEqual({
      ok: false,
      error: 'Amount is more than your balance (100 ARENA).',
    });
    expect(checkDelegateAmount('delegate', '1', { balance: 0n, principal: 0n })).toMatchObject({
      ok: false,
      error: expect.stringMatching(/balance is 0/),
    });
    // Balance not read yet: the chain checks it (the action reads the balance before signing).
    expect(checkDelegateAmount('delegate', '1', { balance: null, principal: 0n })).toEqual({ ok: true, value: WAD });
    expect(checkDelegateAmount('undelegate', '3', { balance: 0n, principal: 2n * WAD })).toEqual({
      ok: false,
      error: 'Amount is more than what you delegated here (2 ARENA).',
    });
    expect(checkDelegateAmount('undelegate', '2', { balance: 0n, principal: 2n * WAD })).toEqual({
      ok: true,
      value: 2n * WAD,
    });
    expect(checkDelegateAmount('undelegate', '2', { balance: 0n, principal: 0n })).toEqual({
      ok: false,
      error: 'You have nothing delegated here.',
    });
  });

  it('writes sigma and rates as percentages', () => {
    expect(sigmaPercent(WAD / 5n)).toBe('20 %');
    expect(sigmaPercent((125n * WAD) / 1000n)).toBe('12.5 %');
    expect(ratePercent((84n * WAD) / 10_000n)).toBe('0.84 %');
    expect(ratePercent(2n * WAD)).toBe('200.00 %');
    expect(ratePercent(123456789012345678n)).toBe('12.34 %');
  });
});
