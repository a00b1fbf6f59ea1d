// The app's view of the chain: polls snapshots, keeps the last good one (restored from IndexedDB
// at start, so a reload offline still shows everything, marked stale) and ticks the clock that
// countdowns use. Pages read it through the app context.
import { chainNow } from '../lib/chain/chain-time.ts';
import type { AppConfig } from './config.ts';
import { loadSnapshot, type OkSnapshot, type Problem, type SnapshotClient } from './snapshot.ts';
import type { SnapshotStore } from './snapshot-store.ts';

/**
 * live: the last refresh succeeded; stale: showing an older snapshot (restored or kept) because
 * refreshing failed; offline: the browser says it has no network; connecting: nothing to show
 * yet; down: nothing to show and the last refresh failed.
 */
export type Connection = 'connecting' | 'live' | 'stale' | 'offline' | 'down';

export interface ChainDataDeps {
  client: SnapshotClient;
  config: AppConfig;
  /** Resolves to null where IndexedDB is unavailable: the app then works without a saved copy. */
  store?: Promise<SnapshotStore | null>;
  fetchFn?: typeof fetch;
}

const SAVE_EVERY_MS = 15_000;

export class ChainData {
  /** What pages show: the newest good snapshot, live or restored. Raw: never deeply proxied. */
  snapshot = $state.raw<OkSnapshot | null>(null);
  /** Why the last refresh failed; null after a good one. */
  problem = $state.raw<Problem | null>(null);
  /** Set while `snapshot` came from storage and no refresh has succeeded since. */
  restoredAtMs = $state<number | null>(null);
  lastRefreshOk = $state(false);
  online = $state(true);
  nowMs = $state(Date.now());
  readonly config: AppConfig;

  #deps: ChainDataDeps;
  #busy = false;
  #watched = new Set<bigint>();
  #savedAtMs = 0;

  constructor(deps: ChainDataDeps) {
    this.#deps = deps;
    this.config = deps.config;
  }

  get connection(): Connection {
    if (!this.online) return 'offline';
    if (this.snapshot === null) return this.problem ? 'down' : 'connecting';
    return this.lastRefreshOk ? 'live' : 'stale';
  }

  /** Chain time now (unix seconds), extrapolated from the last block seen. */
  get chainTime(): bigint | null {
    const s = this.snapshot;
    return s ? chainNow(s.clock, s.seenAtMs, this.nowMs) : null;
  }

  /** Keeps task `id` in the snapshots even when it is older than the newest ones listed. */
  watch(id: bigint): void {
    if (this.#watched.has(id)) return;
    this.#watched.add(id);
    const s = this.snapshot;
    if (s && id <= s.taskCount && !s.tasks.some((t) => t.id === id)) void this.refresh();
  }

  /** Reads the chain once; a refresh already running is not doubled. */
  async refresh(): Promise<void> {
    if (this.#busy) return;
    this.#busy = true;
    try {
      const previous = this.snapshot;
      const next = await loadSnapshot(this.#deps.client, this.#deps.config, {
        previous,
        fetchFn: this.#deps.fetchFn,
        alsoTasks: this.#watched,
      });
      if (next.kind === 'ok') {
        this.snapshot = next;
        this.problem = null;
        this.restoredAtMs = null;
        this.lastRefreshOk = true;
        // The first good snapshot at once (a reload must find it), then at most every 15 s: a
        // snapshot with a long event log is not small.
        if (Date.now() - this.#savedAtMs >= SAVE_EVERY_MS) {
          this.#savedAtMs = Date.now();
          void this.#save(next);
        }
      } else {
        this.problem = next;
        this.lastRefreshOk = false;
      }
    } finally {
      this.#busy = false;
    }
  }

  /** Restores the saved snapshot, then polls; returns the function that stops everything. */
  start(): () => void {
    let alive = true;
    const online = () => {
      this.online = navigator.onLine;
      if (this.online) void this.refresh();
    };
    this.online = typeof navigator === 'undefined' ? true : navigator.onLine;
    globalThis.addEventListener?.('online', online);
    globalThis.addEventListener?.('offline', online);
    void (async () => {
      await this.#restore();
      if (alive) await this.refresh();
    })();
    const poll = setInterval(() => void this.refresh(), this.config.refreshMs);
    const tick = setInterval(() => (this.nowMs = Date.now()), 1_000);
    return () => {
      alive = false;
      clearInterval(poll);
      clearInterval(tick);
      globalThis.removeEventListener?.('online', online);
      globalThis.removeEventListener?.('offline', online);
    };
  }

  async #restore(): Promise<void> {
    try {
      const store = await this.#deps.store;
      const saved = await store?.load(this.config.chainId);
      // A live snapshot that arrived first wins.
      if (saved && this.snapshot === null) {
        const { savedAtMs, ...snapshot } = saved;
        this.snapshot = snapshot;
        this.restoredAtMs = savedAtMs;
      }
    } catch (e) {
      console.warn(`could not restore the saved chain snapshot: ${(e as Error).message}`);
    }
  }

  async #save(snapshot: OkSnapshot): Promise<void> {
    try {
      await (await this.#deps.store)?.save(snapshot);
    } catch (e) {
      // Losing the offline copy must not break the live page.
      console.warn(`could not save the chain snapshot: ${(e as Error).message}`);
    }
  }
}
