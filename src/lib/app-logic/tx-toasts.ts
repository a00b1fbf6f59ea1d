// From the transaction tracker's records to toasts: one toast per transaction, shown when its
// status changes. After a reload only what is still in flight is shown again (the history
// drawer holds the rest). Pure.
import type { TxRecord } from '../chain/tx/types.ts';

export type ToastStatus = 'signing' | 'pending' | 'confirmed' | 'failed';

export interface TxToast {
  id: string;
  label: string;
  status: ToastStatus;
  hash?: string;
  error?: string;
}

export const toastStatus = (s: TxRecord['status']): ToastStatus => (s === 'replaced' ? 'failed' : s);

/**
 * The toasts to show for a new list of records, given the statuses already shown (`seen`, which
 * is updated). `initial`: the first list after start-up, where settled records stay quiet.
 */
export function txToastChanges(
  records: readonly TxRecord[],
  seen: Map<string, TxRecord['status']>,
  initial: boolean,
): TxToast[] {
  const out: TxToast[] = [];
  for (const r of records) {
    const before = seen.get(r.id);
    seen.set(r.id, r.status);
    if (before === r.status) continue;
    const settled = r.status === 'confirmed' || r.status === 'failed' || r.status === 'replaced';
    if (initial && settled) continue;
    out.push({
      id: `tx-${r.id}`,
      label: r.label,
      status: toastStatus(r.status),
      ...(r.hash ? { hash: r.hash } : {}),
      ...(r.error ? { error: r.error } : {}),
    });
  }
  for (const id of [...seen.keys()]) if (!records.some((r) => r.id === id)) seen.delete(id);
  return out;
}

const STATUS_WORDS: Record<TxRecord['status'], string> = {
  signing: 'Waiting for your wallet',
  pending: 'Pending',
  confirmed: 'Confirmed',
  failed: 'Failed',
  replaced: 'Replaced',
};

export const txStatusWords = (s: TxRecord['status']): string => STATUS_WORDS[s];
