import { describe, expect, it } from 'vitest';
import { defaultTimeout, keptOnNavigation, txToast } from '../../../src/lib/app-logic/toast-model.ts';

describe('txToast', () => {
  const base = { id: 'tx-1', label: 'Stake 10 ARENA in task 3' };
  it('follows a transaction through its states on one toast', () => {
    expect(txToast({ ...base, status: 'signing' })).toEqual({
      id: 'tx-1',
      tone: 'pending',
      title: base.label,
      detail: 'Confirm in your wallet…',
    });
    expect(txToast({ ...base, status: 'pending', explorerUrl: 'https://x/tx/0x1' })).toEqual({
      id: 'tx-1',
      tone: 'pending',
      title: base.label,
      detail: 'Sent, waiting for a block…',
      link: { label: 'View transaction', href: 'https://x/tx/0x1' },
    });
    expect(txToast({ ...base, status: 'confirmed' })).toMatchObject({ tone: 'success', detail: 'Confirmed.' });
    expect(txToast({ ...base, status: 'failed', error: 'Staking is closed for this task.' })).toMatchObject({
      tone: 'error',
      detail: 'Staking is closed for this task.',
    });
    expect(txToast({ ...base, status: 'failed' }).detail).toBe('The transaction failed.');
  });

  it('keeps only pending toasts until they settle; errors fade later than the rest', () => {
    expect(defaultTimeout('pending')).toBeNull();
    expect(defaultTimeout('error')).toBe(15_000);
    expect(defaultTimeout('success')).toBe(6000);
    expect(defaultTimeout('info')).toBe(6000);
    expect(defaultTimeout('error')!).toBeGreaterThan(defaultTimeout('info')!);
  });

  it('keeps only transactions in flight when the page changes', () => {
    const toasts = [
      { id: 'a', tone: 'error' as const },
      { id: 'b', tone: 'pending' as const },
      { id: 'c', tone: 'success' as const },
      { id: 'd', tone: 'info' as const },
    ];
    expect(keptOnNavigation(toasts).map((t) => t.id)).toEqual(['b']);
  });
});
