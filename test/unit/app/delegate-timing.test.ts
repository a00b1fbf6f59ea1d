// The Delegate page's words about time and money (issue 10, 1.8 and 1.9): when a delegation
// counts (epochs named by number, counted apart), the button with no scoring epoch left, the
// estimate's assumptions and its implausible figures, and the confirmation.
import { describe, expect, it } from 'vitest';
import { estimateAssumptions, PLAUSIBLE_RATE_WAD } from '../../../src/lib/app-logic/delegate-estimate.ts';
import { delegateFacts, delegationTiming, rateText } from '../../../src/lib/app-logic/delegate-form.ts';
import { schedule } from './support/schedule.ts';

const WAD = 10n ** 18n;

describe('delegationTiming', () => {
  it('names the first and last epoch by number and counts the epochs apart ("from epoch 0", never "epoch 0 of 3")', () => {
    expect(delegationTiming(schedule, 9_500n)).toEqual({
      open: true,
      text: 'A delegation made now counts from epoch 0 to epoch 2, the last scoring epoch: 3 scoring epochs.',
    });
    expect(delegationTiming(schedule, 11_500n)).toEqual({
      open: true,
      text: 'A delegation made now counts in epoch 2 only, the last scoring epoch.',
    });
  });

  it('closes once no scoring epoch is left (the Delegate button is then not offered)', () => {
    expect(delegationTiming(schedule, 12_100n)).toEqual({
      open: false,
      text: 'No scoring epoch is left for a new delegation: one made now would first count in epoch 3, after the last scoring epoch (epoch 2).',
    });
    expect(delegationTiming({ ...schedule, rejected: true }, 9_500n).open).toBe(false);
  });
});

describe('estimateAssumptions', () => {
  const ok = {
    kind: 'ok' as const,
    basis: 'last-epoch' as const,
    basisEpoch: 1,
    pool: 100n * WAD,
    perEpoch: 125n * WAD,
    epochs: 2,
    total: 250n * WAD,
    rateWad: (125n * WAD) / 100n,
  };
  it('lists what the figure assumes and flags a rate no pool keeps', () => {
    const n = estimateAssumptions(ok, { role: 'trainer', rewardPerEpoch: 1000n * WAD, countsFrom: 1 });
    expect(n.assumptions).toEqual([
      '1,000 ARENA is paid in each of the 2 scoring epochs from epoch 1 on, and nobody else stakes, delegates or leaves: more stake anywhere lowers your share.',
      'Every model scores as in epoch 1 (the last scored one), and this trainer submits a model that qualifies in every epoch.',
      'Trainer rewards vest when the task ends, and a trainer that fails a challenge forfeits them, its delegators’ part too.',
    ]);
    expect(n.warning).toMatch(/^More than 100 % per epoch is not a typical return: this pool holds little stake/);
    expect(rateText(ok.rateWad)).toBe('more than 100 %');
  });

  it('says nothing alarming about a plausible rate', () => {
    const n = estimateAssumptions(
      { ...ok, basis: 'even', rateWad: PLAUSIBLE_RATE_WAD },
      { role: 'validator', rewardPerEpoch: WAD, countsFrom: 0 },
    );
    expect(n.warning).toBeNull();
    expect(n.assumptions[1]).toBe(
      'Every model scores the same (nothing is scored yet), and this validator reveals scores in every epoch.',
    );
    expect(n.assumptions).toHaveLength(2);
    expect(
      estimateAssumptions(
        { ...ok, rateWad: PLAUSIBLE_RATE_WAD + 1n },
        { role: 'validator', rewardPerEpoch: WAD, countsFrom: 0 },
      ).warning,
    ).toMatch(/^Over 10 % per epoch/);
    expect(rateText(WAD / 200n)).toBe('0.50 %');
  });
});

describe('delegateFacts', () => {
  it('says the amount, the delegatee, when it counts, the estimate, the lock and the fee', () => {
    expect(
      delegateFacts({
        amount: 50n * WAD,
        delegatee: '0xabc',
        role: 'validator',
        countsFrom: 2,
        estimate: '≈ 1 ARENA per epoch (an estimate, not a promise)',
        fee: 'shown by your wallet before you sign',
      }),
    ).toEqual([
      { label: 'Delegate', value: '50 ARENA' },
      { label: 'To', value: 'validator 0xabc' },
      { label: 'Counts from', value: 'epoch 2' },
      { label: 'Estimated return', value: '≈ 1 ARENA per epoch (an estimate, not a promise)' },
      {
        label: 'Locked',
        value:
          'until you undelegate: it stops counting from the next epoch and can be withdrawn once the current epoch has ended; all of it once the task ends',
      },
      { label: 'Network fee', value: 'shown by your wallet before you sign' },
    ]);
  });
});
