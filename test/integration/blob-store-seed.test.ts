// The store as `npm start` runs it: seeded with public/ content (datasets, specs, proving
// artifacts) as UnixFS DAGs, so one-chunk files are fetchable by the raw CIDs of the hashes on
// chain and larger ones by their roots; the app's env points at it.
import { createHash } from 'node:crypto';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readBlobStoreConfig, startStackBlobStore, type StackBlobStore } from '../../scripts/lib/blob-store/index.ts';
import { DEMO_FILES, demoHashes } from '../../scripts/lib/demo-content.ts';
import { REPO_ROOT } from '../../scripts/lib/paths.ts';
import { cidFromDigest } from '../../src/lib/ml/artifact/cid.ts';
import { parseManifestBytes } from '../../src/lib/ml/data/manifest.ts';
import { BlobNotFoundError, casConfigFromEnv, fetchVerified, uploadBlob } from '../../src/lib/storage/cas/index.ts';
import { fileDag } from '../../src/lib/storage/unixfs/dag.ts';

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

  it('serves the demo task content under the CIDs of its on-chain hashes (one-chunk files: their raw CIDs)', async () => {
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

  it("seeds datasets, specs and the proving artifacts as DAGs: each root is fileDag's, each file served whole", async () => {
    const files = stack.seeded.map((f) => relative(join(REPO_ROOT, 'public'), f.path));
    expect(files).toContain('zk/watermark_ownership.zkey');
    expect(files).toContain('zk/watermark_ownership.wasm');
    expect(files).toContain('zk/watermark_ownership.vkey.json');
    // Every published spec (the Create page's templates) is seeded.
    expect(files.filter((f) => f.startsWith('specs/')).sort()).toEqual(
      readdirSync(join(REPO_ROOT, 'public', 'specs'))
        .filter((f) => f.endsWith('.json'))
        .map((f) => `specs/${f}`)
        .sort(),
    );
    expect(files.filter((f) => /^datasets\/fashion-mnist-train\/[0-9a-f]{64}\.bin$/.test(f))).toHaveLength(6);
    expect(files.some((f) => f.includes('hidden'))).toBe(false);
    expect(stack.seededBytes).toBeGreaterThan(50_000_000);

    for (const name of ['zk/watermark_ownership.zkey', 'datasets/fashion-mnist-train/manifest.json']) {
      const seeded = stack.seeded.find((f) => f.path.endsWith(name))!;
      const bytes = new Uint8Array(readFileSync(seeded.path));
      const dag = await fileDag(bytes);
      expect([name, seeded.cid, seeded.size, seeded.blocks]).toEqual([
        name,
        dag.root.toString(),
        bytes.length,
        dag.blocks.length,
      ]);
    }
    const fashion = JSON.parse(
      readFileSync(join(DEMO_FILES.trainData, '..', '..', 'fashion-mnist-train', 'manifest.json'), 'utf8'),
    ) as { shards: { sha256: string; bytes: number }[] };
    const shard = stack.seeded.find((f) => f.path.endsWith(`${fashion.shards[0]!.sha256}.bin`))!;
    expect(shard.cid.startsWith('bafybei')).toBe(true);
    const res = await fetch(`${stack.store.url}/ipfs/${shard.cid}`);
    const body = new Uint8Array(await res.arrayBuffer());
    expect(body.length).toBe(fashion.shards[0]!.bytes);
    expect(createHash('sha256').update(body).digest('hex')).toBe(fashion.shards[0]!.sha256);

    const hidden = readFileSync(DEMO_FILES.finalEval);
    const hiddenRoot = (await fileDag(new Uint8Array(hidden))).root.toString();
    expect((await fetch(`${stack.store.url}/ipfs/${hiddenRoot}`)).status).toBe(404);
    await expect(
      fetchVerified(cidFromDigest(createHash('sha256').update(hidden).digest()), { gateways: [stack.store.url] }),
    ).rejects.toBeInstanceOf(BlobNotFoundError);
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
      expect(again.seeded.map((f) => f.cid)).toEqual(stack.seeded.map((f) => f.cid));
      const spec = await fetchVerified(cidFromDigest(demoHashes().modelSpec), { gateways: [again.store.url] });
      expect(spec.bytes.length).toBe(readFileSync(DEMO_FILES.modelSpec).length);
    } finally {
      await again.store.close();
    }
  });
});
