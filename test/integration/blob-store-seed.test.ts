// The store as `npm start` runs it: seeded with public/ content, so the demo task's spec and
// datasets are fetchable by the CIDs of the hashes on chain, and the app's env points at it.
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readBlobStoreConfig, startStackBlobStore, type StackBlobStore } from '../../scripts/lib/blob-store/index.ts';
import { DEMO_FILES, demoHashes } from '../../scripts/lib/demo-content.ts';
import { cidFromDigest } from '../../src/lib/ml/artifact/cid.ts';
import { parseManifestBytes } from '../../src/lib/ml/data/manifest.ts';
import { BlobNotFoundError, casConfigFromEnv, fetchVerified, uploadBlob } from '../../src/lib/storage/cas/index.ts';

describe('npm start blob store', () => {
  let state: string;
  let stack: StackBlobStore;

  beforeAll(async () => {
    state = mkdtempSync(join(tmpdir(), 'aiarena-blob-seed-'));
    stack = await startStackBlobStore({
      config: readBlobStoreConfig({}, state, {}),
      port: 0,
      appPort: 5173,
      log: () => {},
    });
  });

  afterAll(async () => {
    await stack?.store.close();
    rmSync(state, { recursive: true, force: true });
  });

  it('serves the demo task content under the CIDs of its on-chain hashes', async () => {
    const config = casConfigFromEnv(stack.viteEnv);
    expect(config.gateways).toEqual([stack.store.url]);
    const hashes = demoHashes();
    const spec = await fetchVerified(cidFromDigest(hashes.modelSpec), config);
    expect(Buffer.from(spec.bytes).equals(readFileSync(DEMO_FILES.modelSpec))).toBe(true);

    for (const [hash, file] of [
      [hashes.trainData, DEMO_FILES.trainData],
      [hashes.evalData, DEMO_FILES.evalData],
    ] as const) {
      const manifestBlob = await fetchVerified(cidFromDigest(hash), config);
      expect(Buffer.from(manifestBlob.bytes).equals(readFileSync(file))).toBe(true);
      const { manifest } = await parseManifestBytes(manifestBlob.bytes, hash.slice(2));
      for (const shard of manifest.shards) {
        const got = await fetchVerified(cidFromDigest(`0x${shard.sha256}`), config);
        expect(got.bytes.length).toBe(shard.bytes);
      }
    }
  });

  it('seeds every public dataset and spec (Fashion-MNIST shards of 4.4 MB included), never the hidden final set', async () => {
    expect(stack.seededFiles).toBeGreaterThanOrEqual(16);
    expect(stack.seededBytes).toBeGreaterThan(25_000_000);
    const fashion = JSON.parse(
      readFileSync(join(DEMO_FILES.trainData, '..', '..', 'fashion-mnist-train', 'manifest.json'), 'utf8'),
    ) as {
      shards: { sha256: string; bytes: number }[];
    };
    const big = await fetchVerified(cidFromDigest(`0x${fashion.shards[0]!.sha256}`), { gateways: [stack.store.url] });
    expect(big.bytes.length).toBe(fashion.shards[0]!.bytes);
    expect(big.bytes.length).toBeGreaterThan(2 * 1024 * 1024);

    const hidden = readFileSync(DEMO_FILES.finalEval);
    const { createHash } = await import('node:crypto');
    const hiddenCid = cidFromDigest(createHash('sha256').update(hidden).digest());
    await expect(fetchVerified(hiddenCid, { gateways: [stack.store.url] })).rejects.toBeInstanceOf(BlobNotFoundError);
  });

  it('takes uploads from the app origin it was started for', async () => {
    const res = await fetch(`${stack.store.url}/upload`, {
      method: 'POST',
      headers: { Origin: 'http://localhost:5173' },
      body: 'trainer artifact',
    });
    expect(res.status).toBe(201);
    expect(res.headers.get('access-control-allow-origin')).toBe('http://localhost:5173');
    const other = await fetch(`${stack.store.url}/upload`, {
      method: 'POST',
      headers: { Origin: 'http://127.0.0.1:5174' },
      body: 'x',
    });
    expect(other.status).toBe(403);
    const up = await uploadBlob(new TextEncoder().encode('through the app config'), casConfigFromEnv(stack.viteEnv));
    expect(up.size).toBe(22);
  });

  it('a second start over the same folder reuses the stored files', async () => {
    const again = await startStackBlobStore({
      config: readBlobStoreConfig({}, state, {}),
      port: 0,
      appPort: 5173,
      log: () => {},
    });
    try {
      expect(again.seededFiles).toBe(stack.seededFiles);
      const spec = await fetchVerified(cidFromDigest(demoHashes().modelSpec), { gateways: [again.store.url] });
      expect(spec.bytes.length).toBe(readFileSync(DEMO_FILES.modelSpec).length);
    } finally {
      await again.store.close();
    }
  });
});
