import { describe, expect, it } from 'vitest';
import type { Address } from 'viem';
import { initialLearningState } from '../../../src/lib/agents/validator/learning.ts';
import { autoChallengeView, parseThresholdPercent } from '../../../src/lib/app-logic/auto-challenge-view.ts';

const alice = '0x00000000000000000000000000000000000a11ce' as Address;
const mallory = '0x000000000000000000000000000000000000ba5e' as Address;
const carol = '0x00000000000000000000000000000000000ca401' as Address;

describe('the Validate page view of automatic challenges', () => {
  it('shows the defaults before the agent has a learning state', () => {
    expect(autoChallengeView(undefined)).toEqual({ auto: true, thresholdPercent: '76.8', bond: null, rows: [] });
  });

  it('states the bond against the balance, and each hint with what the agent did', () => {
    const l = initialLearningState();
    l.settings = { auto: true, threshold: 0.8 };
    l.terms = { bond: (5n * 10n ** 18n).toString(), balance: (3n * 10n ** 18n).toString(), covered: false, at: 100n };
    l.hints = {
      '2': {
        submissionId: 2,
        trainer: mallory,
        closest: { submissionId: 0, trainer: alice, probes: 0.791, eval: 0.98 },
        compared: 1,
        flagged: false,
        at: 90n,
      },
      '1': {
        submissionId: 1,
        trainer: carol,
        closest: { submissionId: 0, trainer: alice, probes: 0.86, eval: 0.99 },
        compared: 1,
        flagged: true,
        at: 80n,
      },
      '0': { submissionId: 0, trainer: alice, closest: null, compared: 0, flagged: false, at: 70n },
    };
    l.challenges = {
      '1': {
        submissionId: 1,
        hint: l.hints['1']!.closest!,
        bond: '5000000000000000000',
        status: 'opened',
        challengeId: '4',
        sentAt: 81n,
        sends: 1,
        halted: null,
      },
    };
    const v = autoChallengeView(l);
    expect(v.auto).toBe(true);
    expect(v.thresholdPercent).toBe('80.0');
    expect(v.bond).toEqual({
      text: 'A challenge posts a bond of 5 ARENA; this account holds 3 ARENA.',
      covered: false,
    });
    expect(v.rows.map((r) => [r.submissionId, r.trainer, r.closest, r.probes, r.flagged, r.action])).toEqual([
      [0, '0x0000…11ce', 'none earlier', '—', false, 'no action'],
      [1, '0x0000…a401', 'S0 of 0x0000…11ce', '86.0%', true, 'challenged (#4)'],
      [2, '0x0000…ba5e', 'S0 of 0x0000…11ce', '79.1%', false, 'no action'],
    ]);
  });

  it('parses the threshold in percent and refuses what is not a share', () => {
    expect(parseThresholdPercent('76.8')).toEqual({ share: 0.768 });
    expect(parseThresholdPercent(' 90 % ')).toEqual({ share: 0.9 });
    expect(parseThresholdPercent('100')).toEqual({ share: 1 });
    for (const bad of ['0', '', 'abc', '101', '-5', '1e2']) expect(parseThresholdPercent(bad)).toHaveProperty('error');
  });
});
