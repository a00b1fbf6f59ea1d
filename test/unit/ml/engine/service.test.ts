// The worker services driven directly in Node: data over a fetch that reads public/, checkpoints
// in fake-indexeddb.
import { createHash } from 'node:crypto';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { IDBFactory } from 'fake-indexeddb';
import { beforeAll, expect, test } from 'vitest';
import { createEvalService } from '../../../../src/lib/ml/eval/service.ts';
import { createTrainService, type TrainJob } from '../../../../src/lib/ml/train/service.ts';
import { openCheckpointStore } from '../../../../src/lib/storage/index.ts';
import type { TrainProgress } from '../../../../src/lib/ml/train/index.ts';
import { WASM_DIR, useBackend } from './helpers.ts';
import { seedFiles, startBlobStore } from '../../../../scripts/lib/blob-store/index.ts';

const root = new URL('../../../../public/', import.meta.url);
const fileFetch = (async (input: RequestInfo | URL) => {
  const url = new URL(String(input));
  try {
    return new Response(readFileSync(new URL(`.${url.pathname}`, root)));
  } catch {
    return new Response('not found', { status: 404, statusText: 'Not Found' });
  }
}) as typeof fetch;

const specBytes = new Uint8Array(readFileSync(new URL('specs/digits-mlp.json', root)));
const key = Uint8Array.from({ length: 64 * 128 }, (_, i) => (i * 2654435761) >>> 31);
const job = (over: Partial<TrainJob> = {}): TrainJob => ({
  runId: 'digits-1',
  specBytes,
  dataUrl: 'http://local/datasets/digits-train',
  seed: 17,
  backend: 'wasm',
  overrides: { epochs: 4 },
  watermark: { keyBits: key, owner: '0x5b38da6a701c568545dcfcddfc4b11fc0a3f9d6e' },
  readEvery: 5,
  checkpointEvery: 10,
  ...over,
});

beforeAll(() => useBackend('cpu'));

test('train service: runs, checkpoints, is cancelled, resumes from the store, and its artifact evaluates', async () => {
  const factory = new IDBFactory();
  const env = { backend: { wasmPaths: WASM_DIR }, fetch: fileFetch, openStore: () => openCheckpointStore(factory) };
  const service = createTrainService(env);

  const whole = await createTrainService({ ...env, openStore: () => openCheckpointStore(new IDBFactory()) }).train(
    job(),
  );
  expect(whole.status).toBe('completed');
  expect(whole.backend).toBe('wasm');
  expect(whole.step).toBe(4 * Math.ceil(1297 / 32));

  const saved: number[] = [];
  const progress: TrainProgress[] = [];
  const first = await service.train(job(), {
    onProgress: (p) => {
      progress.push(p);
      if (p.step === 35) service.cancel('user');
    },
    onCheckpoint: (c) => saved.push(c.step),
  });
  expect(first.status).toBe('cancelled');
  expect(saved).toEqual([10, 20, 30, 35]);
  expect((await service.runs()).map((r) => [r.runId, r.step])).toEqual([['digits-1', 35]]);
  await expect(service.train(job({ seed: 18 }))).rejects.toThrow(/seed 17/);

  const second = await service.train(job());
  expect(second.resumedFrom).toBe(35);
  expect(second.status).toBe('completed');
  expect(second.artifactHash).toBe(whole.artifactHash);
  expect(second.watermark).toMatchObject({ sealable: true });

  const evaluator = createEvalService({ backend: { wasmPaths: WASM_DIR }, fetch: fileFetch });
  const evalJob = {
    specBytes,
    artifact: second.artifact,
    dataUrl: 'http://local/datasets/digits-eval',
    backend: 'wasm' as const,
  };
  const score = await evaluator.evaluate({ ...evalJob, expectedArtifactHash: second.artifactHash });
  expect(score.samples).toBe(250);
  expect(score.accuracy).toBeGreaterThan(0.8);
  expect(score.backend).toBe('wasm');
  await expect(
    evaluator.evaluate({ ...evalJob, expectedArtifactHash: whole.artifactHash.replace(/.$/, '0') }),
  ).rejects.toThrow(/hashes to/);
  // A hash the caller verified already (the CID-checked download) is taken, not recomputed: the
  // outcome names the given hash even where it is not the bytes' (only a trusted caller gives one).
  const given = `0x${'ab'.repeat(32)}` as const;
  expect((await evaluator.evaluate({ ...evalJob, artifactHash: given })).artifactHash).toBe(given);
  await expect(
    evaluator.evaluate({ ...evalJob, artifactHash: given, expectedArtifactHash: second.artifactHash }),
  ).rejects.toThrow(/not both/);
  const truncated = second.artifact.subarray(0, second.artifact.length - 4);
  await expect(evaluator.evaluate({ ...evalJob, artifact: truncated })).rejects.toThrow(/truncated/);

  await service.deleteRun('digits-1');
  expect(await service.runs()).toEqual([]);
});

test('eval service: a set that is no folder of the app (a revealed final set) is read by hash through gateways', async () => {
  // The hidden final set as the creator's reveal leaves it: its files uploaded to the local blob
  // store, served under their CIDs.
  const dir = mkdtempSync(join(tmpdir(), 'aiarena-final-'));
  const store = await startBlobStore({ dir, port: 0, host: '127.0.0.1' });
  try {
    const folder = fileURLToPath(new URL('../../../../datasets/hidden/digits-final/', import.meta.url));
    await seedFiles(
      store.disk,
      readdirSync(folder).map((f) => join(folder, f)),
      store.maxBlobBytes,
    );
    const manifestHash = createHash('sha256')
      .update(readFileSync(join(folder, 'manifest.json')))
      .digest('hex');
    const { artifact } = await createTrainService({
      backend: { wasmPaths: WASM_DIR },
      fetch: fileFetch,
      openStore: () => openCheckpointStore(new IDBFactory()),
    }).train(job({ runId: 'final-1', overrides: { epochs: 1 }, checkpointEvery: 1000 }));
    const evaluator = createEvalService({ backend: { wasmPaths: WASM_DIR } });
    const base = { specBytes, artifact, backend: 'wasm' as const, expectedDataHash: manifestHash };
    const viaStore = await evaluator.evaluate({ ...base, dataGateways: [store.url] });
    expect(viaStore.dataHash).toBe(manifestHash);
    expect(viaStore.samples).toBeGreaterThan(0);
    // The same bytes as a folder on disk score the same.
    const onDisk = createEvalService({
      backend: { wasmPaths: WASM_DIR },
      fetch: (async (input: RequestInfo | URL) =>
        new Response(readFileSync(join(folder, new URL(String(input)).pathname.split('/').pop()!)))) as typeof fetch,
    });
    const viaFolder = await onDisk.evaluate({ ...base, dataUrl: 'http://local/final' });
    expect(viaStore.accuracy).toBe(viaFolder.accuracy);
    // A gateway that does not hold the set fails with the store client's error; a job must name one place.
    await expect(
      evaluator.evaluate({ ...base, expectedDataHash: 'ab'.repeat(32), dataGateways: [store.url] }),
    ).rejects.toThrow(/not found|404/i);
    await expect(evaluator.evaluate({ ...base })).rejects.toThrow(/either dataUrl or dataGateways/);
  } finally {
    await store.close();
    rmSync(dir, { recursive: true, force: true });
  }
});
