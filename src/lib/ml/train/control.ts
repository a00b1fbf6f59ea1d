// Pause / resume / cancel for a running loop. The loop polls it between steps.

export type ControlState = 'running' | 'paused' | 'cancelled';

export class RunControl {
  private current: ControlState = 'running';
  private reason = '';
  private wake: (() => void) | null = null;

  get state(): ControlState {
    return this.current;
  }

  /** Why the run was cancelled ('' when by request without a reason). */
  get cancelReason(): string {
    return this.reason;
  }

  pause(): void {
    if (this.current === 'running') this.current = 'paused';
  }

  resume(): void {
    if (this.current !== 'paused') return;
    this.current = 'running';
    this.release();
  }

  cancel(reason = ''): void {
    if (this.current === 'cancelled') return;
    this.current = 'cancelled';
    this.reason = reason;
    this.release();
  }

  /** Undoes a cancellation made for `reason` (a restart after a lost device); false otherwise. */
  rearm(reason: string): boolean {
    if (this.current !== 'cancelled' || this.reason !== reason) return false;
    this.current = 'running';
    this.reason = '';
    return true;
  }

  /** Resolves when the run may continue (or was cancelled). */
  async whilePaused(): Promise<void> {
    while (this.current === 'paused') {
      await new Promise<void>((resolve) => (this.wake = resolve));
    }
  }

  private release(): void {
    const wake = this.wake;
    this.wake = null;
    wake?.();
  }
}

/**
 * Lets queued messages (pause, cancel, progress readers) run. Promise continuations are
 * microtasks and never let a worker's message events in; a MessageChannel post is a macrotask
 * without setTimeout's 4 ms clamp.
 */
export function yieldToEventLoop(): Promise<void> {
  if (typeof MessageChannel === 'undefined') return new Promise((r) => setTimeout(r, 0));
  return new Promise((resolve) => {
    const channel = new MessageChannel();
    channel.port1.onmessage = () => {
      channel.port1.close();
      resolve();
    };
    channel.port2.postMessage(null);
  });
}
