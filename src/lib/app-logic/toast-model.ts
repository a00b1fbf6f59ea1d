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

/**
 * How long a toast stays: success and info fade after 6 s; an error stays longer (15 s, time to
 * read a sentence and act) but goes too: the page and the wallet's history keep what failed. Only
 * a transaction still in flight stays until it settles.
 */
export function defaultTimeout(tone: ToastTone): number | null {
  switch (tone) {
    case 'success':
    case 'info':
      return 6_000;
    case 'error':
      return 15_000;
    case 'pending':
      return null;
  }
}

/**
 * The toasts kept when the person moves to another page: only transactions still in flight
 * (their outcome then appears where the person is); notices about the page left go with it.
 */
export function keptOnNavigation<T extends Pick<Toast, 'tone'>>(toasts: readonly T[]): T[] {
  return toasts.filter((t) => t.tone === 'pending');
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
      return {
        id: tx.id,
        tone: 'pending',
        title: tx.label,
        detail: 'Sent, waiting for a block…',
        ...(link && { link }),
      };
    case 'confirmed':
      return { id: tx.id, tone: 'success', title: tx.label, detail: 'Confirmed.', ...(link && { link }) };
    case 'failed':
      return {
        id: tx.id,
        tone: 'error',
        title: tx.label,
        detail: tx.error ?? 'The transaction failed.',
        ...(link && { link }),
      };
  }
}
