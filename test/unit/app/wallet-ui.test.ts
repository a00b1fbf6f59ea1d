// The wallet UI's pure parts: transaction toasts from tracker records (one per transaction, only
// on a change; after a reload only what is in flight), dev-account names, error sentences.
import { getAddress, type Hex } from 'viem';
import { describe, expect, it } from 'vitest';
import { devAccountName, DEV_ACCOUNT_NAMES } from '../../../src/lib/app-logic/dev-names.ts';
import { errorSentence, isRejection } from '../../../src/lib/app-logic/errors.ts';
import { txStatusWords, txToastChanges } from '../../../src/lib/app-logic/tx-toasts.ts';
import { ActionInputError } from '../../../src/lib/chain/actions/context.ts';
import { TxError } from '../../../src/lib/chain/tx/errors.ts';
import type { TxRecord } from '../../../src/lib/chain/tx/types.ts';
import { DEV_ACCOUNT_COUNT } from '../../../src/lib/chain/wallet/dev-accounts.ts';
import { WrongNetworkError } from '../../../src/lib/chain/wallet/network.ts';

const account = getAddress('0x00000000000000000000000000000000000000a1');
const rec = (id: string, status: TxRecord['status'], extra: Partial<TxRecord> = {}): TxRecord => ({
  id,
  chainId: 31337,
  account,
  kind: 'faucet',
  label: `tx ${id}`,
  summary: {},
  status,
  createdAt: 1,
  updatedAt: 1,
  ...extra,
});

describe('transaction toasts', () => {
  it('shows each status change once, with the hash and the failure sentence', () => {
    const seen = new Map<string, TxRecord['status']>();
    expect(txToastChanges([rec('a', 'signing')], seen, false)).toEqual([
      { id: 'tx-a', label: 'tx a', status: 'signing' },
    ]);
    expect(txToastChanges([rec('a', 'signing')], seen, false)).toEqual([]);
    const hash = `0x${'12'.repeat(32)}` as Hex;
    expect(txToastChanges([rec('a', 'pending', { hash })], seen, false)).toEqual([
      { id: 'tx-a', label: 'tx a', status: 'pending', hash },
    ]);
    expect(txToastChanges([rec('a', 'failed', { hash, error: 'The seal window is closed.' })], seen, false)).toEqual([
      { id: 'tx-a', label: 'tx a', status: 'failed', hash, error: 'The seal window is closed.' },
    ]);
    // A replaced transaction is a failure for the toast.
    expect(txToastChanges([rec('b', 'replaced')], seen, false)[0]!.status).toBe('failed');
    // Forgotten records leave the memory.
    txToastChanges([], seen, false);
    expect(seen.size).toBe(0);
  });

  it('after a reload, shows only what is still in flight', () => {
    const seen = new Map<string, TxRecord['status']>();
    const first = txToastChanges([rec('a', 'confirmed'), rec('b', 'pending'), rec('c', 'failed')], seen, true);
    expect(first.map((t) => t.id)).toEqual(['tx-b']);
    expect(txToastChanges([rec('a', 'confirmed'), rec('b', 'confirmed'), rec('c', 'failed')], seen, false)).toEqual([
      { id: 'tx-b', label: 'tx b', status: 'confirmed' },
    ]);
    expect(txStatusWords('signing')).toBe('Waiting for your wallet');
  });
});

describe('dev account names', () => {
  it('names every dev account, creator first and keeper last as npm start uses them', () => {
    expect(DEV_ACCOUNT_NAMES).toHaveLength(DEV_ACCOUNT_COUNT);
    expect(new Set(DEV_ACCOUNT_NAMES).size).toBe(DEV_ACCOUNT_COUNT);
    expect(devAccountName(0)).toBe('Creator');
    expect(devAccountName(9)).toBe('Keeper');
    expect(devAccountName(12)).toBe('Dev account 12');
  });
});

describe('error sentences', () => {
  it('keeps our typed errors’ sentences and decodes the rest', () => {
    expect(errorSentence(new TxError('reverted', 'The seal window is closed.'))).toBe('The seal window is closed.');
    expect(errorSentence(new ActionInputError('amount', 'amount must be more than zero.'))).toBe(
      'amount must be more than zero.',
    );
    const wrong = new WrongNetworkError({ id: 31337, name: 'Anvil (local)' }, 1, 'refused');
    expect(errorSentence(wrong)).toBe(wrong.message);
    expect(errorSentence({ code: 4001, message: 'User rejected the request.' })).toBe(
      'You declined the request in your wallet.',
    );
    expect(isRejection({ code: 4001 })).toBe(true);
    expect(isRejection(new TxError('rejected', 'x'))).toBe(true);
    expect(isRejection(new Error('boom'))).toBe(false);
    expect(errorSentence(new Error('boom'))).toBe('The transaction failed: boom.');
  });
});
