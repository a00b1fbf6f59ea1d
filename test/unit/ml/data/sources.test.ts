import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { sha256Hex } from '../../../../src/lib/ml/hash.ts';
import { IntegrityError } from '../../../../src/lib/ml/integrity.ts';
import { fsSource, memorySource, shardFileName, urlSource, verified } from '../../../../src/lib/ml/data/sources.ts';
import { makeDataset } from './fixtures.ts';

const fx = await makeDataset([5, 3]);
const [a, b] = fx.manifest.shards as [(typeof fx.manifest.shards)[0], (typeof fx.manifest.shards)[0]];
const manifestBytes = new TextEncoder().encode(JSON.stringify(fx.manifest));
const manifestHash = await sha256Hex(manifestBytes);

async function integrity(p: Promise<unknown>): Promise<IntegrityError> {
  const e = await p.then(
    () => undefined,
    (err: unknown) => err,
  );
  expect(e).toBeInstanceOf(IntegrityError);
  return e as IntegrityError;
}

describe('urlSource', () => {
  const served = new Map<string, Uint8Array>([
    [`https://host/data/ds/${shardFileName(a.sha256)}`, fx.blobs.get(a.sha256)!],
    // b's URL serves a's bytes: a gateway or cache handing back the wrong content.
    [`https://host/data/ds/${shardFileName(b.sha256)}`, fx.blobs.get(a.sha256)!],
    ['https://host/data/ds/manifest.json', manifestBytes],
  ]);
  const requested: string[] = [];
  const fakeFetch = (async (input: RequestInfo | URL) => {
    const url = String(input);
    requested.push(url);
    if (url.startsWith('https://down/')) throw new TypeError('fetch failed');
    const body = served.get(url);
    return body ? new Response(body.slice()) : new Response('not here', { status: 404, statusText: 'Not Found' });
  }) as typeof fetch;

  it('fetches <base>/<sha256>.bin and checks the hash', async () => {
    const src = urlSource('https://host/data/ds/', { fetch: fakeFetch });
    expect(await src.get(a.sha256)).toEqual(fx.blobs.get(a.sha256));
    expect(requested).toContain(`https://host/data/ds/${a.sha256}.bin`);
  });

  it('throws IntegrityError naming expected and actual hashes', async () => {
    const e = await integrity(urlSource('https://host/data/ds', { fetch: fakeFetch }).get(b.sha256));
    expect(e.expected).toBe(b.sha256);
    expect(e.actual).toBe(a.sha256);
    expect(e.message).toContain(
      `https://host/data/ds/${b.sha256}.bin: content hash mismatch, expected sha256 ${b.sha256}, got ${a.sha256}`,
    );
  });

  it('reads the manifest and checks it against the task hash', async () => {
    const src = urlSource('https://host/data/ds', { fetch: fakeFetch });
    const { manifest, hash } = await src.manifest(manifestHash);
    expect(hash).toBe(manifestHash);
    expect(manifest).toEqual(fx.manifest);
    await integrity(src.manifest('0'.repeat(64)));
  });

  it('reports HTTP and network failures and refuses non-hash names', async () => {
    await expect(urlSource('https://host/missing', { fetch: fakeFetch }).get(a.sha256)).rejects.toThrow(
      `GET https://host/missing/${a.sha256}.bin: HTTP 404 Not Found`,
    );
    await expect(urlSource('https://down', { fetch: fakeFetch }).get(a.sha256)).rejects.toThrow(
      /GET https:\/\/down\/.* failed: fetch failed/,
    );
    await expect(urlSource('https://host/data/ds', { fetch: fakeFetch }).get('../../etc/passwd')).rejects.toThrow(
      TypeError,
    );
    await expect(urlSource('https://host/data/ds', { fetch: fakeFetch }).get(a.sha256.toUpperCase())).rejects.toThrow(
      TypeError,
    );
  });
});

describe('fsSource', () => {
  const dir = mkdtempSync(join(tmpdir(), 'aiarena-fs-source-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));
  writeFileSync(join(dir, shardFileName(a.sha256)), fx.blobs.get(a.sha256)!);
  const corrupt = fx.blobs.get(b.sha256)!.slice();
  corrupt[30] = corrupt[30]! ^ 1;
  writeFileSync(join(dir, shardFileName(b.sha256)), corrupt);
  writeFileSync(join(dir, 'manifest.json'), manifestBytes);

  it('reads shards by hash and checks them', async () => {
    const src = fsSource(dir);
    expect(await src.get(a.sha256)).toEqual(fx.blobs.get(a.sha256));
    const e = await integrity(src.get(b.sha256));
    expect(e.expected).toBe(b.sha256);
    expect(e.actual).toBe(await sha256Hex(corrupt));
    expect(e.message).toContain(join(dir, `${b.sha256}.bin`));
  });

  it('reads the manifest', async () => {
    expect((await fsSource(dir).manifest(manifestHash)).manifest.samples).toBe(8);
    await integrity(fsSource(dir).manifest('1'.repeat(64)));
  });

  it('fails clearly on a missing file', async () => {
    await expect(fsSource(join(dir, 'nope')).get(a.sha256)).rejects.toThrow(/ENOENT/);
  });
});

describe('memorySource and verified', () => {
  it('checks blobs held in memory', async () => {
    const blobs = new Map([
      [a.sha256, fx.blobs.get(a.sha256)!],
      [b.sha256, fx.blobs.get(a.sha256)!],
    ]);
    const src = memorySource(blobs);
    expect(await src.get(a.sha256)).toEqual(fx.blobs.get(a.sha256));
    await integrity(src.get(b.sha256));
    await expect(src.get('c'.repeat(64))).rejects.toThrow(/no blob/);
  });

  it('wraps an unchecked source', async () => {
    const raw = { get: async () => fx.blobs.get(a.sha256)! };
    expect(await verified(raw).get(a.sha256)).toEqual(fx.blobs.get(a.sha256));
    const e = await integrity(verified(raw, 'cache').get(b.sha256));
    expect(e.message).toMatch(/^cache\//);
  });
});
