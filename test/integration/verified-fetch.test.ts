// An independent IPFS client against the store: Helia's @helia/verified-fetch (a Helia node with
// no libp2p, the store as its only trustless gateway) fetches content by root CID with its default
// limits, checking every block itself, and must get the same bytes. What it took is in
// docs/app/artifact-store.md "Independent clients".
import './support/promise-with-resolvers.ts';
import { createHash } from 'node:crypto';
import { setMaxListeners } from 'node:events';
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readBlobStoreConfig, startStackBlobStore, type StackBlobStore } from '../../scripts/lib/blob-store/index.ts';
import { REPO_ROOT } from '../../scripts/lib/paths.ts';
import { serializeArtifact } from '../../src/lib/ml/artifact/serialize.ts';
import { parseModelSpec } from '../../src/lib/ml/spec/parse.ts';
import { specShapes } from '../../src/lib/ml/spec/shapes.ts';
import { cidFromBytes } from '../../src/lib/ml/artifact/cid.ts';
import type { CasConfig } from '../../src/lib/storage/cas/config.ts';
import { uploadBlob } from '../../src/lib/storage/cas/upload.ts';
import { fileDag } from '../../src/lib/storage/unixfs/dag.ts';
import { MAX_BLOCK_BYTES } from '../../src/lib/storage/unixfs/settings.ts';

type VerifiedFetch = ((resource: string, init?: RequestInit) => Promise<Response>) & { stop(): Promise<void> };

const sha256 = (b: Uint8Array) => createHash('sha256').update(b).digest('hex');

/** A model spec of about 5M float32 parameters (a 20 MB artifact) and its weights, deterministic. */
function largeArtifact(): Uint8Array {
  const specJson = {
    format: 'aiarena-model-spec',
    version: 1,
    name: 'wide-mlp-test',
    description: '4096-1220-10 MLP: a 20 MB artifact for the independent-client test',
    input: { shape: [64, 64, 1] },
    output: { classes: 10 },
    layers: [
      { type: 'flatten' },
      { type: 'dense', id: 'hidden', units: 1220, activation: 'relu' },
      { type: 'dense', id: 'logits', units: 10 },
    ],
    loss: 'sparse-categorical-crossentropy',
    metric: { name: 'accuracy' },
    optimizer: { name: 'adam', learningRate: 0.001, batchSize: 32, epochs: 1 },
  };
  const specBytes = new TextEncoder().encode(JSON.stringify(specJson));
  const { params, paramCount } = specShapes(parseModelSpec(specJson));
  expect(paramCount).toBeGreaterThan(5_000_000);
  let x = 0x9e3779b9;
  const tensors = params.map((p) => {
    const t = new Float32Array(p.shape.reduce((a, b) => a * b, 1));
    for (let i = 0; i < t.length; i++) {
      x ^= x << 13;
      x ^= x >>> 17;
      x ^= x << 5;
      t[i] = ((x >>> 0) / 2 ** 32 - 0.5) * 0.1;
    }
    return t;
  });
  return serializeArtifact(createHash('sha256').update(specBytes).digest(), params, tensors);
}

describe('verified-fetch against the store', () => {
  let state: string;
  let stack: StackBlobStore;
  let verifiedFetch: VerifiedFetch;

  beforeAll(async () => {
    state = mkdtempSync(join(tmpdir(), 'aiarena-verified-fetch-'));
    stack = await startStackBlobStore({
      config: readBlobStoreConfig({}, state, {}),
      port: 0,
      appPort: 5173,
      log: () => {},
    });
    const { createHeliaLight } = await import('helia');
    const { httpGatewayRouting } = await import('@helia/routers');
    const { trustlessGateway } = await import('@helia/block-brokers');
    const { createVerifiedFetch } = await import('@helia/verified-fetch');
    // verified-fetch's own { gateways } option also starts libp2p routing, which waits for peers
    // that an offline machine never finds; a light Helia with the store as its only router and
    // block broker is what works (the spike in docs/app/artifact-store.md).
    const helia = createHeliaLight({
      // @helia/routers 5.1.1 is typed against @helia/interface 6, helia 7.1.15 against 7 (nested):
      // the router has the same shape at run time.
      routers: [httpGatewayRouting({ gateways: [stack.store.url] }) as never],
      blockBrokers: [trustlessGateway({ allowInsecure: true, allowLocal: true })],
    });
    await helia.start();
    verifiedFetch = (await createVerifiedFetch(helia)) as unknown as VerifiedFetch;
  });

  afterAll(async () => {
    await verifiedFetch?.stop();
    await stack?.store.close();
    rmSync(state, { recursive: true, force: true });
  });

  /** One signal for a whole file: verified-fetch adds a listener to it per block. */
  function deadline(ms: number): AbortSignal {
    const signal = AbortSignal.timeout(ms);
    setMaxListeners(1_000, signal);
    return signal;
  }

  async function fetchAndCompare(cid: string, expected: Uint8Array): Promise<void> {
    const res = await verifiedFetch(`ipfs://${cid}`, { signal: deadline(30_000) });
    expect(res.status).toBe(200);
    const body = new Uint8Array(await res.arrayBuffer());
    expect(body.length).toBe(expected.length);
    expect(sha256(body)).toBe(sha256(expected));
  }

  it('the largest demo dataset shard (4.4 MB), seeded as a DAG', async () => {
    const shards = stack.seeded.filter((f) => /datasets\/fashion-mnist-[a-z]+\/[0-9a-f]{64}\.bin$/.test(f.path));
    const largest = shards.reduce((a, b) => (b.size > a.size ? b : a));
    expect(largest.size).toBeGreaterThan(2 * MAX_BLOCK_BYTES);
    expect(largest.cid.startsWith('bafybei')).toBe(true);
    const bytes = new Uint8Array(readFileSync(largest.path));
    // The manifest names the shard by its sha-256: the bytes are the shard.
    expect(largest.path).toContain(sha256(bytes));
    await fetchAndCompare(largest.cid, bytes);
  });

  it('a 20 MB model artifact uploaded as bytes', async () => {
    const artifact = largeArtifact();
    expect(artifact.length).toBeGreaterThan(20_000_000);
    const res = await fetch(`${stack.store.url}/upload`, {
      method: 'POST',
      body: new Blob([new Uint8Array(artifact)]),
    });
    expect(res.status).toBe(201);
    const { cid, size } = (await res.json()) as { cid: string; size: number };
    expect(size).toBe(artifact.length);
    expect(cid).toBe((await fileDag(artifact)).root.toString());
    await fetchAndCompare(cid, artifact);
  });

  it('the proving key public/zk/watermark_ownership.zkey (17.3 MB)', async () => {
    const zkey = stack.seeded.find((f) => f.path === join(REPO_ROOT, 'public', 'zk', 'watermark_ownership.zkey'))!;
    const bytes = new Uint8Array(readFileSync(zkey.path));
    expect(bytes.length).toBeGreaterThan(17_000_000);
    await fetchAndCompare(zkey.cid, bytes);
  });

  it('every other file the demo publishes: all seeded files, and the hidden final sets as the app uploads them', async () => {
    expect(stack.seeded.length).toBeGreaterThanOrEqual(20);
    for (const f of stack.seeded) await fetchAndCompare(f.cid, new Uint8Array(readFileSync(f.path)));
    const config: CasConfig = {
      gateways: [stack.store.url],
      upload: { kind: 'store', url: `${stack.store.url}/upload` },
      maxBytes: 96 * 1024 * 1024,
    };
    const hidden = join(REPO_ROOT, 'datasets', 'hidden');
    const files = readdirSync(hidden, { recursive: true, withFileTypes: true })
      .filter((e) => e.isFile() && /(manifest\.json|\.bin)$/.test(e.name))
      .map((e) => join(e.parentPath, e.name));
    expect(files.length).toBeGreaterThanOrEqual(4);
    for (const path of files) {
      const bytes = new Uint8Array(readFileSync(path));
      const { cid } = await uploadBlob(bytes, config);
      await fetchAndCompare(cid, bytes);
    }
  });

  it('takes a whole-file raw block of 2 MiB, refuses one of 2 MiB + 1 (issue 12: what the store held before)', async () => {
    const bytes = new Uint8Array(MAX_BLOCK_BYTES + 1);
    let x = 12345;
    for (let i = 0; i < bytes.length; i++) {
      x = (x * 1103515245 + 12345) >>> 0;
      bytes[i] = x >>> 24;
    }
    const [fits, over] = [bytes.subarray(0, MAX_BLOCK_BYTES), bytes];
    for (const b of [fits, over]) writeFileSync(join(stack.store.disk.blocksDir, await cidFromBytes(b)), b);
    // The store serves both (an old store's blocks stay valid) ...
    expect(
      (await fetch(`${stack.store.url}/ipfs/${await cidFromBytes(over)}?format=raw`, { method: 'HEAD' })).status,
    ).toBe(200);
    // ... and an IPFS client takes a block up to 2 MiB, not one byte more.
    await fetchAndCompare(await cidFromBytes(fits), fits);
    const res = await verifiedFetch(`ipfs://${await cidFromBytes(over)}`, { signal: deadline(30_000) });
    expect(res.status).toBe(502);
  });
});
