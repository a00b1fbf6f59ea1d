// Toasts as data: transient notices, chiefly transaction states. The tx tracker shows one toast per
// transaction and updates it in place (signing -> pending -> confirmed / failed). Pure.
export type ToastTone = 'info' | 'pending' | 'success' | 'error';

export interface Toast {
  id: string;
  tone: ToastTone;
  title: string;
  detail?: string;
  link?: { label: string; href: string };
  /** Auto-dismiss after this many ms; null keeps it until dismissed. */
  timeoutMs: number | null;
}

export type ToastInput = Omit<Toast, 'id' | 'timeoutMs'> & { id?: string; timeoutMs?: number | null };

/** What producers (the tx tracker, pages) need: nothing Svelte-specific. */
export interface ToastSink {
  show(toast: ToastInput): string;
  update(id: string, patch: Partial<Omit<Toast, 'id'>>): void;
  dismiss(id: string): void;
}

/** Success and info fade; pending and errors stay until resolved or dismissed. */
export function defaultTimeout(tone: ToastTone): number | null {
  return tone === 'success' || tone === 'info' ? 6_000 : null;
}

export type TxStatus = 'signing' | 'pending' | 'confirmed' | 'failed';

export interface TxToastState {
  /** Stable per transaction (e.g. the tracker's id): the same toast is updated. */
  id: string;
  /** What the transaction does, in words: "Stake 10 ARENA in task 3". */
  label: string;
  status: TxStatus;
  hash?: string;
  /** Plain-sentence reason when failed. */
  error?: string;
  explorerUrl?: string;
}

/** The toast for a transaction state. Pure. */
export function txToast(tx: TxToastState): ToastInput & { id: string } {
  const link = tx.explorerUrl ? { label: 'View transaction', href: tx.explorerUrl } : undefined;
  switch (tx.status) {
    case 'signing':
      return { id: tx.id, tone: 'pending', title: tx.label, detail: 'Confirm in your wallet…' };
    case 'pending':
      return { id: tx.id, tone: 'pending', title: tx.label, detail: 'Sent, waiting for a block…', ...(link && { link }) };
    case 'confirmed':
      return { id: tx.id, tone: 'success', title: tx.label, detail: 'Confirmed.', ...(link && { link }) };
    case 'failed':
      return { id: tx.id, tone: 'error', title: tx.label, detail: tx.error ?? 'The transaction failed.', ...(link && { link }) };
  }
}
