// Owns the local stack's child processes: if one dies the whole stack goes down with a message
// (a half-running stack is worse than none), and shutdown stops each of them, forcefully if slow.
import type { ChildProcess } from 'node:child_process';

export type UnexpectedExit = (name: string, how: string) => void;

/**
 * Ctrl-C in a terminal signals the whole process group at once: the children may exit before
 * our own SIGINT handler has run. Waiting this long before calling an exit unexpected lets the
 * handler mark the shutdown as deliberate first.
 */
const SETTLE_MS = 250;

function alive(child: ChildProcess): boolean {
  return child.exitCode === null && child.signalCode === null;
}

export class Supervisor {
  readonly #children = new Map<string, ChildProcess>();
  #stopping = false;

  constructor(private readonly onUnexpectedExit: UnexpectedExit) {}

  get stopping(): boolean {
    return this.#stopping;
  }

  watch(name: string, child: ChildProcess): void {
    this.#children.set(name, child);
    const exited = (code: number | null, signal: NodeJS.Signals | null) => {
      this.#children.delete(name);
      setTimeout(() => {
        if (!this.#stopping) this.onUnexpectedExit(name, signal ? `killed by ${signal}` : `exit code ${code}`);
      }, SETTLE_MS);
    };
    if (!alive(child)) exited(child.exitCode, child.signalCode);
    else child.once('exit', exited);
    // Started while shutting down (e.g. Ctrl-C during start-up): stop it right away.
    if (this.#stopping) void this.#stop(name, child, 5_000);
  }

  async stopAll(graceMs = 5_000): Promise<void> {
    this.#stopping = true;
    await Promise.all([...this.#children].map(([name, child]) => this.#stop(name, child, graceMs)));
  }

  async #stop(name: string, child: ChildProcess, graceMs: number): Promise<void> {
    if (!alive(child)) return;
    const gone = new Promise<void>((resolve) => child.once('exit', () => resolve()));
    child.kill('SIGTERM');
    const timeout = new Promise<'timeout'>((resolve) => setTimeout(() => resolve('timeout'), graceMs).unref());
    if ((await Promise.race([gone, timeout])) === 'timeout' && alive(child)) {
      console.error(`${name} did not stop within ${graceMs} ms; killing it`);
      child.kill('SIGKILL');
      await gone;
    }
  }
}
