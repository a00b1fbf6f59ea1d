import { readFileSync } from 'node:fs';
import { createHash } from 'node:crypto';
import type { Hex } from 'viem';
import { describe, expect, it } from 'vitest';
import { BUNDLED_DATASETS, DatasetNotAvailableError, datasetFolder } from '../../../src/app/pages/train/datasets.ts';

const root = new URL('../../../public/', import.meta.url);
const sha = (path: string) =>
  `0x${createHash('sha256')
    .update(readFileSync(new URL(path, root)))
    .digest('hex')}` as Hex;

/** Serves public/ as the dev server does, counting requests. */
function publicFetch(missing: string[] = []) {
  const seen: string[] = [];
  const fn = (async (input: RequestInfo | URL) => {
    const path = String(input).replace(/^\/app\//, '');
    seen.push(path);
    if (missing.some((m) => path.includes(m))) return new Response('no', { status: 404 });
    return new Response(readFileSync(new URL(path, root)));
  }) as typeof fetch;
  return { fn, seen };
}

describe('datasetFolder', () => {
  it('finds the bundled folder whose manifest hashes to the task hash', async () => {
    const f = publicFetch();
    expect(await datasetFolder(sha('datasets/digits-eval/manifest.json'), { base: '/app/', fetch: f.fn })).toBe(
      '/app/datasets/digits-eval',
    );
    expect(f.seen.sort()).toEqual(BUNDLED_DATASETS.map((n) => `datasets/${n}/manifest.json`).sort());
    const upper = sha('datasets/digits-train/manifest.json').toUpperCase().replace('0X', '0x') as Hex;
    expect(await datasetFolder(upper, { base: '/app/', fetch: f.fn })).toBe('/app/datasets/digits-train');
  });

  it('says plainly when the task names a dataset this app does not serve, and skips folders that fail', async () => {
    const f = publicFetch(['fashion-mnist-train']);
    const unknown = `0x${'12'.repeat(32)}` as Hex;
    const err = await datasetFolder(unknown, { base: '/app/', fetch: f.fn }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(DatasetNotAvailableError);
    expect((err as DatasetNotAvailableError).message).toBe(
      "This task's dataset (manifest sha256 0x1212121212…) is not one this app serves (digits-train, digits-eval, fashion-mnist-train, fashion-mnist-eval, solidity-train, solidity-eval), so it cannot be trained or evaluated here.",
    );
    expect(await datasetFolder(sha('datasets/fashion-mnist-eval/manifest.json'), { base: '/app/', fetch: f.fn })).toBe(
      '/app/datasets/fashion-mnist-eval',
    );
  });
});
