// Service worker registration with an update prompt: a new version waits until the user says
// to reload (a page mid-transaction must not reload by itself). Dev builds register nothing.
export class PwaState {
  /** A new version is installed and waiting. */
  needRefresh = $state(false);
  /** The shell is cached: the app now opens without network. */
  offlineReady = $state(false);
  registered = $state(false);
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

  /** Activates the waiting version; the page reloads when it takes over. */
  async update(): Promise<void> {
    await this.#update?.(true);
  }

  dismiss(): void {
    this.needRefresh = false;
    this.offlineReady = false;
  }
}
