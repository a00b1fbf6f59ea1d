// Service worker registration with an update prompt: a new version waits until the user says
// to reload (a page mid-transaction must not reload by itself). Dev builds register nothing.

/**
 * How long "Reload now" may take before the page says the switch is stuck. Chromium activates a
 * waiting worker only once the old one has no work left, and in some runs (docs/app/shell.md,
 * known limits) it stayed waiting for minutes, even with skipWaiting() called inside it; closing
 * the app's tabs lets it activate.
 */
export const UPDATE_STUCK_MS = 10_000;
export class PwaState {
  /** A new version is installed and waiting. */
  needRefresh = $state(false);
  /** The shell is cached: the app now opens without network. */
  offlineReady = $state(false);
  registered = $state(false);
  /** "Reload now" was asked and the new version has not taken over in UPDATE_STUCK_MS. */
  stuck = $state(false);
  #stuckTimer: ReturnType<typeof setTimeout> | null = null;
  error = $state<string | null>(null);
  #update: ((reload?: boolean) => Promise<void>) | null = null;

  async start(): Promise<void> {
    if (import.meta.env.DEV || typeof navigator === 'undefined' || !('serviceWorker' in navigator)) return;
    try {
      const { registerSW } = await import('virtual:pwa-register');
      this.#update = registerSW({
        immediate: true,
        onNeedRefresh: () => (this.needRefresh = true),
        onOfflineReady: () => (this.offlineReady = true),
        onRegisteredSW: () => (this.registered = true),
        onRegisterError: (e: unknown) => (this.error = e instanceof Error ? e.message : String(e)),
      });
    } catch (e) {
      this.error = (e as Error).message;
    }
  }

  /** Activates the waiting version; the page reloads when it takes over (or says it is stuck). */
  async update(): Promise<void> {
    this.stuck = false;
    if (this.#stuckTimer !== null) clearTimeout(this.#stuckTimer);
    this.#stuckTimer = setTimeout(() => (this.stuck = true), UPDATE_STUCK_MS);
    await this.#update?.(true);
  }

  dismiss(): void {
    if (this.#stuckTimer !== null) clearTimeout(this.#stuckTimer);
    this.stuck = false;
    this.needRefresh = false;
    this.offlineReady = false;
  }
}
