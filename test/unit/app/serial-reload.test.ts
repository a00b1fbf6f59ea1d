import { describe, expect, it } from 'vitest';
import { serialReload } from '../../../src/lib/app-logic/serial-reload.ts';

describe('serialReload', () => {
  it('runs one read at a time and collapses requests made during a read into one more run', async () => {
    const releases: (() => void)[] = [];
    let started = 0;
    const reload = serialReload(async () => {
      started++;
      await new Promise<void>((r) => releases.push(r));
    });
    const first = reload();
    void reload();
    void reload();
    expect(started).toBe(1);
    releases.shift()!();
    await new Promise((r) => setTimeout(r, 0));
    expect(started).toBe(2);
    releases.shift()!();
    await first;
    expect(started).toBe(2);
  });

  it('a failed read still lets the next request run', async () => {
    let calls = 0;
    const reload = serialReload(async () => {
      calls++;
      if (calls === 1) throw new Error('rpc down');
    });
    await expect(reload()).rejects.toThrow('rpc down');
    await reload();
    expect(calls).toBe(2);
  });
});
