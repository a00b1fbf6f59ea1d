import { describe, expect, it } from 'vitest';
import { AbortedError, backoffDelay, withBackoff } from '../../../src/lib/chain/tx/backoff.ts';

describe('backoff', () => {
  it('doubles from the base delay up to the cap', () => {
    expect([1, 2, 3, 4, 5, 6].map((a) => backoffDelay(a, 100, 1_000))).toEqual([100, 200, 400, 800, 1_000, 1_000]);
  });

  it('retries until the call succeeds, waiting the backoff in between', async () => {
    const delays: number[] = [];
    let calls = 0;
    const result = await withBackoff(
      async (attempt) => {
        calls++;
        if (attempt < 3) throw new Error(`fail ${attempt}`);
        return 'ok';
      },
      { retries: 5, baseMs: 5, maxMs: 15, onRetry: (_e, _a, d) => delays.push(d) },
    );
    expect([result, calls, delays]).toEqual(['ok', 4, [5, 10, 15]]);
  });

  it('gives up after the retries, with the last error', async () => {
    let calls = 0;
    await expect(
      withBackoff(
        async () => {
          calls++;
          throw new Error(`fail ${calls}`);
        },
        { retries: 2, baseMs: 1, maxMs: 1 },
      ),
    ).rejects.toThrow('fail 3');
    expect(calls).toBe(3);
  });

  it('does not retry what shouldRetry refuses', async () => {
    let calls = 0;
    await expect(
      withBackoff(
        async () => {
          calls++;
          throw new Error('final');
        },
        { retries: 5, baseMs: 1, maxMs: 1, shouldRetry: () => false },
      ),
    ).rejects.toThrow('final');
    expect(calls).toBe(1);
  });

  it('stops waiting when aborted', async () => {
    const abort = new AbortController();
    const started = Date.now();
    const run = withBackoff(
      async () => {
        throw new Error('down');
      },
      { retries: Infinity, baseMs: 10_000, maxMs: 10_000, signal: abort.signal },
    );
    setTimeout(() => abort.abort(), 20);
    await expect(run).rejects.toBeInstanceOf(AbortedError);
    expect(Date.now() - started).toBeLessThan(5_000);
  });
});
