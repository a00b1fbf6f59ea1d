// The eval worker's replay service driven in Node (docs/transcript.md section 8): data over a
// fetch that reads public/, a transcript made by runTranscript, progress, cancel, refusals.
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, expect, test } from 'vitest';
import { createEvalService, type ReplayJob } from '../../../../src/lib/ml/eval/service.ts';
import { runTranscript } from '../../../../src/lib/ml/transcript/run.ts';
import { leafOf } from '../../../../src/lib/ml/transcript/state.ts';
import { openTranscriptDir } from '../../../../src/lib/storage/transcripts-fs.ts';
import { WASM_DIR, useBackend } from '../engine/helpers.ts';
import { ALICE, BOB, digitsSpec, keyFor, programOptions } from './fixture.ts';

const root = new URL('../../../../public/', import.meta.url);
const fileFetch = (async (input: RequestInfo | URL) => {
  try {
    return new Response(readFileSync(new URL(`.${new URL(String(input)).pathname}`, root)));
  } catch {
    return new Response('not found', { status: 404, statusText: 'Not Found' });
  }
}) as typeof fetch;

let dir: string;
let job: ReplayJob;
let states: Uint8Array[];

beforeAll(async () => {
  await useBackend('wasm');
  dir = mkdtempSync(join(tmpdir(), 'aiarena-replay-service-'));
  const store = await openTranscriptDir(dir);
  const digits = await digitsSpec({ interval: 10 });
  await runTranscript({ ...(await programOptions(digits)), id: 'a', store, segments: 2 });
  states = await Promise.all([0, 1, 2].map((i) => store.state('a', i).then((b) => b!)));
  job = {
    specBytes: digits.bytes,
    expectedSpecHash: digits.hash,
    dataUrl: 'http://local/datasets/digits-train',
    identity: ALICE,
    keyBits: keyFor(ALICE.trainer),
    start: states[0]!,
    claimed: states[1]!,
    backend: 'wasm',
  };
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

test('replays an honest segment with progress; another identity or key does not replay it', async () => {
  const service = createEvalService({ backend: { wasmPaths: WASM_DIR }, fetch: fileFetch });
  const progress: [number, number][] = [];
  const out = await service.replay(
    { ...job, start: states[1]!, claimed: states[2]! },
    { onProgress: (d, t) => progress.push([d, t]) },
  );
  expect(out).toMatchObject({ status: 'done', backend: 'wasm', floatPrecision: 32 });
  expect(out.check).toMatchObject({ replays: true, failed: 0, claimedStep: 20 });
  expect(out.dataHash).toMatch(/^[0-9a-f]{64}$/);
  expect(progress.at(-1)).toEqual([10, 10]);
  expect(progress).toHaveLength(10);
  // Bob's program (his data order, dropout and watermark bits) does not produce Alice's segment.
  const asBob = await service.replay({ ...job, identity: BOB });
  expect(asBob.check!.replays).toBe(false);
  // Nor does Alice's program with another key (the regularizer pulls elsewhere).
  const otherKey = await service.replay({ ...job, keyBits: keyFor('someone else') });
  expect(otherKey.check!.replays).toBe(false);
});

test('cancels a replay in progress; refuses a wrong spec hash and a missing key', async () => {
  const service = createEvalService({ backend: { wasmPaths: WASM_DIR }, fetch: fileFetch });
  const out = await service.replay(job, { onProgress: (done) => done === 4 && service.cancel('user') });
  expect(out.status).toBe('cancelled');
  expect(out.check).toBeUndefined();
  await expect(service.replay({ ...job, expectedSpecHash: 'ab'.repeat(32) })).rejects.toThrow(
    /hashes to .*expected abab/,
  );
  const { keyBits: _, ...noKey } = job;
  await expect(service.replay(noKey)).rejects.toThrow(/needs the trainer's key/);
  // The service is free again after each of those.
  expect((await service.replay(job)).check!.replays).toBe(true);
});

test('the train service runs a transcript in its store: cancelled, resumed, sealed artifact evaluates', async () => {
  const { IDBFactory } = await import('fake-indexeddb');
  const { createTrainService } = await import('../../../../src/lib/ml/train/service.ts');
  const { openCheckpointStore } = await import('../../../../src/lib/storage/checkpoints.ts');
  const { openTranscriptStore } = await import('../../../../src/lib/storage/transcripts.ts');
  const factory = new IDBFactory();
  const env = {
    backend: { wasmPaths: WASM_DIR },
    fetch: fileFetch,
    openStore: () => openCheckpointStore(factory),
    openTranscriptStore: () => openTranscriptStore(factory),
  };
  const service = createTrainService(env);
  const tjob = {
    transcriptId: 'alice-task-1',
    specBytes: job.specBytes,
    dataUrl: job.dataUrl!,
    identity: ALICE,
    keyBits: job.keyBits!,
    segments: 2,
    backend: 'wasm' as const,
  };
  const segments: number[] = [];
  const first = await service.transcript(tjob, {
    onStep: (step) => step === 13 && service.cancel('tab closed'),
    onSegment: (s) => segments.push(s.index),
  });
  expect(first).toMatchObject({ status: 'cancelled', reason: 'tab closed', resumedFrom: 0 });
  expect(first.meta.leaves).toHaveLength(2);
  expect(segments).toEqual([1]);
  // A fresh service over the same IndexedDB (a reopened tab) finishes it.
  const second = await createTrainService(env).transcript(tjob);
  expect(second).toMatchObject({ status: 'completed', resumedFrom: 1, backend: 'wasm' });
  // The same transcript as the direct run in beforeAll made (same program, same backend).
  expect(second.meta.leaves).toEqual(await Promise.all(states.map((b) => leafOf(b))));

  expect((await service.transcripts()).map((m) => m.id)).toEqual(['alice-task-1']);
  const evaluator = createEvalService({ backend: { wasmPaths: WASM_DIR }, fetch: fileFetch });
  const score = await evaluator.evaluate({
    specBytes: job.specBytes,
    artifact: second.artifact!,
    expectedArtifactHash: second.artifactHash!,
    dataUrl: 'http://local/datasets/digits-eval',
    backend: 'wasm',
  });
  expect(score.accuracy).toBeGreaterThan(0.3);
  await expect(service.transcript({ ...tjob, overrides: { epochs: 1 } } as never)).rejects.toThrow(
    /refused: overrides/,
  );
  await expect(createTrainService({ ...env, openTranscriptStore: undefined }).transcript(tjob)).rejects.toThrow(
    /keeps no transcripts/,
  );
  await service.deleteTranscript('alice-task-1');
  expect(await service.transcripts()).toEqual([]);
});
