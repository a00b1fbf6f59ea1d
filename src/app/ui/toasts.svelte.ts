// The toast list as reactive state (see src/lib/app-logic/toast-model.ts for the data, the
// timeouts and the ToastSink interface producers use). A toast's timer stops while the pointer
// or focus is on it, so a sentence being read does not vanish.
import {
  defaultTimeout,
  keptOnNavigation,
  txToast,
  type Toast,
  type ToastInput,
  type ToastSink,
  type TxToastState,
} from '../../lib/app-logic/toast-model.ts';

export type { Toast, ToastInput, ToastSink, TxToastState } from '../../lib/app-logic/toast-model.ts';

let counter = 0;

export class Toasts implements ToastSink {
  items = $state<Toast[]>([]);
  #timers = new Map<string, ReturnType<typeof setTimeout>>();

  show(input: ToastInput): string {
    const id = input.id ?? `toast-${++counter}`;
    const toast: Toast = {
      ...input,
      id,
      timeoutMs: input.timeoutMs === undefined ? defaultTimeout(input.tone) : input.timeoutMs,
    };
    const i = this.items.findIndex((t) => t.id === id);
    if (i >= 0) this.items[i] = toast;
    else this.items.push(toast);
    this.#schedule(toast);
    return id;
  }

  update(id: string, patch: Partial<Omit<Toast, 'id'>>): void {
    const i = this.items.findIndex((t) => t.id === id);
    if (i < 0) return;
    const prev = this.items[i]!;
    const next: Toast = {
      ...prev,
      ...patch,
      timeoutMs:
        patch.timeoutMs !== undefined ? patch.timeoutMs : patch.tone ? defaultTimeout(patch.tone) : prev.timeoutMs,
    };
    this.items[i] = next;
    this.#schedule(next);
  }

  /** Shows or updates the toast of a transaction. */
  tx(state: TxToastState): void {
    this.show(txToast(state));
  }

  /** Another page opened: the notices of the page left go. */
  navigated(): void {
    const kept = new Set(keptOnNavigation(this.items).map((t) => t.id));
    for (const t of this.items) if (!kept.has(t.id)) this.dismiss(t.id);
  }

  /** Stops a toast's timer while it is being read (pointer or focus on it). */
  hold(id: string): void {
    clearTimeout(this.#timers.get(id));
    this.#timers.delete(id);
  }

  /** Starts the timer again, in full, once the toast is left. */
  release(id: string): void {
    const t = this.items.find((x) => x.id === id);
    if (t) this.#schedule(t);
  }

  dismiss(id: string): void {
    clearTimeout(this.#timers.get(id));
    this.#timers.delete(id);
    this.items = this.items.filter((t) => t.id !== id);
  }

  #schedule(t: Toast): void {
    clearTimeout(this.#timers.get(t.id));
    this.#timers.delete(t.id);
    if (t.timeoutMs !== null)
      this.#timers.set(
        t.id,
        setTimeout(() => this.dismiss(t.id), t.timeoutMs),
      );
  }
}
