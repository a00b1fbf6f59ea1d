// What the shell says when the chain or a page's code cannot be reached: one sentence, never a
// library's full message (request body, URL, version) or the module loader's wording.
import { HttpRequestError } from 'viem';
import { describe, expect, it } from 'vitest';
import { pageLoadProblem } from '../../../src/lib/app-logic/page-load.ts';
import { errorText } from '../../../src/app/snapshot.ts';

describe('errorText', () => {
  it('gives viem’s summary, not its request body or version', () => {
    const e = new HttpRequestError({
      url: 'http://127.0.0.1:8545',
      body: { method: 'eth_chainId', params: [] },
      details: 'fetch failed',
    });
    expect(e.message).toMatch(/Request body|Version: viem@/);
    const text = errorText(e);
    expect(text).toBe('HTTP request failed.');
    expect(text).not.toMatch(/Request body|Version|eth_chainId/);
  });

  it('keeps only the first line of any other message', () => {
    expect(errorText(new Error('cannot read the log\n  at scan (x.ts:1)\nDetails: {"big":"object"}'))).toBe(
      'cannot read the log',
    );
    expect(errorText('plain')).toBe('plain');
  });
});

describe('pageLoadProblem', () => {
  it('says offline in words and retries by itself when the connection returns', () => {
    const p = pageLoadProblem(false, 0);
    expect(p.action).toBe('retry');
    expect(p.text).toContain('you are offline');
    expect(p.text).not.toMatch(/module|fetch/i);
  });

  it('retries once online, then offers a reload of the app', () => {
    expect(pageLoadProblem(true, 0).action).toBe('retry');
    expect(pageLoadProblem(true, 1).action).toBe('reload');
    expect(pageLoadProblem(true, 3).text).toMatch(/Reloading the app/);
  });
});
